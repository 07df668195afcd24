"""Per-address throttling of sign-in endpoints (django-ratelimit), on top of per-account throttling (``lockout``).

A clinic office shares one public address, so plain steps (a page of the two-step setup, a correct password) count
only toward a ceiling (``HEARTH_AUTH_RATE``) that twenty people signing in at once never reach. Failures count toward
tighter limits: per address (``HEARTH_AUTH_FAILURE_RATE``), which stops one address spraying a password over many
usernames, and per address and account (``HEARTH_AUTH_ACCOUNT_FAILURE_RATE``), which stops one address hammering
one account whatever its lock says. Over any limit the request answers 429 (``RATELIMIT_VIEW``).
"""

from functools import wraps

from django.conf import settings
from django.http import HttpRequest
from django.utils.decorators import method_decorator
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from audit.request_info import client_ip

FAILURE_GROUP = "auth-failures"
ACCOUNT_FAILURE_GROUP = "auth-account-failures"


def _client_key(group: str, request) -> str:
    return client_ip(request) or "unknown"


def _account(request: HttpRequest) -> str:
    """The account a request tries: the identifier typed in, or the person half signed in (two-step pages)."""
    typed = request.POST.get("username") or request.POST.get("email") or request.POST.get("identifier") or ""
    if typed:
        return typed.strip().lower()[:254]
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else ""


def _account_key(group: str, request) -> str:
    return f"{_client_key(group, request)}|{_account(request)}"


def _failure_usage(request: HttpRequest, *, increment: bool) -> list[dict]:
    checks = [(FAILURE_GROUP, _client_key, settings.HEARTH_AUTH_FAILURE_RATE)]
    if _account(request):
        checks.append((ACCOUNT_FAILURE_GROUP, _account_key, settings.HEARTH_AUTH_ACCOUNT_FAILURE_RATE))
    usages = (get_usage(request, group=group, key=key, rate=rate, increment=increment) for group, key, rate in checks)
    return [usage for usage in usages if usage is not None]


def count_failure(request: HttpRequest) -> None:
    """A wrong password or code from this request, counted per address and per address and account.

    Password-reset requests count the same way: each sends an email, and the step ceiling alone would let one
    address send hundreds to one person.
    """
    _failure_usage(request, increment=True)


def _auth_rate(group: str, request) -> str:
    return settings.HEARTH_AUTH_RATE


def throttle_auth(view):
    """Limit POSTs to an authentication view per client address: every step, and failures more tightly."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if request.method == "POST" and any(
            usage["count"] >= usage["limit"] for usage in _failure_usage(request, increment=False)
        ):
            raise Ratelimited()
        return view(request, *args, **kwargs)

    return ratelimit(group="auth", key=_client_key, rate=_auth_rate, method="POST", block=True)(checked)


throttle_auth_class = method_decorator(throttle_auth, name="dispatch")


def _sso_rate(group: str, request) -> str:
    return settings.HEARTH_SSO_RATE


def throttle_sso(view):
    """Single sign-on is reached by links (GET); a clinic office may share one address, so the limit is higher."""
    return ratelimit(group="sso", key=_client_key, rate=_sso_rate, method=ratelimit.ALL, block=True)(view)
