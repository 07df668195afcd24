"""Required two-step sign-in for the vendor's support staff: an authenticator app (TOTP) and recovery codes.

Vendor staff read protected health information of every clinic, so a password alone never opens the console.
Codes are checked with django-otp's RFC 6238 arithmetic (``django_otp.oath.TOTP``) against the key in
``VendorTotpKey``: one 30-second step of clock drift either way, and never a step at or before the last one
accepted (no replay). Recovery codes are single-use and stored as keyed hashes. Every failed code counts toward
the account's django-axes lockout (``vendor:<email>``) like a wrong password, and every enrolment, success,
failure, recovery-code use and reset is audited in the system chain, naming the person by ``actor_label``.
"""

import re
import secrets
from urllib.parse import quote, urlencode

from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.oath import TOTP
from django_otp.util import random_hex

from accounts.mfa.services import grouped_base32, otpauth_qr_data_uri
from audit.models import Outcome
from audit.services import record
from console.mfa.models import VendorRecoveryCode, VendorTotpKey
from console.signin.models import VendorStaff

ISSUER = "Hearth vendor support"
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without doubt
RECOVERY_CODE_LENGTH = 10


def confirmed_key(staff: VendorStaff) -> VendorTotpKey | None:
    """The staff member's enrolled authenticator, or None (uses the ``select_related`` cache when present)."""
    key = getattr(staff, "totp_key", None)
    return key if key is not None and key.confirmed else None


def pending_key(staff: VendorStaff) -> VendorTotpKey:
    """The key being enrolled: a new secret on the first visit, the same one on reloads (the QR stays valid)."""
    key, _ = VendorTotpKey.objects.get_or_create(staff=staff, defaults={"key": random_hex(20)})
    return key


def otpauth_url(key: VendorTotpKey) -> str:
    """The ``otpauth://`` URL an authenticator app reads from the QR code."""
    label = quote(f"{ISSUER}:{key.staff.email}")
    query = urlencode({"secret": _base32(key), "issuer": ISSUER, "algorithm": "SHA1", "digits": 6, "period": 30})
    return f"otpauth://totp/{label}?{query}"


def qr_code_data_uri(key: VendorTotpKey) -> str:
    return otpauth_qr_data_uri(otpauth_url(key))


def manual_key(key: VendorTotpKey) -> str:
    return grouped_base32(bytes.fromhex(key.key))


def _base32(key: VendorTotpKey) -> str:
    return grouped_base32(bytes.fromhex(key.key)).replace(" ", "")


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _hash_code(code: str) -> str:
    return salted_hmac("hearth.vendor_recovery_code", _normalise(code), algorithm="sha256").hexdigest()


def _check_totp(key: VendorTotpKey, code: str) -> tuple[bool, str]:
    """Whether ``code`` is the key's code within the drift window and newer than the last one accepted.

    On success the accepted step is stored (the caller holds the row locked). The reason names a replay apart
    from a plain wrong code, for the audit log.
    """
    if not (code.isdigit() and len(code) == 6):
        return False, "malformed"
    totp = TOTP(bytes.fromhex(key.key), step=30, digits=6)
    if totp.verify(int(code), tolerance=DRIFT_STEPS, min_t=key.last_step + 1):
        key.last_step = totp.t()
        return True, ""
    totp.drift = 0
    return False, "replayed" if totp.verify(int(code), tolerance=DRIFT_STEPS) else "wrong"


def _failed(request: HttpRequest, staff: VendorStaff, *, stage: str, reason: str) -> None:
    """A wrong code: counted toward the account's lockout, audited (never the code itself)."""
    from console.signin.services import lockout_key

    user_login_failed.send(sender=__name__, credentials={"username": lockout_key(staff.email)}, request=request)
    record(
        "vendor.mfa_failed",
        request=request,
        actor_label=staff.audit_label,
        outcome=Outcome.FAILURE,
        detail={"vendor_staff_id": staff.pk, "stage": stage, "reason": reason},
    )


def _new_recovery_codes(staff: VendorStaff) -> list[str]:
    VendorRecoveryCode.objects.filter(staff=staff).delete()
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    VendorRecoveryCode.objects.bulk_create([VendorRecoveryCode(staff=staff, code_hash=_hash_code(c)) for c in codes])
    return codes


def enrol(request: HttpRequest, staff: VendorStaff, code: str) -> tuple[VendorTotpKey, list[str]] | None:
    """Confirm the pending key with a first code from the app; returns it and ten recovery codes (shown once).

    None (a counted, audited failure) when the code is wrong. Only for staff without a confirmed key: the
    console's pages send enrolled staff to the code page instead.
    """
    with transaction.atomic():
        key = VendorTotpKey.objects.select_for_update().filter(staff=staff, confirmed=False).first()
        ok, reason = _check_totp(key, _normalise(code)) if key is not None else (False, "no_pending_key")
        if ok and key is not None:
            key.confirmed = True
            key.confirmed_at = timezone.now()
            key.save(update_fields=["confirmed", "confirmed_at", "last_step"])
            codes = _new_recovery_codes(staff)
            record(
                "vendor.mfa_enrolled",
                request=request,
                actor_label=staff.audit_label,
                detail={"vendor_staff_id": staff.pk, "method": "totp", "recovery_codes": len(codes)},
            )
            return key, codes
    _failed(request, staff, stage="enrol", reason=reason)
    return None


def verify(request: HttpRequest, staff: VendorStaff, code: str) -> str | None:
    """Check a code from the app or a recovery code; returns ``"totp"`` or ``"recovery_code"``, or None.

    A recovery code is spent by a conditional update, so two requests racing with the same code cannot both pass.
    """
    code = _normalise(code)
    with transaction.atomic():
        if code.isdigit() and len(code) == 6:
            key = VendorTotpKey.objects.select_for_update().filter(staff=staff, confirmed=True).first()
            ok, reason = _check_totp(key, code) if key is not None else (False, "no_key")
            if ok and key is not None:
                key.save(update_fields=["last_step"])
                record(
                    "vendor.mfa_verified",
                    request=request,
                    actor_label=staff.audit_label,
                    detail={"vendor_staff_id": staff.pk, "method": "totp"},
                )
                return "totp"
        else:
            codes = VendorRecoveryCode.objects.filter(staff=staff, code_hash=_hash_code(code))
            if codes.filter(used_at__isnull=True).update(used_at=timezone.now()):
                record(
                    "vendor.recovery_code_used",
                    request=request,
                    actor_label=staff.audit_label,
                    detail={"vendor_staff_id": staff.pk, "remaining": remaining_recovery_codes(staff)},
                )
                return "recovery_code"
            reason = "recovery_code_reused" if codes.exists() else "wrong"
    _failed(request, staff, stage="sign_in", reason=reason)
    return None


def remaining_recovery_codes(staff: VendorStaff) -> int:
    return VendorRecoveryCode.objects.filter(staff=staff, used_at__isnull=True).count()


@transaction.atomic
def reset(staff: VendorStaff, *, actor_label: str) -> bool:
    """Remove the staff member's authenticator and recovery codes (a lost phone): they enrol again at their next
    sign-in, and every session they have ends (``console.signin.services.current_staff``). Returns whether there
    was any."""
    keys, _ = VendorTotpKey.objects.filter(staff=staff).delete()
    codes, _ = VendorRecoveryCode.objects.filter(staff=staff).delete()
    record(
        "vendor.mfa_reset",
        actor_label=actor_label,
        detail={"vendor_staff_id": staff.pk, "email": staff.email[:100], "had_factor": bool(keys or codes)},
    )
    return bool(keys or codes)
