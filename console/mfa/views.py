"""The console's second sign-in step: enrol an authenticator app (first sign-in, or after a reset), or enter a
code from it or a recovery code. Only a session past the password reaches these pages, and only these pages.
Business rules live in ``console/mfa/services.py``; sessions in ``console/signin/services.py``."""

from django.contrib import messages
from django.shortcuts import redirect, render

from accounts.mfa.views import CodeForm
from accounts.signin.ratelimits import throttle_auth
from console.mfa import services as mfa
from console.signin import services as vendor
from console.signin.views import locked_out_response, next_url

WRONG_CODE = "That code didn't work. Check the time on your phone is right, and try the newest code."
WRONG_SETUP_CODE = "That code didn't match. Scan the QR code again or check your phone's clock, then retry."


@throttle_auth
@vendor.password_step_required
def mfa_verify(request):
    staff = request.half_signed_in
    key = mfa.confirmed_key(staff)
    if key is None:
        return redirect(vendor.two_step_url(staff, next_url(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if vendor.is_locked(request, staff.email):
            return locked_out_response(request)
        method = mfa.verify(request, staff, form.cleaned_data["code"])
        if method is not None:
            vendor.complete_sign_in(request, staff, key, method=method)
            left = mfa.remaining_recovery_codes(staff)
            if method == "recovery_code" and left <= 3:
                messages.warning(
                    request,
                    f"You have {left} recovery codes left. Ask the installation's operator to reset your two-step "
                    "sign-in for new ones.",
                )
            return redirect(next_url(request))
        form.add_error("code", WRONG_CODE)
    status = 400 if form.errors else 200
    return render(request, "console/mfa_verify.html", {"form": form, "next": next_url(request)}, status=status)


@throttle_auth
@vendor.password_step_required
def mfa_setup(request):
    staff = request.half_signed_in
    if mfa.confirmed_key(staff) is not None:
        return redirect(vendor.two_step_url(staff, next_url(request)))
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "The 6-digit code your app shows after you add Hearth vendor support."
    if request.method == "POST" and form.is_valid():
        if vendor.is_locked(request, staff.email):
            return locked_out_response(request)
        enrolled = mfa.enrol(request, staff, form.cleaned_data["code"])
        if enrolled is not None:
            key, codes = enrolled
            vendor.complete_sign_in(request, staff, key, method="totp")
            context = {"codes": codes, "next": next_url(request)}
            return render(request, "console/mfa_recovery_codes.html", context)
        form.add_error("code", WRONG_SETUP_CODE)
    key = mfa.pending_key(staff)
    context = {
        "form": form,
        "qr": mfa.qr_code_data_uri(key),
        "manual_key": mfa.manual_key(key),
        "next": next_url(request),
    }
    return render(request, "console/mfa_setup.html", context, status=400 if form.errors else 200)
