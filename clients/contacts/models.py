from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from clients.records.models import Client, phone_validator
from core.versioning import VersionedModel
from tenancy.models import TenantModel


class ContactRelationship(models.TextChoices):
    PARENT = "parent", "Parent"
    GUARDIAN = "guardian", "Guardian"
    SPOUSE = "spouse", "Spouse or partner"
    CHILD = "child", "Child"
    SIBLING = "sibling", "Sibling"
    GRANDPARENT = "grandparent", "Grandparent"
    OTHER_FAMILY = "other_family", "Other family"
    FRIEND = "friend", "Friend"
    CAREGIVER = "caregiver", "Caregiver"
    CASE_WORKER = "case_worker", "Case worker"
    OTHER = "other", "Other"


class ClientContact(TenantModel, VersionedModel):
    """Someone in the client's life the clinic may need to reach: emergency contact, guardian, family.

    ``may_receive_information`` records what the client (or guardian) said; releases of information are
    governed by consents. Removed contacts stay on file, inactive; ``position`` orders the list (1 first).
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=20, choices=ContactRelationship.choices)
    phone = models.CharField(max_length=20, blank=True, validators=[phone_validator])
    alternate_phone = models.CharField(max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(blank=True)
    address_line1 = models.CharField("Address", max_length=200, blank=True)
    address_line2 = models.CharField("Address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    is_emergency_contact = models.BooleanField("Emergency contact", default=False)
    is_legal_guardian = models.BooleanField("Legal guardian or personal representative", default=False)
    may_receive_information = models.BooleanField(
        "May receive information about the client's care",
        default=False,
        help_text="What the client or guardian agreed to; a signed release is still needed where the law asks.",
    )
    notes = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["client", "is_active", "position"])]

    def __str__(self) -> str:
        return f"contact {self.pk} of {self.client_id}"

    def clean(self) -> None:
        if self.is_emergency_contact and not (self.phone or self.alternate_phone):
            raise ValidationError({"phone": "An emergency contact needs a phone number."})


class FamilyRelationship(models.TextChoices):
    """What the *related* client is to the client; the other chart shows the inverse."""

    PARENT = "parent", "Parent"
    CHILD = "child", "Child"
    GUARDIAN = "guardian", "Guardian"
    WARD = "ward", "Under their guardianship"
    SIBLING = "sibling", "Sibling"
    PARTNER = "partner", "Spouse or partner"
    OTHER = "other", "Other family"


class ClientLink(TenantModel):
    """Two clients of the same clinic who are family (for family therapy, say). Ended, never deleted."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="family_links")
    related_client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="family_links_to")
    relationship = models.CharField("What they are to this client", max_length=20, choices=FamilyRelationship.choices)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(client=F("related_client")), name="client_link_not_self"),
            models.UniqueConstraint(
                fields=["client", "related_client"], condition=Q(ended_at__isnull=True), name="client_link_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.related_client_id} is {self.relationship} of {self.client_id}"


FAMILY_INVERSE = {
    FamilyRelationship.PARENT: FamilyRelationship.CHILD,
    FamilyRelationship.CHILD: FamilyRelationship.PARENT,
    FamilyRelationship.GUARDIAN: FamilyRelationship.WARD,
    FamilyRelationship.WARD: FamilyRelationship.GUARDIAN,
    FamilyRelationship.SIBLING: FamilyRelationship.SIBLING,
    FamilyRelationship.PARTNER: FamilyRelationship.PARTNER,
    FamilyRelationship.OTHER: FamilyRelationship.OTHER,
}
