"""Single sign-on configuration changes and the mapping of a provider's identity to a staff member."""

from django.db import IntegrityError, transaction

from accounts.people.models import Membership
from accounts.sso.models import OidcConfiguration
from accounts.sso.protocol import ClientSettings, SsoFailure, VerifiedIdentity
from audit.services import record
from core.errors import ConflictError
from core.versioning import versioned_update

CONFIGURABLE_FIELDS = ("enabled", "display_name", "issuer", "client_id", "client_secret", "allowed_email_domain")


def configuration_for_clinic() -> OidcConfiguration | None:
    """The current clinic's configuration, enabled or not (None when it never set one up)."""
    return OidcConfiguration.objects.first()


def enabled_configuration() -> OidcConfiguration | None:
    return OidcConfiguration.objects.filter(enabled=True).first()


def client_settings(configuration: OidcConfiguration) -> ClientSettings:
    return ClientSettings(
        issuer=configuration.issuer, client_id=configuration.client_id, client_secret=configuration.client_secret
    )


@transaction.atomic
def save_oidc_configuration(*, actor: Membership, expected_version: int, data: dict, request=None) -> OidcConfiguration:
    """Create or change the clinic's single sign-on configuration, refusing a stale form.

    ``expected_version`` is 0 for a clinic that has none yet. An empty ``client_secret`` keeps the stored one. The
    audit event names the changed fields, never their values.
    """
    data = {name: data[name] for name in CONFIGURABLE_FIELDS if name in data}
    current = configuration_for_clinic()
    if current is None:
        if expected_version != 0:
            raise ConflictError()
        try:
            with transaction.atomic():
                configuration = OidcConfiguration.objects.create(**data)
        except IntegrityError:  # another administrator created it first
            raise ConflictError() from None
        changed = sorted(name for name, value in data.items() if value not in ("", False))
    else:
        if not data.get("client_secret"):
            data.pop("client_secret", None)
        changed = sorted(name for name, value in data.items() if getattr(current, name) != value)
        configuration = versioned_update(current, expected_version=expected_version, changes=data)
    record(
        "sso.configured",
        request=request,
        actor=actor.user,
        target=configuration,
        detail={"fields": changed, "enabled": configuration.enabled},
    )
    return configuration


def staff_member_for(identity: VerifiedIdentity, configuration: OidcConfiguration) -> Membership:
    """The active staff member of this clinic with the provider's verified email; never creates one.

    Raises ``SsoFailure`` (reason for the audit log only) when the email is outside the clinic's allowed domain or
    belongs to nobody active here.
    """
    domain = identity.email.rsplit("@", 1)[1]
    if domain != configuration.allowed_email_domain:
        raise SsoFailure("domain_not_allowed")
    membership = Membership.objects.filter(user__email=identity.email).select_related("user").first()
    if membership is None:
        raise SsoFailure("unknown_staff")
    if not (membership.is_active and membership.user.is_active):
        raise SsoFailure("inactive_staff")
    return membership
