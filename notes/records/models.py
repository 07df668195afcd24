"""The note: one client's documentation of one service or contact, from first draft to final signature.

A note is a draft its author edits (autosaved, optimistic lock), then signed: from then on ``answers`` and the
session facts never change, whatever the path (``drafts.services`` refuses, ``signing.services`` is the only way
back, within the clinic's unlock window). Corrections are addenda. Psychotherapy notes live in the same table but
are read only by their author (``notes.policies``) and are left out of every print and export.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.versioning import VersionedModel
from notes.note_templates.models import NoteType
from tenancy.models import PlaceOfService, TenantModel


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_COSIGN = "awaiting_cosign", "Awaiting co-signature"
    RETURNED = "returned", "Returned for revision"
    SIGNED = "signed", "Signed"


EDITABLE = (Status.DRAFT, Status.RETURNED)


class Attendance(models.TextChoices):
    ATTENDED = "attended", "Attended"
    NO_SHOW = "no_show", "No-show"
    LATE_CANCEL = "late_cancel", "Late cancellation"


class ContactKind(models.TextChoices):
    PHONE = "phone", "Phone call with the client"
    COLLATERAL = "collateral", "Collateral contact"
    OTHER = "other", "Other contact"


class Note(TenantModel, VersionedModel):
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="notes_written")
    note_type = models.CharField(max_length=16, choices=NoteType.choices)
    template_version = models.ForeignKey(
        "notes.NoteTemplateVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="notes"
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="notes"
    )
    group_session = models.ForeignKey(
        "notes.GroupSession", null=True, blank=True, on_delete=models.PROTECT, related_name="member_notes"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    attendance = models.CharField(max_length=12, choices=Attendance.choices, default=Attendance.ATTENDED)
    contact_kind = models.CharField(max_length=12, choices=ContactKind.choices, blank=True)
    service_date = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    place_of_service = models.CharField(max_length=2, choices=PlaceOfService.choices, blank=True)
    telehealth = models.BooleanField(default=False)
    answers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_saved_at = models.DateTimeField(default=timezone.now)
    last_saved_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(null=True, blank=True, help_text="Overdue if still unsigned after this.")
    signed_at = models.DateTimeField(null=True, blank=True)
    signature = models.CharField(max_length=220, blank=True, help_text='As signed: "Casey Clinician, LCSW".')
    cosigner = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="notes_to_cosign"
    )
    cosign_mode = models.CharField(max_length=8, blank=True, help_text="The supervision rule that applied.")
    cosigned_at = models.DateTimeField(null=True, blank=True)
    cosignature = models.CharField(max_length=220, blank=True)

    class Meta:
        ordering = ["-service_date", "-start_time", "-pk"]
        indexes = [
            models.Index(fields=["client", "service_date"]),
            models.Index(fields=["author", "status"]),
            models.Index(fields=["cosigner", "status", "signed_at"]),
            models.Index(fields=["organization", "status", "due_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__isnull=True)
                | Q(end_time__isnull=True)
                | Q(end_time__gt=models.F("start_time")),
                name="note_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(signed_at__isnull=False), name="signed_note_has_signature_time"
            ),
        ]

    def __str__(self) -> str:
        return f"note {self.pk}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def is_psychotherapy(self) -> bool:
        return self.note_type == NoteType.PSYCHOTHERAPY

    @property
    def counts_as_final(self) -> bool:
        """Signed; or signed and waiting for a co-signature that does not hold it back (review mode does)."""
        if self.status == Status.SIGNED:
            return True
        return self.status == Status.AWAITING_COSIGN and self.cosign_mode != "review"

    def is_overdue(self, now) -> bool:
        return self.is_editable and self.due_at is not None and self.due_at < now
