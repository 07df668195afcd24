"""Writes to client records: each in one transaction, audited with the client's id."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.people.models import Membership
from clients.events import record_change
from clients.records.models import Client, ClientNumberSequence, EmergencyAccess
from core.clinic_time import clinic_today
from core.versioning import versioned_update

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
    "program",
    "default_location",
]
# Status, dates and the primary clinician change only through clients.status and clients.care_team afterwards.
REGISTRATION_FIELDS = [*DEMOGRAPHIC_FIELDS, "status", "intake_date", "primary_clinician"]


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
    """Create a client with the clinic's next number, starting their status history.

    A new client is on the waitlist or active (with an intake date, not in the future); a primary clinician
    must be active clinical staff of the clinic. ``registered_by`` lets the registrar mark a mistaken chart
    entered in error for a short while (see ``policies.can_mark_entered_in_error``).
    """
    from clients.care_team import services as care_team
    from clients.records import status

    data = {"status": "waitlist", **data}
    errors = status.check_initial_status(
        data["status"], data.get("intake_date"), data.get("date_of_birth"), clinic_today()
    )
    if errors:
        raise ValidationError(errors)
    client = Client(number=next_client_number(), registered_by=actor, **data)
    client.assign_tenant()
    if client.primary_clinician is not None:
        try:
            care_team.check_clinical_staff(client.primary_clinician, client)
        except ValidationError as error:
            raise ValidationError({"primary_clinician": error.messages}) from None
    client.save()
    status.record_registration(client, actor=actor)
    record_change("client.created", client, actor=actor, request=request)
    return client


@transaction.atomic
def update_demographics(
    client: Client, *, actor: Membership, expected_version: int, changes: dict, request=None
) -> Client:
    """Save changed fields if nobody else saved the client since ``expected_version``; otherwise ConflictError.
    Status, dates and clinicians are not demographics: they change through ``clients.status`` and
    ``clients.care_team``, which enforce their rules."""
    outside = set(changes) - set(DEMOGRAPHIC_FIELDS)
    if outside:
        raise ValueError(f"update_demographics does not change {sorted(outside)}")
    current = versioned_update(client, expected_version=expected_version, changes=changes, noun="client", verb="saved")
    record_change("client.updated", current, actor=actor, request=request, fields=sorted(changes))
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
    record_change("client.emergency_access", client, actor=actor, request=request, emergency_access_id=access.pk)
    organization_id, access_id = client.organization_id, access.pk
    transaction.on_commit(lambda: notify_emergency_access.enqueue(organization_id, access_id))
    return access
