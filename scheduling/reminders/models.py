"""Appointment reminders: each clinic's reminder settings and one row per reminder decided.

An ``AppointmentReminder`` row is claimed (inserted) before anything is sent. Its unique key — appointment,
client, channel, lead time and the start it was for — is what makes "never twice" hold across concurrent sweeps
and worker restarts; keeping the start in the key lets a moved appointment get reminders for its new time, while
a move back to a time already reminded about sends nothing again.
"""

from django.db import models
from django.utils import timezone

from tenancy.models import TenantModel

# The lead times an administrator can choose from, in hours before the start.
LEAD_CHOICES = [(168, "1 week"), (72, "3 days"), (48, "2 days"), (24, "1 day"), (4, "4 hours"), (2, "2 hours")]


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class ReminderSettings(TenantModel):
    """A clinic's reminder policy (one row per clinic; none means reminders are off)."""

    enabled = models.BooleanField("Send appointment reminders", default=False)
    send_email = models.BooleanField("By email", default=True)
    send_sms = models.BooleanField("By text message", default=False)
    lead_hours = models.JSONField(default=list, help_text="Hours before the start, largest first.")
    sender_name = models.CharField(
        max_length=80, blank=True, help_text="Shown as the sender and in the message; empty: the clinic's name."
    )
    reply_to = models.EmailField(
        "Reply-to address", blank=True, help_text="Where clients' replies to a reminder email go (e.g. the front desk)."
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="reminder_settings_once_per_clinic")]

    def __str__(self) -> str:
        return "reminder settings"

    @property
    def channels(self) -> list[str]:
        return [c for c, on in ((Channel.EMAIL, self.send_email), (Channel.SMS, self.send_sms)) if on]

    @property
    def leads(self) -> list[int]:
        return sorted({int(h) for h in self.lead_hours}, reverse=True)


class ReminderStatus(models.TextChoices):
    PENDING = "pending", "Waiting to send"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Not sent"


class ReminderResponse(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    CANCELLED = "cancelled", "Cancelled"


class AppointmentReminder(TenantModel):
    """One reminder to one client of one appointment, by one channel, for one lead time and start.

    ``reason`` says why a reminder was skipped or failed, in words staff can act on (never the address itself).
    ``response`` records the client's answer through the reminder's signed link; a link works once.
    """

    appointment = models.ForeignKey("scheduling.Appointment", on_delete=models.CASCADE, related_name="reminders")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=5, choices=Channel.choices)
    lead_hours = models.PositiveSmallIntegerField()
    appointment_start = models.DateTimeField(help_text="The start this reminder is about.")
    status = models.CharField(max_length=8, choices=ReminderStatus.choices, default=ReminderStatus.PENDING)
    reason = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    response = models.CharField(max_length=9, choices=ReminderResponse.choices, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["appointment_start", "-lead_hours", "channel", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "client", "channel", "lead_hours", "appointment_start"],
                name="appointment_reminder_once",
            )
        ]
        indexes = [models.Index(fields=["appointment", "lead_hours", "channel", "appointment_start"])]

    def __str__(self) -> str:
        return f"reminder {self.pk}"

    @property
    def lead_label(self) -> str:
        return dict(LEAD_CHOICES).get(self.lead_hours, f"{self.lead_hours} hours")
