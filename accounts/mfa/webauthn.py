"""Security keys and passkeys (WebAuthn) as a second sign-in step, through py_webauthn.

The relying party is the clinic's own host: a key registered at ``riverside.example`` only works there (the
browser scopes credentials to the rp id). Each ceremony's challenge is kept in the session and used once; the
library checks the origin, rp id, challenge, signature and that the signature counter moves forward.
Every registration, removal and sign-in attempt is audited, with no more detail than the method.
"""

import json
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from accounts.mfa.models import SecurityKey
from accounts.people.models import User
from audit.models import Outcome
from audit.services import record

RP_NAME = "Hearth"
REGISTRATION_CHALLENGE = "hearth_webauthn_registration"
AUTHENTICATION_CHALLENGE = "hearth_webauthn_authentication"
DEFAULT_NAME = "Security key"
METHOD = {"method": "webauthn"}
_TRANSPORTS = {transport.value for transport in AuthenticatorTransport}
# Anything the library or the base64/JSON decoding can raise for a malformed or forged response.
_BAD_RESPONSE = (WebAuthnException, ValueError, TypeError, KeyError, AttributeError)


class SecurityKeyError(Exception):
    """A registration or sign-in was refused; the message is safe to show to the person."""


def relying_party(request: HttpRequest) -> tuple[str, str]:
    """``(rp_id, origin)`` for this request: the clinic's host without port, and its origin."""
    rp_id, _ = split_domain_port(request.get_host())
    return rp_id, request.build_absolute_uri("/").rstrip("/")


def keys_for(user: User, rp_id: str | None = None):
    keys = SecurityKey.objects.filter(user=user, confirmed=True)
    return keys.filter(rp_id=rp_id) if rp_id is not None else keys


def _user_handle(user: User) -> bytes:
    """A stable, opaque WebAuthn user id: no database id or email leaves the server."""
    return salted_hmac("hearth.webauthn.user_handle", str(user.pk)).digest()


def _descriptors(keys) -> list[PublicKeyCredentialDescriptor]:
    descriptors = []
    for key in keys:
        transports = [AuthenticatorTransport(t) for t in key.transports if t in _TRANSPORTS]
        descriptors.append(
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(key.credential_id), transports=transports)
        )
    return descriptors


def _take_challenge(request: HttpRequest, session_key: str) -> bytes:
    challenge = request.session.pop(session_key, None)
    if not challenge:
        raise SecurityKeyError("This request has expired or was already used. Please try again.")
    return base64url_to_bytes(challenge)


def registration_options(request: HttpRequest, user: User) -> dict[str, Any]:
    """Options for ``navigator.credentials.create()``; the challenge waits in the session for one answer."""
    rp_id, _ = relying_party(request)
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=RP_NAME,
        user_id=_user_handle(user),
        user_name=user.email,
        user_display_name=user.full_name or user.email,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(keys_for(user, rp_id)),
    )
    request.session[REGISTRATION_CHALLENGE] = bytes_to_base64url(options.challenge)
    return json.loads(options_to_json(options))


def register(request: HttpRequest, user: User, *, name: str, credential: Any) -> SecurityKey:
    """Verify the browser's answer to the registration options and keep the new key; audited either way."""
    try:
        challenge = _take_challenge(request, REGISTRATION_CHALLENGE)
        rp_id, origin = relying_party(request)
        try:
            verified = verify_registration_response(
                credential=credential, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin
            )
        except _BAD_RESPONSE as error:
            raise SecurityKeyError("The security key couldn't be registered. Please try again.") from error
        credential_id = bytes_to_base64url(verified.credential_id)
        if SecurityKey.objects.filter(credential_id=credential_id).exists():
            raise SecurityKeyError("This security key is already registered.")
    except SecurityKeyError:
        record("auth.mfa_failed", request=request, outcome=Outcome.FAILURE, detail={"stage": "enrol", **METHOD})
        raise
    transports = credential.get("response", {}).get("transports") if isinstance(credential, dict) else None
    with transaction.atomic():
        key = SecurityKey.objects.create(
            user=user,
            name=(name or "").strip()[:64] or DEFAULT_NAME,
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=[t for t in transports if t in _TRANSPORTS] if isinstance(transports, list) else [],
            rp_id=rp_id,
        )
        otp_login(request, key)
        record("auth.mfa_enrolled", request=request, detail=METHOD)
    return key


def authentication_options(request: HttpRequest, user: User) -> dict[str, Any]:
    """Options for ``navigator.credentials.get()`` listing the person's keys registered at this host."""
    rp_id, _ = relying_party(request)
    keys = list(keys_for(user, rp_id))
    if not keys:
        raise SecurityKeyError("You have no security key registered at this address.")
    options = generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=_descriptors(keys),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    request.session[AUTHENTICATION_CHALLENGE] = bytes_to_base64url(options.challenge)
    return json.loads(options_to_json(options))


def authenticate(request: HttpRequest, credential: Any) -> SecurityKey:
    """Verify a signed assertion from one of the person's keys; on success the session counts as verified.

    A signature counter that does not move forward (a cloned key, or a replay) is refused. Failures are audited.
    """
    try:
        challenge = _take_challenge(request, AUTHENTICATION_CHALLENGE)
        with transaction.atomic():
            key = _verify_assertion(request, credential, challenge)
            otp_login(request, key)
            record("auth.mfa_verified", request=request, detail=METHOD)
        return key
    except SecurityKeyError:
        record("auth.mfa_failed", request=request, outcome=Outcome.FAILURE, detail={"stage": "sign_in", **METHOD})
        raise


def _verify_assertion(request: HttpRequest, credential: Any, challenge: bytes) -> SecurityKey:
    rp_id, origin = relying_party(request)
    credential_id = credential.get("id") if isinstance(credential, dict) else None
    key = None
    if isinstance(credential_id, str):
        key = keys_for(request.user, rp_id).select_for_update().filter(credential_id=credential_id).first()
    if key is None:
        raise SecurityKeyError("That security key isn't registered to your account here.")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=bytes(key.public_key),
            credential_current_sign_count=key.sign_count,
        )
    except _BAD_RESPONSE as error:
        raise SecurityKeyError("Your security key couldn't be verified. Please try again.") from error
    key.sign_count = verified.new_sign_count
    key.last_used_at = timezone.now()
    key.save(update_fields=["sign_count", "last_used_at"])
    return key


@transaction.atomic
def remove(request: HttpRequest, user: User, key_id: int) -> bool:
    """Remove one of the person's own keys; False if it isn't theirs (or is already gone).

    When it was their only factor, the recovery codes go too: two-step sign-in is then off, not half-on.
    """
    deleted, _ = SecurityKey.objects.filter(user=user, pk=key_id).delete()
    if not deleted:
        return False
    record("auth.mfa_key_removed", request=request, detail=METHOD)
    if not keys_for(user).exists() and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        StaticDevice.objects.filter(user=user).delete()
    return True
