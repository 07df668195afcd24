"""Consents, release-of-information authorisations, 42 CFR Part 2 and the disclosures log.

These are legal records: none is ever deleted or edited after the fact. A consent or authorisation ends by
revocation (kept, with the date and how it was received) or by expiry; both stay in the history. Services in
``clients/consents/services.py`` are the only writers and hold the rules; the database constraints below are
the backstop.
"""

import datetime

from django.db import models
from django.db.models import F, Q
from django.utils import dateformat, timezone

from core.versioning import VersionedModel
from tenancy.models import TenantModel


class SignedBy(models.TextChoices):
    CLIENT = "client", "The client"
    REPRESENTATIVE = "representative", "A guardian or personal representative"


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", "Consent to treatment"
    TELEHEALTH = "telehealth", "Telehealth consent"
    FINANCIAL = "financial", "Financial responsibility agreement"
    PRIVACY_NOTICE = "privacy_notice", "Notice of privacy practices acknowledgement"


class ConsentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PENDING = "pending", "Not yet effective"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class ClientPrivacy(TenantModel):
    """Privacy flags of one client's record, kept beside ``Client`` (one row, created when first set).

    ``part2``: the record holds substance use disorder (SUD) treatment records of a 42 CFR Part 2 program, so any
    release of it needs a written authorisation that lists SUD records.
    """

    client = models.OneToOneField("clients.Client", on_delete=models.PROTECT, related_name="privacy")
    part2 = models.BooleanField(
        "42 CFR Part 2 records", default=False, help_text="The record holds substance use disorder treatment records."
    )
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey("accounts.Membership", null=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"privacy of {self.client_id}"


class Consent(TenantModel, VersionedModel):
    """A consent or acknowledgement the client (or their representative) signed. Revoked or expired, it stays."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    signed_date = models.DateField()
    signed_by = models.CharField(max_length=20, choices=SignedBy.choices, default=SignedBy.CLIENT)
    representative_name = models.CharField("Representative's name", max_length=200, blank=True)
    expires_on = models.DateField("Expiry date", null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    revoked_on = models.DateField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["client", "kind", "signed_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("signed_date")),
                name="consent_expires_after_signing",
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | ~Q(revocation_reason=""), name="consent_revocation_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.client_id}"

    def status_on(self, day: datetime.date) -> str:
        if self.revoked_on is not None and self.revoked_on <= day:
            return ConsentStatus.REVOKED
        if self.expires_on is not None and self.expires_on < day:
            return ConsentStatus.EXPIRED
        if self.signed_date > day:
            return ConsentStatus.PENDING
        return ConsentStatus.ACTIVE


class ReleaseCategory(models.TextChoices):
    """What an authorisation lets the clinic release (and what a disclosure released)."""

    DEMOGRAPHICS = "demographics", "Demographics and contact details"
    DIAGNOSES = "diagnoses", "Diagnoses"
    TREATMENT_SUMMARY = "treatment_summary", "Treatment summary and plan"
    PROGRESS_NOTES = "progress_notes", "Progress notes"
    ATTENDANCE = "attendance", "Attendance and appointment dates"
    BILLING = "billing", "Billing and payment records"
    SUD = "sud", "Substance use disorder treatment records (42 CFR Part 2)"


class RecipientKind(models.TextChoices):
    PROVIDER = "provider", "Health care provider"
    PAYER = "payer", "Health plan or insurer"
    FAMILY = "family", "Family member or friend"
    ATTORNEY = "attorney", "Attorney"
    SCHOOL = "school", "School"
    EMPLOYER = "employer", "Employer"
    GOVERNMENT = "government", "Government agency or court"
    OTHER = "other", "Other"


class RevocationMethod(models.TextChoices):
    WRITING = "writing", "In writing (letter or signed form)"
    FAX = "fax", "By fax"
    EMAIL = "email", "By email"
    IN_PERSON = "in_person", "In person, signed at the clinic"
    VERBAL = "verbal", "Verbally (noted by staff)"


class Authorization(TenantModel, VersionedModel):
    """A release-of-information authorisation (HIPAA 164.508; 42 CFR 2.31 when it covers SUD records).

    It names one recipient, what may be released and why, and ends on an expiry date or an expiry event: one of
    the two is required. ``expiry_event_occurred_on`` records the day staff learned the event happened.
    """

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="authorizations")
    recipient_kind = models.CharField("Kind of recipient", max_length=20, choices=RecipientKind.choices)
    recipient_name = models.CharField(max_length=200)
    recipient_organization = models.CharField(max_length=200, blank=True)
    recipient_address = models.TextField(blank=True)
    recipient_phone = models.CharField(max_length=30, blank=True)
    recipient_fax = models.CharField(max_length=30, blank=True)
    recipient_email = models.EmailField(blank=True)
    purpose = models.TextField()
    categories = models.JSONField(default=list, blank=True, help_text="ReleaseCategory values")
    information_other = models.TextField("Other information", blank=True)
    sud_description = models.TextField("Substance use disorder information to release", blank=True)
    signed_date = models.DateField()
    signed_by = models.CharField(max_length=20, choices=SignedBy.choices, default=SignedBy.CLIENT)
    representative_name = models.CharField("Representative's name", max_length=200, blank=True)
    representative_authority = models.CharField("Representative's authority", max_length=200, blank=True)
    effective_date = models.DateField()
    expiry_date = models.DateField(null=True, blank=True)
    expiry_event = models.CharField(max_length=300, blank=True)
    expiry_event_occurred_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    revoked_on = models.DateField(null=True, blank=True)
    revocation_method = models.CharField(max_length=20, choices=RevocationMethod.choices, blank=True)
    revocation_note = models.CharField(max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["client", "effective_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expiry_date__isnull=False) | ~Q(expiry_event=""), name="authorization_has_expiry"
            ),
            models.CheckConstraint(
                condition=Q(expiry_date__isnull=True) | Q(expiry_date__gt=F("effective_date")),
                name="authorization_expires_after_effective",
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | ~Q(revocation_method=""),
                name="authorization_revocation_has_method",
            ),
        ]

    def __str__(self) -> str:
        return f"authorisation {self.pk} of {self.client_id}"

    @property
    def covers_sud(self) -> bool:
        return ReleaseCategory.SUD in self.categories

    @property
    def category_labels(self) -> list[str]:
        return category_labels(self.categories)

    @property
    def ended_on(self) -> datetime.date | None:
        """The first day the authorisation may no longer be used, whatever ended it."""
        ends = [self.revoked_on, self.expiry_event_occurred_on]
        if self.expiry_date is not None:
            ends.append(self.expiry_date + datetime.timedelta(days=1))
        ends = [day for day in ends if day is not None]
        return min(ends) if ends else None

    def status_on(self, day: datetime.date) -> str:
        if self.revoked_on is not None and self.revoked_on <= day:
            return ConsentStatus.REVOKED
        ended = self.ended_on
        if ended is not None and ended <= day:
            return ConsentStatus.EXPIRED
        if self.effective_date > day:
            return ConsentStatus.PENDING
        return ConsentStatus.ACTIVE

    def valid_on(self, day: datetime.date) -> bool:
        return self.status_on(day) == ConsentStatus.ACTIVE

    @property
    def recipient_contact(self) -> str:
        """Address and other contact details on one line, for lists and the accounting of disclosures."""
        parts = [" ".join(self.recipient_address.split())]
        parts += [f"phone {self.recipient_phone}" if self.recipient_phone else ""]
        parts += [f"fax {self.recipient_fax}" if self.recipient_fax else "", self.recipient_email]
        return "; ".join(part for part in parts if part)


class LegalBasis(models.TextChoices):
    """Why a disclosure was allowed: the client's authorisation, or a basis that needs none (HIPAA 164.512).

    Of the bases without an authorisation, only a medical emergency (42 CFR 2.51) may release Part 2 records.
    """

    AUTHORIZATION = "authorization", "The client's authorisation"
    COURT_ORDER = "court_order", "Court order or subpoena"
    MANDATED_REPORT = "mandated_report", "Mandated report (abuse or neglect)"
    PUBLIC_HEALTH = "public_health", "Public health authority"
    HEALTH_OVERSIGHT = "health_oversight", "Health oversight agency"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement as required by law"
    SERIOUS_THREAT = "serious_threat", "Averting a serious threat to health or safety"
    REQUIRED_BY_LAW = "required_by_law", "Otherwise required by law"
    MEDICAL_EMERGENCY = "medical_emergency", "Medical emergency (42 CFR 2.51)"


class Disclosure(TenantModel, VersionedModel):
    """A release of the client's information that was actually made; the accounting of disclosures reads these.

    Recipient details are copied here when the disclosure is recorded, so the accounting shows what was true
    then even if an authorisation is later revoked. In a medical emergency (42 CFR 2.51(c)) the recipient is the
    medical personnel and ``recipient_organization`` their facility; the time and the nature of the emergency are
    kept too. A mistaken entry is never deleted: it is marked entered in error with a reason, stays on the chart
    and drops out of the accounting.
    """

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="disclosures")
    disclosed_on = models.DateField("Date released")
    legal_basis = models.CharField(max_length=20, choices=LegalBasis.choices, default=LegalBasis.AUTHORIZATION)
    legal_basis_detail = models.CharField(max_length=300, blank=True)
    authorization = models.ForeignKey(
        Authorization, null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures"
    )
    recipient_name = models.CharField(max_length=200)
    recipient_organization = models.CharField(max_length=200, blank=True)
    recipient_address = models.TextField(blank=True)
    categories = models.JSONField(default=list, blank=True, help_text="ReleaseCategory values")
    information_description = models.TextField("Description of what was released", blank=True)
    purpose = models.TextField()
    involves_sud = models.BooleanField(default=False, help_text="Included 42 CFR Part 2 records.")
    released_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    disclosed_time = models.TimeField("Time released", null=True, blank=True)
    emergency_nature = models.TextField("Nature of the medical emergency", blank=True)
    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_in_error_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["client", "disclosed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(legal_basis="authorization", authorization__isnull=False)
                | (~Q(legal_basis="authorization") & Q(authorization__isnull=True)),
                name="disclosure_basis_matches_authorization",
            ),
            models.CheckConstraint(
                condition=~Q(legal_basis="medical_emergency")
                | (
                    Q(disclosed_time__isnull=False)
                    & ~Q(emergency_nature="")
                    & ~Q(recipient_name="")
                    & ~Q(recipient_organization="")
                ),
                name="disclosure_medical_emergency_documented",
            ),
            models.CheckConstraint(
                condition=Q(entered_in_error_at__isnull=True) | ~Q(entered_in_error_reason=""),
                name="disclosure_in_error_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"disclosure {self.pk} of {self.client_id}"

    @property
    def category_labels(self) -> list[str]:
        return category_labels(self.categories)

    @property
    def information(self) -> str:
        """What was released, in words: the categories, then the free description."""
        return "; ".join(filter(None, [*self.category_labels, self.information_description]))

    @property
    def in_error(self) -> bool:
        return self.entered_in_error_at is not None

    @property
    def basis_label(self) -> str:
        if self.authorization_id:
            return f"Authorisation signed {dateformat.format(self.authorization.signed_date, 'M j, Y')}"
        details = [self.legal_basis_detail]
        if self.legal_basis == LegalBasis.MEDICAL_EMERGENCY:
            details = [" ".join(self.emergency_nature.split()), *details]
        detail = "; ".join(d for d in details if d)
        return f"{self.get_legal_basis_display()}{': ' + detail if detail else ''}"


def category_labels(values) -> list[str]:
    labels = dict(ReleaseCategory.choices)
    return [labels[value] for value in ReleaseCategory.values if value in values]
