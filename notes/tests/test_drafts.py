import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import ConflictError
from notes.drafts import services
from notes.records.models import Note
from tenancy.context import tenant_context

from .conftest import DAP_ANSWERS

pytestmark = pytest.mark.django_db


def _form(note, **answers):
    data = {
        "version": note.version,
        "s-service_date": note.service_date.isoformat(),
        "s-start_time": "10:00",
        "s-end_time": "10:50",
        "s-attendance": "attended",
    }
    data.update({f"a-{k}": v for k, v in answers.items()})
    return data


def test_a_note_from_an_appointment_is_filled_in_from_it(org, clinician, chart, appointment, templates, clinic_client):
    browser = clinic_client(org, clinician)
    url = f"/notes/appointment/{appointment.pk}/client/{chart.pk}/"
    page = browser.get(url)
    assert page.status_code == 200
    response = browser.post(url, {"note_type": "progress", "template": templates["dap"].pk, "attendance": "attended"})
    assert response.status_code == 302
    with tenant_context(org):
        note = Note.objects.get()
    zone = org.time_zone
    start = appointment.start.astimezone(__import__("zoneinfo").ZoneInfo(zone))
    assert note.appointment == appointment
    assert note.service_date == start.date()
    assert note.start_time == start.time()
    assert note.duration_minutes == 50
    assert note.place_of_service == "10"
    assert note.telehealth is True
    assert AuditEvent.objects.filter(action="note.created", client_id=chart.pk).exists()


def test_the_calendar_offers_write_note_to_the_appointments_clinician(org, clinician, appointment, clinic_client):
    page = clinic_client(org, clinician).get(f"/schedule/appointments/{appointment.pk}/")
    assert f"/notes/appointment/{appointment.pk}/client/" in page.content.decode()
    assert "Write note for" in page.content.decode()


def test_the_calendar_does_not_offer_it_to_the_front_desk(org, front_desk, appointment, clinic_client):
    page = clinic_client(org, front_desk).get(f"/schedule/appointments/{appointment.pk}/")
    assert page.status_code == 200
    assert "Write note" not in page.content.decode()


def test_a_contact_note_needs_no_appointment(org, clinician, chart, templates, clinic_client):
    response = clinic_client(org, clinician).post(
        f"/notes/client/{chart.pk}/new/",
        {
            "note_type": "contact",
            "template": templates["contact"].pk,
            "attendance": "attended",
            "service_date": timezone.localdate().isoformat(),
            "contact_kind": "phone",
        },
    )
    assert response.status_code == 302
    with tenant_context(org):
        assert Note.objects.get().appointment is None


