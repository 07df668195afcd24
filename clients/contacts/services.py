"""A client's contacts (emergency contacts, guardians, family) and family links between clients.

Writes are one transaction each and audited with the client's id; ``detail`` names fields and ids, never the
contact's name or phone. Nothing is deleted: a removed contact or an ended link stays on file, inactive.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from accounts.people.models import Membership
from audit.services import record
from clients.contacts.models import FAMILY_INVERSE, ClientContact, ClientLink, FamilyRelationship
from clients.events import record_change
from clients.records.models import Client, ClientStatus
from core.versioning import lock_version, save_version, versioned_update

ADULT_AGE = 18
CONTACT_FIELDS = [
    "name",
    "relationship",
    "phone",
    "alternate_phone",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "is_emergency_contact",
    "is_legal_guardian",
    "may_receive_information",
    "notes",
]


def active_contacts(client: Client) -> list[ClientContact]:
    return list(client.contacts.filter(is_active=True).order_by("position", "pk"))


def is_minor(client: Client, today: datetime.date) -> bool:
    return client.age_on(today) < ADULT_AGE


def needs_guardian(client: Client, today: datetime.date, contacts: list[ClientContact] | None = None) -> bool:
    """A minor (under 18 on the clinic's date) with no active legal guardian or personal representative on file.

    Pass ``contacts`` when they are already loaded, to spare the query.
    """
    if not is_minor(client, today):
        return False
    if contacts is not None:
        return not any(contact.is_legal_guardian for contact in contacts)
    return not client.contacts.filter(is_active=True, is_legal_guardian=True).exists()


@transaction.atomic
def add_contact(client: Client, *, actor: Membership, data: dict, request=None) -> ClientContact:
    """Add a contact at the end of the client's list."""
    Client.objects.select_for_update().filter(pk=client.pk).first()  # positions are taken one at a time
    last = client.contacts.filter(is_active=True).aggregate(last=Max("position"))["last"] or 0
    contact = ClientContact(client=client, position=last + 1, **data)
    contact.full_clean(exclude=["client", "organization", "removed_by"])
    contact.save()
    record_change(
        "client.contact_added",
        contact,
        actor=actor,
        request=request,
        guardian=contact.is_legal_guardian,
        emergency=contact.is_emergency_contact,
    )
    return contact


@transaction.atomic
def update_contact(
    contact: ClientContact, *, actor: Membership, expected_version: int, changes: dict, request=None
) -> ClientContact:

    def check(current: ClientContact) -> None:
        if not current.is_active:
            raise ValidationError("This contact was removed; add them again instead.")
        current.full_clean(exclude=["client", "organization", "removed_by"])

    current = versioned_update(
        contact, expected_version=expected_version, changes=changes, noun="contact", verb="saved", check=check
    )
    record_change("client.contact_updated", current, actor=actor, request=request, fields=sorted(changes))
    return current


@transaction.atomic
def remove_contact(contact: ClientContact, *, actor: Membership, expected_version: int, request=None) -> ClientContact:
    """Take a contact off the client's list; the row stays, inactive, with who removed it and when."""
    current = lock_version(contact, expected_version=expected_version, noun="contact", verb="saved")
    if not current.is_active:
        raise ValidationError("This contact was already removed.")
    save_version(current, {"is_active": False, "removed_at": timezone.now(), "removed_by": actor})
    record_change("client.contact_removed", current, actor=actor, request=request)
    return current


@transaction.atomic
def move_contact(contact: ClientContact, *, actor: Membership, up: bool, request=None) -> None:
    """Swap a contact with its neighbour above (``up``) or below; the first contact is called first."""
    Client.objects.select_for_update().filter(pk=contact.client_id).first()
    ordered = list(ClientContact.objects.filter(client_id=contact.client_id, is_active=True).order_by("position", "pk"))
    index = next((i for i, row in enumerate(ordered) if row.pk == contact.pk), None)
    if index is None:
        raise ValidationError("This contact was removed.")
    other = index - 1 if up else index + 1
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, row in enumerate(ordered, start=1):
        if row.position != position:
            ClientContact.objects.filter(pk=row.pk).update(position=position)
    record_change("client.contacts_reordered", contact, actor=actor, request=request)


# --- Family links between clients ---------------------------------------------------------------------------


def family_links(client: Client) -> list[dict]:
    """The client's active family links, each as seen from this chart: the other client and what they are to
    this one (the inverse of a link recorded from the other side). One query."""
    links = (
        ClientLink.objects.filter(Q(client=client) | Q(related_client=client), ended_at__isnull=True)
        .select_related("client", "related_client")
        .order_by("created_at", "pk")
    )
    rows = []
    for link in links:
        if link.client_id == client.pk:
            other, relationship = link.related_client, FamilyRelationship(link.relationship)
        else:
            other, relationship = link.client, FAMILY_INVERSE[FamilyRelationship(link.relationship)]
        rows.append({"link": link, "other": other, "relationship": relationship})
    return rows


@transaction.atomic
def link_clients(
    client: Client, *, actor: Membership, related_client: Client, relationship: str, request=None
) -> ClientLink:
    """Record that ``related_client`` is ``relationship`` (parent, sibling…) of ``client``; both are this clinic's
    clients (the tenant manager found them), and the change is audited on both charts."""
    if related_client.pk == client.pk:
        raise ValidationError({"related_client": "A client can't be linked to themselves."})
    if related_client.status == ClientStatus.ENTERED_IN_ERROR:
        raise ValidationError({"related_client": "That chart was entered in error; link the correct one."})
    pair = Q(client=client, related_client=related_client) | Q(client=related_client, related_client=client)
    list(Client.objects.select_for_update().filter(pk__in=[client.pk, related_client.pk]).order_by("pk"))
    if ClientLink.objects.filter(pair, ended_at__isnull=True).exists():
        raise ValidationError({"related_client": "These clients are already linked."})
    link = ClientLink.objects.create(
        client=client, related_client=related_client, relationship=relationship, created_by=actor
    )
    for chart in (client, related_client):
        record(
            "client.family_linked",
            request=request,
            actor=actor.user,
            target=link,
            client_id=chart.pk,
            detail={"client_id": client.pk, "related_client_id": related_client.pk},
        )
    return link


@transaction.atomic
def end_link(link: ClientLink, *, actor: Membership, request=None) -> ClientLink:
    current = ClientLink.objects.select_for_update().get(pk=link.pk)
    if current.ended_at is not None:
        raise ValidationError("This link was already removed.")
    current.ended_at, current.ended_by = timezone.now(), actor
    current.save(update_fields=["ended_at", "ended_by"])
    for chart_id in (current.client_id, current.related_client_id):
        record(
            "client.family_unlinked",
            request=request,
            actor=actor.user,
            target=current,
            client_id=chart_id,
            detail={"client_id": current.client_id, "related_client_id": current.related_client_id},
        )
    return current
