"""Staff look-ups shared by sign-in, password reset and lockout, and the one read that crosses clinics."""

from django.db import connection
from django.db.models.functions import Lower

from accounts.people.models import Membership


def active_member_by_identifier(identifier: str) -> Membership | None:
    """The active staff member of the current clinic whose username or email this is (case-insensitive)."""
    identifier = identifier.strip().lower()
    if not identifier:
        return None
    lookup = {"user__email": identifier} if "@" in identifier else {"lower_username": identifier}
    return (
        Membership.objects.alias(lower_username=Lower("username"))
        .filter(is_active=True, user__is_active=True, **lookup)
        .select_related("user")
        .first()
    )


def person_memberships(user_id: int) -> list[tuple[int, str]]:
    """(clinic id, username) of a person's active memberships in every clinic.

    A person has one password across clinics, so its rules need all of them. On PostgreSQL, row-level security
    hides other clinics from the request role; the SECURITY DEFINER function of migration 0006 answers this one
    question past it.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT organization_id, username FROM hearth_person_memberships(%s)", [user_id])
            return [(row[0], row[1]) for row in cursor.fetchall()]
    return list(
        Membership.all_tenants.filter(user_id=user_id, is_active=True).values_list("organization_id", "username")
    )
