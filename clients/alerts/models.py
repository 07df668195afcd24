from django.db import models
from django.utils import timezone

from clients.records.models import Client
from tenancy.models import TenantModel


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


SEVERITY_RANK: dict[str, int] = {AlertSeverity.HIGH: 0, AlertSeverity.MODERATE: 1, AlertSeverity.LOW: 2}
