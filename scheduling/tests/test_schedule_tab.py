"""The chart's Schedule tab: upcoming and past appointments and attendance rates."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from conftest import rls_queries
from scheduling.appointments import services
from scheduling.appointments.models import COLOUR_VALUES, Appointment, AppointmentClient, AppointmentClinician
from scheduling.appointments.views import TAB_PAGE_SIZE
from tenancy.context import tenant_context


def _past(book, org, client, clinician, front_desk, days_ago, status=None, cancel=None):
    start = timezone.now() - datetime.timedelta(days=days_ago)
    a = book(front_desk, start, clients=[client], clinicians=[clinician]).appointments[0]
    with tenant_context(org):
        if status:
            Appointment.objects.filter(pk=a.pk).update(status=status)
        if cancel:
            Appointment.objects.filter(pk=a.pk).update(
                status="cancelled", cancelled_by="client", late_cancellation=cancel == "late"
            )
    return a


@pytest.mark.dated
def test_the_tab_lists_appointments_and_attendance_rates(
    org, book, clinician, front_desk, make_chart_client, clinic_client
):
    jordan = make_chart_client(org, primary=clinician)
    for days, status, cancel in [
        (30, "completed", None),
        (23, "completed", None),
        (16, "no_show", None),
        (9, None, "late"),
        (2, "arrived", None),
    ]:
        _past(book, org, jordan, clinician, front_desk, days, status, cancel)
    book(front_desk, timezone.now() + datetime.timedelta(days=5), clients=[jordan], clinicians=[clinician])
    response = clinic_client(org, front_desk).get(f"/clients/{jordan.pk}/schedule/")
    text = unescape(response.content.decode())
    assert response.status_code == 200
    assert re.search(r"Attended</dt><dd>3 \(60%\)", text)
    assert re.search(r"No-shows</dt><dd>1 \(20%\)", text)
    assert re.search(r"Late cancellations</dt><dd>1 \(20%\)", text)
    assert "No upcoming appointments." not in text
    assert 'aria-current="page">Schedule<' in text
    viewed = AuditEvent.objects.filter(action="client.viewed", client_id=jordan.pk).last()
    assert viewed.detail == {"section": "demographics"}


def test_the_tab_has_a_fixed_query_count(
    org, book, clinician, front_desk, make_chart_client, clinic_client, django_assert_max_num_queries
):
    jordan = make_chart_client(org, primary=clinician)
    for days in range(1, 40, 3):
        _past(book, org, jordan, clinician, front_desk, days, "completed")
    client = clinic_client(org, clinician)
    client.get("/")
    # Upcoming and past are read a page at a time (a query each, one more for both pages' clinicians) and
    # attendance is one aggregate: two queries more than when one read took every appointment. One more: the chart
    # banners (measures: critical answers awaiting a response).
    with django_assert_max_num_queries(16 + rls_queries()):
        assert client.get(f"/clients/{jordan.pk}/schedule/").status_code == 200


def _appointments(org, types, site, client, clinician, starts):
    """Appointments for ``client`` at ``starts``, written directly: the budget tests need many, quickly."""
    with tenant_context(org):
        for start in starts:
            a = Appointment.objects.create(
                appointment_type=types["individual"],
                start=start,
                end=start + datetime.timedelta(minutes=50),
                location=site,
                status="completed" if start < timezone.now() else "scheduled",
            )
            AppointmentClient.objects.create(appointment=a, client=client)
            AppointmentClinician.objects.create(appointment=a, clinician=clinician)


def _queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_tab_costs_the_same_queries_for_3_or_60_appointments_of_each_kind(
    org, types, site, clinician, make_chart_client, clinic_client
):
    now = timezone.now()
    counts = []
    for n in (3, 60):
        record = make_chart_client(org, primary=clinician)
        _appointments(org, types, site, record, clinician, [now - datetime.timedelta(days=d + 1) for d in range(n)])
        _appointments(org, types, site, record, clinician, [now + datetime.timedelta(days=d + 1) for d in range(n)])
        client = clinic_client(org, clinician)
        client.get("/")
        counts.append(_queries_for(client, f"/clients/{record.pk}/schedule/"))
    assert counts[0] == counts[1] <= 16 + rls_queries()  # 16: one for the chart banners (measures)


def test_each_list_pages_on_its_own_past_latest_first_and_upcoming_soonest_first(
    org, types, site, clinician, make_chart_client, clinic_client
):
    now = timezone.now().replace(microsecond=0)
    record = make_chart_client(org, primary=clinician)
    past = [now - datetime.timedelta(days=d + 1) for d in range(45)]
    upcoming = [now + datetime.timedelta(days=d + 1) for d in range(25)]
    _appointments(org, types, site, record, clinician, past + upcoming)
    client = clinic_client(org, clinician)
    url = f"/clients/{record.pk}/schedule/"
    rows = TAB_PAGE_SIZE

    def shown(response, section_id):
        section = response.content.decode().split(f'id="{section_id}"')[1].split("</table>")[0]
        return re.findall(r'href="/schedule/appointments/(\d+)/"', section)

    with tenant_context(org):
        ids = {a.start: str(a.pk) for a in Appointment.objects.filter(client_links__client=record)}
    first = client.get(url)
    assert shown(first, "past-list") == [ids[t] for t in past[:rows]]
    assert shown(first, "upcoming-list") == [ids[t] for t in upcoming[:rows]]
    assert 'href="?past=2"' in first.content.decode() and 'href="?upcoming=2"' in first.content.decode()
    second = client.get(url, {"past": 2, "upcoming": 2})
    assert shown(second, "past-list") == [ids[t] for t in past[rows : 2 * rows]]
    assert shown(second, "upcoming-list") == [ids[t] for t in upcoming[rows:]]
    text = second.content.decode()
    assert 'href="?upcoming=2&amp;past=3"' in text and 'href="?upcoming=1&amp;past=2"' not in text
    assert re.search(r"Attended</dt><dd>45 \(100%\)", unescape(text))  # over every appointment, not the page
    for bad in ("x", "-1", "0", "²", "99999999999999999999"):
        assert shown(client.get(url, {"past": bad}), "past-list") == [ids[t] for t in past[:rows]]


def test_another_clinics_client_schedule_is_404_and_audited(org, other_org, outsider, make_chart_client, clinic_client):
    ours = make_chart_client(org)
    assert clinic_client(other_org, outsider).get(f"/clients/{ours.pk}/schedule/").status_code == 404
    assert AuditEvent.objects.filter(action="access.not_found", object_id=str(ours.pk), organization=other_org).exists()


def test_a_clinician_outside_the_caseload_is_refused_the_tab(
    org, supervisor, clinician, make_chart_client, clinic_client
):
    jordan = make_chart_client(org, primary=supervisor)
    assert clinic_client(org, clinician).get(f"/clients/{jordan.pk}/schedule/").status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=clinician.user).exists()


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_calendar_colour_meets_wcag_aa_contrast_and_matches_the_stylesheet():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[1] / "static" / "scheduling" / "calendar.css").read_text()
    for tone, (background, text) in COLOUR_VALUES.items():
        lighter, darker = sorted((_luminance(background), _luminance(text)), reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 7, tone  # AAA even, for small calendar text
        assert f".tone-{tone} {{ background: {background}; color: {text};" in css


def test_closure_days_are_flagged_on_the_calendar(org, book, clinician, front_desk, make_chart_client, clinic_client):
    from scheduling.appointments.models import ClinicClosure
    from scheduling.appointments.recurrence import Rule
    from scheduling.tests.conftest import local

    jordan = make_chart_client(org, primary=clinician)
    book(
        front_desk,
        local(2026, 3, 9),
        clients=[jordan],
        clinicians=[clinician],
        rule=Rule("WEEKLY", weekdays=(0,), count=2),
    )
    with tenant_context(org):
        ClinicClosure.objects.create(
            name="Snow day", start_date=datetime.date(2026, 3, 16), end_date=datetime.date(2026, 3, 16)
        )
    text = unescape(
        clinic_client(org, front_desk)
        .get("/schedule/", {"view": "week", "date": "2026-03-16", "c": clinician.pk})
        .content.decode()
    )
    assert "Closed: Snow day" in text and "Clinic closed: Snow day" in text
    assert services.LATE_CANCEL_HOURS == 24
