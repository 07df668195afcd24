"""The clinic's password policy, as a Django password validator.

A person may work for several clinics and has one password, so the strictest policy among the clinics they are
active in applies (plus the clinic in context, for someone not yet saved).
"""

import string
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

from accounts.staff.selectors import person_memberships
from tenancy.context import current_organization
from tenancy.models import Organization

DEFAULT_MIN_LENGTH = 12
DEFAULT_HISTORY = 5


@dataclass(frozen=True)
class Policy:
    min_length: int = DEFAULT_MIN_LENGTH
    require_mixed: bool = True
    history_count: int = DEFAULT_HISTORY

    def merge(self, organization: Organization) -> "Policy":
        return Policy(
            min_length=max(self.min_length, organization.password_min_length),
            require_mixed=self.require_mixed or organization.password_require_mixed,
            history_count=max(self.history_count, organization.password_history_count),
        )


def policy_for(user) -> Policy:
    organizations = []
    if user is not None and user.pk is not None:
        clinic_ids = [clinic_id for clinic_id, _ in person_memberships(user.pk)]
        organizations = list(Organization.objects.filter(pk__in=clinic_ids))
    current = current_organization()
    if current is not None:
        organizations.append(current)
    if not organizations:
        return Policy()
    policy = Policy(min_length=0, require_mixed=False, history_count=0)
    for organization in organizations:
        policy = policy.merge(organization)
    return policy


def _usernames(user) -> list[str]:
    if user is None or user.pk is None:
        return []
    return [username for _, username in person_memberships(user.pk)]


class ClinicPasswordValidator:
    """Length, character mix, username similarity and reuse, per the strictest applicable clinic policy."""

    def validate(self, password: str, user=None) -> None:
        policy = policy_for(user)
        errors = []
        if len(password) < policy.min_length:
            errors.append(f"Use at least {policy.min_length} characters.")
        if policy.require_mixed:
            missing = [
                label
                for label, present in (
                    ("an upper-case letter", any(c.isupper() for c in password)),
                    ("a lower-case letter", any(c.islower() for c in password)),
                    ("a digit", any(c.isdigit() for c in password)),
                    ("a symbol", any(c in string.punctuation or c.isspace() for c in password)),
                )
                if not present
            ]
            if missing:
                errors.append("Include " + ", ".join(missing) + ".")
        lowered = password.lower()
        for username in _usernames(user):
            name = username.lower()
            if name in lowered or SequenceMatcher(a=lowered, b=name).quick_ratio() >= 0.7:
                errors.append("Choose a password that is not similar to your username.")
                break
        if user is not None and user.pk is not None and policy.history_count:
            recent = user.password_history.values_list("password", flat=True)[: policy.history_count]
            if any(check_password(password, encoded) for encoded in recent):
                errors.append(f"Choose a password you have not used for your last {policy.history_count} passwords.")
        if errors:
            raise ValidationError(errors, code="password_policy")

    def password_changed(self, password: str, user=None) -> None:
        """Remember the new hash so it cannot be reused; keep only as many as any policy could need."""
        from accounts.passwords.models import PasswordHistory

        if user is None or user.pk is None:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = user.password_history.values_list("pk", flat=True)[24:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self) -> str:
        policy = policy_for(None)
        mixed = " with upper- and lower-case letters, a digit and a symbol" if policy.require_mixed else ""
        return f"At least {policy.min_length} characters{mixed}, not like your username or a recent password."
