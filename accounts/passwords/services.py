"""Password life-cycle rules: when a change is due, when to remind, and the forgot-password tokens."""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from tenancy.models import Organization

RESET_LIFETIME = timedelta(minutes=60)
EXPIRY_REMINDER = timedelta(days=14)


def password_expires_at(user, organization: Organization):
    if not organization.password_expiry_days or user.password_changed_at is None:
        return None
    return user.password_changed_at + timedelta(days=organization.password_expiry_days)


def password_change_due(user, organization: Organization) -> bool:
    """A temporary password, or one older than the clinic allows."""
    if user.must_change_password:
        return True
    expires = password_expires_at(user, organization)
    return expires is not None and expires <= timezone.now()


def days_until_expiry_reminder(user, organization: Organization) -> int | None:
    """Days left when the password expires within the reminder window, else None."""
    expires = password_expires_at(user, organization)
    if expires is None:
        return None
    left = expires - timezone.now()
    if timedelta(0) < left <= EXPIRY_REMINDER:
        return max(1, left.days)
    return None


def new_reset_token() -> tuple[str, str]:
    """A random token for the link and the hash kept in the database."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
