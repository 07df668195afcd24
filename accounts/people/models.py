"""People, their place in each clinic, and their roles there."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.roles import Role
from core.versioning import VersionedModel
from tenancy.models import TenantModel

username_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$",
    "Use 2–40 letters, digits, dots, hyphens or underscores, starting with a letter or digit.",
)


class UserManager(BaseUserManager):
    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """A person. The same person may work for several clinics through one Membership each.

    The password and sign-in factors belong to the person; the username, roles and active state belong to the
    membership, because each clinic's administrator controls them independently.
    """

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    must_change_password = models.BooleanField(
        default=False, help_text="Set when an administrator issued a temporary password."
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args, **kwargs) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now() if raw_password is not None else None
        self.must_change_password = False


class Membership(TenantModel, VersionedModel):
    """A person's staff record in one clinic: username (unique in the clinic), roles and whether active."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    username = models.CharField(max_length=40, validators=[username_validator])
    title = models.CharField(max_length=100, blank=True, help_text="Job title shown to colleagues.")
    credentials = models.CharField(
        max_length=60, blank=True, help_text="Licence or degree shown after the name on signed notes, e.g. LCSW."
    )
    is_active = models.BooleanField(default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint("organization", Lower("username"), name="membership_username_unique_in_org"),
            models.UniqueConstraint(fields=["organization", "user"], name="membership_one_per_person_per_org"),
        ]
        indexes = [models.Index(fields=["organization", "is_active"])]

    def __str__(self) -> str:
        return f"{self.user.full_name} ({self.username})"

    @property
    def roles(self) -> frozenset[str]:
        """The membership's roles; one query unless prefetched with ``role_assignments``."""
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = frozenset(assignment.role for assignment in self.role_assignments.all())
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def signature_name(self) -> str:
        """The name as it appears under a signature: "Casey Clinician, LCSW"."""
        return f"{self.user.full_name}, {self.credentials}" if self.credentials else self.user.full_name

    def role_labels(self) -> list[str]:
        return [label for value, label in Role.choices if value in self.roles]


class RoleAssignment(TenantModel):
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=32, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["membership", "role"], name="role_once_per_membership")]

    def __str__(self) -> str:
        return self.get_role_display()
