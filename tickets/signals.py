"""Sign-in computes the person's unread notification count, so the first page they see costs no query for it."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts.people.models import Membership
from tickets import selectors


@receiver(user_logged_in)
def count_unread_on_sign_in(sender, request, user, **kwargs) -> None:
    if getattr(request, "organization", None) is None:  # not a clinic sign-in (a test client's force_login)
        return
    membership = Membership.objects.filter(user=user, is_active=True).first()
    if membership is not None:
        selectors.unread_count(membership)
