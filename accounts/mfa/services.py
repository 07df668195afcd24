"""Two-step sign-in: authenticator apps (TOTP), security keys (WebAuthn, accounts/mfa/webauthn.py) and recovery codes,
through django-otp.

The factor belongs to the person (one phone for every clinic they work at); whether it is required is each
clinic's policy, for everyone or for chosen roles.
"""

import segno
from django.db import transaction
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa.models import SecurityKey
from accounts.people.models import Membership, User
from audit.models import Outcome
from audit.services import record

RECOVERY_CODE_COUNT = 10
SSO_VERIFIED = "hearth_mfa_by_identity_provider"
SESSION_PASSED = "hearth_mfa_passed"


def required_for(membership: Membership) -> bool:
    organization = membership.organization
    return organization.mfa_required or bool(membership.roles.intersection(organization.mfa_required_roles or []))


def has_mfa(user: User) -> bool:
    """Any confirmed factor: an authenticator app, a security key (a django-otp device too) or recovery codes."""
    return any(True for _ in devices_for_user(user, confirmed=True))


def has_totp(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(request) -> bool:
    return request.user.is_verified() or bool(request.session.get(SSO_VERIFIED))


def pending_totp(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (a new secret on first visit, the same one on reloads)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def qr_code_data_uri(device: TOTPDevice) -> str:
    return otpauth_qr_data_uri(device.config_url)


def manual_key(device: TOTPDevice) -> str:
    return grouped_base32(device.bin_key)


def otpauth_qr_data_uri(url: str) -> str:
    """An ``otpauth://`` URL as an inline SVG QR code (also used by the vendor console's enrolment)."""
    return segno.make(url, error="m").svg_data_uri(scale=5, border=2)


def grouped_base32(secret: bytes) -> str:
    """A secret as the base32 an authenticator app accepts, in groups of four for typing by hand."""
    from base64 import b32encode

    text = b32encode(secret).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@transaction.atomic
def confirm_totp(request, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm enrolment with a first code; returns fresh recovery codes (shown once), or None if wrong."""
    if not device.verify_token(code.replace(" ", "")):
        record("auth.mfa_failed", request=request, outcome=Outcome.FAILURE, detail={"stage": "enrol"})
        return None
    TOTPDevice.objects.filter(user=device.user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    record("auth.mfa_enrolled", request=request, detail={"method": "totp"})
    return new_recovery_codes(request, device.user)


@transaction.atomic
def new_recovery_codes(request, user: User) -> list[str]:
    """Replace the person's recovery codes with ten new single-use ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    record("auth.recovery_codes_created", request=request, actor=user)
    return codes


def verify(request, code: str) -> bool:
    """Check a code from the app or a recovery code; on success the session counts as verified."""
    code = code.strip().replace(" ", "").lower()
    for device in devices_for_user(request.user, confirmed=True):
        if device.verify_token(code):
            otp_login(request, device)
            method = "recovery_code" if isinstance(device, StaticDevice) else "totp"
            record("auth.mfa_verified", request=request, detail={"method": method})
            return True
    record("auth.mfa_failed", request=request, outcome=Outcome.FAILURE, detail={"stage": "sign_in"})
    return False


def remaining_recovery_codes(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def reset(user: User) -> None:
    """Remove every second factor of the person (the caller audits who did it and why)."""
    TOTPDevice.objects.filter(user=user).delete()
    SecurityKey.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def reset_own_mfa(user: User, *, request=None) -> None:
    reset(user)
    record("auth.mfa_removed", request=request, actor=user)
