"""Questionnaire links sent to a client, the waiting-room tablet hand-over, and per-client schedules.

Guarantees:

- **Token never stored in clear.** A link carries 32 random bytes; only their SHA-256 is kept (``MeasureLink``).
- **Consent respected, no PHI.** A link goes by email or text only with the client's consent to that channel and an
  address for it. The message names the clinic and the expiry, never the client, the instrument or the clinician;
  the subject is fixed text. Texts go through the scheduling app's provider interface (``HEARTH_SMS_BACKEND``).
- **Once, in time, to the right person.** The client confirms their date of birth; five wrong tries lock the link.
  A link answers once (``used_at`` set with the answers, under a row lock) and expires. An expired, used, locked or
  unknown link shows one page that reveals nothing about the client.
"""

import datetime
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.people.models import Membership
from audit.services import record
from clients.records.models import Client, ClientStatus
from core.clinic_time import clinic_zone
from measures.administrations import services as administrations
from measures.administrations.models import Administration, Method
from measures.instruments.models import Instrument
from measures.links.models import Channel, MeasureLink, MeasureSchedule, Rule
from scheduling.appointments.models import OPEN_STATUSES, AppointmentClient, Status
from scheduling.reminders import sms
from tenancy.context import require_organization, tenant_context
from tenancy.models import Organization
from tenancy.resolver import clinic_url

LINK_LIFETIME = datetime.timedelta(days=3)
KIOSK_LIFETIME = datetime.timedelta(minutes=30)
MAX_CHECKS = 5
SUBJECT = "A short questionnaire from your clinic"
LINK_ACTOR = "client via questionnaire link"
KIOSK_ACTOR = "client on the waiting-room tablet"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def why_not(client: Client, channel: str) -> str:
    """Why a link can't go to ``client`` by ``channel`` (empty when it can); never the address itself."""
    if client.status in (ClientStatus.DISCHARGED, ClientStatus.ENTERED_IN_ERROR):
        return f"The client is {client.get_status_display().lower()}."
    if channel == Channel.EMAIL:
        if not client.consent_to_email:
            return "The client has not consented to email."
        if not client.email:
            return "There is no email address on file."
    elif channel == Channel.SMS:
        if not client.consent_to_text:
            return "The client has not consented to text messages."
        if not client.phone or sms.to_e164(client.phone) is None:
            return "There is no phone number on file that can receive texts."
    return ""


def _create(client: Client, instrument: Instrument, *, channel: str, actor: Membership | None, lifetime, now):
    token = secrets.token_urlsafe(32)
    link = MeasureLink.objects.create(
        client=client,
        instrument=instrument,
        token_hash=digest(token),
        channel=channel,
        created_by=actor,
        created_at=now,
        expires_at=now + lifetime,
    )
    return link, token


@transaction.atomic
def send_link(
    client: Client, *, actor: Membership | None, instrument: Instrument, channel: str, request=None, now=None
) -> MeasureLink:
    """Create a one-time link and send it (after commit) by email or text; ``actor`` None means a schedule sent it."""
    if channel not in (Channel.EMAIL, Channel.SMS):
        raise ValidationError({"channel": "Choose email or text message."})
    if not instrument.is_active:
        raise ValidationError({"instrument": "Choose one of the questionnaires offered."})
    reason = why_not(client, channel)
    if reason:
        raise ValidationError({"channel": reason})
    now = now or timezone.now()
    link, token = _create(client, instrument, channel=channel, actor=actor, lifetime=LINK_LIFETIME, now=now)
    record(
        "measures.link_sent",
        request=request,
        actor=actor.user if actor else None,
        actor_label="" if actor else "questionnaire schedule",
        target=link,
        client_id=client.pk,
        detail={"instrument": instrument.key, "channel": channel},
    )
    organization = require_organization()
    url = clinic_url(organization, reverse("measures:answer", args=[token]))
    expires = timezone.localtime(link.expires_at, clinic_zone(organization))
    body = (
        f"{organization.name} asks you to answer a short questionnaire before your next visit. "
        f"It takes a few minutes: {url} (the link works once, until {expires:%B %-d}). "
        "You will be asked for your date of birth."
    )
    to = str(client.email if channel == Channel.EMAIL else sms.to_e164(client.phone))

    def deliver() -> None:
        if channel == Channel.EMAIL:
            EmailMessage(subject=SUBJECT, body=body, to=[to]).send()
        else:
            sms.send_sms(to, body)

    transaction.on_commit(deliver)
    return link


