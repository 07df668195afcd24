"""The calendar pages through Django's test client: rendering, booking, moving, permissions, query budgets."""

import datetime
import json
from html import unescape

import pytest
import time_machine

from audit.models import AuditEvent
from clients.care_team import services as care_team
from conftest import rls_queries
from scheduling.appointments.models import Appointment, AppointmentType, ClinicClosure, Status
from scheduling.appointments.recurrence import Rule
from scheduling.tests.conftest import local
from tenancy.context import tenant_context


@pytest.fixture
def jordan(org, clinician, make_chart_client):
    return make_chart_client(org, "Jordan", "Rivers", primary=clinician)


@pytest.fixture
def maya(org, supervisor, make_chart_client):
    return make_chart_client(org, "Maya", "Okafor", primary=supervisor)


def _text(response) -> str:
    return unescape(response.content.decode())


@pytest.mark.parametrize("view", ["day", "week", "month", "list"])
def test_each_view_shows_the_appointment(view, org, book, jordan, clinician, front_desk, clinic_client, rooms):
    book(front_desk, local(2026, 3, 10), clients=[jordan], clinicians=[clinician], room=rooms[0])
    response = clinic_client(org, front_desk).get("/schedule/", {"view": view, "date": "2026-03-10"})
    assert response.status_code == 200
    text = _text(response)
    assert "Jordan Rivers" in text and "10:00–10:50" in text
    assert AuditEvent.objects.filter(action="schedule.viewed").count() == 1


def test_the_room_view_and_several_clinicians_side_by_side(
    org, book, jordan, maya, clinician, supervisor, front_desk, clinic_client, rooms
):
    book(front_desk, local(2026, 3, 10), clients=[jordan], clinicians=[clinician], room=rooms[0])
    book(front_desk, local(2026, 3, 10), clients=[maya], clinicians=[supervisor], room=rooms[1])
    client = clinic_client(org, front_desk)
    both = _text(client.get("/schedule/", {"view": "day", "date": "2026-03-10", "c": [clinician.pk, supervisor.pk]}))
    assert 'aria-label="Carol Clinician"' in both and 'aria-label="Sue Supervisor"' in both
    room = _text(client.get("/schedule/", {"view": "week", "date": "2026-03-10", "room": rooms[1].pk}))
    assert "Maya Okafor" in room and "Jordan Rivers" not in room


def test_a_clinician_sees_only_caseload_names_others_as_client_numbers(
    org, book, jordan, maya, clinician, supervisor, front_desk, clinic_client
):
    book(front_desk, local(2026, 3, 10), clients=[jordan], clinicians=[clinician])
    book(front_desk, local(2026, 3, 10), clients=[maya], clinicians=[supervisor])
    text = _text(
        clinic_client(org, clinician).get(
            "/schedule/", {"view": "day", "date": "2026-03-10", "c": [clinician.pk, supervisor.pk]}
        )
    )
    assert "Jordan Rivers" in text
    assert "Maya" not in text and f"Client #{maya.number}" in text


def test_a_clinician_removed_from_the_care_team_sees_only_the_client_number(
    org, book, maya, clinician, supervisor, admin, front_desk, clinic_client
):
    with tenant_context(org):
        member = care_team.add_member(maya, actor=admin, membership=clinician)
    book(front_desk, local(2026, 3, 10), clients=[maya], clinicians=[supervisor])
    client = clinic_client(org, clinician)
    query = {"view": "list", "date": "2026-03-10", "c": [supervisor.pk]}
    assert "Maya Okafor" in _text(client.get("/schedule/", query))
    with tenant_context(org):
        care_team.remove_member(member, actor=admin)
    text = _text(client.get("/schedule/", query))
    assert "Maya" not in text and f"Client #{maya.number}" in text


