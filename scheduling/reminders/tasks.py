"""Background work for reminders: sending one reminder, retried when delivery fails.

django-tasks has no scheduler, so ``manage.py send_due_reminders --every 60`` (started by ``make run`` beside
the worker; cron or a systemd timer in production) runs the sweep (``services.sweep``), which queues
:func:`send_reminder` per reminder. As in ``tickets/tasks.py``, a failed delivery re-enqueues itself with the
next attempt number after a growing delay (where the backend can defer), and after ``MAX_ATTEMPTS`` the reminder
is marked failed, audited and logged by id only.
"""

import logging
import smtplib
from datetime import timedelta

from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import task

from audit.models import Outcome
from audit.services import record
from scheduling.reminders import services as reminders
from scheduling.reminders import sms
from scheduling.reminders.models import AppointmentReminder, Channel, ReminderStatus
from tenancy.context import tenant_context
from tenancy.models import Organization

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 4
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15))


class ReminderNotSent(Exception):
    """The mail server or SMS provider refused or could not be reached on every attempt."""


def _retry(organization_id: int, reminder_id: int, attempt: int) -> None:
    delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]
    retry = send_reminder
    if retry.get_backend().supports_defer:
        retry = retry.using(run_after=timezone.now() + delay)
    retry.enqueue(organization_id, reminder_id, attempt + 1)


def _deliver(reminder: AppointmentReminder, message: reminders.Message) -> None:
    client = reminder.client
    if reminder.channel == Channel.EMAIL:
        EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=message.from_email,
            to=[client.email],
            reply_to=message.reply_to,
        ).send()
    else:
        sms.send_sms(sms.to_e164(client.phone), message.sms)


@task()
def send_reminder(organization_id: int, reminder_id: int, attempt: int = 1) -> str:
    """Send one claimed reminder. The row is claimed for this attempt first (``attempts`` moves from
    ``attempt - 1`` to ``attempt`` in one UPDATE), so a task run twice sends once."""
    organization = Organization.objects.get(pk=organization_id)
    with tenant_context(organization):
        claimed = AppointmentReminder.objects.filter(
            pk=reminder_id, status=ReminderStatus.PENDING, attempts=attempt - 1
        ).update(attempts=attempt)
        if not claimed:
            return "already handled"
        reminder = AppointmentReminder.objects.select_related(
            "appointment__location", "appointment__appointment_type", "client"
        ).get(pk=reminder_id)
        now = timezone.now()
        config = reminders.clinic_settings()
        reason = reminders.why_not_send(reminder, now=now)
        if not config.enabled or reminder.channel not in config.channels:
            reason = "reminders turned off before sending"
        if reason:
            reminders.mark(reminder_id, ReminderStatus.SKIPPED, reason=reason)
            return "skipped"
        message = reminders.compose(reminder, organization, config)
        try:
            _deliver(reminder, message)
        except (smtplib.SMTPException, OSError, sms.SmsError) as error:
            if attempt >= MAX_ATTEMPTS:
                reminders.mark(reminder_id, ReminderStatus.FAILED, reason=f"not delivered ({type(error).__name__})")
                logger.error(
                    "Reminder %s not delivered after %s attempts (%s)", reminder_id, attempt, type(error).__name__
                )
                record(
                    "appointment.reminder_failed",
                    organization=organization,
                    target=reminder.appointment,
                    client_id=reminder.client_id,
                    outcome=Outcome.FAILURE,
                    detail={"reminder_id": reminder_id, "channel": reminder.channel, "attempts": attempt},
                )
                raise ReminderNotSent(f"reminder {reminder_id}") from error
            AppointmentReminder.objects.filter(pk=reminder_id).update(status=ReminderStatus.PENDING)
            logger.warning("Reminder %s: attempt %s failed (%s); retrying", reminder_id, attempt, type(error).__name__)
        else:
            reminders.mark(reminder_id, ReminderStatus.SENT, now=now)
            # Telling the client when and where they are expected discloses that they are a client: audited.
            record(
                "appointment.reminder_sent",
                organization=organization,
                target=reminder.appointment,
                client_id=reminder.client_id,
                detail={"reminder_id": reminder_id, "channel": reminder.channel, "lead_hours": reminder.lead_hours},
            )
            return "sent"
    _retry(organization_id, reminder_id, attempt)
    return "retrying"
