from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import policies
from accounts.people.models import Membership
from accounts.roles import Role
from accounts.signin import lockout
from accounts.staff import services
from accounts.staff.forms import EditStaffForm, InviteStaffForm, TemporaryPasswordForm
from core import params
from core.authz import get_for_clinic_or_404, require
from core.errors import ConflictError
from core.forms import run_button, run_version_button

STAFF_PAGE_SIZE = 25


def _staff_queryset():
    return Membership.objects.select_related("user").prefetch_related("role_assignments")


@login_required
def staff_list(request):
    require(request, policies.can_view_staff(request.membership), "accounts.view_staff")
    staff = _staff_queryset().order_by("user__full_name", "pk")
    query = params.get_text(request.GET, "q")
    if query:
        staff = staff.filter(
            Q(user__full_name__icontains=query) | Q(username__icontains=query) | Q(user__email__icontains=query)
        )
    role = params.get_choice(request.GET, "role", Role.values, "")
    if role:
        staff = staff.filter(role_assignments__role=role)
    status = params.get_choice(request.GET, "status", ("active", "inactive", "all"), "active")
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
    membership = _staff_member(request, pk, policies.can_edit_staff, "accounts.edit_staff")
    initial = {
        "full_name": membership.user.full_name,
        "username": membership.username,
        "title": membership.title,
        "credentials": membership.credentials,
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


def _staff_member(request, pk: int, allowed, permission: str) -> Membership:
    """The clinic's staff member ``pk`` (404 otherwise) if ``allowed(actor, member)`` (403 otherwise), audited."""
    membership = get_for_clinic_or_404(request, _staff_queryset(), permission, pk)
    require(request, allowed(request.membership, membership), permission, membership)
    return membership


def _change_active_state(request, pk: int, service, done: str):
    membership = _staff_member(request, pk, policies.can_deactivate_staff, "accounts.deactivate_staff")
    if run_version_button(request, service, membership):
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
    membership = _staff_member(request, pk, policies.can_edit_staff, "accounts.unlock_staff")
    services.unlock_staff(membership, actor=request.membership, request=request)
    messages.success(request, f"{membership.user.full_name} can sign in again.")
    return redirect("accounts:staff_edit", pk=pk)


@login_required
@require_POST
def staff_temporary_password(request, pk: int):
    membership = _staff_member(request, pk, policies.can_set_temporary_password, "accounts.set_temporary_password")
    form = TemporaryPasswordForm(request.POST)
    if form.is_valid():
        if run_button(request, services.set_temporary_password, membership, password=form.cleaned_data["password"]):
            messages.success(
                request,
                f"Temporary password set. {membership.user.full_name} must choose a new one at their next sign-in.",
            )
    else:
        messages.error(request, " ".join(form.errors.get("password", ["Enter a temporary password."])))
    return redirect("accounts:staff_edit", pk=pk)
