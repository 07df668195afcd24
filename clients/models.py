"""The client (the person receiving care), their care team, contacts, alerts and status history."""

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
    """Staff other than the primary clinician who work with the client and so may see the chart.

    Removal keeps the row (``removed_at``): who was on the team, and when, stays answerable. Only rows with no
    ``removed_at`` put the client on someone's caseload.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_team")
    membership = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="care_teams")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "membership"], condition=Q(removed_at__isnull=True), name="active_care_team_once"
            )
        ]

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


class Program(TenantModel):
    """A clinic's service line ("Adult outpatient", "Substance use"…): one clinic-wide list kept by administrators.

    Deactivated programs keep their clients' history but are no longer offered for new assignments.
    """

    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: bumped by every change.")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="program_name_unique")]

    def __str__(self) -> str:
        return self.name


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


class ClientContact(TenantModel):
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
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: bumped by every change.")

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


FAMILY_INVERSE = {
    FamilyRelationship.PARENT: FamilyRelationship.CHILD,
    FamilyRelationship.CHILD: FamilyRelationship.PARENT,
    FamilyRelationship.GUARDIAN: FamilyRelationship.WARD,
    FamilyRelationship.WARD: FamilyRelationship.GUARDIAN,
    FamilyRelationship.SIBLING: FamilyRelationship.SIBLING,
    FamilyRelationship.PARTNER: FamilyRelationship.PARTNER,
    FamilyRelationship.OTHER: FamilyRelationship.OTHER,
}


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


class AlertKind(models.TextChoices):
    ALLERGY = "allergy", "Allergy"
    RISK = "risk", "Safety plan / risk"
    MEDICAL = "medical", "Medical"
    LEGAL = "legal", "Legal"
    COMMUNICATION = "communication", "Communication need"
    OTHER = "other", "Other (administrative)"


class AlertSeverity(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


SEVERITY_RANK = {AlertSeverity.HIGH: 0, AlertSeverity.MODERATE: 1, AlertSeverity.LOW: 2}


class ClientAlert(TenantModel):
    """A short warning shown in the chart header on every tab, to those whose section covers its kind
    (see ``clients.policies.ALERT_SECTIONS``). Resolved, never deleted."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    severity = models.CharField(max_length=10, choices=AlertSeverity.choices, default=AlertSeverity.MODERATE)
    text = models.CharField(max_length=300)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution_note = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["client", "is_active", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} alert on {self.client_id}"


from clients.models_consents import Authorization, ClientPrivacy, Consent, Disclosure  # noqa: E402,F401
from clients.models_documents import AmendmentRequest, ClientDocument  # noqa: E402, F401  (chart documents, amendments)
