"""The console's sign-in and sign-out (the password step; the second step is ``console/mfa/views.py``).

Business rules live in ``console/signin/services.py``.
"""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.signin.ratelimits import throttle_auth
from audit.models import Outcome
from audit.services import record
from console.signin import services as vendor
from console.signin.forms import SignInForm
from core import params

FAILED = "That email and password don't match an active vendor support account."


def next_url(request) -> str:
    return params.get_next(request, request.POST) or params.get_next(request, request.GET) or reverse("console:list")


def locked_out_response(request):
    """The sign-in page saying the account is locked (django-axes' lockout response on the support host).

    A half-signed-in session (locked by wrong codes) ends: the password must be given again once unlocked.
    """
    record("vendor.locked_out", request=request, outcome=Outcome.DENIED, detail={"path": request.path[:200]})
    request.session.flush()
    context = {"form": SignInForm(), "locked_message": vendor.LOCKED_MESSAGE}
    return render(request, "console/login.html", context, status=403)


@throttle_auth
def sign_in(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if vendor.is_locked(request, email):
            return locked_out_response(request)
        staff = vendor.authenticate(request, email, form.cleaned_data["password"])
        if staff is not None:
            vendor.sign_in(request, staff)
            return redirect(vendor.two_step_url(staff, next_url(request)))
        form.add_error(None, FAILED)
    context = {"form": form, "next": next_url(request) if request.method == "GET" else request.POST.get("next", "")}
    return render(request, "console/login.html", context, status=200 if not form.errors else 400)


@require_POST
def sign_out(request):
    request.vendor_staff = vendor.current_staff(request)
    vendor.sign_out(request)
    return redirect("console:login")
