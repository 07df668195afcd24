"""Availability: clinicians' working hours and blocked time, and ``find_open_slots`` for booking."""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.people.models import Membership
from audit.services import record
from core.clinic_time import clinic_zone
from scheduling.appointments import recurrence, services
from scheduling.appointments.models import ACTIVE_STATUSES, AppointmentClinician, AppointmentType, ClinicClosure, Room
from scheduling.availability.models import BlockedTime, WorkingHours

HORIZON_DAYS = 42


@dataclass(frozen=True)
class Slot:
    start: datetime.datetime
    end: datetime.datetime
    clinician: Membership
    location_id: int
    location_name: str
    room: Room | None


def _overlaps(spans, start, end) -> bool:
    return any(s < end and e > start for s, e in spans)


def find_open_slots(
    *,
    start: datetime.datetime,
    clinicians: Sequence[Membership] | None = None,
    appointment_type: AppointmentType | None = None,
    duration: int | None = None,
    limit: int = 10,
    step_minutes: int = 15,
    horizon_days: int = HORIZON_DAYS,
) -> list[Slot]:
    """The next ``limit`` open slots from ``start`` for these clinicians (or every clinician with working
    hours), earliest first: inside working hours at an active site of the right kind (telehealth or in person,
    from the appointment type), not on a closure day, clear of appointments and blocked time, and with a free
    room at sites that have rooms. A fixed number of queries, whatever the horizon.
    """
    if duration is None:
        if appointment_type is None:
            raise ValidationError("Give a length or an appointment type.")
        duration = appointment_type.default_duration
    services.check_duration(duration)
    zone = clinic_zone().key
    length = datetime.timedelta(minutes=duration)
    step = datetime.timedelta(minutes=step_minutes)
    hours = WorkingHours.objects.filter(location__is_active=True).select_related("location", "clinician__user")
    if clinicians is not None:
        hours = hours.filter(clinician__in=list(clinicians))
    if appointment_type is not None:
        hours = hours.filter(location__is_telehealth=appointment_type.is_telehealth)
    hours = [h for h in hours.filter(clinician__is_active=True) if h.clinician.is_active]
    if not hours:
        return []
    clinician_ids = {h.clinician_id for h in hours}
    first_day = recurrence.to_local(start, zone).date()
    last_day = first_day + datetime.timedelta(days=horizon_days)
    window_end = recurrence.to_utc(datetime.datetime.combine(last_day, datetime.time.max), zone)
    busy: dict[int, list] = defaultdict(list)
    for clinician_id, s, e in AppointmentClinician.objects.filter(
        clinician_id__in=clinician_ids,
        appointment__status__in=ACTIVE_STATUSES,
        appointment__start__lt=window_end,
        appointment__end__gt=start,
    ).values_list("clinician_id", "appointment__start", "appointment__end"):
        busy[clinician_id].append((s, e))
    for block in BlockedTime.objects.filter(clinician_id__in=clinician_ids, start__lt=window_end, end__gt=start):
        busy[block.clinician_id].append((block.start, block.end))
    closures = list(ClinicClosure.objects.filter(start_date__lte=last_day, end_date__gte=first_day))
    location_ids = {h.location_id for h in hours}
    rooms: dict[int, list[Room]] = defaultdict(list)
    for room in Room.objects.filter(location_id__in=location_ids, is_active=True).order_by("name"):
        rooms[room.location_id].append(room)
    room_busy: dict[int, list] = defaultdict(list)
    from scheduling.appointments.models import Appointment

    for room_id, s, e in Appointment.objects.filter(
        room__in=[r for rs in rooms.values() for r in rs],
        status__in=ACTIVE_STATUSES,
        start__lt=window_end,
        end__gt=start,
    ).values_list("room_id", "start", "end"):
        room_busy[room_id].append((s, e))
    by_weekday: dict[int, list[WorkingHours]] = defaultdict(list)
    for h in hours:
        by_weekday[h.weekday].append(h)

    found: list[Slot] = []
    day = first_day
    while day <= last_day and len(found) < limit:
        todays = []
        for h in by_weekday.get(day.weekday(), []):
            if any(c.covers(day, h.location_id) for c in closures):
                continue
            slot_start = recurrence.to_utc(datetime.datetime.combine(day, h.start_time), zone)
            closing = recurrence.to_utc(datetime.datetime.combine(day, h.end_time), zone)
            while slot_start + length <= closing:
                slot_end = slot_start + length
                if slot_start >= start and not _overlaps(busy[h.clinician_id], slot_start, slot_end):
                    room = None
                    site_rooms = rooms.get(h.location_id, [])
                    if site_rooms:
                        room = next(
                            (r for r in site_rooms if not _overlaps(room_busy[r.pk], slot_start, slot_end)), None
                        )
                    if room is not None or not site_rooms:
                        todays.append(Slot(slot_start, slot_end, h.clinician, h.location_id, h.location.name, room))
                slot_start += step
        todays.sort(key=lambda s: (s.start, s.clinician.user.full_name, s.clinician.pk))
        found.extend(todays)
        day += datetime.timedelta(days=1)
    return found[:limit]


@transaction.atomic
def set_working_hours(clinician: Membership, *, actor: Membership, rows: list[dict], request=None) -> None:
    """Replace a clinician's weekly hours with ``rows`` (weekday, location, start_time, end_time)."""
    for row in rows:
        if row["end_time"] <= row["start_time"]:
            raise ValidationError("Working hours must end after they start.")
        if not row["location"].is_active:
            raise ValidationError(f"{row['location'].name} is inactive.")
    WorkingHours.objects.filter(clinician=clinician).delete()
    WorkingHours.objects.bulk_create([WorkingHours(clinician=clinician, **row) for row in rows])
    record("schedule.hours_changed", request=request, actor=actor.user, target=clinician, detail={"rows": len(rows)})


@transaction.atomic
def block_time(clinician: Membership, *, actor: Membership, start, end, reason: str, request=None) -> BlockedTime:
    if end <= start:
        raise ValidationError({"end": "The end must be after the start."})
    if end - start > datetime.timedelta(days=62):
        raise ValidationError({"end": "Block at most two months at a time."})
    block = BlockedTime.objects.create(clinician=clinician, start=start, end=end, reason=reason.strip()[:100])
    record("schedule.time_blocked", request=request, actor=actor.user, target=block, detail={})
    return block


@transaction.atomic
def unblock_time(block: BlockedTime, *, actor: Membership, request=None) -> None:
    record("schedule.time_unblocked", request=request, actor=actor.user, target=block, detail={})
    block.delete()
