"""Per-address throttling of sign-in endpoints (django-ratelimit), on top of per-account lockout.

A client spraying one password over many usernames never trips an account's lockout; this slows it instead.
"""

from django.conf import settings
from django.utils.decorators import method_decorator
from django_ratelimit.decorators import ratelimit

from audit.request_info import client_ip


def _client_key(group: str, request) -> str:
    return client_ip(request) or "unknown"


def _auth_rate(group: str, request) -> str:
    return settings.HEARTH_AUTH_RATE


def throttle_auth(view):
    """Limit POSTs to an authentication view per client address; over the limit answers 429."""
    return ratelimit(group="auth", key=_client_key, rate=_auth_rate, method="POST", block=True)(view)


throttle_auth_class = method_decorator(throttle_auth, name="dispatch")


def _sso_rate(group: str, request) -> str:
    return settings.HEARTH_SSO_RATE


def throttle_sso(view):
    """Single sign-on is reached by links (GET); a clinic office may share one address, so the limit is higher."""
    return ratelimit(group="sso", key=_client_key, rate=_sso_rate, method=ratelimit.ALL, block=True)(view)
