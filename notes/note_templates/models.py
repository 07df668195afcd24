"""Note templates as data: a template is a name and the note types it serves; what it asks lives in its versions.

A version's ``schema`` is never changed once a note uses it: editing a template adds a version, and every note keeps
the version it was written in, so an old note always renders with the questions it answered.
"""

from django.db import models
from django.utils import timezone

from core.versioning import VersionedModel
from tenancy.models import TenantModel


class NoteType(models.TextChoices):
    INTAKE = "intake", "Intake / diagnostic assessment"
    PROGRESS = "progress", "Progress note"
    GROUP = "group", "Group note"
    CRISIS = "crisis", "Crisis note"
    CONTACT = "contact", "Contact note (phone, collateral)"
    DISCHARGE = "discharge", "Discharge summary"
    PSYCHOTHERAPY = "psychotherapy", "Psychotherapy note"


class NoteTemplate(TenantModel, VersionedModel):
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    note_types = models.JSONField(default=list, help_text="NoteType values this template may be used for.")
    shipped_key = models.CharField(max_length=40, blank=True, help_text="Set on the templates Hearth ships.")
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    current_number = models.PositiveIntegerField(default=1, help_text="The version new notes are written in.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="note_template_name_unique")]

    def __str__(self) -> str:
        return self.name


class NoteTemplateVersion(TenantModel):
    template = models.ForeignKey(NoteTemplate, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    schema = models.JSONField(help_text="Sections and fields; see notes/note_templates/schema.py.")
    created_by = models.ForeignKey("accounts.Membership", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["template", "number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="note_template_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.number}"
