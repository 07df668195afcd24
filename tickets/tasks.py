"""Ticket notification emails, sent by a background task and retried when the mail server fails.

The installed django-tasks (0.12) has no retry of its own, so a failed send re-enqueues the task with the next
attempt number, after a growing delay where the backend can defer (the database backend can; the immediate
backend used in tests runs the retry at once). After ``MAX_EMAIL_ATTEMPTS`` the notification is marked failed,
the failure is audited and logged (ids only), and the task fails so the worker's records show it too; the in-app
notification is there either way.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from audit.models import Outcome
from audit.services import record
from tenancy.context import tenant_context
from tenancy.models import Organization
from tenancy.resolver import clinic_url
from tickets.models import EmailState, Notification

logger = logging.getLogger(__name__)
MAX_EMAIL_ATTEMPTS = 5
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))


class EmailNotSent(Exception):
    """The mail server refused or could not be reached on every attempt."""


def _retry(organization_id: int, notification_id: int, attempt: int) -> None:
    delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]
    retry = send_notification_email
    if retry.get_backend().supports_defer:
        retry = retry.using(run_after=timezone.now() + delay)
    retry.enqueue(organization_id, notification_id, attempt + 1)


@task()
def send_notification_email(organization_id: int, notification_id: int, attempt: int = 1) -> str:
    """Email one notification: ticket number, title, status and a link; never the description or comments."""
    organization = Organization.objects.get(pk=organization_id)
    with tenant_context(organization):
        notification = (
            Notification.objects.select_related("recipient__user", "ticket").filter(pk=notification_id).first()
        )
        if notification is None or notification.email_state != EmailState.PENDING:
            return "skipped"
        if not notification.recipient.is_active:
            Notification.objects.filter(pk=notification_id).update(email_state=EmailState.NONE)
            return "recipient inactive"
        ticket = notification.ticket
        context = {
            "organization": organization,
            "notification": notification,
            "ticket": ticket,
            "recipient": notification.recipient.user,
            # The clinic's URLconf by name: a task run inside a console request would otherwise see the console's.
            "link": clinic_url(
                organization, reverse("tickets:detail", args=[ticket.pk], urlconf=settings.ROOT_URLCONF)
            ),
        }
        try:
            send_mail(
                subject=f"[{organization.name}] Ticket {ticket.number}: {notification.get_kind_display()}",
                message=render_to_string("tickets/email/notification.txt", context),
                from_email=None,
                recipient_list=[notification.recipient.user.email],
            )
        except (smtplib.SMTPException, OSError) as error:
            Notification.objects.filter(pk=notification_id).update(email_attempts=attempt)
            if attempt >= MAX_EMAIL_ATTEMPTS:
                Notification.objects.filter(pk=notification_id).update(email_state=EmailState.FAILED)
                logger.error(
                    "Ticket notification %s not emailed after %s attempts (%s)",
                    notification_id,
                    attempt,
                    type(error).__name__,
                )
                record(
                    "ticket.email_failed",
                    organization=organization,
                    object_type="tickets.notification",
                    object_id=str(notification_id),
                    outcome=Outcome.FAILURE,
                    detail={"ticket_id": ticket.pk, "attempts": attempt, "error": type(error).__name__},
                )
                raise EmailNotSent(f"notification {notification_id}") from error
            logger.warning(
                "Ticket notification %s: attempt %s failed (%s); retrying",
                notification_id,
                attempt,
                type(error).__name__,
            )
        else:
            Notification.objects.filter(pk=notification_id).update(
                email_state=EmailState.SENT, email_attempts=attempt, emailed_at=timezone.now()
            )
            return "sent"
    _retry(organization_id, notification_id, attempt)
    return "retrying"
