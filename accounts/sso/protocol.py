"""The OpenID Connect relying party: discovery, the authorization request and the checks on what comes back.

Pure protocol code: no database, no sessions. ``begin`` builds the authorization request and the secrets that must
wait in the session for the response (state, nonce, PKCE verifier); ``complete`` checks the response against them,
exchanges the code, verifies the ID token (signature against the provider's JWKS, ``iss``, ``aud``, ``exp``,
``nonce``) and returns the verified email. Every way this can go wrong raises ``SsoFailure`` with a reason code
that is safe for the audit log; callers show one generic message whatever the code.
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from django.conf import settings
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

# Connect and read timeouts (seconds) for every request to a provider.
TIMEOUT = (3.05, 10)
# How long a started sign-in may take at the provider before its answer is refused.
FLOW_MAX_AGE_SECONDS = 10 * 60
# Signature algorithms accepted on ID tokens: asymmetric only, so the client secret can never sign one.
ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
CLOCK_LEEWAY_SECONDS = 60
DISCOVERY_CACHE_SECONDS = 5 * 60
SCOPE = "openid email"


class SsoFailure(Exception):
    """A single sign-on attempt failed. ``reason`` is a short code for the audit log (never PHI or an email)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ProviderConfigurationError(Exception):
    """The provider's discovery document could not be read or is unusable; the message says why, for admins."""


@dataclass(frozen=True)
class ClientSettings:
    issuer: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class VerifiedIdentity:
    subject: str
    email: str


def insecure_issuers_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "HEARTH_SSO_ALLOW_INSECURE_ISSUER", False))


def url_is_acceptable(url: str) -> bool:
    """https anywhere; plain http only to this machine, and only in development or tests."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost"} and insecure_issuers_allowed()


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def cached_discovery(issuer: str) -> dict[str, Any]:
    """The discovery document for sign-ins, kept a few minutes so that a burst of sign-ins asks the provider once."""
    key = "hearth:oidc-discovery:" + hashlib.sha256(issuer.encode()).hexdigest()
    metadata = cache.get(key)
    if metadata is None:
        metadata = fetch_discovery(issuer)
        cache.set(key, metadata, DISCOVERY_CACHE_SECONDS)
    return metadata


def fetch_discovery(issuer: str) -> dict[str, Any]:
    """Read and check the provider's discovery document; raise ``ProviderConfigurationError`` saying what is wrong."""
    try:
        response = requests.get(discovery_url(issuer), timeout=TIMEOUT, allow_redirects=False)
        response.raise_for_status()
        metadata = response.json()
    except requests.RequestException as error:
        raise ProviderConfigurationError(_describe_request_error(error)) from None
    except ValueError:
        raise ProviderConfigurationError("the answer is not a JSON document") from None
    if not isinstance(metadata, dict):
        raise ProviderConfigurationError("the answer is not a JSON object")
    if metadata.get("issuer") != issuer:
        raise ProviderConfigurationError(
            f"it names its issuer {str(metadata.get('issuer'))[:200]!r}; enter exactly that address"
        )
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = metadata.get(key)
        if not isinstance(value, str) or not url_is_acceptable(value):
            raise ProviderConfigurationError(f"its {key} is missing or not an https address")
    if metadata.get("userinfo_endpoint") and not url_is_acceptable(str(metadata["userinfo_endpoint"])):
        raise ProviderConfigurationError("its userinfo_endpoint is not an https address")
    if "code" not in metadata.get("response_types_supported", ["code"]):
        raise ProviderConfigurationError("it does not support the authorization-code flow")
    return metadata


def _describe_request_error(error: requests.RequestException) -> str:
    if isinstance(error, requests.Timeout):
        return "the provider did not answer in time"
    if isinstance(error, requests.ConnectionError):
        return "the provider could not be reached"
    if isinstance(error, requests.HTTPError) and error.response is not None:
        return f"the provider answered with HTTP status {error.response.status_code}"
    return "the request failed"


def _session(client: ClientSettings, metadata: dict[str, Any], redirect_uri: str) -> OAuth2Session:
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    auth_method = "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
    return OAuth2Session(
        client_id=client.client_id,
        client_secret=client.client_secret,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method=auth_method,
        default_timeout=TIMEOUT,
    )


def begin(client: ClientSettings, *, redirect_uri: str) -> tuple[str, dict[str, Any]]:
    """Return the provider's authorization URL and the pending-flow secrets to keep in the session."""
    try:
        metadata = cached_discovery(client.issuer)
    except ProviderConfigurationError:
        raise SsoFailure("discovery_failed") from None
    pending = {
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "code_verifier": secrets.token_urlsafe(64),
        "issuer": client.issuer,
        "client_id": client.client_id,
        "redirect_uri": redirect_uri,
        "started_at": int(time.time()),
    }
    with _session(client, metadata, redirect_uri) as session:
        url, _ = session.create_authorization_url(
            metadata["authorization_endpoint"],
            state=pending["state"],
            nonce=pending["nonce"],
            code_verifier=pending["code_verifier"],
        )
    return url, pending


