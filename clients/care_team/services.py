"""Who works with a client: the primary clinician and the care team. Both put the client on a caseload, so both
decide who may read the chart; every change is audited with the staff member's id.

Only active clinicians and supervisors of the client's own clinic qualify. The form lists only them, and the
services check again, so a deactivated colleague or a hand-made request naming another clinic's staff is refused
with a message rather than saved.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.people.models import Membership
from audit.services import record
from clients.care_team.models import CareTeamMember
from clients.events import record_change
from clients.policies import CLINICAL_ROLES
from clients.records.models import Client
from core.versioning import lock_version, save_version


def eligible_staff() -> QuerySet:
    """Active clinicians and supervisors of the clinic in context, by name."""
    return (
        Membership.objects.filter(is_active=True, role_assignments__role__in=CLINICAL_ROLES)
        .distinct()
        .select_related("user")
        .order_by("user__full_name", "pk")
    )


def check_clinical_staff(membership: Membership, client: Client) -> None:
    """Refuse anyone who is not active clinical staff of the client's clinic, saying why."""
    if membership.organization_id != client.organization_id:
        raise ValidationError("That person isn't on this clinic's staff.")
    if not membership.is_active:
        raise ValidationError(f"{membership.user.full_name} is deactivated and can't work with clients.")
    if not membership.has_role(*CLINICAL_ROLES):
        raise ValidationError(f"{membership.user.full_name} isn't a clinician or supervisor.")


def current_team(client: Client) -> list[CareTeamMember]:
    """Current care team (not the primary clinician), by name; one query."""
    return list(
        client.care_team.filter(removed_at__isnull=True)
        .select_related("membership__user")
        .order_by("membership__user__full_name", "pk")
    )


def team_names(client: Client) -> list[str]:
    """The current care team's names, in ``current_team``'s order: all the overview shows of it (one narrow query)."""
    return list(
        client.care_team.filter(removed_at__isnull=True)
        .order_by("membership__user__full_name", "pk")
        .values_list("membership__user__full_name", flat=True)
    )


@transaction.atomic
def add_member(client: Client, *, actor: Membership, membership: Membership, request=None) -> CareTeamMember:
    current = Client.objects.select_for_update().get(pk=client.pk)  # one change to this team at a time
    check_clinical_staff(membership, current)
    if current.primary_clinician_id == membership.pk:
        raise ValidationError(f"{membership.user.full_name} is already the primary clinician.")
    if client.care_team.filter(membership=membership, removed_at__isnull=True).exists():
        raise ValidationError(f"{membership.user.full_name} is already on the care team.")
    member = CareTeamMember.objects.create(client=client, membership=membership, added_by=actor)
    record_change("client.care_team_added", client, actor=actor, request=request, membership_id=membership.pk)
    return member


@transaction.atomic
def remove_member(member: CareTeamMember, *, actor: Membership, request=None) -> CareTeamMember:
    """Take someone off the care team. The row stays (with who removed them and when) as history."""
    current = CareTeamMember.objects.select_for_update().get(pk=member.pk)
    if current.removed_at is not None:
        raise ValidationError("That person was already removed from the care team.")
    current.removed_at, current.removed_by = timezone.now(), actor
    current.save(update_fields=["removed_at", "removed_by"])
    record(
        "client.care_team_removed",
        request=request,
        actor=actor.user,
        target=current.client,
        client_id=current.client_id,
        detail={"membership_id": current.membership_id},
    )
    return current


@transaction.atomic
def set_primary_clinician(
    client: Client,
    *,
    actor: Membership,
    expected_version: int,
    membership: Membership | None,
    keep_previous_on_team: bool = False,
    request=None,
) -> Client:
    """Change (or clear) the primary clinician, refusing a stale form.

    The new primary leaves the care team list (being primary already puts them on the caseload). With
    ``keep_previous_on_team`` the previous primary joins the care team, so a hand-over keeps their access.
    """
    current = lock_version(client, expected_version=expected_version, noun="client")
    previous_id = current.primary_clinician_id
    new_id = membership.pk if membership else None
    if new_id == previous_id:
        return current
    if membership is not None:
        check_clinical_staff(membership, current)
        current.care_team.filter(membership=membership, removed_at__isnull=True).update(
            removed_at=timezone.now(), removed_by=actor
        )
    if keep_previous_on_team and previous_id is not None:
        previous = Membership.objects.get(pk=previous_id)
        on_team = current.care_team.filter(membership=previous, removed_at__isnull=True).exists()
        if previous.is_active and not on_team:
            CareTeamMember.objects.create(client=current, membership=previous, added_by=actor)
    save_version(current, {"primary_clinician": membership})
    record_change(
        "client.primary_clinician_changed",
        current,
        actor=actor,
        request=request,
        from_membership_id=previous_id,
        to_membership_id=new_id,
    )
    return current
