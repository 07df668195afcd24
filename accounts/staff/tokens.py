from django.contrib.auth.tokens import PasswordResetTokenGenerator


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Invitation links: valid until the invitee sets a password (the token covers the password hash)."""

    key_salt = "hearth.accounts.invitation"


invitation_tokens = InvitationTokenGenerator()
