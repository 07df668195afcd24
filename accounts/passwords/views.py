from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from accounts.passwords import services
from accounts.passwords.forms import PasswordResetRequestForm
from accounts.signin.ratelimits import count_failure, throttle_auth, throttle_auth_class


@throttle_auth_class
class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password; also where a temporary or expired password leads."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = services.password_change_due(self.request.user, self.request.organization)
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_password_changed(self.request.user, request=self.request)
        messages.success(self.request, "Your password has been changed.")
        return response


@throttle_auth
def password_reset(request):
    """Ask for a reset link by username or email. The answer never says whether the account exists."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        count_failure(request)
        services.request_password_reset(request.organization, form.cleaned_data["identifier"], request=request)
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_sent(request):
    return render(request, "accounts/password_reset_sent.html")


RESET_SESSION_KEY = "hearth_password_reset_token"


def password_reset_link(request, token: str):
    """Move the token from the URL into the session, so it never reaches a Referer header or history."""
    request.session[RESET_SESSION_KEY] = token
    return redirect("accounts:password_reset_set")


@throttle_auth
def password_reset_set(request):
    reset = services.find_password_reset(request.organization, request.session.get(RESET_SESSION_KEY, ""))
    if reset is None:
        return render(request, "accounts/password_reset_set.html", {"validlink": False})
    form = SetPasswordForm(reset.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.complete_password_reset(reset, password=form.cleaned_data["new_password1"], request=request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session.pop(RESET_SESSION_KEY, None)
            messages.success(request, "Your password has been reset. Sign in with your new password.")
            return redirect("accounts:login")
    return render(request, "accounts/password_reset_set.html", {"validlink": True, "form": form})
