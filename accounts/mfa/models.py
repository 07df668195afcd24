"""Security keys and passkeys (WebAuthn credentials) as a second sign-in step; see accounts/mfa/webauthn.py."""

from django.db import models
from django.utils import timezone
from django_otp.models import Device


class SecurityKey(Device):
    """One registered WebAuthn credential of a person.

    Like the django-otp devices it extends, it belongs to the person, not to a clinic. Being a django-otp
    ``Device`` means ``otp_login`` can mark a session verified by it and ``devices_for_user`` counts it; it never
    accepts typed codes (``verify_token`` stays False). The credential only works at the host it was registered
    on (``rp_id``): WebAuthn scopes credentials to the relying party.
    """

    credential_id = models.CharField(max_length=1400, unique=True, help_text="base64url, as the browser reports it")
    public_key = models.BinaryField(help_text="COSE-encoded credential public key")
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    rp_id = models.CharField(max_length=253, help_text="The host the key was registered at; it only works there.")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"
