"""The client (the person receiving care), their care team, contacts, alerts and status history."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from core.versioning import VersionedModel
from tenancy.models import TenantModel

phone_validator = RegexValidator(r"^\+?[0-9 ()./-]{7,20}$", "Enter a phone number such as (555) 123-4567.")


class ClientStatus(models.TextChoices):
    WAITLIST = "waitlist", "Waitlist"
    ACTIVE = "active", "Active"
    DISCHARGED = "discharged", "Discharged"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


class Client(TenantModel, VersionedModel):
    """A client's chart header and demographics. Never deleted: discharged, or marked entered in error."""

    number = models.PositiveIntegerField(help_text="Assigned per clinic; used instead of the name in notifications.")
    legal_first_name = models.CharField(max_length=100)
    legal_last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    date_of_birth = models.DateField()
    sex_assigned_at_birth = models.CharField(
        max_length=20,
        blank=True,
        choices=[("female", "Female"), ("male", "Male"), ("intersex", "Intersex"), ("unknown", "Unknown")],
    )
    gender_identity = models.CharField(max_length=60, blank=True)
    phone = models.CharField(max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(blank=True)
    consent_to_text = models.BooleanField(default=False)
    consent_to_email = models.BooleanField(default=False)
    consent_to_voicemail = models.BooleanField(default=False)
    address_line1 = models.CharField("Address", max_length=200, blank=True)
    address_line2 = models.CharField("Address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    preferred_language = models.CharField(max_length=60, blank=True, default="English")
    status = models.CharField(max_length=20, choices=ClientStatus.choices, default=ClientStatus.WAITLIST)
    intake_date = models.DateField(null=True, blank=True)
    discharge_date = models.DateField(null=True, blank=True)
    discharge_reason = models.CharField(max_length=200, blank=True)
    primary_clinician = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="primary_clients"
    )
    program = models.ForeignKey(
        "clients.Program", null=True, blank=True, on_delete=models.PROTECT, related_name="clients"
    )
    default_location = models.ForeignKey(
        "tenancy.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_by = models.ForeignKey(
        "accounts.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who registered the client (may mark it entered in error for a short while).",
    )
    self_pay = models.BooleanField(default=False, help_text="The client pays for their own care, not an insurer.")
    created_at = models.DateTimeField(default=timezone.now)
    search_name = models.TextField(
        editable=False, default="", help_text="Legal and preferred names folded for search (clients/search.py)."
    )
    phone_digits = models.CharField(max_length=20, editable=False, default="", help_text="The phone's digits only.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "number"], name="client_number_unique")]
        indexes = [
            models.Index(fields=["organization", "legal_last_name", "legal_first_name"]),
            models.Index(fields=["organization", "date_of_birth"]),
            models.Index(fields=["organization", "status"]),
        ]

    def __str__(self) -> str:
        return f"Client {self.number}"

    def save(self, *args, update_fields=None, **kwargs) -> None:
        from clients.records.search import refresh_search_fields

        super().save(*args, update_fields=refresh_search_fields(self, update_fields), **kwargs)

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.legal_first_name
        return f"{first} {self.legal_last_name}"

    def age_on(self, day) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class ClientNumberSequence(TenantModel):
    """The next client number of a clinic, locked while a number is taken so two intakes never share one."""

    next_number = models.PositiveIntegerField(default=1001)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="one_client_sequence_per_clinic")]

    def __str__(self) -> str:
        return f"next client number {self.next_number}"


class EmergencyAccess(TenantModel):
    """ "Break the glass": a time-limited, audited opening of a chart outside the caseload."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="emergency_accesses")
    membership = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["membership", "client", "expires_at"])]

    def __str__(self) -> str:
        return f"emergency access to {self.client_id} until {self.expires_at:%H:%M}"


payer_id_validator = RegexValidator(
    r"^[A-Za-z0-9-]{2,20}$", "Use the payer's 2–20 character electronic payer id (letters, digits, hyphens)."
)


member_id_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9 -]{0,39}$", "Enter the member id as printed on the card (letters, digits, hyphens)."
)


class ClientStatusChange(TenantModel):
    """One step of a client's status history: registration, admission, discharge, re-admission, entered in error.

    Written only by ``clients.status``; never edited. ``effective_date`` is the intake or discharge date the
    change recorded (the day itself for entered-in-error changes).
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=ClientStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ClientStatus.choices)
    effective_date = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["client", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.from_status or 'new'} → {self.to_status}"
