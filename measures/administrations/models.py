"""Administrations of an instrument to a client, and the safety flags a critical answer raises."""

from django.db import models
from django.utils import timezone

from tenancy.models import TenantModel


class Method(models.TextChoices):
    IN_SESSION = "in_session", "In session (clinician)"
    KIOSK = "kiosk", "Waiting-room tablet"
    LINK = "link", "Link sent to the client"


class Status(models.TextChoices):
    COMPLETE = "complete", "Complete"
    INCOMPLETE = "incomplete", "Incomplete"


class Administration(TenantModel):
    """One completed (or abandoned part-way) questionnaire.

    ``answers`` holds one value or ``null`` per item. ``total``, ``band`` and ``prorated`` are what the instrument's
    rules gave when it was saved (with the clinic's cut-off then), so a later change of cut-off does not rewrite
    history; an incomplete questionnaire has no total and is never charted."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    instrument = models.ForeignKey("measures.Instrument", on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices)
    total = models.PositiveSmallIntegerField(null=True, blank=True)
    prorated = models.BooleanField(default=False)
    band = models.CharField(max_length=60, blank=True)
    band_level = models.PositiveSmallIntegerField(null=True, blank=True)
    method = models.CharField(max_length=10, choices=Method.choices)
    administered_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_at", "-pk"]
        indexes = [models.Index(fields=["client", "instrument", "completed_at"])]

    def __str__(self) -> str:
        return f"administration {self.pk}"


class SafetyFlag(TenantModel):
    """A critical item answered above its lowest value (PHQ-9 item 9). It stays open, with a banner on the chart,
    until a clinician documents their response."""

    administration = models.OneToOneField(Administration, on_delete=models.PROTECT, related_name="safety_flag")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    items = models.JSONField(help_text="The numbers of the critical items endorsed.")
    notified = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    response = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [
            models.Index(fields=["client", "responded_at"]),
            models.Index(fields=["notified", "responded_at"]),
        ]

    def __str__(self) -> str:
        return f"safety flag {self.pk}"