def test_the_calendar_is_in_the_readers_time_zone(org, book, jordan, clinician, front_desk, clinic_client):
    book(front_desk, local(2026, 3, 10), clients=[jordan], clinicians=[clinician])
    client = clinic_client(org, clinician)
    assert client.post("/schedule/preferences/", {"time_zone": "America/Los_Angeles"}).status_code == 302
    text = _text(client.get("/schedule/", {"view": "list", "date": "2026-03-10"}))
    assert "07:00–07:50" in text and "America/Los_Angeles" in text


def test_an_appointment_from_the_sunday_evening_before_is_listed_in_the_week_it_runs_into(
    org, book, jordan, clinician, front_desk, clinic_client
):
    """The calendar reads only appointments starting at most ``MAX_DURATION`` before the range: a long one that
    began the evening before must still be found (and one that ended before the range must not)."""
    book(front_desk, local(2026, 3, 15, 21), clients=[jordan], clinicians=[clinician], duration=8 * 60)
    book(front_desk, local(2026, 3, 15, 14), clients=[jordan], clinicians=[clinician], duration=60)
    text = _text(clinic_client(org, front_desk).get("/schedule/", {"view": "list", "date": "2026-03-16"}))
    assert "Sun Mar 15, 21:00–05:00" in text and "14:00–15:00" not in text


def test_front_desk_books_a_weekly_series_through_the_form(
    org, jordan, clinician, front_desk, clinic_client, site, types
):
    response = clinic_client(org, front_desk).post(
        "/schedule/book/",
        {
            "appointment_type": types["individual"].pk,
            "clients": [jordan.pk],
            "clinicians": [clinician.pk],
            "date": "2026-03-03",
            "start_time": "10:00",
            "location": site.pk,
            "repeat": "WEEKLY",
            "interval": 1,
            "weekdays": [1, 3],
            "ends_after": 6,
            "closure_handling": "skip",
        },
    )
    assert response.status_code == 302
    with tenant_context(org):
        assert Appointment.objects.count() == 6


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"repeat": "WEEKLY"}, "A series must end"),
        ({"duration": "0"}, "at least 5 minutes"),
        ({"duration": "900"}, "at most 8 hours"),
        ({"repeat": "WEEKLY", "ends_after": "3", "until": "2026-06-01"}, "not both"),
        ({"date": "2026-03-03", "repeat": "MONTHLY", "ends_after": "3"}, "Choose the same date or the same weekday"),
    ],
)
def test_bad_booking_input_gets_a_clear_message(
    changes, message, org, jordan, clinician, front_desk, clinic_client, site, types
):
    data = {
        "appointment_type": types["individual"].pk,
        "clients": [jordan.pk],
        "clinicians": [clinician.pk],
        "date": "2026-03-03",
        "start_time": "10:00",
        "location": site.pk,
        **changes,
    }
    response = clinic_client(org, front_desk).post("/schedule/book/", data)
    assert response.status_code == 200
    assert message in _text(response)
    with tenant_context(org):
        assert not Appointment.objects.exists()


def test_a_conflicting_booking_is_refused_on_the_form_and_the_clinician_may_override(
    org, book, jordan, maya, clinician, front_desk, clinic_client, site, types
):
    book(front_desk, local(2026, 3, 10), clients=[maya], clinicians=[clinician])
    data = {
        "appointment_type": types["individual"].pk,
        "clients": [jordan.pk],
        "clinicians": [clinician.pk],
        "date": "2026-03-10",
        "start_time": "10:15",
        "location": site.pk,
    }
    desk = _text(clinic_client(org, front_desk).post("/schedule/book/", data))
    assert "Not booked: Carol Clinician is already booked Tue Mar 10, 10:00–10:50" in desk
    assert "Double-book anyway" not in desk
    own = clinic_client(org, clinician)
    assert "Double-book anyway" in _text(own.post("/schedule/book/", data))
    assert own.post("/schedule/book/", {**data, "override": "on"}).status_code == 302
    assert AuditEvent.objects.filter(action="appointment.double_booked").count() == 1


