from django.core.mail import send_mail
from django.urls import reverse
from django_tasks import task

from accounts.people.models import Membership
from accounts.roles import Role
from clients.records.models import EmergencyAccess
from tenancy.context import tenant_context
from tenancy.models import Organization
from tenancy.resolver import clinic_url


@task()
def notify_emergency_access(organization_id: int, access_id: int) -> None:
    """Tell the clinic's administrators; the email names the client by number only, never by name."""
    organization = Organization.objects.get(pk=organization_id)
    with tenant_context(organization):
        access = EmergencyAccess.objects.select_related("client", "membership__user").get(pk=access_id)
        admins = Membership.objects.filter(is_active=True, role_assignments__role=Role.ADMINISTRATOR).select_related(
            "user"
        )
        link = clinic_url(organization, reverse("clients:chart", args=[access.client_id]))
        send_mail(
            subject=f"Emergency access to client {access.client.number} at {organization.name}",
            message=(
                f"{access.membership.user.full_name} opened the chart of client {access.client.number} outside "
                f"their caseload at {access.granted_at:%Y-%m-%d %H:%M} UTC, giving a reason.\n\n"
                f"Review it in the audit log, or open the chart: {link}\n"
            ),
            from_email=None,
            recipient_list=[m.user.email for m in admins],
        )
