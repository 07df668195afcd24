"""Group notes: the session's shared part written once, one note per member filed in that member's chart."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.people.models import Membership
from audit.services import record
from core.versioning import lock_version, save_version
from notes.drafts.services import check_session, session_of, start_note
from notes.group.models import GroupSession
from notes.note_templates.models import NoteTemplate, NoteType
from notes.records.models import EDITABLE
from scheduling.appointments.models import Appointment


@transaction.atomic
def start_group(
    appointment: Appointment, *, actor: Membership, template: NoteTemplate, title: str, request=None
) -> GroupSession:
    """A group session for ``appointment`` and a draft group note for each client booked in it."""
    links = list(appointment.client_links.select_related("client"))
    if not links:
        raise ValidationError("No clients are booked in this appointment.")
    session = session_of(appointment)
    check_session(session)
    group = GroupSession.objects.create(
        appointment=appointment,
        author=actor,
        title=title.strip() or appointment.appointment_type.name,
        service_date=session.service_date,
    )
    for link in links:
        start_note(
            link.client,
            actor=actor,
            note_type=NoteType.GROUP,
            template=template,
            session=session,
            appointment=appointment,
            group_session=group,
            request=request,
        )
    record("group_session.created", request=request, target=group, detail={"members": len(links)})
    return group


@transaction.atomic
def save_shared(
    group: GroupSession, *, actor: Membership, expected_version: int, shared_text: str, title: str, request=None
) -> GroupSession:
    """Change the shared part, which every member's note shows; refused once any member's note is signed (it is
    part of that signed record then)."""
    current = lock_version(group, expected_version=expected_version, noun="group note", verb="saved")
    if current.author_id != actor.pk:
        raise ValidationError("Only the group note's author may change it.")
    if current.member_notes.exclude(status__in=EDITABLE).exists():
        raise ValidationError("A member's note is signed, so the shared part can no longer change.")
    saved = save_version(current, {"shared_text": shared_text.strip(), "title": title.strip() or current.title})
    record("group_session.saved", request=request, target=saved)
    return saved
