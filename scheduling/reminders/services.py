"""Appointment reminders: which are due (the sweep), what they say, and the client's answer through a signed link.

Guarantees:

- **Never twice.** The sweep inserts an ``AppointmentReminder`` row per client, channel, lead time and start
  before anything is sent; the unique constraint refuses a second row, so two sweeps running at once (or one run
  twice) claim each reminder once. The sending task claims the row again (``attempts`` compare-and-set) so a
  task that is delivered twice sends once.
- **Only with consent.** A client without consent for the channel, or without an address or number for it, gets
  a ``skipped`` row saying why (staff see it on the appointment), never a message.
- **No clinical detail.** Messages name the clinic, the time in the clinic's zone and the place (or "online");
  never the client's name, the appointment type or the clinician. Subjects are fixed text.
- **Moves and cancellations.** Rows carry the start they were for: a moved appointment is reminded about for
  its new time; a reminder that has not gone out yet when its appointment was moved or cancelled is skipped.
"""

import datetime
import zoneinfo
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.people.models import Membership
from audit.services import record
from clients.records.models import Client, ClientStatus
from core.errors import ConflictError
from core.params import whole_number
from core.versioning import versioned_update
from scheduling.appointments import services
from scheduling.appointments.models import OPEN_STATUSES, Appointment, CancelledBy, Status
from scheduling.reminders import sms
from scheduling.reminders.models import (
    LEAD_CHOICES,
    AppointmentReminder,
    Channel,
    ReminderResponse,
    ReminderSettings,
    ReminderStatus,
)
from tenancy.context import require_organization, tenant_context
from tenancy.models import Organization
from tenancy.resolver import clinic_url

DEFAULT_LEADS = [48]
MAX_LEADS = 3
# Reminders due less than this before the start are not worth sending (and a link could not be used in time).
MIN_NOTICE = datetime.timedelta(minutes=15)
LINK_SALT = "scheduling.reminder-link"
CANCEL_REASON = "Cancelled by the client from a reminder link"
SUBJECT = "Appointment reminder"


# --- Settings ------------------------------------------------------------------------------------------------


def clinic_settings() -> ReminderSettings:
    """The clinic's reminder settings, or unsaved defaults (off) when an administrator never set them."""
    return ReminderSettings.objects.first() or ReminderSettings(lead_hours=list(DEFAULT_LEADS))


@transaction.atomic
def save_settings(*, actor: Membership, expected_version: int, changes: dict, request=None) -> ReminderSettings:
    """Save an administrator's reminder settings, refusing a stale form (optimistic lock); audited by field."""
    leads = changes.get("lead_hours")
    if leads is not None:
        leads = sorted({int(h) for h in leads}, reverse=True)
        if not leads and changes.get("enabled", True):
            raise ValidationError({"lead_hours": "Choose when reminders go out (at least one time)."})
        if len(leads) > MAX_LEADS:
            raise ValidationError({"lead_hours": f"Choose at most {MAX_LEADS} times, so clients aren't flooded."})
        if any(h not in dict(LEAD_CHOICES) for h in leads):
            raise ValidationError({"lead_hours": "Choose from the times offered."})
        changes["lead_hours"] = leads

    def check(current: ReminderSettings) -> None:
        if current.enabled and not current.channels:
            raise ValidationError("Choose email, text message or both, or turn reminders off.")

    saved = ReminderSettings.objects.first()
    if saved is not None:
        current = versioned_update(saved, expected_version=expected_version, changes=changes, check=check)
    elif expected_version != 1:
        raise ConflictError()
    else:
        current = ReminderSettings(**{"lead_hours": list(DEFAULT_LEADS), **changes})
        check(current)
        current.save()
    record(
        "schedule.reminder_settings_changed",
        request=request,
        actor=actor.user,
        target=current,
        detail={"fields": sorted(changes), "enabled": current.enabled},
    )
    return current


# --- The sweep -----------------------------------------------------------------------------------------------


def windows(leads: list[int]) -> list[tuple[int, datetime.timedelta, datetime.timedelta]]:
    """Each lead time's window of starts, relative to now: a reminder is due when its time has come and the next
    (shorter) one's has not, so a late booking or a stopped worker sends one reminder, never a burst."""
    ordered = sorted(set(leads), reverse=True)
    result = []
    for i, lead in enumerate(ordered):
        lower = datetime.timedelta(hours=ordered[i + 1]) if i + 1 < len(ordered) else MIN_NOTICE
        result.append((lead, lower, datetime.timedelta(hours=lead)))
    return result


