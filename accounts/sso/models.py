"""A clinic's OpenID Connect single sign-on configuration (see accounts/sso/protocol.py for the protocol)."""

from django.db import models

from core.versioning import VersionedModel
from tenancy.models import TenantModel


class OidcConfiguration(TenantModel, VersionedModel):
    """How one clinic's staff may sign in through their own identity provider.

    At most one per clinic. Single sign-on never creates accounts: a provider account is mapped to an existing,
    active staff member of the clinic by verified email, and only within ``allowed_email_domain``.
    """

    enabled = models.BooleanField(default=False, help_text="Show the single sign-on button on the sign-in page.")
    display_name = models.CharField(
        max_length=60, help_text="The provider's name as staff know it, for the sign-in button: “Sign in with …”."
    )
    issuer = models.URLField(
        max_length=300, help_text="The provider's issuer address, exactly as its discovery document states it."
    )
    client_id = models.CharField(max_length=255)
    client_secret = models.CharField(max_length=512)
    allowed_email_domain = models.CharField(
        max_length=253, help_text="Only provider accounts whose email address is in this domain may sign in."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="oidc_configuration_one_per_clinic")]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.issuer})"
