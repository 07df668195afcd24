"""Vendor staff accounts and their sign-in at the support console.

The console keeps its own session keys (not Django's ``login()``), so ``request.user`` stays anonymous there and
nothing clinic-side (memberships, clinic audit actors, clinic middleware) ever mistakes vendor staff for clinic
staff. Sign-in is rate-limited per address (``accounts.ratelimits``) and locked per account by django-axes under
the key ``vendor:<email>``; unknown addresses lock like real ones, so the lockout reveals nothing.
"""

from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import AnonymousUser
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
from tickets.models import VendorStaff

SESSION_ID = "hearth_vendor_staff_id"
SESSION_HASH = "hearth_vendor_staff_hash"
SESSION_SEEN = "hearth_vendor_seen"
LOCKED_MESSAGE = "This account is locked after too many failed sign-in attempts. Ask the installation's operator."


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
        reset(username=lockout_key(email))
        return staff
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
    """A new session key and CSRF token (no fixation), then the console's own session keys."""
    request.session.cycle_key()
    rotate_token(request)
    request.session[SESSION_ID] = staff.pk
    request.session[SESSION_HASH] = staff.get_session_auth_hash()
    request.session[SESSION_SEEN] = timezone.now().timestamp()
    staff.last_login = timezone.now()
    staff.save(update_fields=["last_login"])
    record("vendor.login", request=request, actor_label=staff.audit_label, detail={"vendor_staff_id": staff.pk})


def sign_out(request: HttpRequest) -> None:
    staff = getattr(request, "vendor_staff", None)
    if staff is not None:
        record("vendor.logout", request=request, actor_label=staff.audit_label, detail={"vendor_staff_id": staff.pk})
    request.session.flush()


def current_staff(request: HttpRequest) -> VendorStaff | None:
    """The signed-in vendor staff member of this session, or None (and the session ended) when the account was
    deactivated, its password changed, or the session sat idle past ``HEARTH_VENDOR_IDLE_MINUTES``."""
    staff_id = request.session.get(SESSION_ID)
    if staff_id is None:
        return None
    staff = VendorStaff.objects.filter(pk=staff_id, is_active=True).first()
    seen = request.session.get(SESSION_SEEN, 0)
    idle = timezone.now().timestamp() - seen > timedelta(minutes=settings.HEARTH_VENDOR_IDLE_MINUTES).total_seconds()
    if (
        staff is None
        or idle
        or not constant_time_compare(request.session.get(SESSION_HASH, ""), staff.get_session_auth_hash())
    ):
        request.session.flush()
        return None
    request.session[SESSION_SEEN] = timezone.now().timestamp()
    return staff


def vendor_staff_required(view: Callable) -> Callable:
    """Console views: only on the support host, only for a signed-in vendor staff member (``request.vendor_staff``)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        request.vendor_staff = current_staff(request) if getattr(request, "vendor_console", False) else None
        if request.vendor_staff is None:
            return redirect(f"{reverse('console:login')}?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapped


class ConsoleBoundaryMiddleware:
    """Keep the two doors apart, and audit anyone who tries the wrong one.

    On the support host a clinic sign-in (Django's auth session) means nothing: it is ended and audited. On a
    clinic host a vendor console session means nothing either: ended and audited in that clinic's chain.
    Cookies are per host, so this only fires for a copied or forged cookie; it is the belt to those braces.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        console = getattr(request, "vendor_console", False)
        if console and request.user.is_authenticated:
            record(
                "access.denied",
                request=request,
                outcome=Outcome.DENIED,
                detail={"permission": "console.clinic_session", "path": request.path[:200]},
            )
            request.session.flush()
            request.user = AnonymousUser()
        elif not console and getattr(request, "organization", None) is not None and SESSION_ID in request.session:
            record(
                "access.denied",
                request=request,
                actor_label=f"vendor staff {request.session.get(SESSION_ID)}",
                outcome=Outcome.DENIED,
                detail={"permission": "clinic.vendor_session", "path": request.path[:200]},
            )
            request.session.flush()
            request.user = AnonymousUser()
        return self.get_response(request)
