"""Who may do what with staff records and clinic settings. Views and the API ask here, nowhere else."""

from typing import TypeGuard

from accounts.people.models import Membership
from accounts.roles import Role


def is_administrator(actor: Membership | None) -> TypeGuard[Membership]:
    return actor is not None and actor.is_active and actor.has_role(Role.ADMINISTRATOR)


def can_view_staff(actor: Membership | None) -> bool:
    return is_administrator(actor)


def can_invite_staff(actor: Membership | None) -> bool:
    return is_administrator(actor)


def can_edit_staff(actor: Membership | None, target: Membership) -> TypeGuard[Membership]:
    return is_administrator(actor) and actor.organization_id == target.organization_id


def can_deactivate_staff(actor: Membership | None, target: Membership) -> bool:
    """Administrators may deactivate anyone but themselves (so a clinic cannot lock itself out by accident)."""
    return can_edit_staff(actor, target) and actor.pk != target.pk


def can_edit_clinic_settings(actor: Membership | None) -> bool:
    return is_administrator(actor)


def can_set_temporary_password(actor: Membership | None, target: Membership) -> bool:
    """Administrators issue temporary passwords to others; their own password they change themselves."""
    return can_edit_staff(actor, target) and actor.pk != target.pk


def can_configure_sso(actor: Membership | None) -> bool:
    """Single sign-on decides who can get into the clinic, so only administrators set it up."""
    return is_administrator(actor)


def can_view_sign_in_history(actor: Membership | None) -> bool:
    """The clinic-wide sign-in history is for administrators; everyone sees their own."""
    return is_administrator(actor)


def can_manage_locations(actor: Membership | None) -> bool:
    """Locations are clinic set-up (addresses and place-of-service codes that claims rely on): administrators."""
    return is_administrator(actor)
