"""Documents filed in a client's chart, and the client's requests to amend their record (45 CFR 164.526).

Neither is ever deleted. A document filed by mistake is marked "entered in error" with a reason; an amendment
request ends accepted (the correction is appended beside the original, which stays as it was) or denied (with one
of the grounds the rule allows, and room for the client's statement of disagreement).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from clients.policies import BILLING, CLINICAL, DEMOGRAPHICS, INSURANCE
from core.versioning import VersionedModel
from tenancy.models import TenantModel

SECTION_CHOICES = [
    (DEMOGRAPHICS, "Demographics"),
    (INSURANCE, "Insurance"),
    (BILLING, "Billing"),
    (CLINICAL, "Clinical"),
]


class DocumentCategory(models.TextChoices):
    INTAKE = "intake", "Intake paperwork"
    CONSENT = "consent", "Consent form"
    ROI = "roi", "Release of information (ROI) form"
    OUTSIDE_RECORDS = "outside_records", "Outside records"
    INSURANCE_CARD = "insurance_card", "Insurance card"
    IDENTIFICATION = "identification", "Photo ID"
    ASSESSMENT = "assessment", "Assessment"
    CORRESPONDENCE = "correspondence", "Correspondence"
    OTHER = "other", "Other"


# Where a category is filed unless the uploader says otherwise. Categories that may hold clinical content default
# to the clinical section: filing too narrowly is fixed by a clinician, filing too widely is a disclosure.
CATEGORY_SECTIONS: dict[str, str] = {
    DocumentCategory.INTAKE: DEMOGRAPHICS,
    DocumentCategory.CONSENT: DEMOGRAPHICS,
    DocumentCategory.ROI: DEMOGRAPHICS,
    DocumentCategory.OUTSIDE_RECORDS: CLINICAL,
    DocumentCategory.INSURANCE_CARD: INSURANCE,
    DocumentCategory.IDENTIFICATION: DEMOGRAPHICS,
    DocumentCategory.ASSESSMENT: CLINICAL,
    DocumentCategory.CORRESPONDENCE: CLINICAL,
    DocumentCategory.OTHER: CLINICAL,
}


class DocumentStatus(models.TextChoices):
    CURRENT = "current", "Current"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


class ClientDocument(TenantModel, VersionedModel):
    """A file in a client's chart. The file lives in the private storage under ``stored_name``; the row says
    what it is, which chart section it belongs to (and so who may open it) and how to check it is unchanged."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=DocumentCategory.choices)
    section = models.CharField(
        max_length=20, choices=SECTION_CHOICES, help_text="The chart section it belongs to: decides who may open it."
    )
    uploaded_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    original_filename = models.CharField(max_length=200, help_text="Cleaned for display; never used to store.")
    stored_name = models.CharField(max_length=200, unique=True, editable=False)
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    content_type = models.CharField(max_length=100, help_text="Decided from the file's content when uploaded.")
    sha256 = models.CharField("SHA-256", max_length=64)
    status = models.CharField(max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.CURRENT)
    error_reason = models.TextField(blank=True)
    marked_in_error_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    marked_in_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["client", "status", "uploaded_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="current") | ~Q(error_reason=""), name="document_error_needs_reason"
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="document_not_empty"),
        ]

    def __str__(self) -> str:
        return f"document {self.pk} of {self.client_id}"

    @property
    def is_current(self) -> bool:
        return self.status == DocumentStatus.CURRENT


RESPONSE_DAYS = 60


EXTENSION_DAYS = 30
