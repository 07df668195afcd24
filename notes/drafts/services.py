"""Starting notes and saving drafts. Every draft save is versioned: two tabs or two people saving the same draft
get the conflict message, never a silent overwrite; a signed note is refused here whatever called."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.people.models import Membership
from audit.services import record
from clients.records.models import Client
from core.clinic_time import clinic_now, clinic_zone
from core.versioning import lock_version, save_version
from notes.note_templates.models import NoteTemplate, NoteTemplateVersion, NoteType
from notes.note_templates.schema import check_answers
from notes.records.models import Attendance, Note
from notes.setup.services import settings_for_clinic
from scheduling.appointments.models import Appointment

LOCKED = "This note is signed and can no longer be changed. Add an addendum to correct or add to it."
SESSION_FIELDS = (
    "service_date",
    "start_time",
    "end_time",
    "duration_minutes",
    "place_of_service",
    "telehealth",
    "attendance",
    "contact_kind",
)


@dataclass
class Session:
    """The facts of the service a note documents (from the appointment, or typed for a contact note)."""

    service_date: datetime.date
    start_time: datetime.time | None = None
    end_time: datetime.time | None = None
    duration_minutes: int | None = None
    place_of_service: str = ""
    telehealth: bool = False
    attendance: str = Attendance.ATTENDED
    contact_kind: str = ""

    def as_fields(self) -> dict:
        return {name: getattr(self, name) for name in SESSION_FIELDS}


def session_of(appointment: Appointment) -> Session:
    """What an appointment says about the session, in the clinic's wall-clock time."""
    zone = clinic_zone()
    start, end = appointment.start.astimezone(zone), appointment.end.astimezone(zone)
    attendance = Attendance.ATTENDED
    if appointment.status == "no_show":
        attendance = Attendance.NO_SHOW
    elif appointment.status == "cancelled" and appointment.late_cancellation:
        attendance = Attendance.LATE_CANCEL
    return Session(
        service_date=start.date(),
        start_time=start.time().replace(second=0, microsecond=0),
        end_time=end.time().replace(second=0, microsecond=0),
        duration_minutes=appointment.duration,
        place_of_service=appointment.location.place_of_service,
        telehealth=appointment.location.is_telehealth or appointment.appointment_type.is_telehealth,
        attendance=attendance,
    )


def check_session(session: Session) -> None:
    """Refuse a session dated in the future or ending before it starts, with the message beside the field."""
    errors = {}
    if session.service_date > clinic_now().date():
        errors["service_date"] = "A note can't be dated in the future."
    if session.start_time and session.end_time and session.end_time <= session.start_time:
        errors["end_time"] = "The end time must be after the start time."
    if session.attendance not in Attendance.values:
        errors["attendance"] = "Choose attended, no-show or late cancellation."
    if errors:
        raise ValidationError(errors)


def _due_at(session: Session, appointment: Appointment | None) -> datetime.datetime:
    hours = datetime.timedelta(hours=settings_for_clinic().overdue_hours)
    if appointment is not None:
        return appointment.end + hours
    ends = datetime.datetime.combine(session.service_date, session.end_time or datetime.time(23, 59))
    return ends.replace(tzinfo=clinic_zone()) + hours


def _template_version(template: NoteTemplate | None, note_type: str, attendance: str) -> NoteTemplateVersion | None:
    if attendance != Attendance.ATTENDED:
        return None  # attendance alone: no clinical content to write
    if template is None:
        raise ValidationError({"template": "Choose a template."})
    if not template.is_active or note_type not in template.note_types:
        raise ValidationError({"template": "This template is not used for that kind of note."})
    return template.versions.get(number=template.current_number)


@transaction.atomic
def start_note(
    client: Client,
    *,
    actor: Membership,
    note_type: str,
    template: NoteTemplate | None,
    session: Session,
    appointment: Appointment | None = None,
    group_session=None,
    request=None,
) -> Note:
    """A new draft for ``client``: from an appointment the client attended (session facts copied from it), or a
    note without one (a contact note). Attendance other than "attended" documents a no-show or late cancellation
    without a full note."""
    if note_type not in NoteType.values or note_type not in settings_for_clinic().enabled_types:
        raise ValidationError({"note_type": "Your clinic does not use this kind of note."})
    if appointment is not None and not appointment.client_links.filter(client=client).exists():
        raise ValidationError({"appointment": "This client was not booked in that appointment."})
    check_session(session)
    now = timezone.now()
    note = Note.objects.create(
        client=client,
        author=actor,
        note_type=note_type,
        template_version=_template_version(template, note_type, session.attendance),
        appointment=appointment,
        group_session=group_session,
        last_saved_by=actor,
        last_saved_at=now,
        created_at=now,
        due_at=_due_at(session, appointment),
        **session.as_fields(),
    )
    record(
        "note.created",
        request=request,
        target=note,
        client_id=client.pk,
        detail={"note_type": note_type, "from_appointment": appointment is not None},
    )
    return note


def check_editable(note: Note, actor: Membership) -> None:
    if not note.is_editable:
        raise ValidationError(LOCKED)
    if note.author_id != actor.pk:
        raise ValidationError("Only the note's author may change it.")


@transaction.atomic
def save_draft(
    note: Note,
    *,
    actor: Membership,
    expected_version: int,
    answers: dict,
    session: Session | None = None,
    autosave: bool = False,
    request=None,
) -> Note:
    """Save what is typed so far. Answers of the wrong type are refused with the field's message (nothing is
    saved); required fields may stay empty until signing."""
    locked = Note.objects.filter(pk=note.pk).select_related("template_version")
    current = lock_version(locked, expected_version=expected_version, noun="note", verb="saved")
    check_editable(current, actor)
    changes: dict = {"last_saved_by": actor, "last_saved_at": timezone.now()}
    if current.template_version is not None:
        checked = check_answers(current.template_version.schema, answers)
        if checked.errors:
            raise ValidationError(checked.errors)
        changes["answers"] = checked.answers
    if session is not None:
        check_session(session)
        changes.update(session.as_fields())
    saved = save_version(current, changes)
    record(
        "note.saved",
        request=request,
        target=saved,
        client_id=saved.client_id,
        detail={"autosave": autosave, "version": saved.version},
    )
    return saved
