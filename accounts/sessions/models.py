from django.db import models
from django.utils import timezone

from accounts.people.models import User


class UserSession(models.Model):
    """One signed-in browser session, so a person can see where they are signed in and end those sessions."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    organization = models.ForeignKey("tenancy.Organization", on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    device_id = models.CharField(max_length=64, help_text="Random id kept in a long-lived cookie of the browser.")
    device = models.CharField(max_length=120, help_text="Browser and system, from the user agent.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.device} since {self.created_at:%Y-%m-%d %H:%M}"