def test_moving_by_drag_checks_conflicts_and_the_lock(
    org, book, jordan, maya, clinician, supervisor, front_desk, clinic_client
):
    a = book(front_desk, local(2026, 3, 10), clients=[jordan], clinicians=[clinician]).appointments[0]
    book(front_desk, local(2026, 3, 10, 14), clients=[maya], clinicians=[clinician])
    client = clinic_client(org, front_desk)
    url = f"/schedule/appointments/{a.pk}/move/"
    clash = client.post(url, {"start": "2026-03-10T14:30", "end": "2026-03-10T15:20", "version": 1})
    assert clash.status_code == 409 and "already booked Tue Mar 10, 14:00–14:50" in clash.json()["message"]
    moved = client.post(url, {"start": "2026-03-10T11:00", "end": "2026-03-10T12:00", "version": 1})
    assert moved.json() == {"ok": True, "message": "Moved to Tue Mar 10, 11:00."}
    stale = client.post(url, {"start": "2026-03-10T12:00", "end": "2026-03-10T13:00", "version": 1})
    assert stale.status_code == 409 and stale.json()["stale"]
    backwards = client.post(url, {"start": "2026-03-10T12:00", "end": "2026-03-10T11:00", "version": 2})
    assert backwards.status_code == 400 and "The end must be after the start" in backwards.json()["message"]
    other = client.post(
        url,
        {
            "start": "2026-03-10T11:00",
            "end": "2026-03-10T12:00",
            "version": 2,
            "from_clinician": clinician.pk,
            "to_clinician": supervisor.pk,
        },
    )
    assert other.json()["ok"]
    with tenant_context(org):
        a.refresh_from_db()
        assert list(a.clinicians.all()) == [supervisor] and a.duration == 60 and a.version == 3


def test_dragging_one_occurrence_moves_only_it(org, book, jordan, clinician, front_desk, clinic_client):
    series = book(
        front_desk,
        local(2026, 3, 3),
        clients=[jordan],
        clinicians=[clinician],
        rule=Rule("WEEKLY", weekdays=(1,), count=4),
    ).series
    with tenant_context(org):
        second = series.occurrences.order_by("start")[1]
    response = clinic_client(org, front_desk).post(
        f"/schedule/appointments/{second.pk}/move/",
        {"start": "2026-03-11T09:00", "end": "2026-03-11T09:50", "version": 1},
    )
    assert response.json()["ok"]
    with tenant_context(org):
        hours = [(a.start.date().isoformat(), a.is_exception) for a in series.occurrences.order_by("start")]
    assert hours == [("2026-03-03", False), ("2026-03-11", True), ("2026-03-17", False), ("2026-03-24", False)]


def test_detail_read_is_audited_per_client_and_shows_staff_notes(
    org, book, jordan, clinician, front_desk, clinic_client
):
    a = book(
        front_desk,
        local(2026, 3, 10),
        clients=[jordan],
        clinicians=[clinician],
    ).appointments[0]
    with tenant_context(org):
        Appointment.objects.filter(pk=a.pk).update(staff_notes="Needs a Spanish interpreter")
    text = _text(clinic_client(org, front_desk).get(f"/schedule/appointments/{a.pk}/"))
    assert "Needs a Spanish interpreter" in text and "Jordan Rivers" in text
    viewed = AuditEvent.objects.get(action="appointment.viewed")
    assert viewed.client_id == jordan.pk and viewed.object_id == str(a.pk)


