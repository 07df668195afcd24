"""Writes to client records: each in one transaction, audited with the client's id."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Membership
from audit.services import record
from clients.models import Client, ClientNumberSequence, EmergencyAccess
from hearth.errors import ConflictError

EMERGENCY_ACCESS_LIFETIME = timedelta(hours=1)
DEMOGRAPHIC_FIELDS = [
    "legal_first_name",
    "legal_last_name",
    "preferred_name",
    "pronouns",
    "date_of_birth",
    "sex_assigned_at_birth",
    "gender_identity",
    "phone",
    "email",
    "consent_to_text",
    "consent_to_email",
    "consent_to_voicemail",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "preferred_language",
    "status",
    "intake_date",
    "discharge_date",
    "discharge_reason",
    "primary_clinician",
]


def possible_duplicates(first_name: str, last_name: str, date_of_birth) -> list[Client]:
    """Existing clients with the same name and birth date (the intake form warns and links them)."""
    return list(
        Client.objects.filter(
            legal_first_name__iexact=first_name.strip(),
            legal_last_name__iexact=last_name.strip(),
            date_of_birth=date_of_birth,
        )
    )


def next_client_number() -> int:
    sequence, _ = ClientNumberSequence.objects.get_or_create()
    sequence = ClientNumberSequence.objects.select_for_update().get(pk=sequence.pk)
    number = sequence.next_number
    ClientNumberSequence.objects.filter(pk=sequence.pk).update(next_number=F("next_number") + 1)
    return number


@transaction.atomic
def register_client(*, actor: Membership, data: dict, request=None) -> Client:
    """Create a client with the clinic's next number; the registering clinician joins the care team."""
    client = Client.objects.create(number=next_client_number(), **data)
    record("client.created", request=request, actor=actor.user, target=client, client_id=client.pk)
    return client


@transaction.atomic
def update_demographics(
    client: Client, *, actor: Membership, expected_version: int, changes: dict, request=None
) -> Client:
    """Save changed fields if nobody else saved the client since ``expected_version``; otherwise ConflictError
    naming the fields the other person changed."""
    current = Client.objects.select_for_update().get(pk=client.pk)
    if current.version != expected_version:
        raise ConflictError(
            "Someone else saved this client while you were editing. Your changes were not saved; "
            "reload to see theirs, then make yours again."
        )
    for name, value in changes.items():
        setattr(current, name, value)
    current.version = expected_version + 1
    current.save(update_fields=[*changes, "version"])
    record(
        "client.updated",
        request=request,
        actor=actor.user,
        target=current,
        client_id=current.pk,
        detail={"fields": sorted(changes)},
    )
    return current


@transaction.atomic
def break_glass(client: Client, *, actor: Membership, reason: str, request=None) -> EmergencyAccess:
    """Open a chart outside the caseload for an hour, with a reason; administrators are told by email."""
    from clients.tasks import notify_emergency_access

    access = EmergencyAccess.objects.create(
        client=client,
        membership=actor,
        reason=reason.strip(),
        expires_at=timezone.now() + EMERGENCY_ACCESS_LIFETIME,
    )
    record(
        "client.emergency_access",
        request=request,
        actor=actor.user,
        target=client,
        client_id=client.pk,
        detail={"emergency_access_id": access.pk},
    )
    organization_id, access_id = client.organization_id, access.pk
    transaction.on_commit(lambda: notify_emergency_access.enqueue(organization_id, access_id))
    return access
