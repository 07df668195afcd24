"""Signing: the moment a note becomes part of the record. The signer proves who they are again (their password,
or their second step when they use two-step sign-in), the signature shows their name and credentials, and the
note is locked from then on, except for the clinic's optional unlock window."""

import datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user

from accounts.mfa.services import has_mfa
from accounts.people.models import Membership
from audit.models import Outcome
from audit.services import record
from clients.insurance.models import InsurancePolicy
from core.versioning import lock_version, save_version
from notes.cosign.models import Mode, SupervisionRule
from notes.drafts.services import check_editable
from notes.note_templates.schema import check_answers
from notes.records.models import Attendance, Note, Status
from notes.setup.services import settings_for_clinic

MAX_FAILURES = 5
FAILURE_WINDOW = 15 * 60


def _failures_key(actor: Membership) -> str:
    return f"notes:reauth-failures:{actor.pk}"


def confirm_identity(actor: Membership, *, password: str = "", code: str = "", request=None, purpose: str) -> None:
    """Raise ValidationError unless the person proved who they are just now (audited when they did not).

    Two-step users give a code from their authenticator app or a recovery code; everyone else their password.
    After ``MAX_FAILURES`` wrong answers in ``FAILURE_WINDOW`` seconds nothing is checked until the window passes,
    so a signing form cannot be used to guess a password that the sign-in lockout protects."""
    user = actor.user
    key = _failures_key(actor)
    if cache.get(key, 0) >= MAX_FAILURES:
        record(
            "note.reauth_throttled", request=request, actor=user, outcome=Outcome.DENIED, detail={"purpose": purpose}
        )
        raise ValidationError("Too many wrong attempts. Wait 15 minutes, then try again.")
    if has_mfa(user):
        code = code.strip().replace(" ", "").lower()
        if code and any(device.verify_token(code) for device in devices_for_user(user, confirmed=True)):
            cache.delete(key)
            return
        field, message = "code", "That code is not right. Enter the current code from your authenticator app."
    else:
        if password and user.check_password(password):
            cache.delete(key)
            return
        field, message = "password", "That password is not right."
    cache.add(key, 0, FAILURE_WINDOW)
    cache.incr(key)
    record("note.reauth_failed", request=request, actor=user, outcome=Outcome.FAILURE, detail={"purpose": purpose})
    raise ValidationError({field: message})


def missing_for_signature(note: Note) -> list[str]:
    """What must be filled in before ``note`` can be signed, by label."""
    missing = []
    if note.attendance == Attendance.ATTENDED:
        if note.appointment_id is not None or note.contact_kind == "":
            if note.start_time is None:
                missing.append("Start time")
            if note.end_time is None:
                missing.append("End time")
        if note.template_version is not None:
            missing += check_answers(note.template_version.schema, note.answers).missing
    return missing


def rule_for(note: Note) -> SupervisionRule | None:
    """The supervision rule that makes ``note`` wait for a co-signature, if one does."""
    if note.is_psychotherapy:
        return None  # private to the author: never reviewed
    rule = SupervisionRule.objects.filter(supervisee_id=note.author_id).select_related("supervisor").first()
    if rule is None or not rule.supervisor.is_active:
        return None
    if rule.mode == Mode.PAYERS:
        today = note.service_date
        payer_ids = InsurancePolicy.objects.filter(
            client_id=note.client_id, is_active=True, effective_date__lte=today
        ).values_list("payer_id", flat=True)
        if not rule.payers.filter(pk__in=list(payer_ids)).exists():
            return None
    return rule


def sign_note(
    note: Note,
    *,
    actor: Membership,
    expected_version: int,
    password: str = "",
    code: str = "",
    request=None,
) -> Note:
    """Sign a complete draft (or a returned note, after revision). Refused, listing what is missing, while a
    required answer or the session times are empty; refused for anyone but the author and for a signed note."""
    confirm_identity(actor, password=password, code=code, request=request, purpose="sign")
    with transaction.atomic():
        current = lock_version(note, expected_version=expected_version, noun="note", verb="saved")
        check_editable(current, actor)
        missing = missing_for_signature(current)
        if missing:
            raise ValidationError("Complete these before signing: " + ", ".join(missing) + ".")
        rule = rule_for(current)
        changes = {
            "status": Status.AWAITING_COSIGN if rule else Status.SIGNED,
            "signed_at": timezone.now(),
            "signature": actor.signature_name,
            "cosigner": rule.supervisor if rule else None,
            "cosign_mode": rule.mode if rule else "",
        }
        signed = save_version(current, changes)
        record(
            "note.signed",
            request=request,
            target=signed,
            client_id=signed.client_id,
            detail={"awaiting_cosign": rule is not None},
        )
        return signed


def unlock_deadline(note: Note) -> datetime.datetime | None:
    hours = settings_for_clinic().unlock_hours
    if hours is None or note.signed_at is None:
        return None
    return note.signed_at + datetime.timedelta(hours=hours)


@transaction.atomic
def unlock_note(note: Note, *, actor: Membership, expected_version: int, request=None) -> Note:
    """Reopen a signed note for its author, only within the clinic's unlock window (off unless the clinic set
    one) and before anyone co-signed or added to it."""
    current = lock_version(note, expected_version=expected_version, noun="note", verb="changed")
    deadline = unlock_deadline(current)
    if current.author_id != actor.pk:
        raise ValidationError("Only the note's author may unlock it.")
    if current.status not in (Status.SIGNED, Status.AWAITING_COSIGN) or current.cosigned_at is not None:
        raise ValidationError("Only a signed note that nobody co-signed can be unlocked.")
    if deadline is None or timezone.now() > deadline:
        raise ValidationError("This note can no longer be unlocked; add an addendum instead.")
    if current.addenda.exists():
        raise ValidationError("This note has addenda; add another addendum instead.")
    changes = {"status": Status.DRAFT, "signed_at": None, "signature": "", "cosigner": None, "cosign_mode": ""}
    unlocked = save_version(current, changes)
    record("note.unlocked", request=request, target=unlocked, client_id=unlocked.client_id)
    return unlocked
