"""The vendor's support staff: their own accounts, apart from the clinics' people."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.utils import timezone


class VendorStaff(AbstractBaseUser):
    """A person on the vendor's support team: signs in at the support console only, sees sent tickets only.

    Deliberately not an ``accounts.User``: clinic sign-in looks up clinic memberships and the console looks up
    these rows, so neither kind of account opens the other door. Passwords are hashed like staff's (argon2).
    """

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    class Meta:
        db_table = "tickets_vendorstaff"
        verbose_name_plural = "vendor staff"

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.strip().lower()
        # The clinic password validators keep a history per ``accounts.User``; vendor accounts have none, so the
        # "password changed" hook AbstractBaseUser would call on save is skipped.
        self._password = None
        super().save(*args, **kwargs)

    @property
    def audit_label(self) -> str:
        """How the clinic's audit log names them (the actor column): an address, never a clinic account."""
        return f"vendor support: {self.email}"[:254]

    @property
    def display_name(self) -> str:
        return f"{self.full_name} (vendor support)"[:150]
