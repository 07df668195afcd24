from django.db import models
from django.utils import timezone

from accounts.people.models import User


class PasswordHistory(models.Model):
    """Hashes of a person's recent passwords, so a clinic can refuse the reuse of the last few."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"password of {self.user_id} set {self.created_at:%Y-%m-%d}"


class PasswordResetRequest(models.Model):
    """A "forgot password" link. Only a hash of its token is stored; it works once, for a limited time, and
    is cancelled by a newer request or a successful sign-in."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_resets")
    organization = models.ForeignKey("tenancy.Organization", on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"reset for {self.user_id} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.cancelled_at is None and self.expires_at > timezone.now()
