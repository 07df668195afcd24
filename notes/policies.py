"""Who may read, write, sign, co-sign and print notes.

Notes are the chart's clinical section (``clients.policies.CLINICAL``): whoever may see it for a client reads
that client's signed notes (clinicians and supervisors with the client on their caseload or under break-the-glass,
administrators read-only when their clinic allows it). Writing and signing are for clinical staff on the caseload;
a draft is its author's until signed. Psychotherapy notes (45 CFR 164.501) are their author's alone: no section,
role or emergency access opens them, and prints and exports leave them out.
"""

from accounts.people.models import Membership
from accounts.roles import Role
from clients.policies import CLINICAL, CLINICAL_ROLES
from notes.records.models import Note, Status


def can_write_notes(actor: Membership | None, sections: frozenset[str]) -> bool:
    """Start a note for a client: clinical staff who may see the client's clinical section."""
    return actor is not None and actor.is_active and CLINICAL in sections and actor.has_role(*CLINICAL_ROLES)


def can_read_note(actor: Membership | None, note: Note, sections: frozenset[str]) -> bool:
    if actor is None or not actor.is_active:
        return False
    if note.author_id == actor.pk:
        return True
    if note.is_psychotherapy:
        return False
    if note.status in (Status.DRAFT, Status.RETURNED):
        return False  # an unsigned draft is work in progress, its author's alone
    return CLINICAL in sections or note.cosigner_id == actor.pk


def can_edit_note(actor: Membership | None, note: Note) -> bool:
    """Only the author edits, and only while the note is a draft or was returned for revision."""
    return actor is not None and actor.is_active and note.author_id == actor.pk and note.is_editable


def can_sign_note(actor: Membership | None, note: Note) -> bool:
    return can_edit_note(actor, note) and actor is not None and actor.has_role(*CLINICAL_ROLES)


def can_add_addendum(actor: Membership | None, note: Note, sections: frozenset[str]) -> bool:
    """The author, or another clinician with the client on their caseload, may add to a signed note."""
    if actor is None or not actor.is_active or note.is_editable or not actor.has_role(*CLINICAL_ROLES):
        return False
    if note.is_psychotherapy:
        return note.author_id == actor.pk
    return note.author_id == actor.pk or CLINICAL in sections


def can_review_note(actor: Membership | None, note: Note) -> bool:
    """The supervisor a note waits for may return or co-sign it."""
    return (
        actor is not None
        and actor.is_active
        and note.status == Status.AWAITING_COSIGN
        and note.cosigner_id == actor.pk
        and actor.has_role(Role.SUPERVISOR)
    )


def can_print_notes(actor: Membership | None, sections: frozenset[str]) -> bool:
    """Print a client's signed notes (a records request): whoever may read them."""
    return actor is not None and actor.is_active and CLINICAL in sections


def can_write_group(actor: Membership | None, clinician_ids: list[int]) -> bool:
    """A group note is written by a clinician of the group's appointment."""
    return actor is not None and actor.is_active and actor.has_role(*CLINICAL_ROLES) and actor.pk in clinician_ids


def can_write_from_appointment(actor: Membership | None, clinician_ids: list[int]) -> bool:
    """The calendar offers "Write note" to the appointment's own clinicians (the chart still checks caseload)."""
    return can_write_group(actor, clinician_ids)


def can_see_cosign_queue(actor: Membership | None) -> bool:
    return actor is not None and actor.is_active and actor.has_role(Role.SUPERVISOR)


def can_see_late_notes(actor: Membership | None) -> bool:
    return actor is not None and actor.is_active and actor.has_role(*CLINICAL_ROLES)


def can_manage_note_setup(actor: Membership | None) -> bool:
    """Note types, templates, the unlock window, late-note hours and supervision: administrators."""
    return actor is not None and actor.is_active and actor.has_role(Role.ADMINISTRATOR)