def complete(client: ClientSettings, *, pending: dict[str, Any] | None, params: dict[str, str]) -> VerifiedIdentity:
    """Check the provider's answer against the pending flow and return the verified identity it vouches for."""
    _check_response(client, pending, params)
    try:
        metadata = cached_discovery(client.issuer)
    except ProviderConfigurationError:
        raise SsoFailure("discovery_failed") from None
    try:
        with _session(client, metadata, pending["redirect_uri"]) as session:
            token = session.fetch_token(
                metadata["token_endpoint"],
                grant_type="authorization_code",
                code=params["code"],
                code_verifier=pending["code_verifier"],
            )
    except (requests.RequestException, AuthlibBaseError, ValueError, KeyError, TypeError):
        raise SsoFailure("token_exchange_failed") from None
    if not isinstance(token.get("id_token"), str) or not isinstance(token.get("access_token"), str):
        raise SsoFailure("token_exchange_failed")
    try:
        jwks = _get_json(metadata["jwks_uri"])
    except SsoFailure:
        raise SsoFailure("jwks_failed") from None
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [name for name in offered if name in ID_TOKEN_ALGORITHMS]
    claims = validate_id_token(
        token["id_token"],
        jwks=jwks,
        issuer=client.issuer,
        client_id=client.client_id,
        nonce=pending["nonce"],
        algorithms=algorithms or ["RS256"],
        access_token=token["access_token"],
    )
    if "email" not in claims and metadata.get("userinfo_endpoint"):
        claims = {**_userinfo(metadata["userinfo_endpoint"], token["access_token"], claims["sub"]), **claims}
    return VerifiedIdentity(subject=claims["sub"], email=verified_email(claims))


def _check_response(client: ClientSettings, pending: dict[str, Any] | None, params: dict[str, str]) -> None:
    if not pending:
        raise SsoFailure("no_pending_flow")
    if pending.get("issuer") != client.issuer or pending.get("client_id") != client.client_id:
        raise SsoFailure("configuration_changed")
    if time.time() - pending.get("started_at", 0) > FLOW_MAX_AGE_SECONDS:
        raise SsoFailure("flow_expired")
    if not hmac.compare_digest(str(params.get("state", "")), str(pending.get("state", ""))):
        raise SsoFailure("state_mismatch")
    if "iss" in params and params["iss"] != client.issuer:  # RFC 9207: the answer came from this provider
        raise SsoFailure("issuer_mismatch")
    if params.get("error"):
        raise SsoFailure("provider_error")
    if not params.get("code"):
        raise SsoFailure("code_missing")


def _get_json(url: str, **kwargs) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=TIMEOUT, allow_redirects=False, **kwargs)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError):
        raise SsoFailure("request_failed") from None
    if not isinstance(data, dict):
        raise SsoFailure("request_failed")
    return data


def _userinfo(url: str, access_token: str, subject: str) -> dict[str, Any]:
    try:
        info = _get_json(url, headers={"Authorization": f"Bearer {access_token}"})
    except SsoFailure:
        raise SsoFailure("userinfo_failed") from None
    if info.get("sub") != subject:  # OIDC Core 5.3.2: userinfo must be about the ID token's subject
        raise SsoFailure("userinfo_subject_mismatch")
    return {key: info[key] for key in ("email", "email_verified") if key in info}


def validate_id_token(
    id_token: str,
    *,
    jwks: dict[str, Any],
    issuer: str,
    client_id: str,
    nonce: str,
    algorithms: list[str],
    access_token: str | None = None,
) -> dict[str, Any]:
    """Verify the ID token's signature with the provider's keys and its ``iss``, ``aud``, ``exp`` and ``nonce``."""
    try:
        key_set = KeySet.import_key_set(jwks)
        token = jwt.decode(id_token, key_set, algorithms=algorithms, registry=JWSRegistry(algorithms=algorithms))
        claims = CodeIDToken(
            token.claims,
            token.header,
            options={
                "iss": {"essential": True, "value": issuer},
                "aud": {"essential": True, "value": client_id},
                "exp": {"essential": True},
                "nonce": {"essential": True, "value": nonce},
            },
            params={"nonce": nonce, "client_id": client_id, "access_token": access_token},
        )
        claims.validate(leeway=CLOCK_LEEWAY_SECONDS)
    except (JoseError, AuthlibBaseError, ValueError, KeyError, TypeError):
        raise SsoFailure("invalid_id_token") from None
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise SsoFailure("invalid_id_token")
    return dict(claims)


def verified_email(claims: dict[str, Any]) -> str:
    """The lower-cased email the provider vouches for; refused when absent or marked unverified."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise SsoFailure("email_missing")
    if "email_verified" in claims and claims["email_verified"] is not True:
        raise SsoFailure("email_unverified")
    return email.strip().lower()
