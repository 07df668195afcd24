"""The late-notes list: sessions with no signed note (none started, or a draft) and other unsigned notes past due,
for the clinician and their supervisor, on the clinic's clock."""

import datetime
import zoneinfo

import pytest

from audit.models import AuditEvent
from clients.tests.factories import create_client
from conftest import rls_queries
from notes.cosign.models import Mode
from notes.cosign.services import set_supervision
from notes.drafts import services as drafts
from notes.records.models import Note, Status
from scheduling.appointments.models import Appointment, AppointmentClient, AppointmentClinician, AppointmentType
from tenancy.context import tenant_context
from tenancy.models import Location

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
# A Wednesday session in the clinic (New York), ending at 5 pm; the clinic's default deadline is 72 hours.
SESSION_END = datetime.datetime(2027, 5, 12, 17, 0, tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def clock(time_machine):
    """Autouse, so that the staff's passwords are set on this clock too (and are not expired on it)."""
    time_machine.move_to(SESSION_END + datetime.timedelta(hours=1), tick=False)
    return time_machine


@pytest.fixture
def book(org, clock):
    """``book(clinician, clients, end=SESSION_END, status="completed", group=False)``: an appointment."""
    with tenant_context(org):
        location = Location.objects.create(name="Main office", place_of_service="11")
        kinds = {
            False: AppointmentType.objects.create(name="Therapy 50", default_duration=50),
            True: AppointmentType.objects.create(name="Skills group", default_duration=50, is_group=True),
        }

    def make(clinician, clients, end=SESSION_END, status="completed", group=False, late_cancellation=False):
        with tenant_context(org):
            appt = Appointment.objects.create(
                appointment_type=kinds[group],
                start=end - datetime.timedelta(minutes=50),
                end=end,
                location=location,
                status=status,
                late_cancellation=late_cancellation,
            )
            for client in clients:
                AppointmentClient.objects.create(appointment=appt, client=client)
            AppointmentClinician.objects.create(appointment=appt, clinician=clinician)
            return appt

    return make


def _draft(org, templates, clinician, client, appt, note_type="progress"):
    with tenant_context(org):
        template = templates["psychotherapy" if note_type == "psychotherapy" else "dap"]
        return drafts.start_note(
            client,
            actor=clinician,
            note_type=note_type,
            template=template,
            session=drafts.session_of(appt),
            appointment=appt,
        )


def _sign(org, note):
    with tenant_context(org):
        Note.objects.filter(pk=note.pk).update(status=Status.SIGNED, signed_at=note.created_at, signature="Carol")


def _late(clinic_client, org, member) -> str:
    response = clinic_client(org, member).get("/notes/late/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_session_without_any_note_is_late_after_the_clinics_hours(org, clinician, chart, book, clock, clinic_client):
    appt = book(clinician, [chart])
    write = f"/notes/appointment/{appt.pk}/client/{chart.pk}/"
    clock.move_to(SESSION_END + datetime.timedelta(hours=72, minutes=-1))  # Saturday 4:59 pm in New York
    assert write not in _late(clinic_client, org, clinician)
    clock.move_to(datetime.datetime(2027, 5, 15, 17, 1, tzinfo=NEW_YORK))
    page = _late(clinic_client, org, clinician)
    assert "No note yet" in page and f'href="{write}">Write note<' in page
    event = AuditEvent.objects.filter(action="note.late_viewed").latest("pk")
    assert event.actor == clinician.user and event.detail == {"page": 1, "sessions": 1, "notes": 0}
    assert f"#{chart.number}" in page and "May 15, 2027 17:00" in page  # due, in the clinic's time


def test_drafts_signed_notes_and_appointments_that_need_no_note(
    org, clinician, chart, book, clock, templates, clinic_client
):
    other = create_client(org, "Sam", "Lee", primary=clinician)
    third = create_client(org, "Ana", "Ruiz", primary=clinician)
    with_draft = book(clinician, [chart])
    draft = _draft(org, templates, clinician, chart, with_draft)
    signed_appt = book(clinician, [other])
    _sign(org, _draft(org, templates, clinician, other, signed_appt))
    private_only = book(clinician, [third])  # a psychotherapy note does not document the session
    _sign(org, _draft(org, templates, clinician, third, private_only, note_type="psychotherapy"))
    cancelled = book(clinician, [other], status="cancelled", late_cancellation=True)
    no_show = book(clinician, [third], status="no_show")
    not_marked = book(clinician, [other], status="scheduled")
    clock.move_to(SESSION_END + datetime.timedelta(days=4))
    page = _late(clinic_client, org, clinician)
    assert f'href="/notes/{draft.pk}/">Open draft<' in page and "Draft not signed" in page
    assert f"/notes/appointment/{with_draft.pk}/" not in page  # the draft's session is one row, not two
    assert f"/notes/appointment/{signed_appt.pk}/" not in page
    assert f"/notes/appointment/{private_only.pk}/client/{third.pk}/" in page
    assert f"/notes/appointment/{cancelled.pk}/" not in page and f"/notes/appointment/{no_show.pk}/" not in page
    assert f"/notes/appointment/{not_marked.pk}/client/{other.pk}/" in page
    assert page.count("data-late-row") == 3


def test_a_group_session_and_a_contact_note(org, clinician, chart, book, clock, make_note, clinic_client):
    other = create_client(org, "Sam", "Lee", primary=clinician)
    group = book(clinician, [chart, other], group=True)
    contact = make_note(clinician, chart, service_date=datetime.date(2027, 5, 11))
    clock.move_to(SESSION_END + datetime.timedelta(days=4))
    page = _late(clinic_client, org, clinician)
    assert page.count(f'href="/notes/appointment/{group.pk}/group/">Write group note<') == 2  # one row per member
    assert f'href="/notes/{contact.pk}/">Open draft<' in page


def test_the_supervisor_sees_supervisees_without_writing_for_them(
    org, admin, clinician, supervisor, make_member, chart, book, clock, templates, clinic_client
):
    with tenant_context(org):
        set_supervision(clinician, actor=admin, supervisor=supervisor, mode=Mode.ALL, payers=())
    colleague = make_member(org, "dan", "clinician", name="Dan Other")
    appt = book(clinician, [chart])
    drafted = book(clinician, [chart])
    draft = _draft(org, templates, clinician, chart, drafted)
    private = _draft(org, templates, clinician, chart, book(clinician, [chart]), "psychotherapy")
    clock.move_to(SESSION_END + datetime.timedelta(days=4))
    page = _late(clinic_client, org, supervisor)
    assert "Carol" in page and f"#{chart.number}" in page and "No note yet" in page and "Draft not signed" in page
    assert "Write note" not in page and f"/notes/{draft.pk}/" not in page
    assert f"/notes/{private.pk}/" not in page and page.count("data-late-row") == 3
    assert f"/notes/appointment/{appt.pk}/" in _late(clinic_client, org, clinician)
    assert "No late notes." in _late(clinic_client, org, colleague)


def test_write_note_from_the_list_opens_the_form(org, clinician, chart, book, clock, templates, clinic_client):
    appt = book(clinician, [chart])
    clock.move_to(SESSION_END + datetime.timedelta(days=4))
    browser = clinic_client(org, clinician)
    assert browser.get(f"/notes/appointment/{appt.pk}/client/{chart.pk}/").status_code == 200
    response = browser.post(
        f"/notes/appointment/{appt.pk}/client/{chart.pk}/",
        {"note_type": "progress", "template": templates["dap"].pk, "attendance": "attended"},
    )
    assert response.status_code == 302
    assert "Draft not signed" in _late(clinic_client, org, clinician)


def test_the_list_is_paged_in_constant_queries(
    org, clinician, chart, book, clock, templates, clinic_client, django_assert_max_num_queries
):
    for index in range(30):
        appt = book(clinician, [chart], end=SESSION_END - datetime.timedelta(minutes=10 * index))
        if index % 2:
            _draft(org, templates, clinician, chart, appt)
    clock.move_to(SESSION_END + datetime.timedelta(days=4))
    browser = clinic_client(org, clinician)
    browser.get("/notes/late/")
    with django_assert_max_num_queries(12 + rls_queries()):
        first = browser.get("/notes/late/").content.decode()
    assert first.count("data-late-row") == 25 and 'rel="next"' in first
    with django_assert_max_num_queries(12 + rls_queries()):
        second = browser.get("/notes/late/?page=2").content.decode()
    assert second.count("data-late-row") == 5 and 'rel="prev"' in second


def test_each_clinician_of_a_shared_session_sees_it_once(
    org, clinician, make_member, chart, book, clock, clinic_client
):
    colleague = make_member(org, "dan", "clinician", name="Dan Other")
    other = create_client(org, "Sam", "Lee", primary=clinician)
    shared = book(clinician, [chart, other])
    with tenant_context(org):
        AppointmentClinician.objects.create(appointment=shared, clinician=colleague)
    clock.move_to(SESSION_END + datetime.timedelta(days=4))
    for member in (clinician, colleague):
        page = _late(clinic_client, org, member)
        assert page.count("data-late-row") == 2
        assert page.count(f"/notes/appointment/{shared.pk}/client/{chart.pk}/") == 1
