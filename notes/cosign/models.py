"""Supervision: who co-signs a supervisee's notes, for which notes, and the trail of returns and co-signatures."""

from django.db import models
from django.utils import timezone

from core.versioning import VersionedModel
from tenancy.models import TenantModel


class Mode(models.TextChoices):
    ALL = "all", "Co-sign every note"
    PAYERS = "payers", "Co-sign notes for chosen payers"
    REVIEW = "review", "Review and approve before the note is final"


class SupervisionRule(TenantModel, VersionedModel):
    supervisee = models.OneToOneField("accounts.Membership", on_delete=models.PROTECT, related_name="supervision")
    supervisor = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="supervisees")
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.ALL)
    payers = models.ManyToManyField("clients.Payer", blank=True, related_name="+")

    def __str__(self) -> str:
        return f"{self.supervisee_id} supervised by {self.supervisor_id}"


class Review(TenantModel):
    """A supervisor's decision on a note: returned with a comment, or co-signed."""

    RETURNED, COSIGNED = "returned", "cosigned"

    note = models.ForeignKey("notes.Note", on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=8, choices=[(RETURNED, "Returned"), (COSIGNED, "Co-signed")])
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["note", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.decision} {self.note_id}"
