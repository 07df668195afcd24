"""Private calendar subscriptions (RFC 5545 feeds): a secret link per feed that a calendar app polls.

Only the SHA-256 of the token is stored, so the link is shown once and cannot be recovered from the database;
getting a new link revokes the old one. A feed shows a person's own appointments, or (for the front desk) one
clinician's or one room's, and identifies clients only by number or initials.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from tenancy.models import TenantModel


class FeedKind(models.TextChoices):
    OWN = "own", "My appointments"
    CLINICIAN = "clinician", "A clinician's appointments"
    ROOM = "room", "A room's bookings"


class ClientLabel(models.TextChoices):
    NUMBER = "number", "Client number (#1001)"
    INITIALS = "initials", "Initials (J.R.) for clients you may see by name"


class CalendarFeed(TenantModel):
    owner = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE, related_name="calendar_feeds")
    kind = models.CharField(max_length=10, choices=FeedKind.choices, default=FeedKind.OWN)
    clinician = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    room = models.ForeignKey("scheduling.Room", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    client_label = models.CharField(max_length=8, choices=ClientLabel.choices, default=ClientLabel.NUMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="own", clinician__isnull=True, room__isnull=True)
                    | Q(kind="clinician", clinician__isnull=False, room__isnull=True)
                    | Q(kind="room", room__isnull=False, clinician__isnull=True)
                ),
                name="calendar_feed_target_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"calendar feed {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
