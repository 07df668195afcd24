"""A supervisor's side of co-signature: the rules per supervisee, returning a note with a comment, co-signing."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.people.models import Membership
from accounts.roles import Role
from audit.services import record
from core.versioning import lock_version, save_version
from notes.cosign.models import Mode, Review, SupervisionRule
from notes.records.models import Note, Status
from notes.signing.services import confirm_identity


def _check_reviewer(note: Note, actor: Membership) -> None:
    if note.status != Status.AWAITING_COSIGN:
        raise ValidationError("This note is not waiting for a co-signature.")
    if note.cosigner_id != actor.pk:
        raise ValidationError("This note waits for another supervisor.")


@transaction.atomic
def return_note(note: Note, *, actor: Membership, expected_version: int, comment: str, request=None) -> Note:
    """Send the note back to its author with a comment: they revise it and sign again."""
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": "Say what should change."})
    current = lock_version(note, expected_version=expected_version, noun="note", verb="changed")
    _check_reviewer(current, actor)
    Review.objects.create(note=current, reviewer=actor, decision=Review.RETURNED, comment=comment)
    returned = save_version(current, {"status": Status.RETURNED, "signed_at": None, "signature": ""})
    record("note.returned", request=request, target=returned, client_id=returned.client_id)
    return returned


def cosign_note(
    note: Note, *, actor: Membership, expected_version: int, password: str = "", code: str = "", request=None
) -> Note:
    """Add the supervisor's signature; the note is then final."""
    confirm_identity(actor, password=password, code=code, request=request, purpose="cosign")
    with transaction.atomic():
        current = lock_version(note, expected_version=expected_version, noun="note", verb="changed")
        _check_reviewer(current, actor)
        Review.objects.create(note=current, reviewer=actor, decision=Review.COSIGNED)
        changes = {"status": Status.SIGNED, "cosigned_at": timezone.now(), "cosignature": actor.signature_name}
        cosigned = save_version(current, changes)
        record("note.cosigned", request=request, target=cosigned, client_id=cosigned.client_id)
        return cosigned


@transaction.atomic
def set_supervision(
    supervisee: Membership,
    *,
    actor: Membership,
    supervisor: Membership | None,
    mode: str = Mode.ALL,
    payers=(),
    request=None,
) -> SupervisionRule | None:
    """Choose who co-signs ``supervisee``'s notes and which (``supervisor`` None: nobody). Notes already waiting
    keep their supervisor."""
    existing = SupervisionRule.objects.select_for_update().filter(supervisee=supervisee).first()
    if supervisor is None:
        if existing is not None:
            existing.delete()
            record("note_supervision.ended", request=request, target=supervisee)
        return None
    if supervisor.pk == supervisee.pk:
        raise ValidationError({"supervisor": "Nobody co-signs their own notes."})
    if not supervisor.is_active or not supervisor.has_role(Role.SUPERVISOR):
        raise ValidationError({"supervisor": "Choose an active supervisor."})
    if mode not in Mode.values:
        raise ValidationError({"mode": "Choose how notes are co-signed."})
    payers = list(payers)
    if mode == Mode.PAYERS and not payers:
        raise ValidationError({"payers": "Choose the payers whose notes need a co-signature."})
    rule = existing or SupervisionRule(supervisee=supervisee, supervisor=supervisor)
    rule.supervisor, rule.mode = supervisor, mode
    if existing is not None:
        rule.version += 1
    rule.save()
    rule.payers.set(payers if mode == Mode.PAYERS else [])
    record(
        "note_supervision.set", request=request, target=supervisee, detail={"supervisor": supervisor.pk, "mode": mode}
    )
    return rule
