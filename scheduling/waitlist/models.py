"""The waitlist: clients waiting for a first appointment (or a new service), and the freed slots offered to them.

An entry says what the client is waiting for (appointment type, a clinician or a kind of clinician, the days and
times that suit them) and where it stands: waiting → offered → booked, or removed with a reason; a declined offer
returns it to waiting. Entries and offers are written only by ``scheduling.waitlist``; neither is deleted. Notes
are for staff and must not hold clinical content.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from tenancy.models import TenantModel


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    OFFERED = "offered", "Offered a slot"
    BOOKED = "booked", "Booked"
    REMOVED = "removed", "Removed"


OPEN_WAITLIST = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


class Priority(models.TextChoices):
    ROUTINE = "routine", "Routine"
    HIGH = "high", "High"


class TimeWindow(models.TextChoices):
    """Parts of the day a client can come, in the clinic's time zone (an appointment matches by its start)."""

    MORNING = "morning", "Morning (before 12:00)"
    AFTERNOON = "afternoon", "Afternoon (12:00–17:00)"
    EVENING = "evening", "Evening (from 17:00)"


WINDOW_BOUNDS = {
    TimeWindow.MORNING: (datetime.time(0, 0), datetime.time(12, 0)),
    TimeWindow.AFTERNOON: (datetime.time(12, 0), datetime.time(17, 0)),
    TimeWindow.EVENING: (datetime.time(17, 0), datetime.time.max),
}


def window_of(moment: datetime.time) -> str:
    return next(w for w, (low, high) in WINDOW_BOUNDS.items() if low <= moment < high)


class WaitlistEntry(TenantModel):
    """One client waiting for one kind of appointment. ``weekdays``/``windows`` empty mean "any"."""

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="waitlist_entries")
    appointment_type = models.ForeignKey("scheduling.AppointmentType", on_delete=models.PROTECT, related_name="+")
    clinician = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="waitlist_requests"
    )
    clinician_title = models.CharField(
        max_length=100, blank=True, help_text="A kind of clinician, matched against staff job titles (e.g. LCSW)."
    )
    weekdays = models.JSONField(default=list, blank=True, help_text="0 = Monday; empty: any day.")
    windows = models.JSONField(default=list, blank=True, help_text="TimeWindow values; empty: any time.")
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.ROUTINE)
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING)
    removed_reason = models.CharField(max_length=200, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    booked_appointment = models.ForeignKey(
        "scheduling.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["added_at", "pk"]
        indexes = [models.Index(fields=["organization", "status", "added_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "appointment_type"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waitlist_one_open_entry_per_client_and_type",
            ),
        ]

    def __str__(self) -> str:
        return f"waitlist entry {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_WAITLIST


class OfferOutcome(models.TextChoices):
    PENDING = "pending", "Waiting for the client"
    BOOKED = "booked", "Accepted and booked"
    DECLINED = "declined", "Declined"


class WaitlistOffer(TenantModel):
    """A slot offered to a waitlisted client: when, with whom, where. At most one is pending per entry."""

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.PROTECT, related_name="offers")
    start = models.DateTimeField()
    end = models.DateTimeField()
    clinician = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey("scheduling.Room", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    freed_by = models.ForeignKey(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The cancelled appointment whose time this was.",
    )
    outcome = models.CharField(max_length=8, choices=OfferOutcome.choices, default=OfferOutcome.PENDING)
    decline_reason = models.CharField(max_length=200, blank=True)
    appointment = models.ForeignKey(
        "scheduling.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    offered_by = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    offered_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-offered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry"], condition=Q(outcome="pending"), name="waitlist_one_pending_offer_per_entry"
            ),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="waitlist_offer_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"offer {self.pk}"

    @property
    def duration(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)
