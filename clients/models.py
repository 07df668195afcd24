"""The client (the person receiving care) and who is on their care team."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from tenancy.models import TenantModel

phone_validator = RegexValidator(r"^\+?[0-9 ()./-]{7,20}$", "Enter a phone number such as (555) 123-4567.")


class ClientStatus(models.TextChoices):
    WAITLIST = "waitlist", "Waitlist"
    ACTIVE = "active", "Active"
    DISCHARGED = "discharged", "Discharged"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


class Client(TenantModel):
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
    self_pay = models.BooleanField(default=False, help_text="The client pays for their own care, not an insurer.")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: bumped by every change.")
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
        from clients.search import refresh_search_fields

        super().save(*args, update_fields=refresh_search_fields(self, update_fields), **kwargs)

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.legal_first_name
        return f"{first} {self.legal_last_name}"

    def age_on(self, day) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class CareTeamMember(TenantModel):
    """Staff other than the primary clinician who work with the client and so may see the chart."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_team")
    membership = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="care_teams")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "membership"], name="care_team_once")]

    def __str__(self) -> str:
        return f"{self.membership_id} on {self.client_id}"


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


class Payer(TenantModel):
    """An insurance company or plan the clinic bills: one clinic-wide list, chosen on each client's policies."""

    name = models.CharField(max_length=200)
    payer_id = models.CharField("Payer ID", max_length=20, validators=[payer_id_validator])
    address_line1 = models.CharField("Address", max_length=200, blank=True)
    address_line2 = models.CharField("Address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: bumped by every change.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "payer_id"], name="payer_id_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.payer_id})"


class PolicyOrder(models.IntegerChoices):
    PRIMARY = 1, "Primary"
    SECONDARY = 2, "Secondary"
    TERTIARY = 3, "Tertiary"


class SubscriberRelationship(models.TextChoices):
    SELF = "self", "Self"
    SPOUSE = "spouse", "Spouse"
    PARENT = "parent", "Parent"
    OTHER = "other", "Other"


class InsurancePolicy(TenantModel):
    """One of a client's insurance policies. Ended, never deleted; one active policy per order (primary, …)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="insurance_policies")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="policies")
    order = models.PositiveSmallIntegerField(choices=PolicyOrder.choices, default=PolicyOrder.PRIMARY)
    member_id = models.CharField("Member ID", max_length=40, validators=[member_id_validator])
    group_number = models.CharField(max_length=40, blank=True)
    relationship = models.CharField(
        "Client's relationship to the subscriber",
        max_length=10,
        choices=SubscriberRelationship.choices,
        default=SubscriberRelationship.SELF,
    )
    subscriber_first_name = models.CharField(max_length=100, blank=True)
    subscriber_last_name = models.CharField(max_length=100, blank=True)
    subscriber_date_of_birth = models.DateField(null=True, blank=True)
    effective_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    copay = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    is_active = models.BooleanField(default=True, help_text="False once the policy has been ended.")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: bumped by every change.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "order"], condition=Q(is_active=True), name="one_active_policy_per_order"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("effective_date")), name="policy_end_after_start"
            ),
            models.CheckConstraint(condition=Q(copay__isnull=True) | Q(copay__gte=0), name="policy_copay_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_order_display()} policy of {self.client_id}"

    def clean(self) -> None:
        errors = {}
        if self.relationship != SubscriberRelationship.SELF:
            for field in ("subscriber_first_name", "subscriber_last_name", "subscriber_date_of_birth"):
                if not getattr(self, field):
                    errors[field] = "Required when the client is not the subscriber."
        if self.effective_date and self.end_date and self.end_date < self.effective_date:
            errors["end_date"] = "The end date can't be before the effective date."
        if self.subscriber_date_of_birth and self.subscriber_date_of_birth > timezone.localdate():
            errors["subscriber_date_of_birth"] = "The subscriber's date of birth can't be in the future."
        if errors:
            raise ValidationError(errors)


class Diagnosis(TenantModel):
    """An ICD-10-CM diagnosis on a client's chart (clinical). ``description`` is the code set's text when added."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="diagnoses")
    code = models.CharField("ICD-10-CM code", max_length=10)
    description = models.CharField(max_length=300)
    onset_date = models.DateField(null=True, blank=True)
    resolved_date = models.DateField(null=True, blank=True)
    is_primary = models.BooleanField("Primary diagnosis", default=False)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: bumped by every change.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(is_primary=True, resolved_date__isnull=True),
                name="one_active_primary_diagnosis",
            ),
            models.CheckConstraint(
                condition=Q(resolved_date__isnull=True)
                | Q(onset_date__isnull=True)
                | Q(resolved_date__gte=F("onset_date")),
                name="diagnosis_resolved_after_onset",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} on {self.client_id}"

    @property
    def is_active(self) -> bool:
        return self.resolved_date is None

    def clean(self) -> None:
        if self.onset_date and self.resolved_date and self.resolved_date < self.onset_date:
            raise ValidationError({"resolved_date": "The resolved date can't be before the onset date."})


from clients.models_consents import Authorization, ClientPrivacy, Consent, Disclosure  # noqa: E402,F401
from clients.models_documents import AmendmentRequest, ClientDocument  # noqa: E402, F401  (chart documents, amendments)