def _skip_reason(client: Client, channel: str) -> str:
    if client.status in (ClientStatus.DISCHARGED, ClientStatus.ENTERED_IN_ERROR):
        return f"client is {client.get_status_display().lower()}"
    if channel == Channel.EMAIL:
        if not client.consent_to_email:
            return "no consent to email"
        if not client.email:
            return "no email address on file"
    else:
        if not client.consent_to_text:
            return "no consent to text messages"
        if not client.phone:
            return "no phone number on file"
        if sms.to_e164(client.phone) is None:
            return "phone number can't receive texts"
    return ""


def sweep_clinic(config: ReminderSettings, *, now: datetime.datetime) -> list[int]:
    """Claim the reminders due now in the clinic in context; returns the ids to send (the sending is queued on
    commit). Runs one query per lead time and channel to find appointments without a row yet."""
    claimed: list[int] = []
    with transaction.atomic():
        for lead, lower, upper in windows(config.leads):
            for channel in config.channels:
                already = AppointmentReminder.objects.filter(
                    appointment=OuterRef("pk"),
                    channel=channel,
                    lead_hours=lead,
                    appointment_start=OuterRef("start"),
                )
                due = (
                    Appointment.objects.filter(status__in=OPEN_STATUSES, start__gt=now + lower, start__lte=now + upper)
                    .filter(~Exists(already))
                    .prefetch_related("client_links__client")
                )
                for appointment in due:
                    for link in appointment.client_links.all():
                        reason = _skip_reason(link.client, channel)
                        row = AppointmentReminder(
                            appointment=appointment,
                            client=link.client,
                            channel=channel,
                            lead_hours=lead,
                            appointment_start=appointment.start,
                            status=ReminderStatus.SKIPPED if reason else ReminderStatus.PENDING,
                            reason=reason,
                            created_at=now,
                        )
                        try:
                            with transaction.atomic():
                                row.save()
                        except IntegrityError:
                            continue  # another sweep claimed it first
                        if not reason:
                            claimed.append(row.pk)
        organization_id = require_organization().pk

        def enqueue() -> None:
            from scheduling.reminders.tasks import send_reminder

            for pk in claimed:
                send_reminder.enqueue(organization_id, pk)

        transaction.on_commit(enqueue)
    return claimed


def sweep(*, now: datetime.datetime | None = None) -> int:
    """Claim due reminders in every clinic that has them on; returns how many were queued for sending."""
    now = now or timezone.now()
    total = 0
    configs = ReminderSettings.all_tenants.filter(enabled=True, organization__is_active=True).select_related(
        "organization"
    )
    for config in list(configs):
        with tenant_context(config.organization):
            total += len(sweep_clinic(config, now=now))
    return total


# --- What a reminder says ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    sms: str
    from_email: str
    reply_to: list[str]


def signer(organization: Organization) -> signing.TimestampSigner:
    """Per clinic, so a link from one clinic's reminder is not even well-formed at another's address."""
    return signing.TimestampSigner(salt=f"{LINK_SALT}:{organization.pk}", sep=".")


def token_for(reminder: AppointmentReminder, organization: Organization) -> str:
    return signer(organization).sign(str(reminder.pk))


def links_allowed(appointment: Appointment) -> bool:
    """A group session is not one client's to confirm or cancel: its reminders carry no links."""
    return len(appointment.client_links.all()) == 1


def when_text(start: datetime.datetime, zone: str) -> str:
    local = start.astimezone(zoneinfo.ZoneInfo(zone))
    clock = local.strftime("%I:%M %p").lstrip("0")
    return f"{local:%A, %B} {local.day}, {local.year} at {clock} ({local.tzname()})"


def where_text(appointment: Appointment) -> str:
    place = appointment.location
    if place.is_telehealth:
        return "Online (telehealth)"
    parts = [place.name, place.address_line1, place.address_line2, place.city]
    return ", ".join(p for p in parts if p)


def compose(reminder: AppointmentReminder, organization: Organization, config: ReminderSettings) -> Message:
    """The reminder's text for both channels. Nothing about the client or the kind of visit appears."""
    appointment = reminder.appointment
    sender = config.sender_name or organization.name
    link = ""
    if links_allowed(appointment):
        token = token_for(reminder, organization)
        link = clinic_url(organization, reverse("scheduling:reminder_reply", args=[token]))
    context = {
        "sender": sender,
        "when": when_text(appointment.start, organization.time_zone),
        "where": where_text(appointment),
        "link": link,
        "confirm_link": f"{link}confirm/" if link else "",
        "cancel_link": f"{link}cancel/" if link else "",
        "phone": appointment.location.phone,
    }
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return Message(
        subject=f"{SUBJECT} from {sender}",
        body=render_to_string("scheduling/reminders/email.txt", context),
        sms=" ".join(render_to_string("scheduling/reminders/sms.txt", context).split()),
        from_email=formataddr((sender, address)),
        reply_to=[config.reply_to] if config.reply_to else [],
    )