@pytest.mark.dated
def test_status_changes_and_cancellation_through_the_pages(org, book, jordan, clinician, front_desk, clinic_client):
    from django.utils import timezone

    start = timezone.now() - datetime.timedelta(hours=2)
    a = book(front_desk, start, clients=[jordan], clinicians=[clinician]).appointments[0]
    client = clinic_client(org, clinician)
    client.post(f"/schedule/appointments/{a.pk}/status/", {"version": 1, "status": "no_show"})
    with tenant_context(org):
        a.refresh_from_db()
    assert a.status == Status.NO_SHOW
    future = book(
        front_desk, timezone.now() + datetime.timedelta(days=2), clients=[jordan], clinicians=[clinician]
    ).appointments[0]
    missing = client.post(f"/schedule/appointments/{future.pk}/cancel/", {"version": 1, "cancelled_by": "client"})
    assert "This field is required" in _text(missing)
    done = client.post(
        f"/schedule/appointments/{future.pk}/cancel/", {"version": 1, "cancelled_by": "client", "reason": "Moving away"}
    )
    assert done.status_code == 302
    with tenant_context(org):
        future.refresh_from_db()
    assert future.status == Status.CANCELLED and not future.late_cancellation
    assert AuditEvent.objects.filter(action="appointment.cancelled", client_id=jordan.pk).count() == 1


def test_another_clinics_appointment_is_404_and_audited(
    org, other_org, outsider, book, jordan, clinician, front_desk, clinic_client
):
    a = book(front_desk, local(2026, 3, 10), clients=[jordan], clinicians=[clinician]).appointments[0]
    from accounts.roles import Role

    client = clinic_client(other_org, outsider)
    with tenant_context(other_org):
        from accounts.people.models import RoleAssignment

        RoleAssignment.objects.create(membership=outsider, role=Role.FRONT_DESK)
    for path, method in [("", "get"), ("edit/", "get"), ("cancel/", "get"), ("move/", "post"), ("status/", "post")]:
        response = getattr(client, method)(f"/schedule/appointments/{a.pk}/{path}")
        assert response.status_code == 404, path
    misses = AuditEvent.objects.filter(action="access.not_found", object_id=str(a.pk), organization=other_org)
    assert misses.count() == 5


@pytest.mark.parametrize(
    ("role", "path", "method"),
    [
        ("billing", "/schedule/book/", "get"),
        ("champion", "/schedule/", "get"),
        ("billing", "/schedule/appointments/{pk}/move/", "post"),
        ("billing", "/schedule/appointments/{pk}/cancel/", "get"),
        ("supervisor", "/schedule/appointments/{pk}/edit/", "get"),  # not Carol's colleague's calendar
        ("front_desk", "/schedule/settings/types/", "get"),
        ("clinician", "/schedule/settings/closures/", "get"),
        ("billing", "/schedule/open-slots/", "get"),
    ],
)
def test_out_of_role_is_403_and_audited(
    role, path, method, request, org, book, jordan, clinician, front_desk, clinic_client
):
    a = book(front_desk, local(2026, 3, 10), clients=[jordan], clinicians=[clinician]).appointments[0]
    member = request.getfixturevalue(role)
    response = getattr(clinic_client(org, member), method)(path.format(pk=a.pk))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=member.user).count() == 1


def test_billing_reads_the_calendar_but_cannot_drag(org, book, jordan, clinician, front_desk, billing, clinic_client):
    book(front_desk, local(2026, 3, 10), clients=[jordan], clinicians=[clinician])
    text = _text(clinic_client(org, billing).get("/schedule/", {"view": "day", "date": "2026-03-10"}))
    assert "Jordan Rivers" in text and "data-editable" not in text and "Book an appointment" not in text


def test_a_clinician_cannot_book_a_colleagues_calendar(org, jordan, supervisor, clinician, clinic_client, site, types):
    data = {
        "appointment_type": types["individual"].pk,
        "clients": [jordan.pk],
        "clinicians": [supervisor.pk],
        "date": "2026-03-10",
        "start_time": "10:00",
        "location": site.pk,
    }
    assert clinic_client(org, clinician).post("/schedule/book/", data).status_code == 403
    assert AuditEvent.objects.filter(action="access.denied", actor=clinician.user).exists()


