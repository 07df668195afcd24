"""Staff changes. Each runs in one transaction, writes its audit event, and queues its side effects on commit."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.people.models import Membership, RoleAssignment, User
from accounts.roles import Role
from accounts.signin import lockout
from accounts.staff.selectors import person_memberships
from accounts.tasks import send_invitation
from audit.services import record
from core.versioning import versioned_update
from tenancy.models import Organization


@contextmanager
def _username_must_be_free() -> Iterator[None]:
    """Turn the database's uniqueness check into a form message; it wins races the form's own check loses."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if "username" not in str(error).lower():
            raise
        raise ValidationError("Another staff member already uses this username.") from None


def _other_active_administrators(membership: Membership) -> bool:
    return (
        Membership.objects.filter(is_active=True, role_assignments__role=Role.ADMINISTRATOR)
        .exclude(pk=membership.pk)
        .exists()
    )


def _guard_last_administrator(membership: Membership, message: str) -> None:
    if (
        membership.is_active
        and membership.has_role(Role.ADMINISTRATOR)
        and not _other_active_administrators(membership)
    ):
        raise ValidationError(message)


def _set_roles(membership: Membership, roles: Iterable[str]) -> tuple[list[str], list[str]]:
    wanted = set(roles)
    current = set(membership.roles)
    added, removed = sorted(wanted - current), sorted(current - wanted)
    if removed:
        RoleAssignment.objects.filter(membership=membership, role__in=removed).delete()
    RoleAssignment.objects.bulk_create([RoleAssignment(membership=membership, role=role) for role in added])
    membership._roles_cache = frozenset(wanted)
    return added, removed


@transaction.atomic
def invite_staff(
    *,
    actor: Membership,
    email: str,
    full_name: str,
    username: str,
    roles: Iterable[str],
    title: str = "",
    credentials: str = "",
    request=None,
) -> Membership:
    """Add a person to the clinic and email them a link to set their password.

    A person who already has a Hearth account (from another clinic) keeps their password and is told where to
    sign in; the inviting clinic learns nothing about their other memberships.
    """
    roles = list(roles)
    if not roles:
        raise ValidationError("Choose at least one role.")
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
    elif Membership.objects.filter(user=user).exists():
        raise ValidationError("This person is already on the clinic's staff list.")
    with _username_must_be_free():
        membership = Membership.objects.create(
            user=user, username=username.strip(), title=title.strip(), credentials=credentials.strip()
        )
    _set_roles(membership, roles)
    record("staff.invited", request=request, actor=actor.user, target=membership, detail={"roles": sorted(roles)})
    organization_id, membership_id = membership.organization_id, membership.pk
    transaction.on_commit(lambda: send_invitation.enqueue(organization_id, membership_id))
    return membership


@transaction.atomic
def update_staff(
    membership: Membership,
    *,
    actor: Membership,
    expected_version: int,
    full_name: str,
    username: str,
    title: str,
    roles: Iterable[str],
    credentials: str = "",
    request=None,
) -> Membership:
    """Change a staff member's details and roles, refusing stale edits and the loss of the last administrator."""
    roles = set(roles)
    if not roles:
        raise ValidationError("Choose at least one role.")
    if Role.ADMINISTRATOR not in roles:
        _guard_last_administrator(
            membership, "This is the clinic's only active administrator; make someone else an administrator first."
        )
    username, title, full_name = username.strip(), title.strip(), full_name.strip()
    fields = {"username": username, "title": title, "credentials": credentials.strip()}
    changed = [name for name, new in fields.items() if getattr(membership, name) != new]
    with _username_must_be_free():
        current = versioned_update(membership, expected_version=expected_version, changes=fields)
    if membership.user.full_name != full_name:
        User.objects.filter(pk=membership.user_id).update(full_name=full_name)
        membership.user.full_name = full_name
        changed.append("full_name")
    added, removed = _set_roles(current, roles)
    record(
        "staff.updated",
        request=request,
        actor=actor.user,
        target=current,
        detail={"fields": changed, "roles_added": added, "roles_removed": removed},
    )
    return current


