from django.db import models
from django.utils import timezone

from tenancy.models import TenantModel


class Addendum(TenantModel):
    """A correction or later information, signed when added, shown after the untouched original in order."""

    note = models.ForeignKey("notes.Note", on_delete=models.PROTECT, related_name="addenda")
    number = models.PositiveSmallIntegerField()
    author = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    signed_at = models.DateTimeField(default=timezone.now)
    signature = models.CharField(max_length=220)

    class Meta:
        ordering = ["note", "number"]
        constraints = [models.UniqueConstraint(fields=["note", "number"], name="addendum_number_once")]

    def __str__(self) -> str:
        return f"addendum {self.number} to {self.note_id}"