class LinkProblem(Exception):
    """Shown as it is: the same words whatever is wrong with a link, so the page reveals nothing."""

    title = "This link can't be used"
    message = (
        "It may have expired, been used already, or be incomplete. If your clinic asked you to answer a "
        "questionnaire, please contact them for a new link."
    )


def link_for_token(token: str, *, now: datetime.datetime | None = None) -> MeasureLink:
    """The usable link for ``token`` in the clinic in context, or ``LinkProblem``."""
    now = now or timezone.now()
    link = (
        MeasureLink.objects.select_related("client", "instrument").filter(token_hash=digest(token)).first()
        if 20 <= len(token) <= 100
        else None
    )
    if link is None or link.used_at is not None or link.expires_at <= now or link.failed_checks >= MAX_CHECKS:
        raise LinkProblem()
    return link


@transaction.atomic
def check_birth_date(link: MeasureLink, born: datetime.date, *, request=None) -> bool:
    """Whether the person holding the link gave the client's date of birth; wrong tries count toward the lock."""
    current = MeasureLink.objects.select_for_update().select_related("client").get(pk=link.pk)
    if current.failed_checks >= MAX_CHECKS:
        raise LinkProblem()
    if current.client.date_of_birth == born:
        record(
            "measures.link_opened",
            request=request,
            actor_label=LINK_ACTOR,
            target=current,
            client_id=current.client_id,
            detail={"instrument": link.instrument.key},
        )
        return True
    current.failed_checks += 1
    current.save(update_fields=["failed_checks"])
    record(
        "measures.link_check_failed",
        request=request,
        actor_label=LINK_ACTOR,
        target=current,
        client_id=current.client_id,
        outcome="denied",
        detail={"failed_checks": current.failed_checks, "locked": current.failed_checks >= MAX_CHECKS},
    )
    return False


@transaction.atomic
def answer(link: MeasureLink, *, answers: list[int | None], request=None) -> Administration:
    """Save the client's answers through a link or the tablet, once."""
    current = MeasureLink.objects.select_for_update().get(pk=link.pk)
    now = timezone.now()
    if current.used_at is not None or current.expires_at <= now:
        raise LinkProblem()
    kiosk = current.channel == Channel.KIOSK
    administration = administrations.record_administration(
        link.client,
        link.instrument,
        answers=answers,
        method=Method.KIOSK if kiosk else Method.LINK,
        actor_label=KIOSK_ACTOR if kiosk else LINK_ACTOR,
        request=request,
        now=now,
    )
    current.used_at, current.administration = now, administration
    current.save(update_fields=["used_at", "administration"])
    return administration


@transaction.atomic
def start_kiosk(client: Client, *, actor: Membership, instrument: Instrument, request=None) -> str:
    """Hand the tablet to the client for one questionnaire: returns the token the tablet's session keeps (the view
    then signs the staff member out, so the tablet shows the questionnaire and nothing else)."""
    if not instrument.is_active:
        raise ValidationError({"instrument": "Choose one of the questionnaires offered."})
    link, token = _create(
        client, instrument, channel=Channel.KIOSK, actor=actor, lifetime=KIOSK_LIFETIME, now=timezone.now()
    )
    record(
        "measures.kiosk_started",
        request=request,
        actor=actor.user,
        target=link,
        client_id=client.pk,
        detail={"instrument": instrument.key},
    )
    return token


