"""The trail of unlocks: a signed note reopened by its author, with the reason they gave and the signature undone."""

from django.db import models
from django.utils import timezone

from tenancy.models import TenantModel


class Unlock(TenantModel):
    """One unlock of a signed note. Kept for good: the note itself forgets the signature it loses."""

    note = models.ForeignKey("notes.Note", on_delete=models.PROTECT, related_name="unlocks")
    unlocked_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    unlocked_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    signature = models.CharField(max_length=220, help_text="The signature that was undone, as signed.")
    signed_at = models.DateTimeField(help_text="When the undone signature was made.")

    class Meta:
        ordering = ["note", "unlocked_at", "pk"]

    def __str__(self) -> str:
        return f"unlock of {self.note_id}"
