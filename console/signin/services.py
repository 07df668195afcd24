"""Vendor staff accounts and their sign-in at the support console.

The console keeps its own session keys (not Django's ``login()``), so ``request.user`` stays anonymous there and
nothing clinic-side (memberships, clinic audit actors, clinic middleware) ever mistakes vendor staff for clinic
staff. Sign-in is rate-limited per address (``accounts.signin.ratelimits``) and locked per account by django-axes under
the key ``vendor:<email>``; unknown addresses lock like real ones, so the lockout reveals nothing.

Sign-in takes two steps (``console/mfa/services.py``): the password starts a half-signed-in session that reaches
only the enrolment and code pages; the session records which authenticator passed the second step
(``SESSION_MFA``), and only then do the console's pages open. Wrong codes count toward the same lockout.
"""

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from audit.models import Outcome
from audit.services import record
from console.mfa.services import confirmed_key
from console.signin.models import VendorStaff

SESSION_ID = "hearth_vendor_staff_id"
SESSION_HASH = "hearth_vendor_staff_hash"
SESSION_SEEN = "hearth_vendor_seen"
SESSION_MFA = "hearth_vendor_mfa_key"
LOCKED_MESSAGE = (
    "This account is locked for now after too many failed sign-in attempts in a row: try again later (the wait "
    "doubles with each further failure, up to an hour), or ask the installation's operator to unlock it."
)


def lockout_key(email: str) -> str:
    return f"vendor:{email.strip().lower()}"


@transaction.atomic
def create_vendor_staff(*, email: str, full_name: str, password: str) -> VendorStaff:
    """A new vendor support account (``manage.py create_vendor_staff``); the password must pass the validators."""
    email = email.strip().lower()
    if not email or "@" not in email:
        raise ValidationError({"email": ["Give an email address."]})
    if VendorStaff.objects.filter(email=email).exists():
        raise ValidationError({"email": ["A vendor staff account with this email already exists."]})
    if not full_name.strip():
        raise ValidationError({"full_name": ["Give the person's name."]})
    password_validation.validate_password(password)
    staff = VendorStaff(email=email, full_name=full_name.strip())
    staff.set_password(password)
    staff.save()
    record("vendor.staff_created", actor_label="manage.py", detail={"vendor_staff_id": staff.pk})
    return staff


def is_locked(request: HttpRequest, email: str) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": lockout_key(email)})


def authenticate(request: HttpRequest, email: str, password: str) -> VendorStaff | None:
    """The active vendor staff member with this email and password, or None (same hashing cost either way).

    A failure is counted for the lockout and audited in the system chain (the address tried, not a password).
    """
    email = email.strip().lower()
    staff = VendorStaff.objects.filter(email=email, is_active=True).first()
    if staff is None:
        VendorStaff().set_password(password)
    elif staff.check_password(password):
        return staff  # the lockout count is reset only once the second step passes too
    user_login_failed.send(sender=__name__, credentials={"username": lockout_key(email)}, request=request)
    record(
        "vendor.login_failed",
        request=request,
        actor_label=staff.audit_label if staff else "",
        outcome=Outcome.FAILURE,
        detail={"email": email[:100]},
    )
    return None


def sign_in(request: HttpRequest, staff: VendorStaff) -> None:
    """The password step: a new session key and CSRF token (no fixation), then the console's own session keys.

    The session is half signed in until ``complete_sign_in``: it reaches only the two-step pages.
    """
    request.session.cycle_key()
    rotate_token(request)
    request.session[SESSION_ID] = staff.pk
    request.session[SESSION_HASH] = staff.get_session_auth_hash()
    request.session[SESSION_SEEN] = timezone.now().timestamp()
    record(
        "vendor.password_verified", request=request, actor_label=staff.audit_label, detail={"vendor_staff_id": staff.pk}
    )


def complete_sign_in(request: HttpRequest, staff: VendorStaff, key, *, method: str) -> None:
    """The second step passed with ``key`` (the confirmed authenticator): the console opens, the lockout resets."""
    request.session.cycle_key()
    request.session[SESSION_MFA] = key.pk
    reset(username=lockout_key(staff.email))
    staff.last_login = timezone.now()
    staff.save(update_fields=["last_login"])
    record(
        "vendor.login",
        request=request,
        actor_label=staff.audit_label,
        detail={"vendor_staff_id": staff.pk, "second_step": method},
    )


def second_step_passed(request: HttpRequest, staff: VendorStaff) -> bool:
    key = confirmed_key(staff)
    return key is not None and request.session.get(SESSION_MFA) == key.pk


def sign_out(request: HttpRequest) -> None:
    staff = getattr(request, "vendor_staff", None)
    if staff is not None:
        record("vendor.logout", request=request, actor_label=staff.audit_label, detail={"vendor_staff_id": staff.pk})
    request.session.flush()


def current_staff(request: HttpRequest) -> VendorStaff | None:
    """The signed-in vendor staff member of this session, or None (and the session ended) when the account was
    deactivated, its password changed, its second factor was reset, or the session sat idle past
    ``HEARTH_VENDOR_IDLE_MINUTES``. Half-signed-in sessions count: ``vendor_staff_required`` checks the second step."""
    staff_id = request.session.get(SESSION_ID)
    if staff_id is None:
        return None
    staff = VendorStaff.objects.select_related("totp_key").filter(pk=staff_id, is_active=True).first()
    seen = request.session.get(SESSION_SEEN, 0)
    idle = timezone.now().timestamp() - seen > timedelta(minutes=settings.HEARTH_VENDOR_IDLE_MINUTES).total_seconds()
    passed_key = request.session.get(SESSION_MFA)
    if (
        staff is None
        or idle
        or not constant_time_compare(request.session.get(SESSION_HASH, ""), staff.get_session_auth_hash())
        or (passed_key is not None and getattr(confirmed_key(staff), "pk", None) != passed_key)
    ):
        request.session.flush()
        return None
    request.session[SESSION_SEEN] = timezone.now().timestamp()
    return staff


def _with_next(name: str, target: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': target})}"


def two_step_url(staff: VendorStaff, target: str) -> str:
    """Where a half-signed-in person goes next: enrolment without an authenticator, else the code page."""
    return _with_next("console:mfa_verify" if confirmed_key(staff) else "console:mfa_setup", target)


def vendor_staff_required(view: Callable) -> Callable:
    """Console views: only on the support host, only for a vendor staff member signed in with both steps
    (``request.vendor_staff``). A half-signed-in session is sent to the two-step pages."""

    @wraps(view)
    def wrapped(request: Any, *args, **kwargs):
        staff = current_staff(request) if getattr(request, "vendor_console", False) else None
        if staff is None:
            return redirect(f"{reverse('console:login')}?next={request.path}")
        if not second_step_passed(request, staff):
            return redirect(two_step_url(staff, request.path))
        request.vendor_staff = staff
        return view(request, *args, **kwargs)

    return wrapped


def password_step_required(view: Callable) -> Callable:
    """The two-step pages: a session past the password (``request.half_signed_in``); signed-in ones go on."""

    @wraps(view)
    def wrapped(request: Any, *args, **kwargs):
        staff = current_staff(request) if getattr(request, "vendor_console", False) else None
        if staff is None:
            return redirect("console:login")
        if second_step_passed(request, staff):
            return redirect("console:list")
        request.half_signed_in = staff
        return view(request, *args, **kwargs)

    return wrapped