def test_a_no_show_is_documented_without_a_template(org, clinician, chart, clinic_client):
    response = clinic_client(org, clinician).post(
        f"/notes/client/{chart.pk}/new/",
        {
            "note_type": "progress",
            "attendance": "no_show",
            "service_date": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    with tenant_context(org):
        note = Note.objects.get()
    assert note.attendance == "no_show" and note.template_version is None


def test_bad_session_facts_get_specific_messages(org, clinician, chart, templates, clinic_client):
    tomorrow = timezone.localdate() + datetime.timedelta(days=2)
    page = clinic_client(org, clinician).post(
        f"/notes/client/{chart.pk}/new/",
        {
            "note_type": "progress",
            "template": templates["dap"].pk,
            "attendance": "attended",
            "service_date": tomorrow.isoformat(),
            "start_time": "11:00",
            "end_time": "10:00",
        },
    )
    text = page.content.decode()
    assert "A note can&#x27;t be dated in the future." in text
    assert "The end time must be after the start time." in text
    garbage = clinic_client(org, clinician).post(
        f"/notes/client/{chart.pk}/new/",
        {
            "note_type": "progress",
            "template": "x",
            "attendance": "maybe",
            "service_date": "31/31/2020",
        },
    )
    assert garbage.status_code == 200
    assert "Enter a valid date." in garbage.content.decode()


def test_autosave_saves_and_says_who_and_when(org, clinician, chart, make_note, clinic_client):
    note = make_note(clinician, chart)
    response = clinic_client(org, clinician).post(f"/notes/{note.pk}/autosave/", _form(note, data="Half a thought"))
    assert response.status_code == 200
    body = response.json()
    assert body["saved"] and body["version"] == note.version + 1
    assert body["status"].startswith("Last saved by Carol Clinician at ")
    with tenant_context(org):
        note.refresh_from_db()
    assert note.answers["data"] == "Half a thought"


def test_a_second_tab_gets_the_conflict_message_not_an_overwrite(org, clinician, chart, make_note, clinic_client):
    note = make_note(clinician, chart)
    first, second = clinic_client(org, clinician), clinic_client(org, clinician)
    assert first.post(f"/notes/{note.pk}/autosave/", _form(note, data="From tab one")).status_code == 200
    stale = second.post(f"/notes/{note.pk}/autosave/", _form(note, data="From tab two"))
    assert stale.status_code == 409
    assert "Someone else saved this note" in stale.json()["message"]
    with tenant_context(org):
        note.refresh_from_db()
    assert note.answers["data"] == "From tab one"


def test_autosave_refuses_a_wrong_type_with_the_fields_message(org, clinician, chart, make_note, clinic_client):
    note = make_note(clinician, chart)
    response = clinic_client(org, clinician).post(f"/notes/{note.pk}/autosave/", _form(note, distress="lots"))
    assert response.status_code == 422
    assert response.json()["errors"]["distress"].endswith("enter a whole number from 0 to 10.")


def test_only_the_author_saves_a_draft(org, clinician, supervisor, chart, make_note, clinic_client):
    note = make_note(clinician, chart)
    with tenant_context(org), pytest.raises(ValidationError, match="Only the note's author"):
        services.save_draft(note, actor=supervisor, expected_version=note.version, answers={})
    # Someone else's draft is not even readable.
    assert clinic_client(org, supervisor).post(f"/notes/{note.pk}/autosave/", _form(note)).status_code in (403, 404)


def test_services_refuse_a_stale_version(org, clinician, chart, make_note):
    note = make_note(clinician, chart)
    with tenant_context(org), pytest.raises(ConflictError):
        services.save_draft(note, actor=clinician, expected_version=note.version - 1, answers=DAP_ANSWERS)


def test_a_note_type_the_clinic_does_not_use_is_refused(org, admin, clinician, chart, templates, clinic_client):
    from notes.setup.services import save_settings, settings_for_clinic

    with tenant_context(org):
        current = settings_for_clinic()
        save_settings(
            current,
            actor=admin,
            expected_version=current.version,
            enabled_types=["progress"],
            unlock_hours=None,
            overdue_hours=48,
        )
    browser = clinic_client(org, clinician)
    page = browser.get(f"/notes/client/{chart.pk}/new/").content.decode()
    assert 'value="progress"' in page and 'value="crisis"' not in page
    refused = browser.post(
        f"/notes/client/{chart.pk}/new/",
        {
            "note_type": "crisis",
            "template": templates["dap"].pk,
            "attendance": "attended",
            "service_date": timezone.localdate().isoformat(),
        },
    )
    assert refused.status_code == 200
    with tenant_context(org):
        assert not Note.objects.exists()
        with pytest.raises(ValidationError, match="does not use this kind of note"):
            services.start_note(
                chart,
                actor=clinician,
                note_type="crisis",
                template=templates["dap"],
                session=services.Session(service_date=timezone.localdate()),
            )


def test_the_clinic_settings_screen_refuses_bad_hours(org, admin, clinic_client):
    response = clinic_client(org, admin).post(
        "/notes/settings/", {"enabled_types": ["progress"], "unlock_hours": "0", "overdue_hours": "abc", "version": 1}
    )
    text = response.content.decode()
    assert "Ensure this value is greater than or equal to 1." in text and "Enter a whole number." in text


def test_write_note_is_offered_only_for_clients_on_the_persons_caseload(org, make_member, appointment, clinic_client):
    from scheduling.appointments.models import AppointmentClinician

    cotherapist = make_member(org, "dana", "clinician")
    with tenant_context(org):
        AppointmentClinician.objects.create(appointment=appointment, clinician=cotherapist)
    page = clinic_client(org, cotherapist).get(f"/schedule/appointments/{appointment.pk}/")
    assert page.status_code == 200 and "Write note" not in page.content.decode()
