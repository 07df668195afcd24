from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from accounts.people.models import Membership
from accounts.signin.forms import ClinicAuthenticationForm
from accounts.signin.ratelimits import throttle_auth_class
from accounts.staff import services
from accounts.staff.tokens import invitation_tokens


@throttle_auth_class
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ClinicAuthenticationForm
    redirect_authenticated_user = True


@throttle_auth_class
class AcceptInvitationView(auth_views.PasswordResetConfirmView):
    """Set a first password from an invitation link (the token is moved out of the URL on first visit)."""

    template_name = "accounts/accept_invitation.html"
    token_generator = invitation_tokens
    success_url = reverse_lazy("home")
    reset_url_token = "set-password"

    def get_user(self, uidb64):
        try:
            membership_id = int(force_str(urlsafe_base64_decode(uidb64)))
        except (TypeError, ValueError, OverflowError):
            return None
        membership = Membership.objects.filter(pk=membership_id, is_active=True).select_related("user").first()
        self.membership = membership
        return membership.user if membership else None

    def form_valid(self, form):
        services.accept_invitation(self.membership, password=form.cleaned_data["new_password1"], request=self.request)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        login(self.request, self.membership.user, backend="accounts.signin.backends.ClinicMembershipBackend")
        messages.success(self.request, f"Welcome to {self.request.organization.name}.")
        return redirect(self.success_url)
