"""Staff emails, sent by background tasks so a slow mail server never holds up a page.

Every message names the clinic and the person it is for, never a client: no PHI in subjects or bodies.
"""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from accounts.people.models import Membership, User
from accounts.staff.tokens import invitation_tokens
from core.clinic_time import clinic_zone
from tenancy.context import tenant_context
from tenancy.models import Organization
from tenancy.resolver import clinic_url


def _send(template: str, subject: str, user: User, context: dict) -> None:
    send_mail(
        subject=subject,
        message=render_to_string(f"accounts/email/{template}.txt", {"user": user, **context}),
        from_email=None,
        recipient_list=[user.email],
    )


@task()
def send_invitation(organization_id: int, membership_id: int) -> None:
    """Email a new staff member their sign-in link."""
    organization = Organization.objects.get(pk=organization_id)
    with tenant_context(organization):
        membership = Membership.objects.select_related("user").get(pk=membership_id)
        user = membership.user
        if user.has_usable_password():
            link = clinic_url(organization, reverse("accounts:login"))
        else:
            uid = urlsafe_base64_encode(force_bytes(membership.pk))
            token = invitation_tokens.make_token(user)
            link = clinic_url(organization, reverse("accounts:accept_invitation", args=[uid, token]))
        context = {
            "organization": organization,
            "membership": membership,
            "link": link,
            "has_password": user.has_usable_password(),
        }
        _send("invitation", f"You have been added to {organization.name} on Hearth", user, context)


@task()
def send_password_reset(organization_id: int, user_id: int, token: str) -> None:
    organization = Organization.objects.get(pk=organization_id)
    user = User.objects.get(pk=user_id)
    link = clinic_url(organization, reverse("accounts:password_reset_link", args=[token]))
    _send("password_reset", "Reset your Hearth password", user, {"organization": organization, "link": link})


@task()
def send_password_changed_notice(organization_id: int, user_id: int) -> None:
    organization = Organization.objects.get(pk=organization_id)
    user = User.objects.get(pk=user_id)
    link = clinic_url(organization, reverse("accounts:password_reset"))
    _send("password_changed", "Your Hearth password was changed", user, {"organization": organization, "link": link})


@task()
def send_new_device_alert(organization_id: int, user_id: int, device: str, ip: str, when: str) -> None:
    from datetime import datetime

    organization = Organization.objects.get(pk=organization_id)
    user = User.objects.get(pk=user_id)
    local = datetime.fromisoformat(when).astimezone(clinic_zone(organization))
    context = {
        "organization": organization,
        "device": device,
        "ip": ip,
        "when": local,
        "sessions_link": clinic_url(organization, reverse("accounts:my_sessions")),
    }
    _send("new_device", "New sign-in to your Hearth account", user, context)
