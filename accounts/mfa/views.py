"""Two-step sign-in pages: verify at sign-in, enrol an authenticator app, recovery codes, manage.

Security keys have their own endpoints in accounts/webauthn_views.py; these pages list and offer them.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import policies
from accounts.mfa import services as mfa
from accounts.mfa import webauthn
from accounts.people.models import Membership
from accounts.signin.ratelimits import count_failure, throttle_auth
from accounts.staff import services
from core import params
from core.authz import get_for_clinic_or_404, require
from core.forms import run_button


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "autofocus": True}),
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
    )


def may_change_factors(request) -> bool:
    """Pages under /mfa/ are open before the second step; changing factors is not, once a person has one.

    Otherwise a stolen password alone could enrol a new factor or turn two-step sign-in off.
    """
    return bool(request.session.get(mfa.SESSION_PASSED)) or mfa.is_verified(request) or not mfa.has_mfa(request.user)


def _key_context(request) -> dict:
    rp_id, _ = webauthn.relying_party(request)
    keys = list(webauthn.keys_for(request.user))
    return {"keys": keys, "keys_here": [k for k in keys if k.rp_id == rp_id], "rp_id": rp_id}


def _after_verification(request):
    request.session[mfa.SESSION_PASSED] = True
    return redirect(params.get_next(request, request.GET) or "home")


@login_required
@throttle_auth
def mfa_verify(request):
    if not mfa.has_mfa(request.user):
        return redirect("home")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa.verify(request, form.cleaned_data["code"]):
            left = mfa.remaining_recovery_codes(request.user)
            if left <= 3:
                messages.warning(
                    request, f"You have {left} recovery codes left. Create new ones under Two-step sign-in."
                )
            return _after_verification(request)
        count_failure(request)
        form.add_error("code", "That code didn't work. Check the time on your phone is right, and try the newest code.")
    return render(request, "accounts/mfa/verify.html", {"form": form, **_key_context(request)})


@login_required
@throttle_auth
def mfa_setup(request):
    if not may_change_factors(request):
        return redirect("accounts:mfa_verify")
    device = mfa.pending_totp(request.user)
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "The 6-digit code your app shows after you add Hearth."
    if request.method == "POST" and form.is_valid():
        codes = mfa.confirm_totp(request, device, form.cleaned_data["code"])
        if codes is not None:
            request.session[mfa.SESSION_PASSED] = True
            return render(request, "accounts/mfa/recovery_codes.html", {"codes": codes, "first_time": True})
        form.add_error("code", "That code didn't match. Scan the code again or check your phone's clock, then retry.")
    context = {
        "form": form,
        "qr": mfa.qr_code_data_uri(device),
        "manual_key": mfa.manual_key(device),
        "required": mfa.required_for(request.membership),
    }
    return render(request, "accounts/mfa/setup.html", context)


@login_required
def mfa_manage(request):
    context = {
        "enrolled": mfa.has_mfa(request.user),
        "has_totp": mfa.has_totp(request.user),
        "remaining": mfa.remaining_recovery_codes(request.user),
        "required": mfa.required_for(request.membership),
        "may_change": may_change_factors(request),
        **_key_context(request),
    }
    return render(request, "accounts/mfa/manage.html", context)


@login_required
@require_POST
def mfa_new_recovery_codes(request):
    if not may_change_factors(request):
        return redirect("accounts:mfa_verify")
    if not mfa.has_mfa(request.user):
        return redirect("accounts:mfa_manage")
    codes = mfa.new_recovery_codes(request, request.user)
    return render(request, "accounts/mfa/recovery_codes.html", {"codes": codes, "first_time": False})


@login_required
@require_POST
def mfa_turn_off(request):
    if not may_change_factors(request):
        return redirect("accounts:mfa_verify")
    if mfa.required_for(request.membership):
        messages.error(request, "Your clinic requires two-step sign-in, so it can't be turned off.")
    else:
        mfa.reset_own_mfa(request.user, request=request)
        messages.success(request, "Two-step sign-in is off.")
    return redirect("accounts:mfa_manage")


@login_required
@require_POST
def staff_reset_mfa(request, pk: int):
    membership = get_for_clinic_or_404(request, Membership.objects.select_related("user"), "accounts.reset_mfa", pk)
    require(
        request, policies.can_set_temporary_password(request.membership, membership), "accounts.reset_mfa", membership
    )
    if run_button(request, services.reset_staff_mfa, membership):
        messages.success(
            request, f"Two-step sign-in reset. {membership.user.full_name} will set it up again at their next sign-in."
        )
    return redirect("accounts:staff_edit", pk=pk)