def test_administrators_manage_types_rooms_and_closures(org, admin, clinic_client, site):
    client = clinic_client(org, admin)
    response = client.post(
        "/schedule/settings/types/new/",
        {"name": "Couples", "default_duration": 50, "colour": "pink", "service_code": "90847", "is_active": "on"},
    )
    assert response.status_code == 302
    duplicate = client.post(
        "/schedule/settings/types/new/", {"name": "Couples", "default_duration": 50, "colour": "pink"}
    )
    assert "already" in _text(duplicate)
    bad = client.post(
        "/schedule/settings/types/new/", {"name": "X", "default_duration": 0, "colour": "pink", "service_code": "9"}
    )
    assert "five-character" in _text(bad) and "greater than or equal to 5" in _text(bad)
    assert (
        client.post(
            "/schedule/settings/rooms/new/", {"location": site.pk, "name": "Room 9", "is_active": "on"}
        ).status_code
        == 302
    )
    backwards = client.post(
        "/schedule/settings/closures/new/", {"name": "Holiday", "start_date": "2026-12-25", "end_date": "2026-12-24"}
    )
    assert "can't be before the first" in _text(backwards)
    assert (
        client.post(
            "/schedule/settings/closures/new/",
            {"name": "Holiday", "start_date": "2026-12-24", "end_date": "2026-12-25"},
        ).status_code
        == 302
    )
    with tenant_context(org):
        assert AppointmentType.objects.filter(name="Couples").exists()
        assert ClinicClosure.objects.get().end_date == datetime.date(2026, 12, 25)
    assert AuditEvent.objects.filter(action="schedule.setting_created").count() == 3
    for page in ("types", "rooms", "closures"):
        assert client.get(f"/schedule/settings/{page}/").status_code == 200


# Open slots are offered from now on: the week asked for must still be ahead, whatever today's date.
@time_machine.travel(local(2027, 3, 1, 9), tick=False)
def test_working_hours_blocked_time_and_open_slots_pages(org, clinician, clinic_client, site, types):
    client = clinic_client(org, clinician)
    form = {
        "hours-TOTAL_FORMS": 2,
        "hours-INITIAL_FORMS": 0,
        "hours-MIN_NUM_FORMS": 0,
        "hours-MAX_NUM_FORMS": 30,
        "hours-0-weekday": 0,
        "hours-0-location": site.pk,
        "hours-0-start_time": "09:00",
        "hours-0-end_time": "12:00",
    }
    assert client.post(f"/schedule/availability/{clinician.pk}/", form).status_code == 302
    text = _text(client.get(f"/schedule/availability/{clinician.pk}/"))
    assert 'value="09:00' in text
    blocked = client.post(
        f"/schedule/availability/{clinician.pk}/block/",
        {
            "block-start_date": "2027-03-08",
            "block-start_time": "09:00",
            "block-end_date": "2027-03-08",
            "block-end_time": "10:00",
            "block-reason": "Training",
        },
    )
    assert blocked.status_code == 302
    slots = _text(
        client.get("/schedule/open-slots/", {"clinician": clinician.pk, "duration": 60, "start": "2027-03-08"})
    )
    assert "Mon Mar 8, 10:00–11:00" in slots and "Mon Mar 8, 09:00" not in slots


@pytest.mark.parametrize(("view", "budget"), [("day", 17), ("week", 17), ("month", 17), ("list", 17)])
def test_calendar_views_have_a_fixed_query_count(
    view,
    budget,
    org,
    book,
    make_chart_client,
    clinician,
    supervisor,
    front_desk,
    clinic_client,
    rooms,
    django_assert_max_num_queries,
):
    for i in range(6):
        person = make_chart_client(org, f"Client{i}", "Test", primary=clinician if i % 2 else supervisor)
        book(
            front_desk,
            local(2026, 3, 9 + i % 5, 9 + i),
            clients=[person],
            clinicians=[clinician if i % 2 else supervisor],
            room=rooms[i % 2],
            rule=Rule("WEEKLY", weekdays=(0, 2, 4), count=12),
        )
    for member in (front_desk, clinician):
        client = clinic_client(org, member)
        client.get("/")
        with django_assert_max_num_queries(budget + rls_queries()):
            assert client.get("/schedule/", {"view": view, "date": "2026-03-11"}).status_code == 200


