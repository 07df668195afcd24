"""Every model of the accounts app, for Django's model registry; code imports them from their feature."""

from accounts.mfa.models import SecurityKey
from accounts.passwords.models import PasswordHistory, PasswordResetRequest
from accounts.people.models import Membership, RoleAssignment, User
from accounts.sessions.models import UserSession
from accounts.sso.models import OidcConfiguration

__all__ = [
    "Membership",
    "OidcConfiguration",
    "PasswordHistory",
    "PasswordResetRequest",
    "RoleAssignment",
    "SecurityKey",
    "User",
    "UserSession",
]
