"""Double-booking checks: one clinician, room or client in two places at once, blocked time, closed days.

Everything is compared as UTC instants, so overlaps are right across daylight-saving changes and whatever time
zone a person reads the calendar in; messages show times in the zone the caller asks for.
"""

import datetime
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q

from accounts.people.models import Membership
from scheduling.appointments.models import ACTIVE_STATUSES, Appointment, ClinicClosure, Room
from scheduling.availability.models import BlockedTime

Span = tuple[datetime.datetime, datetime.datetime]


@dataclass(frozen=True)
class Conflict:
    """Why a time can't be booked. Only clinician conflicts (their other appointments, their blocked time)
    may be overridden, and only by someone ``policies.can_override_double_booking`` allows."""

    kind: str  # "clinician", "blocked", "room", "client", "closure"
    message: str
    appointment_id: int | None = None

    @property
    def overridable(self) -> bool:
        return self.kind in ("clinician", "blocked")


def when(start: datetime.datetime, end: datetime.datetime, zone: str) -> str:
    tz = zoneinfo.ZoneInfo(zone)
    a, b = start.astimezone(tz), end.astimezone(tz)
    return f"{a:%a %b} {a.day}, {a:%H:%M}–{b:%H:%M}"


def closures_between(first: datetime.date, last: datetime.date, location_id: int | None) -> list[ClinicClosure]:
    query = ClinicClosure.objects.filter(start_date__lte=last, end_date__gte=first)
    return list(query.filter(Q(location__isnull=True) | Q(location_id=location_id)))


def closure_on(closures: Iterable[ClinicClosure], day: datetime.date, location_id: int | None):
    return next((c for c in closures if c.covers(day, location_id)), None)


def find(
    spans: Sequence[Span],
    *,
    clinicians: Sequence[Membership],
    room: Room | None,
    client_ids: Sequence[int],
    client_label: Callable[[int], str],
    zone: str,
    exclude_ids: Iterable[int] = (),
) -> list[Conflict]:
    """Every conflict of the given spans with existing bookings and blocked time (one query each for
    appointments, their links and blocked time, however many spans a series has)."""
    if not spans:
        return []
    low, high = min(s for s, _ in spans), max(e for _, e in spans)
    clinician_ids = {c.pk for c in clinicians}
    names = {c.pk: c.user.full_name for c in clinicians}
    who = Q(clinician_links__clinician_id__in=clinician_ids) | Q(client_links__client_id__in=client_ids)
    if room is not None:
        who |= Q(room=room)
    existing = list(
        Appointment.objects.filter(who, status__in=ACTIVE_STATUSES, start__lt=high, end__gt=low)
        .exclude(pk__in=list(exclude_ids))
        .select_related("appointment_type")
        .prefetch_related("clinician_links", "client_links")
        .distinct()
    )
    blocked = list(BlockedTime.objects.filter(clinician_id__in=clinician_ids, start__lt=high, end__gt=low))
    conflicts = []
    for start, end in spans:
        for other in existing:
            if not (other.start < end and other.end > start):
                continue
            at = when(other.start, other.end, zone)
            kind = other.appointment_type.name
            for link in other.clinician_links.all():
                if link.clinician_id in clinician_ids:
                    message = f"{names[link.clinician_id]} is already booked {at} ({kind})."
                    conflicts.append(Conflict("clinician", message, other.pk))
            if room is not None and other.room_id == room.pk:
                conflicts.append(Conflict("room", f"{room.name} is already in use {at}.", other.pk))
            for link in other.client_links.all():
                if link.client_id in client_ids:
                    message = f"{client_label(link.client_id)} already has an appointment {at}."
                    conflicts.append(Conflict("client", message, other.pk))
        for block in blocked:
            if block.start < end and block.end > start:
                reason = f" ({block.reason})" if block.reason else ""
                at = when(block.start, block.end, zone)
                conflicts.append(Conflict("blocked", f"{names[block.clinician_id]} is unavailable {at}{reason}."))
    return conflicts
