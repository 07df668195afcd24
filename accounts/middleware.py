from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.mfa import services as mfa
from accounts.passwords.services import password_change_due
from accounts.people.models import Membership
from accounts.sessions import services as sessions
from accounts.signin.signals import SESSION_ORGANIZATION_KEY
from audit.models import Outcome
from audit.services import record


class MembershipMiddleware:
    """Attach ``request.membership`` (the signed-in person's staff record in this clinic, roles prefetched).

    A session opened for another clinic, or for a membership since deactivated, is ended on the spot.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None
        organization = getattr(request, "organization", None)
        if organization is not None and request.user.is_authenticated:
            if request.session.get(SESSION_ORGANIZATION_KEY) != organization.pk:
                self._reject(request, "session belongs to another clinic")
            else:
                request.membership = (
                    Membership.objects.filter(user=request.user, is_active=True)
                    .prefetch_related("role_assignments")
                    .first()
                )
                if request.membership is None:
                    self._reject(request, "no active membership in this clinic")
                else:
                    # The same rows the request already holds: no join for the user, no query for the clinic.
                    request.membership.user = request.user
                    request.membership.organization = organization
        return self.get_response(request)

    def _reject(self, request: HttpRequest, reason: str) -> None:
        record("auth.session_rejected", request=request, outcome=Outcome.DENIED, detail={"reason": reason})
        logout(request)


class _StaffGate:
    """A step a signed-in person must take before any page (outside ``open_paths``): ``check`` returns where to
    send them, or None to let the request through."""

    open_paths: tuple[str, ...] = ()

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = getattr(request, "membership", None)
        if membership is not None and not request.path.startswith(self.open_paths):
            response = self.check(request, membership)
            if response is not None:
                return response
        return self.get_response(request)

    def check(self, request: HttpRequest, membership: Membership) -> HttpResponse | None:
        raise NotImplementedError


class PasswordChangeRequiredMiddleware(_StaffGate):
    """Before anything else, a person with a temporary or expired password must choose a new one."""

    open_paths = ("/password/change/", "/logout/", "/static/")

    def check(self, request: HttpRequest, membership: Membership) -> HttpResponse | None:
        if (
            not request.session.get(mfa.SSO_VERIFIED)  # signed in through the clinic's IdP, not a password
            and password_change_due(membership.user, request.organization)
        ):
            return redirect("accounts:password_change")
        return None


class SessionPolicyMiddleware:
    """Idle timeout and absolute lifetime, per the clinic's settings; notes activity; keeps the device cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = getattr(request, "membership", None)
        if membership is not None:
            reason = sessions.expiry_reason(request, request.organization)
            if reason is not None:
                record("auth.session_expired", request=request, detail={"reason": reason})
                logout(request)
                if request.headers.get("HX-Request") or request.path == "/session/keepalive/":
                    return HttpResponse(status=401)
                return redirect(f"{reverse('accounts:login')}?expired={reason}")
            sessions.touch(request)
        response = self.get_response(request)
        device_id = getattr(request, "hearth_set_device_cookie", None)
        if device_id:
            response.set_cookie(
                sessions.DEVICE_COOKIE,
                sessions.signed_device_cookie(device_id),
                max_age=400 * 24 * 3600,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


class MfaRequiredMiddleware(_StaffGate):
    """A person with two-step sign-in must pass it; one whose clinic requires it must enrol first."""

    open_paths = ("/mfa/", "/logout/", "/static/", "/session/keepalive/")

    def check(self, request: HttpRequest, membership: Membership) -> HttpResponse | None:
        if request.session.get(mfa.SESSION_PASSED):
            return None
        # Decided once per session (at sign-in), so ordinary pages cost no extra queries.
        if mfa.is_verified(request):
            request.session[mfa.SESSION_PASSED] = True
        elif mfa.has_mfa(request.user):
            return redirect("accounts:mfa_verify")
        elif mfa.required_for(membership):
            return redirect("accounts:mfa_setup")
        else:
            request.session[mfa.SESSION_PASSED] = True
        return None