@transaction.atomic
def deactivate_staff(membership: Membership, *, actor: Membership, expected_version: int, request=None) -> None:
    """Stop a person working in this clinic. Their open sessions here end on their next request."""
    if membership.pk == actor.pk:
        raise ValidationError("You cannot deactivate yourself.")
    if not membership.is_active:
        raise ValidationError("This staff member is already inactive.")
    _guard_last_administrator(membership, "This is the clinic's only active administrator.")
    versioned_update(
        membership, expected_version=expected_version, changes={"is_active": False, "deactivated_at": timezone.now()}
    )
    record("staff.deactivated", request=request, actor=actor.user, target=membership)


@transaction.atomic
def reactivate_staff(membership: Membership, *, actor: Membership, expected_version: int, request=None) -> None:
    if membership.is_active:
        raise ValidationError("This staff member is already active.")
    versioned_update(membership, expected_version=expected_version, changes={"is_active": True, "deactivated_at": None})
    record("staff.reactivated", request=request, actor=actor.user, target=membership)


@transaction.atomic
def accept_invitation(membership: Membership, *, password: str, request=None) -> None:
    user = membership.user
    user.set_password(password)
    user.save(update_fields=["password"])
    record("staff.invitation_accepted", request=request, actor=user, target=membership)


@transaction.atomic
def update_clinic_settings(
    organization: Organization, *, actor: Membership, expected_version: int, changes: dict, request=None
) -> Organization:
    """Save an administrator's clinic settings, refusing a stale form."""
    versioned_update(organization, expected_version=expected_version, changes=changes)
    organization.refresh_from_db()
    record(
        "clinic.settings_updated",
        request=request,
        actor=actor.user,
        target=organization,
        detail={"fields": sorted(changes)},
    )
    if "admins_read_clinical" in changes:
        # Its own event, so an audit report filtered by action shows when clinical access widened or narrowed.
        record(
            "clinic.admin_clinical_access_changed",
            request=request,
            actor=actor.user,
            target=organization,
            detail={"admins_read_clinical": organization.admins_read_clinical},
        )
    return organization


def _works_elsewhere(membership: Membership) -> bool:
    return any(clinic_id != membership.organization_id for clinic_id, _ in person_memberships(membership.user_id))


@transaction.atomic
def set_temporary_password(membership: Membership, *, actor: Membership, password: str, request=None) -> None:
    """Give a staff member a password to change at their next sign-in.

    Refused for people who also work for another clinic: their password is theirs across clinics, and one
    clinic's administrator must not be able to sign in as them elsewhere. They use "Forgot password" instead.
    """
    if _works_elsewhere(membership):
        raise ValidationError(
            "This person also uses Hearth at another clinic, so only they can change their password: "
            "ask them to use “Forgot password” on the sign-in page."
        )
    user = membership.user
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    record("staff.temporary_password_set", request=request, actor=actor.user, target=membership)


@transaction.atomic
def unlock_staff(membership: Membership, *, actor: Membership, request=None) -> None:
    lockout.unlock(membership.organization, membership.username)
    record("staff.unlocked", request=request, actor=actor.user, target=membership)


@transaction.atomic
def reset_staff_mfa(membership: Membership, *, actor: Membership, request=None) -> None:
    """An administrator clears a staff member's lost phone; refused for people who also work elsewhere."""
    from accounts.mfa import services as mfa

    if _works_elsewhere(membership):
        raise ValidationError(
            "This person also uses Hearth at another clinic, so their two-step sign-in is theirs to manage: "
            "they can use a recovery code, or ask Hearth support."
        )
    mfa.reset(membership.user)
    record("staff.mfa_reset", request=request, actor=actor.user, target=membership)
