"""Account lockout, through django-axes, keyed per clinic.

Axes counts failures per key; the key is ``<clinic id>:<username>`` so the same username in two clinics are two
accounts, and an email address resolves to the username it belongs to so alternating them gains nothing.
Unknown usernames lock exactly like real ones, so the lockout message reveals nothing about who has an account.
"""

from axes.models import AccessAttempt
from axes.utils import reset
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenancy.models import Organization

LOCKED_MESSAGE = (
    "This account is locked after too many failed sign-in attempts. Contact your clinic's administrator to unlock it."
)


def key_for(organization: Organization, username: str) -> str:
    return f"{organization.pk}:{username.strip().lower()}"


def lockout_key(request: HttpRequest, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: the per-clinic account key for the submitted identifier."""
    from accounts.staff.selectors import active_member_by_identifier

    organization = getattr(request, "organization", None)
    identifier = ((credentials or {}).get("username") or request.POST.get("username") or "").strip().lower()
    if getattr(request, "vendor_console", False):
        return identifier  # already the console's own key, "vendor:<email>" (console/signin/services.py)
    if organization is None:
        return f"-:{identifier}"
    if "@" in identifier:
        match = active_member_by_identifier(identifier)
        if match is not None:
            identifier = match.username
    return key_for(organization, identifier)


def failure_limit(request: HttpRequest, credentials: dict | None) -> int:
    """AXES_FAILURE_LIMIT: the clinic's own threshold."""
    organization = getattr(request, "organization", None)
    return organization.lockout_threshold if organization is not None else 5


def locked_out_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the sign-in page again, saying the account is locked and who can help.

    Another door (the vendor's support console) puts its own page on the request as ``locked_out_response``.
    """
    door = getattr(request, "locked_out_response", None)
    if door is not None:
        return door(request)
    from accounts.signin.forms import ClinicAuthenticationForm

    form = ClinicAuthenticationForm(request, data=None)
    return render(request, "accounts/login.html", {"form": form, "locked_message": LOCKED_MESSAGE}, status=403)


def locked_usernames(organization: Organization) -> set[str]:
    """Lower-cased usernames of this clinic that are locked now (one query, for the staff list)."""
    prefix = f"{organization.pk}:"
    keys = AccessAttempt.objects.filter(
        username__startswith=prefix, failures_since_start__gte=organization.lockout_threshold
    ).values_list("username", flat=True)
    return {key.removeprefix(prefix) for key in keys}


def is_locked(organization: Organization, username: str) -> bool:
    return username.lower() in locked_usernames(organization)


def unlock(organization: Organization, username: str) -> int:
    return reset(username=key_for(organization, username))
