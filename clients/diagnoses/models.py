from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from clients.records.models import Client
from core.versioning import VersionedModel
from tenancy.models import TenantModel


class Diagnosis(TenantModel, VersionedModel):
    """An ICD-10-CM diagnosis on a client's chart (clinical). ``description`` is the code set's text when added."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="diagnoses")
    code = models.CharField("ICD-10-CM code", max_length=10)
    description = models.CharField(max_length=300)
    onset_date = models.DateField(null=True, blank=True)
    resolved_date = models.DateField(null=True, blank=True)
    is_primary = models.BooleanField("Primary diagnosis", default=False)
    created_at = models.DateTimeField(default=timezone.now)

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
