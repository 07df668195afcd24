"""Single sign-on: the administrator's settings screen and the two legs of the OpenID Connect sign-in."""

import logging

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts import policies
from accounts.mfa import services as mfa
from accounts.signin.ratelimits import throttle_sso
from accounts.sso import protocol as sso
from accounts.sso import services as sso_services
from accounts.sso.forms import OidcConfigurationForm
from audit.models import Outcome
from audit.services import record
from core import params
from core.authz import require
from core.errors import ConflictError

logger = logging.getLogger(__name__)

SESSION_KEY = "hearth_sso_pending"
GENERIC_FAILURE = (
    "Single sign-on did not work. Sign in with your username and password, or ask your clinic's administrator for help."
)
BACKEND = "accounts.signin.backends.ClinicMembershipBackend"


@login_required
def sso_settings(request: HttpRequest) -> HttpResponse:
    require(request, policies.can_configure_sso(request.membership), "accounts.configure_sso")
    configuration = sso_services.configuration_for_clinic()
    form = OidcConfigurationForm(request.POST or None, instance=configuration)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in sso_services.CONFIGURABLE_FIELDS}
        try:
            sso_services.save_oidc_configuration(
                actor=request.membership,
                expected_version=form.cleaned_data["version"],
                data=data,
                request=request,
            )
        except (ConflictError, ValidationError) as error:
            form.add_error(None, error.message if isinstance(error, ConflictError) else error)
        else:
            messages.success(request, "Single sign-on settings saved.")
            return redirect("accounts:sso_settings")
    context = {"form": form, "redirect_uri": _redirect_uri(request), "configuration": configuration}
    return render(request, "accounts/sso/settings.html", context)


@throttle_sso
@require_GET
def sso_start(request: HttpRequest) -> HttpResponse:
    """Send the browser to the clinic's provider, remembering state, nonce and PKCE verifier in the session.

    A plain link (GET), not a form: the app's CSP ``form-action 'self'`` would stop a form that redirects away.
    """
    configuration = sso_services.enabled_configuration()
    if configuration is None:
        return _fail(request, "not_configured", None)
    try:
        url, pending = sso.begin(sso_services.client_settings(configuration), redirect_uri=_redirect_uri(request))
    except sso.SsoFailure as failure:
        return _fail(request, failure.reason, configuration)
    except Exception:  # a provider's surprise must still end in the generic message, not a 500
        logger.exception("single sign-on start failed unexpectedly")
        return _fail(request, "unexpected_error", configuration)
    pending["next"] = _safe_next(request, request.GET.get("next", ""))
    pending["organization_id"] = request.organization.pk
    request.session[SESSION_KEY] = pending
    return HttpResponseRedirect(url)


@throttle_sso
@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    """Finish the sign-in: one generic failure whatever went wrong, and an audit event either way."""
    pending = request.session.pop(SESSION_KEY, None)  # single use, even when it fails
    configuration = sso_services.enabled_configuration()
    if configuration is None:
        return _fail(request, "not_configured", None)
    if pending is not None and pending.get("organization_id") != request.organization.pk:
        pending = None
    params = {key: request.GET[key] for key in ("state", "code", "error", "iss") if key in request.GET}
    try:
        identity = sso.complete(sso_services.client_settings(configuration), pending=pending, params=params)
        membership = sso_services.staff_member_for(identity, configuration)
    except sso.SsoFailure as failure:
        return _fail(request, failure.reason, configuration)
    except Exception:  # a provider's surprise must still end in the generic message, not a 500
        logger.exception("single sign-on callback failed unexpectedly")
        return _fail(request, "unexpected_error", configuration)
    login(request, membership.user, backend=BACKEND)
    # The clinic delegated sign-in to its identity provider, which applies its own second factor.
    request.session[mfa.SSO_VERIFIED] = True
    record("auth.sso_login", request=request, actor=membership.user, detail={"issuer": configuration.issuer})
    return redirect(_safe_next(request, pending.get("next", "")) or reverse("home"))


def _fail(request: HttpRequest, reason: str, configuration) -> HttpResponse:
    detail = {"reason": reason}
    if configuration is not None:
        detail["issuer"] = configuration.issuer
    record("auth.sso_failed", request=request, outcome=Outcome.FAILURE, detail=detail)
    messages.error(request, GENERIC_FAILURE)
    return redirect("accounts:login")


def _redirect_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:sso_callback"))


def _safe_next(request: HttpRequest, target: str) -> str:
    """A same-host path to return to after signing in, or "" (no open redirects, no bounce back to SSO)."""
    target = params.get_next(request, {"next": target})
    if not target:
        return ""
    if target.startswith(reverse("accounts:sso_start")) or target.startswith(reverse("accounts:sso_callback")):
        return ""
    return target
