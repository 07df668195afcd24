"""The vendor support staff's second factor: an authenticator-app key and single-use recovery codes.

django-otp's ``TOTPDevice`` belongs to ``accounts.User``; vendor staff are not clinic people, so their key lives
here and is checked with django-otp's TOTP arithmetic (``django_otp.oath``) in ``console/mfa/services.py``.
"""

from django.db import models
from django.utils import timezone

from console.signin.models import VendorStaff


class VendorTotpKey(models.Model):
    """One authenticator app per vendor staff member: unconfirmed while enrolling, then the one that counts.

    ``last_step`` is the newest 30-second time step a code was accepted for; codes of that step or older are
    refused, so a code seen over someone's shoulder cannot be used again.
    """

    staff = models.OneToOneField(VendorStaff, on_delete=models.CASCADE, related_name="totp_key")
    key = models.CharField(max_length=80, help_text="Hex-encoded secret, as django-otp stores it.")
    confirmed = models.BooleanField(default=False)
    last_step = models.BigIntegerField(default=-1)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "tickets_vendortotpkey"

    def __str__(self) -> str:
        return f"Authenticator app of {self.staff}"


class VendorRecoveryCode(models.Model):
    """A single-use recovery code, stored only as a keyed hash (the code itself is shown once, at enrolment)."""

    staff = models.ForeignKey(VendorStaff, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "tickets_vendorrecoverycode"
        constraints = [models.UniqueConstraint(fields=["staff", "code_hash"], name="vendor_recovery_code_unique")]

    def __str__(self) -> str:
        return f"Recovery code of {self.staff}"
