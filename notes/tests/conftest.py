"""Fixtures for the notes tests: the shipped templates, a client on Carol's caseload, an appointment of hers
that has ended, and ``make_note`` for drafts in any state."""

import datetime

import pytest
from django.utils import timezone

from clients.tests.factories import create_client
from notes.drafts import services as drafts
from notes.note_templates.models import NoteTemplate
from notes.note_templates.services import install_shipped
from scheduling.appointments.models import Appointment, AppointmentClient, AppointmentClinician, AppointmentType
from tenancy.context import tenant_context
from tenancy.models import Location

DAP_ANSWERS = {
    "data": "Talked about the week at work.",
    "assessment": "Coping better.",
    "distress": "3",
    "plan": "Weekly sessions continue.",
}


@pytest.fixture
def templates(org):
    with tenant_context(org):
        install_shipped()
        return {t.shipped_key: t for t in NoteTemplate.objects.all()}


@pytest.fixture
def chart(org, clinician):
    """A client with Carol as primary clinician."""
    return create_client(org, "Jordan", "Rivers", primary=clinician)


@pytest.fixture
def appointment(org, clinician, chart):
    """Carol's 50-minute video session with the client, which ended an hour ago."""
    with tenant_context(org):
        location = Location.objects.create(name="Telehealth", is_telehealth=True, place_of_service="10")
        kind = AppointmentType.objects.create(name="Therapy 50", default_duration=50, is_telehealth=True)
        end = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(hours=1)
        appt = Appointment.objects.create(
            appointment_type=kind, start=end - datetime.timedelta(minutes=50), end=end, location=location
        )
        AppointmentClient.objects.create(appointment=appt, client=chart)
        AppointmentClinician.objects.create(appointment=appt, clinician=clinician)
        return appt


@pytest.fixture
def make_note(org, templates):
    """``make_note(author, client, template="dap", answers=None, **session)``: a draft, dated today."""

    def make(author, client, template="dap", answers=None, note_type="progress", **session):
        with tenant_context(org):
            facts = {
                "service_date": timezone.localdate() - datetime.timedelta(days=1),
                "start_time": datetime.time(10),
                "end_time": datetime.time(10, 50),
                **session,
            }
            note = drafts.start_note(
                client,
                actor=author,
                note_type=note_type,
                template=templates[template],
                session=drafts.Session(**facts),
            )
            if answers:
                note = drafts.save_draft(note, actor=author, expected_version=note.version, answers=answers)
            return note

    return make
