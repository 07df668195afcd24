"""Security-key endpoints: JSON for static/hearth/webauthn.js, and a plain form to remove a key.

Every answer to a malformed request is a 400 with a message the page can show, never a 500.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.mfa import services as mfa
from accounts.mfa import webauthn
from accounts.mfa.views import may_change_factors
from accounts.signin.ratelimits import throttle_auth
from core import params

NEW_CODES = "hearth_webauthn_new_recovery_codes"


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _json_body(request) -> dict:
    if request.content_type != "application/json":  # a form post's body was already read as form fields
        raise webauthn.SecurityKeyError("The request wasn't valid JSON.")
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError) as error:
        raise webauthn.SecurityKeyError("The request wasn't valid JSON.") from error
    if not isinstance(body, dict) or not isinstance(body.get("credential"), dict):
        raise webauthn.SecurityKeyError("The request is missing the security key's answer.")
    return body


def _next_url(request) -> str:
    return params.get_next(request, request.GET) or reverse("home")


def _unverified() -> JsonResponse:
    return _error("Finish two-step sign-in before changing your security keys.", status=403)


@login_required
@require_POST
@throttle_auth
def register_options(request):
    if not may_change_factors(request):
        return _unverified()
    return JsonResponse(webauthn.registration_options(request, request.user))


@login_required
@require_POST
@throttle_auth
def register(request):
    if not may_change_factors(request):
        return _unverified()
    first_factor = not mfa.has_mfa(request.user)
    try:
        body = _json_body(request)
        name = body.get("name") if isinstance(body.get("name"), str) else ""
        key = webauthn.register(request, request.user, name=name, credential=body["credential"])
    except webauthn.SecurityKeyError as error:
        return _error(str(error))
    request.session[mfa.SESSION_PASSED] = True
    if first_factor or not mfa.remaining_recovery_codes(request.user):
        request.session[NEW_CODES] = mfa.new_recovery_codes(request, request.user)
        return JsonResponse({"redirect": reverse("accounts:security_key_recovery_codes")})
    messages.success(request, f"Security key “{key.name}” added.")
    return JsonResponse({"redirect": reverse("accounts:mfa_manage")})


@login_required
@require_GET
def recovery_codes(request):
    """Show, once, the recovery codes created with a person's first security key."""
    codes = request.session.pop(NEW_CODES, None)
    if not codes:
        return redirect("accounts:mfa_manage")
    return render(request, "accounts/mfa/recovery_codes.html", {"codes": codes, "first_time": True})


@login_required
@require_POST
@throttle_auth
def sign_in_options(request):
    try:
        return JsonResponse(webauthn.authentication_options(request, request.user))
    except webauthn.SecurityKeyError as error:
        return _error(str(error))


@login_required
@require_POST
@throttle_auth
def sign_in(request):
    try:
        webauthn.authenticate(request, _json_body(request)["credential"])
    except webauthn.SecurityKeyError as error:
        return _error(str(error))
    request.session[mfa.SESSION_PASSED] = True
    return JsonResponse({"redirect": _next_url(request)})


@login_required
@require_POST
@throttle_auth
def remove(request, pk: int):
    if not may_change_factors(request):
        return redirect("accounts:mfa_verify")
    others = mfa.has_totp(request.user) or webauthn.keys_for(request.user).exclude(pk=pk).exists()
    if mfa.required_for(request.membership) and not others:
        messages.error(
            request, "Your clinic requires two-step sign-in: add another key or an app before removing this one."
        )
    elif webauthn.remove(request, request.user, pk):
        messages.success(request, "Security key removed.")
    return redirect("accounts:mfa_manage")
