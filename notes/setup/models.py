"""A clinic's documentation rules, kept by its administrators."""

from django.db import models

from core.versioning import VersionedModel
from tenancy.models import TenantModel


def all_note_types() -> list[str]:
    from notes.note_templates.models import NoteType

    return list(NoteType.values)


class NoteSettings(TenantModel, VersionedModel):
    """One row per clinic, made on first use with the defaults below."""

    enabled_types = models.JSONField(default=all_note_types, help_text="The note types this clinic writes.")
    unlock_hours = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Hours after signing during which the author may unlock a note to correct it. Empty: never.",
    )
    overdue_hours = models.PositiveSmallIntegerField(
        default=72, help_text="Hours after the session ends when an unsigned note becomes overdue."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="note_settings_one_per_clinic")]

    def __str__(self) -> str:
        return f"note settings of {self.organization_id}"
