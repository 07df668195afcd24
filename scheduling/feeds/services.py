"""Private calendar subscriptions: create and revoke feed links, and build the RFC 5545 calendar a feed serves.

A feed's link carries only a random token (256 bits); the database keeps its SHA-256, so a leaked database
doesn't leak working links and a lost link can only be replaced, not shown again. The calendar names no client:
each event shows the appointment type and the client's number, or their initials where the feed's owner may see
the name, plus place and status — never notes, diagnoses or names.
"""

import datetime
import hashlib
import secrets
from typing import cast

import icalendar
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.people.models import Membership
from audit.services import record
from core.clinic_time import clinic_zone
from scheduling import policies
from scheduling.appointments import selectors
from scheduling.appointments.models import Appointment, Room, Status
from scheduling.feeds.models import CalendarFeed, ClientLabel, FeedKind
from tenancy.models import Organization

PAST_DAYS = 30
FUTURE_DAYS = 180
MAX_ACTIVE_FEEDS = 10
PRODID = "-//Hearth//Scheduling//EN"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feeds(owner: Membership) -> list[CalendarFeed]:
    return list(
        CalendarFeed.objects.filter(owner=owner, revoked_at__isnull=True).select_related("clinician__user", "room")
    )


def may_read(feed: CalendarFeed) -> bool:
    """Checked at creation and again at every fetch: a feed dies with its owner's membership or role."""
    owner = feed.owner
    if feed.kind == FeedKind.OWN:
        return policies.can_subscribe_own(owner)
    return policies.can_subscribe_others(owner)


def _revoke(feeds, now) -> list[int]:
    ids = [f.pk for f in feeds]
    CalendarFeed.objects.filter(pk__in=ids).update(revoked_at=now)
    return ids


@transaction.atomic
def create_feed(
    *,
    actor: Membership,
    kind: str,
    clinician: Membership | None = None,
    room: Room | None = None,
    client_label: str = ClientLabel.NUMBER,
    request=None,
) -> tuple[CalendarFeed, str]:
    """A new feed and its token (returned once, never stored). An active feed of the same calendar is revoked:
    a new link always replaces the old one."""
    if kind not in FeedKind.values:
        raise ValidationError({"kind": "Choose whose calendar to subscribe to."})
    if client_label not in ClientLabel.values:
        raise ValidationError({"client_label": "Choose how clients appear."})
    if kind == FeedKind.CLINICIAN and clinician is None:
        raise ValidationError({"clinician": "Choose the clinician."})
    if kind == FeedKind.ROOM and room is None:
        raise ValidationError({"room": "Choose the room."})
    feed = CalendarFeed(
        owner=actor,
        kind=kind,
        clinician=clinician if kind == FeedKind.CLINICIAN else None,
        room=room if kind == FeedKind.ROOM else None,
        client_label=client_label,
    )
    if not may_read(feed):
        raise ValidationError({"kind": "You can't subscribe to that calendar."})
    now = timezone.now()
    same = CalendarFeed.objects.select_for_update().filter(
        owner=actor, kind=feed.kind, clinician=feed.clinician, room=feed.room, revoked_at__isnull=True
    )
    replaced = _revoke(list(same), now)
    if CalendarFeed.objects.filter(owner=actor, revoked_at__isnull=True).count() >= MAX_ACTIVE_FEEDS:
        raise ValidationError(f"You have {MAX_ACTIVE_FEEDS} subscription links; remove one first.")
    token = secrets.token_urlsafe(32)
    feed.token_hash = hash_token(token)
    feed.created_at = now
    feed.save()
    record(
        "schedule.feed_created",
        request=request,
        actor=actor.user,
        target=feed,
        detail={"kind": feed.kind, "replaced": replaced},
    )
    return feed, token


@transaction.atomic
def revoke_feed(feed: CalendarFeed, *, actor: Membership, request=None) -> None:
    """Stop a link working at once (calendar apps then get 404 and drop or flag the subscription)."""
    if feed.revoked_at is not None:
        raise ValidationError("This link was already removed.")
    _revoke([feed], timezone.now())
    record("schedule.feed_revoked", request=request, actor=actor.user, target=feed, detail={"kind": feed.kind})


