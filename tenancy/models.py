"""Clinics and the base class for every row a clinic owns."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from tenancy.context import NoTenantError, current_organization

slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$",
    "Use 1–40 lower-case letters, digits or hyphens, not starting or ending with a hyphen.",
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (use a name such as America/Chicago).")


class Organization(models.Model):
    """A clinic: the tenant. Its slug is the first label of its login address (``<slug>.<base domain>``)."""

    name = models.CharField(max_length=200)
    slug = models.CharField(max_length=40, unique=True, validators=[slug_validator])
    time_zone = models.CharField(max_length=64, default="America/New_York", validators=[validate_time_zone])
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: bumped by every change.")

    # Settings an Administrator controls (Clinic settings screen).
    billing_coordinator = models.ForeignKey(
        "accounts.Membership",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Receives automatically routed work such as rejected claims; administrators do when empty.",
    )
    lockout_threshold = models.PositiveSmallIntegerField(
        default=5,
        help_text="Failed sign-in attempts in a row before the account is paused for a minute; each further failure "
        "pauses it twice as long, up to an hour.",
    )
    idle_timeout_minutes = models.PositiveSmallIntegerField(
        default=15, help_text="Minutes without activity before staff are signed out."
    )
    session_lifetime_hours = models.PositiveSmallIntegerField(
        default=12, help_text="Hours after signing in when staff must sign in again, active or not."
    )
    password_min_length = models.PositiveSmallIntegerField(default=12)
    password_require_mixed = models.BooleanField(
        default=True, help_text="Require upper- and lower-case letters, a digit and a symbol."
    )
    password_history_count = models.PositiveSmallIntegerField(
        default=5, help_text="How many previous passwords may not be reused."
    )
    password_expiry_days = models.PositiveSmallIntegerField(
        default=90, help_text="Days before a password must be changed; 0 turns expiry off."
    )
    mfa_required = models.BooleanField(default=False, help_text="Require two-step sign-in for all staff.")
    mfa_required_roles = models.JSONField(
        default=list, blank=True, help_text="Require two-step sign-in for staff holding any of these roles."
    )
    # Off by default: administrators run the practice (staff, settings, billing, demographics) and the HIPAA
    # minimum-necessary standard says they should not read therapy content for that. A clinic whose
    # administrators do clinical quality review turns it on; clinicians among them see their caseload anyway.
    admins_read_clinical = models.BooleanField(
        "Administrators may read clinical content",
        default=False,
        help_text="Lets administrators read (not change) every client's clinical sections, such as diagnoses. "
        "Off: they see demographics, insurance and billing only, unless the client is on their own caseload.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.conf import settings

        if self.slug in settings.HEARTH_RESERVED_SLUGS:
            raise ValidationError({"slug": f"“{self.slug}” is reserved; choose another address."})


class TenantQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)  # a generator would be used up by the check below
        for obj in objs:
            obj.assign_tenant()
        return super().bulk_create(objs, *args, **kwargs)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Default manager of tenant rows: always filtered to the current clinic; with no clinic, it fails closed.

    Outside a clinic context it returns no rows rather than raising, so that framework code that touches
    default managers at import time (model forms, for one) keeps working without ever seeing tenant data.
    """

    def get_queryset(self) -> models.QuerySet:
        organization = current_organization()
        queryset = super().get_queryset()
        if organization is None:
            return queryset.none()
        return queryset.filter(organization_id=organization.pk)


class TenantModel(models.Model):
    """Base for every row a clinic owns.

    Guarantees: ``objects`` only ever sees the current clinic's rows (none outside a clinic context); a save
    fills ``organization`` from the current clinic and refuses to write a row into any other clinic.
    ``all_tenants`` is the explicit, unfiltered escape hatch for system code (migrations, audits across clinics,
    the vendor console). On PostgreSQL the same isolation is enforced again by row-level security (see rls.py).
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", editable=False)

    objects = TenantManager()
    all_tenants = models.Manager.from_queryset(TenantQuerySet)()

    tenant_isolated = True

    class Meta:
        abstract = True
        base_manager_name = "all_tenants"

    def save(self, *args, **kwargs) -> None:
        self.assign_tenant()
        super().save(*args, **kwargs)

    def assign_tenant(self) -> None:
        current = current_organization()
        if self.organization_id is None:
            if current is None:
                raise NoTenantError(f"Cannot save {type(self).__name__} without a clinic.")
            self.organization_id = current.pk
        elif current is not None and self.organization_id != current.pk:
            raise CrossTenantWriteError(
                f"Refusing to save {type(self).__name__} of clinic {self.organization_id} "
                f"while acting for clinic {current.pk}."
            )


class CrossTenantWriteError(PermissionError):
    """Raised when code acting for one clinic tries to write a row that belongs to another."""


location_phone_validator = RegexValidator(r"^\+?[0-9 ()./-]{7,20}$", "Enter a phone number such as (555) 123-4567.")
TELEHEALTH_PLACES = ("02", "10")


class PlaceOfService(models.TextChoices):
    """CMS place-of-service codes the clinic's sites bill under (the claim needs one per service line)."""

    OFFICE = "11", "11 Office"
    TELEHEALTH_HOME = "10", "10 Telehealth in the client's home"
    TELEHEALTH_OTHER = "02", "02 Telehealth elsewhere"
    COMMUNITY_MENTAL_HEALTH = "53", "53 Community mental health center"
    SCHOOL = "03", "03 School"


class Location(TenantModel):
    """One of a clinic's sites (or its telehealth service): the client's default location and where visits happen."""

    name = models.CharField(max_length=120)
    address_line1 = models.CharField("Address", max_length=200, blank=True)
    address_line2 = models.CharField("Address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    phone = models.CharField(max_length=20, blank=True, validators=[location_phone_validator])
    place_of_service = models.CharField(max_length=2, choices=PlaceOfService.choices, default=PlaceOfService.OFFICE)
    is_telehealth = models.BooleanField(default=False, help_text="A virtual location: no rooms, no address needed.")
    is_active = models.BooleanField(default=True, help_text="Inactive sites keep their history but take no bookings.")
    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: bumped by every change.")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="location_name_unique")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A site needs its street address (claims name the service facility); telehealth needs a telehealth
        place-of-service code and a site an in-person one, so claims never contradict the location."""
        errors = {}
        if self.is_telehealth:
            if self.place_of_service not in TELEHEALTH_PLACES:
                errors["place_of_service"] = "A telehealth location uses place of service 02 or 10."
        else:
            if self.place_of_service in TELEHEALTH_PLACES:
                errors["place_of_service"] = "Places of service 02 and 10 are for telehealth locations."
            for field in ("address_line1", "city", "state", "postal_code"):
                if not getattr(self, field).strip():
                    errors[field] = "Required for a location clients visit (not needed for telehealth)."
        if errors:
            raise ValidationError(errors)
