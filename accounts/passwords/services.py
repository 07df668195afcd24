"""Password life-cycle: when a change is due, when to remind, the forgot-password links (request, check, complete;
a sign-in cancels them) and the notice that a password changed."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.passwords.models import PasswordResetRequest
from accounts.people.models import User
from accounts.staff.selectors import active_member_by_identifier
from accounts.tasks import send_password_changed_notice, send_password_reset
from audit.models import Outcome
from audit.services import record
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


def record_password_changed(user: User, *, request) -> None:
    record("auth.password_changed", request=request, actor=user)
    organization_id, user_id = request.organization.pk, user.pk
    transaction.on_commit(lambda: send_password_changed_notice.enqueue(organization_id, user_id))


@transaction.atomic
def request_password_reset(organization: Organization, identifier: str, *, request=None) -> None:
    """Email a reset link to the active staff member matching ``identifier``; silently nothing otherwise.

    A newer request cancels older links. The caller shows the same page either way.
    """
    membership = active_member_by_identifier(identifier)
    if membership is None:
        record("auth.password_reset_requested", request=request, outcome=Outcome.FAILURE, detail={"matched": False})
        return
    user = membership.user
    now = timezone.now()
    PasswordResetRequest.objects.filter(user=user, used_at=None, cancelled_at=None).update(cancelled_at=now)
    token, token_hash = new_reset_token()
    PasswordResetRequest.objects.create(
        user=user, organization=organization, token_hash=token_hash, expires_at=now + RESET_LIFETIME
    )
    record("auth.password_reset_requested", request=request, actor=user, target=membership)
    organization_id, user_id = organization.pk, user.pk
    transaction.on_commit(lambda: send_password_reset.enqueue(organization_id, user_id, token))


def find_password_reset(organization: Organization, token: str) -> PasswordResetRequest | None:
    reset = (
        PasswordResetRequest.objects.filter(organization=organization, token_hash=hash_token(token))
        .select_related("user")
        .first()
    )
    return reset if reset is not None and reset.usable else None


@transaction.atomic
def complete_password_reset(reset: PasswordResetRequest, *, password: str, request=None) -> None:
    """Set the new password. Every other session of the person ends, because Django ties sessions to the
    password hash; the person is told by email."""
    locked = PasswordResetRequest.objects.select_for_update().get(pk=reset.pk)
    if not locked.usable:
        raise ValidationError("This reset link has already been used or has expired.")
    user = reset.user
    user.set_password(password)
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    now = timezone.now()
    PasswordResetRequest.objects.filter(pk=reset.pk).update(used_at=now)
    PasswordResetRequest.objects.filter(user=user, used_at=None, cancelled_at=None).update(cancelled_at=now)
    record("auth.password_reset", request=request, actor=user)
    organization_id, user_id = reset.organization_id, user.pk
    transaction.on_commit(lambda: send_password_changed_notice.enqueue(organization_id, user_id))


def cancel_password_resets(user: User) -> None:
    """A successful sign-in shows the person knows their password: outstanding reset links stop working."""
    PasswordResetRequest.objects.filter(user=user, used_at=None, cancelled_at=None).update(cancelled_at=timezone.now())