def find_feed(token: str) -> CalendarFeed | None:
    """The active feed of this token in the clinic in context, or None."""
    return (
        CalendarFeed.objects.filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .select_related("owner__user", "clinician__user", "room__location")
        .first()
    )


def _initials(name: str) -> str:
    return "".join(f"{part[0].upper()}." for part in name.split() if part)


def _title(feed: CalendarFeed) -> str:
    # The feed's check constraint: a clinician's feed has its clinician, a room's feed its room.
    if feed.kind == FeedKind.CLINICIAN:
        return f"Hearth: {cast(Membership, feed.clinician).user.full_name}"
    if feed.kind == FeedKind.ROOM:
        return f"Hearth: {cast(Room, feed.room).name}"
    return f"Hearth: {feed.owner.user.full_name}"


def build_calendar(
    feed: CalendarFeed, *, organization: Organization, uid_domain: str, now: datetime.datetime | None = None
) -> tuple[bytes, int]:
    """The feed's VCALENDAR (30 days back, 180 ahead) with times in the clinic's zone (TZID + VTIMEZONE).

    Returns ``(bytes, event_count)``. UIDs are ``appointment-<id>@<uid_domain>``: stable, so a calendar app
    updates an event in place when it moves, and shows it cancelled (STATUS:CANCELLED) when it is.
    """
    now = now or timezone.now()
    zone = clinic_zone(organization)
    start, end = now - datetime.timedelta(days=PAST_DAYS), now + datetime.timedelta(days=FUTURE_DAYS)
    if feed.kind == FeedKind.ROOM:
        appointments = selectors.calendar_rows(start, end, zone=organization.time_zone, room_id=feed.room_id)
    else:
        clinician_id = cast(int, feed.clinician_id) if feed.kind == FeedKind.CLINICIAN else feed.owner_id
        appointments = selectors.calendar_rows(start, end, zone=organization.time_zone, clinician_ids=[clinician_id])
    # What a calendar app needs beyond what the calendar page shows: when each was made and changed, and where.
    stamps = {
        pk: (created, updated, telehealth)
        for pk, created, updated, telehealth in Appointment.objects.filter(
            pk__in=[a.pk for a in appointments]
        ).values_list("pk", "created_at", "updated_at", "location__is_telehealth")
    }
    named = set()
    if feed.client_label == ClientLabel.INITIALS:
        named = selectors.visible_client_ids(feed.owner, {row.pk for a in appointments for row in a.client_rows})
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _title(feed))
    calendar.add("x-wr-timezone", organization.time_zone)
    calendar.add("refresh-interval", datetime.timedelta(minutes=30), parameters={"VALUE": "DURATION"})
    for appointment in appointments:
        who = [_initials(row.display_name) if row.pk in named else f"#{row.number}" for row in appointment.client_rows]
        clients = ", ".join(who[:3]) + (f" +{len(who) - 3}" if len(who) > 3 else "")
        created, updated, telehealth = stamps[appointment.pk]
        event = icalendar.Event()
        event.add("uid", f"appointment-{appointment.pk}@{uid_domain}")
        event.add("dtstamp", updated)
        event.add("created", created)
        event.add("last-modified", updated)
        event.add("sequence", appointment.version - 1)
        event.add("dtstart", appointment.start.astimezone(zone))
        event.add("dtend", appointment.end.astimezone(zone))
        # Only who, never what: the feed sits in a calendar service outside the clinic, and an appointment type
        # ("Family therapy", "Intake assessment") says something about the client's care.
        event.add("summary", f"Appointment: {clients}" if clients else "Appointment")
        if telehealth:
            event.add("location", "Telehealth")
        else:
            room = f", {appointment.room_name}" if appointment.room_name else ""
            event.add("location", f"{appointment.location_name}{room}")
        event.add("status", "CANCELLED" if appointment.status == Status.CANCELLED else "CONFIRMED")
        event.add("transp", "TRANSPARENT" if appointment.status == Status.CANCELLED else "OPAQUE")
        event.add("class", "PRIVATE")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical(), len(appointments)