def test_detail_has_a_fixed_query_count(
    org, book, jordan, clinician, front_desk, clinic_client, django_assert_max_num_queries
):
    a = book(
        front_desk, local(2026, 3, 10), clients=[jordan], clinicians=[clinician], rule=Rule("WEEKLY", count=3)
    ).appointments[0]
    client = clinic_client(org, front_desk)
    client.get("/")
    with django_assert_max_num_queries(15 + rls_queries()):
        assert client.get(f"/schedule/appointments/{a.pk}/").status_code == 200


def test_move_answers_json_for_unknown_input(org, book, jordan, clinician, front_desk, clinic_client):
    a = book(front_desk, local(2026, 3, 10), clients=[jordan], clinicians=[clinician]).appointments[0]
    response = clinic_client(org, front_desk).post(f"/schedule/appointments/{a.pk}/move/", {"start": "soon"})
    assert response.status_code == 400 and json.loads(response.content)["ok"] is False


def test_the_week_of_all_clinicians_takes_as_many_queries_for_two_as_for_six(
    org, book, make_member, make_chart_client, front_desk, clinic_client
):
    """The benchmark's page (the week of every clinician) must not grow with clinicians or appointments."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.roles import Role

    def week_queries() -> int:
        client = clinic_client(org, front_desk)
        client.get("/")
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/schedule/", {"view": "week", "date": "2026-03-09"})
        assert response.status_code == 200
        return len(queries)

    def add(count: int, offset: int) -> None:
        for i in range(count):
            member = make_member(org, f"therapist{offset + i}", Role.CLINICIAN)
            person = make_chart_client(org, f"Person{offset + i}", "Test", primary=member)
            book(
                front_desk,
                local(2026, 3, 9, 9),
                clients=[person],
                clinicians=[member],
                rule=Rule("WEEKLY", weekdays=(0, 1, 2, 3, 4), count=10),
            )

    add(2, 0)
    few = week_queries()
    add(4, 2)
    assert week_queries() == few


def test_a_clinician_changes_this_and_following_on_the_form(org, book, jordan, clinician, clinic_client, site, types):
    series = book(
        clinician,
        local(2026, 3, 3),
        clients=[jordan],
        clinicians=[clinician],
        rule=Rule("WEEKLY", weekdays=(1,), count=6),
    ).series
    with tenant_context(org):
        third = series.occurrences.order_by("start")[2]
    client = clinic_client(org, clinician)
    page = _text(client.get(f"/schedule/appointments/{third.pk}/edit/"))
    assert "This and all following in the series" in page and "No clinical content" in page
    data = {
        "version": 1,
        "appointment_type": types["individual"].pk,
        "clients": [jordan.pk],
        "clinicians": [clinician.pk],
        "date": "2026-03-18",
        "start_time": "15:00",
        "duration": "50",
        "location": site.pk,
        "scope": "following",
    }
    assert client.post(f"/schedule/appointments/{third.pk}/edit/", data).status_code == 302
    with tenant_context(org):
        starts = [
            a.start.astimezone(local(2026, 1, 1).tzinfo).strftime("%a %H:%M")
            for a in Appointment.objects.order_by("start")
        ]
    assert starts == ["Tue 10:00", "Tue 10:00", "Wed 15:00", "Wed 15:00", "Wed 15:00", "Wed 15:00"]
    stale = client.post(f"/schedule/appointments/{third.pk}/edit/", data)
    assert "Someone else changed this appointment" in _text(stale)