# --- Schedules -------------------------------------------------------------------------------------------------


@transaction.atomic
def set_schedule(
    client: Client, *, actor: Membership, instrument: Instrument, rule: str, every: int, request=None
) -> MeasureSchedule | None:
    """Replace the client's schedule for ``instrument``; ``rule`` "" stops it."""
    MeasureSchedule.objects.select_for_update().filter(client=client, instrument=instrument, is_active=True).update(
        is_active=False
    )
    schedule = None
    if rule:
        if rule not in Rule.values:
            raise ValidationError({"rule": "Choose how often."})
        if rule == Rule.EVERY_SESSION:
            every = 1
        if not 1 <= every <= 52:
            raise ValidationError({"every": "Choose a number from 1 to 52."})
        schedule = MeasureSchedule.objects.create(
            client=client, instrument=instrument, rule=rule, every=every, created_by=actor
        )
    record(
        "measures.schedule_set",
        request=request,
        actor=actor.user,
        target=schedule or client,
        client_id=client.pk,
        detail={"instrument": instrument.key, "rule": rule, "every": every if rule else None},
    )
    return schedule


def is_due(
    schedule: MeasureSchedule,
    *,
    sessions_since_last: int,
    last_completed: datetime.datetime | None,
    now: datetime.datetime,
) -> bool:
    """Whether the client should be asked before their next session under ``schedule``.

    ``sessions_since_last`` counts the client's attended sessions since they last completed the instrument."""
    if last_completed is None:
        return True
    if schedule.rule == Rule.EVERY_SESSION:
        return sessions_since_last >= 1
    if schedule.rule == Rule.EVERY_N_SESSIONS:
        return sessions_since_last >= schedule.every
    return now - last_completed >= datetime.timedelta(weeks=schedule.every) - datetime.timedelta(days=1)


SWEEP_AHEAD = datetime.timedelta(hours=48)


def sweep_clinic(*, now: datetime.datetime) -> int:
    """Send the links the clinic's schedules call for before appointments in the next 48 hours; returns how many.

    A client is asked once per appointment window: an unused, unexpired link for the instrument means "already
    asked". The channel is email when the client consented to it, else text; neither means no link (schedules never
    override consent)."""
    sent = 0
    schedules = MeasureSchedule.objects.filter(is_active=True).select_related("client", "instrument")
    for schedule in schedules:
        client, instrument = schedule.client, schedule.instrument
        links = AppointmentClient.objects.filter(client=client)
        upcoming = links.filter(
            appointment__status__in=OPEN_STATUSES,
            appointment__start__gt=now,
            appointment__start__lte=now + SWEEP_AHEAD,
        )
        if not upcoming.exists():
            continue
        if (
            MeasureLink.objects.filter(client=client, instrument=instrument, used_at__isnull=True, expires_at__gt=now)
            .exclude(channel=Channel.KIOSK)
            .exists()
        ):
            continue
        last = (
            Administration.objects.filter(client=client, instrument=instrument)
            .order_by("-completed_at")
            .values_list("completed_at", flat=True)
            .first()
        )
        attended = links.filter(appointment__status=Status.COMPLETED, appointment__start__lte=now)
        if last is not None:
            attended = attended.filter(appointment__start__gt=last)
        if not is_due(schedule, sessions_since_last=attended.count(), last_completed=last, now=now):
            continue
        channel = next((c for c in (Channel.EMAIL, Channel.SMS) if not why_not(client, c)), None)
        if channel is None:
            continue
        send_link(client, actor=None, instrument=instrument, channel=channel, now=now)
        sent += 1
    return sent


def sweep(*, now: datetime.datetime | None = None) -> int:
    """``sweep_clinic`` in every active clinic (``manage.py send_due_questionnaires``)."""
    now = now or timezone.now()
    total = 0
    for organization in Organization.objects.filter(is_active=True):
        with tenant_context(organization):
            total += sweep_clinic(now=now)
    return total