def why_not_send(reminder: AppointmentReminder, *, now: datetime.datetime) -> str:
    """Checked again just before sending: things change between the sweep and the worker (or a retry)."""
    appointment = reminder.appointment
    if appointment.status not in OPEN_STATUSES:
        return f"appointment {appointment.get_status_display().lower()} before sending"
    if appointment.start != reminder.appointment_start:
        return "appointment moved before sending (reminded for the new time)"
    if appointment.start - now < MIN_NOTICE:
        return "too late: the appointment was about to start"
    return _skip_reason(reminder.client, reminder.channel)


def mark(reminder_id: int, status: str, *, reason: str = "", now: datetime.datetime | None = None) -> None:
    fields: dict[str, object] = {"status": status, "reason": reason[:120]}
    if status == ReminderStatus.SENT:
        fields["sent_at"] = now or timezone.now()
    AppointmentReminder.objects.filter(pk=reminder_id).update(**fields)


# --- Answers through the signed link -------------------------------------------------------------------------


class LinkProblem(Exception):
    """The link can't be used; ``title`` and ``message`` are shown to the client as they are."""

    def __init__(self, title: str, message: str, status: int = 410):
        super().__init__(title)
        self.title, self.message, self.status = title, message, status


def reminder_for_token(token: str, organization: Organization) -> AppointmentReminder:
    """The reminder a link is for, in the clinic in context; expired, altered or foreign links are refused."""
    max_age = datetime.timedelta(days=settings.HEARTH_REMINDER_LINK_DAYS)
    try:
        value = signer(organization).unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkProblem(
            "This link has expired", "Reminder links work for a limited time. Please contact the clinic."
        ) from None
    except signing.BadSignature:
        raise LinkProblem(
            "This link doesn't work",
            "The link is incomplete or was changed. Use the link exactly as it appears in your reminder, "
            "or contact the clinic.",
            status=400,
        ) from None
    pk = whole_number(value)
    reminder = (
        AppointmentReminder.objects.select_related("appointment__location", "client")
        .filter(pk=pk, status=ReminderStatus.SENT)
        .first()
        if pk is not None
        else None
    )
    if reminder is None:
        raise LinkProblem("This link doesn't work", "Please contact the clinic.", status=404)
    return reminder


def check_usable(reminder: AppointmentReminder, *, now: datetime.datetime) -> None:
    appointment = reminder.appointment
    if reminder.response:
        done = reminder.get_response_display().lower()
        raise LinkProblem(
            "This link has been used",
            f"The appointment was already {done} with this link. To change anything, please contact the clinic.",
        )
    if not links_allowed(appointment):
        raise LinkProblem("Please contact the clinic", "This appointment can't be changed online.", status=400)
    if appointment.status == Status.CANCELLED:
        raise LinkProblem("This appointment was cancelled", "There is nothing to confirm. Please contact the clinic.")
    if appointment.start != reminder.appointment_start:
        raise LinkProblem(
            "This appointment has changed",
            "Its time changed after this reminder was sent. You will get a reminder for the new time.",
        )
    if appointment.start <= now or appointment.status not in OPEN_STATUSES:
        raise LinkProblem("This appointment has passed", "Please contact the clinic if something is wrong.")


@transaction.atomic
def respond(reminder: AppointmentReminder, *, answer: str, request=None) -> Appointment:
    """Confirm or cancel the reminder's appointment for the client, through the calendar's own services (so
    the late-cancellation rule and the audit trail are the same as at the front desk). A link answers once."""
    if answer not in ReminderResponse.values:
        raise LinkProblem("Choose confirm or cancel", "Please use one of the buttons.", status=400)
    locked = AppointmentReminder.objects.select_for_update().get(pk=reminder.pk)
    reminder.response = locked.response
    now = timezone.now()
    check_usable(reminder, now=now)
    appointment = reminder.appointment
    actor = services.ClientActor()
    if answer == ReminderResponse.CONFIRMED:
        if appointment.status != Status.CONFIRMED:
            appointment = services.set_status(
                appointment,
                actor=actor,
                expected_version=appointment.version,
                status=Status.CONFIRMED,
                request=request,
            )
    else:
        appointment = services.cancel(
            appointment,
            actor=actor,
            expected_version=appointment.version,
            cancelled_by=CancelledBy.CLIENT,
            reason=CANCEL_REASON,
            request=request,
        )[0]
    AppointmentReminder.objects.filter(pk=reminder.pk).update(response=answer, responded_at=now)
    reminder.response, reminder.responded_at = answer, now
    return appointment


def for_appointment(appointment: Appointment) -> list[AppointmentReminder]:
    """The reminders decided for an appointment, for its page (one query)."""
    return list(AppointmentReminder.objects.filter(appointment=appointment).select_related("client"))
