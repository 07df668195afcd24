from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_POST

from accounts import lockout, policies, services
from accounts.forms import (
    ClinicAuthenticationForm,
    ClinicSettingsForm,
    EditStaffForm,
    InviteStaffForm,
    PasswordResetRequestForm,
    TemporaryPasswordForm,
    VersionForm,
)
from accounts.models import Membership
from accounts.passwords import password_change_due
from accounts.ratelimits import throttle_auth, throttle_auth_class
from accounts.roles import Role
from accounts.tokens import invitation_tokens
from hearth.authz import get_for_clinic_or_404, require
from hearth.errors import ConflictError

STAFF_PAGE_SIZE = 25


@throttle_auth_class
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ClinicAuthenticationForm
    redirect_authenticated_user = True


@throttle_auth_class
class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password; also where a temporary or expired password leads."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = password_change_due(self.request.user, self.request.organization)
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


def _staff_queryset():
    return Membership.objects.select_related("user").prefetch_related("role_assignments")


@login_required
def staff_list(request):
    require(request, policies.can_view_staff(request.membership), "accounts.view_staff")
    staff = _staff_queryset().order_by("user__full_name", "pk")
    query = request.GET.get("q", "").strip()[:100]
    if query:
        staff = staff.filter(
            Q(user__full_name__icontains=query) | Q(username__icontains=query) | Q(user__email__icontains=query)
        )
    role = request.GET.get("role", "")
    if role in Role.values:
        staff = staff.filter(role_assignments__role=role)
    status = request.GET.get("status", "active")
    if status == "active":
        staff = staff.filter(is_active=True)
    elif status == "inactive":
        staff = staff.filter(is_active=False)
    page = Paginator(staff, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    locked = lockout.locked_usernames(request.organization)
    for member in page:
        member.is_locked = member.username.lower() in locked
    context = {"page": page, "query": query, "role": role, "status": status, "roles": Role.choices}
    template = "accounts/_staff_table.html" if request.htmx else "accounts/staff_list.html"
    return render(request, template, context)


@login_required
def staff_invite(request):
    require(request, policies.can_invite_staff(request.membership), "accounts.invite_staff")
    form = InviteStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invite_staff(actor=request.membership, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Invitation sent to {membership.user.email}.")
            return redirect("accounts:staff_list")
    return render(request, "accounts/staff_invite.html", {"form": form})


@login_required
def staff_edit(request, pk: int):
    require(request, policies.can_view_staff(request.membership), "accounts.view_staff")
    membership = get_for_clinic_or_404(request, _staff_queryset(), "accounts.edit_staff", pk)
    require(request, policies.can_edit_staff(request.membership, membership), "accounts.edit_staff", membership)
    initial = {
        "full_name": membership.user.full_name,
        "username": membership.username,
        "title": membership.title,
        "roles": sorted(membership.roles),
        "version": membership.version,
    }
    form = EditStaffForm(request.POST or None, initial=initial, membership=membership)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected_version = data.pop("version")
        try:
            services.update_staff(
                membership, actor=request.membership, expected_version=expected_version, request=request, **data
            )
        except (ValidationError, ConflictError) as error:
            form.add_error(None, error.message if isinstance(error, ConflictError) else error)
        else:
            messages.success(request, f"Saved changes to {membership.user.full_name}.")
            return redirect("accounts:staff_list")
    context = {
        "form": form,
        "member": membership,
        "can_deactivate": policies.can_deactivate_staff(request.membership, membership),
        "can_set_password": policies.can_set_temporary_password(request.membership, membership),
        "locked": lockout.is_locked(request.organization, membership.username),
        "password_form": TemporaryPasswordForm(),
    }
    return render(request, "accounts/staff_edit.html", context)


def _change_active_state(request, pk: int, service, done: str):
    membership = get_for_clinic_or_404(request, _staff_queryset(), "accounts.deactivate_staff", pk)
    require(
        request,
        policies.can_deactivate_staff(request.membership, membership),
        "accounts.deactivate_staff",
        membership,
    )
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The form was incomplete; please try again.")
        return redirect("accounts:staff_edit", pk=pk)
    try:
        service(membership, actor=request.membership, expected_version=form.cleaned_data["version"], request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ConflictError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{membership.user.full_name} {done}.")
    return redirect("accounts:staff_edit", pk=pk)


@login_required
@require_POST
def staff_deactivate(request, pk: int):
    return _change_active_state(request, pk, services.deactivate_staff, "can no longer sign in to this clinic")


@login_required
@require_POST
def staff_reactivate(request, pk: int):
    return _change_active_state(request, pk, services.reactivate_staff, "can sign in again")


@login_required
@require_POST
def staff_unlock(request, pk: int):
    membership = get_for_clinic_or_404(request, _staff_queryset(), "accounts.unlock_staff", pk)
    require(request, policies.can_edit_staff(request.membership, membership), "accounts.unlock_staff", membership)
    services.unlock_staff(membership, actor=request.membership, request=request)
    messages.success(request, f"{membership.user.full_name} can sign in again.")
    return redirect("accounts:staff_edit", pk=pk)


@login_required
@require_POST
def staff_temporary_password(request, pk: int):
    membership = get_for_clinic_or_404(request, _staff_queryset(), "accounts.set_temporary_password", pk)
    require(
        request,
        policies.can_set_temporary_password(request.membership, membership),
        "accounts.set_temporary_password",
        membership,
    )
    form = TemporaryPasswordForm(request.POST)
    if form.is_valid():
        try:
            services.set_temporary_password(
                membership, actor=request.membership, password=form.cleaned_data["password"], request=request
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"Temporary password set. {membership.user.full_name} must choose a new one at their next sign-in.",
            )
    else:
        messages.error(request, " ".join(form.errors.get("password", ["Enter a temporary password."])))
    return redirect("accounts:staff_edit", pk=pk)


@login_required
def clinic_settings(request):
    require(request, policies.can_edit_clinic_settings(request.membership), "accounts.edit_clinic_settings")
    organization = request.organization
    form = ClinicSettingsForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name != "version"}
        try:
            services.update_clinic_settings(
                organization,
                actor=request.membership,
                expected_version=form.cleaned_data["version"],
                changes=changes,
                request=request,
            )
        except ConflictError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Clinic settings saved.")
            return redirect("accounts:clinic_settings")
    from clients import policies as client_policies
    from scheduling import policies as scheduling_policies

    context = {
        "form": form,
        "can_manage_locations": policies.can_manage_locations(request.membership),
        "can_manage_programs": client_policies.can_manage_programs(request.membership),
        "can_manage_reminders": scheduling_policies.can_manage_reminders(request.membership),
    }
    return render(request, "accounts/clinic_settings.html", context)


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
        login(self.request, self.membership.user, backend="accounts.backends.ClinicMembershipBackend")
        messages.success(self.request, f"Welcome to {self.request.organization.name}.")
        return redirect(self.success_url)
