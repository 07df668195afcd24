"""One-time questionnaire links (from home) and kiosk hand-overs (the waiting-room tablet)."""

from django.db import models
from django.utils import timezone

from tenancy.models import TenantModel


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    KIOSK = "kiosk", "Waiting-room tablet"


class MeasureLink(TenantModel):
    """An invitation for one client to answer one instrument once, before ``expires_at``.

    Only the SHA-256 of the token is stored; the token itself is in the message (or, for the kiosk, in the tablet's
    session) and nowhere else. A link is used once: ``used_at`` is set in the transaction that saves the answers.
    The client confirms their date of birth first; ``failed_checks`` locks the link after a few wrong tries.
    """

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    instrument = models.ForeignKey("measures.Instrument", on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    created_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_checks = models.PositiveSmallIntegerField(default=0)
    administration = models.OneToOneField(
        "measures.Administration", null=True, blank=True, on_delete=models.PROTECT, related_name="link"
    )

    class Meta:
        indexes = [models.Index(fields=["client", "created_at"])]

    def __str__(self) -> str:
        return f"measure link {self.pk}"


class Rule(models.TextChoices):
    EVERY_SESSION = "every_session", "Before every session"
    EVERY_N_SESSIONS = "every_n_sessions", "Every N sessions"
    EVERY_N_WEEKS = "every_n_weeks", "Every N weeks"


class MeasureSchedule(TenantModel):
    """How often a client is asked to complete an instrument before their appointments."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    instrument = models.ForeignKey("measures.Instrument", on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=20, choices=Rule.choices)
    every = models.PositiveSmallIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "instrument"],
                condition=models.Q(is_active=True),
                name="measure_schedule_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"schedule {self.pk}"
