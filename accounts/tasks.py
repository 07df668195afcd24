from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from accounts.models import Membership
from accounts.tokens import invitation_tokens
from tenancy.context import tenant_context
from tenancy.models import Organization
from tenancy.resolver import clinic_url


@task()
def send_invitation(organization_id: int, membership_id: int) -> None:
    """Email a new staff member their sign-in link. The message names the clinic, never a client."""
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
        send_mail(
            subject=f"You have been added to {organization.name} on Hearth",
            message=render_to_string("accounts/email/invitation.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
