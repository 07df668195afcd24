"""Writes to the calendar: ``book``, ``move``, ``update``, ``cancel``, ``set_status`` (and availability in
``availability.py``). Each runs in one transaction, checks conflicts and the optimistic lock, and records an
audit event per client involved (appointments name clients, so they are PHI).
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from accounts.people.models import Membership
from accounts.roles import Role
from audit.services import record
from clients.records.models import Client, ClientStatus
from core.clinic_time import clinic_zone
from core.versioning import lock_version, save_version
from scheduling import policies
from scheduling.appointments import conflicts, recurrence
from scheduling.appointments.models import (
    MAX_DURATION,
    MIN_DURATION,
    OPEN_STATUSES,
    Appointment,
    AppointmentClient,
    AppointmentClinician,
    AppointmentSeries,
    AppointmentType,
    CancelledBy,
    ClosureHandling,
    Frequency,
    Room,
    Status,
)
from tenancy.models import Location

LATE_CANCEL_HOURS = 24
MAX_GROUP_CLIENTS = 20
ONE, FOLLOWING = "one", "following"


class BookingRefused(ValidationError):
    """The booking or change was not made; ``conflicts`` lists the clashes, ``overridable`` says whether this
    person ticking "double-book anyway" would let it through."""

    def __init__(self, messages, conflicts_found: Sequence[conflicts.Conflict] = (), overridable: bool = False):
        super().__init__(messages)
        self.conflicts = list(conflicts_found)
        self.overridable = overridable


@dataclass
class Booking:
    appointments: list[Appointment]
    series: AppointmentSeries | None = None
    skipped: list[tuple[datetime.date, str]] = field(default_factory=list)
    flagged: list[tuple[datetime.date, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ClientActor:
    """A client acting on their own appointment without signing in (a signed reminder link). Audit events name
    the way they came, since there is no staff member to name."""

    label: str = "client via reminder link"
    user = None


@dataclass(frozen=True)
class Details:
    """What an appointment is, apart from when: checked together by :func:`check_details`."""

    appointment_type: AppointmentType
    clients: Sequence[Client]
    clinicians: Sequence[Membership]
    location: Location
    room: Room | None = None
    staff_notes: str = ""

    @classmethod
    def of(cls, appointment: Appointment, **changes) -> "Details":
        current = {
            "appointment_type": appointment.appointment_type,
            "clients": [link.client for link in appointment.client_links.select_related("client")],
            "clinicians": [link.clinician for link in appointment.clinician_links.select_related("clinician__user")],
            "location": appointment.location,
            "room": appointment.room,
            "staff_notes": appointment.staff_notes,
        }
        return cls(**{**current, **changes})


def client_label_for(actor: Membership | None, clients: Sequence[Client]):
    """A function naming a client in messages: the name if ``actor`` may see it, else "Client #number"."""
    from scheduling.appointments.selectors import visible_client_ids

    known = {c.pk: c for c in clients}
    visible = visible_client_ids(actor, list(known))

    def label(pk: int) -> str:
        client = known.get(pk)
        if client is None:
            return "The client"
        return client.display_name if pk in visible else f"Client #{client.number}"

    return label


def check_duration(minutes: int | None) -> None:
    if minutes is None or minutes <= 0:
        raise ValidationError({"duration": "Give the appointment a length: at least 5 minutes."})
    if minutes < MIN_DURATION:
        raise ValidationError({"duration": f"An appointment lasts at least {MIN_DURATION} minutes."})
    if minutes > MAX_DURATION:
        raise ValidationError(
            {"duration": f"An appointment lasts at most {MAX_DURATION // 60} hours; book longer days in parts."}
        )


def check_span(start: datetime.datetime, end: datetime.datetime) -> None:
    if end <= start:
        raise ValidationError({"end": "The end must be after the start."})
    check_duration(int((end - start).total_seconds() // 60))


def check_details(details: Details, label) -> None:
    """Refuse what can't be booked: discharged clients, inactive sites or staff, mismatched rooms."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    kind = details.appointment_type
    if not kind.is_active:
        add("appointment_type", f"“{kind.name}” is no longer offered; choose another appointment type.")
    if not details.clients:
        add("clients", "Choose the client.")
    elif len(details.clients) > 1 and not kind.is_group:
        add("clients", f"“{kind.name}” is for one client; use a group appointment type for several.")
    elif len(details.clients) > MAX_GROUP_CLIENTS:
        add("clients", f"A group appointment has at most {MAX_GROUP_CLIENTS} clients.")
    for client in details.clients:
        if client.status == ClientStatus.DISCHARGED:
            add("clients", f"{label(client.pk)} is discharged and can't be booked; re-admit them first.")
        elif client.status == ClientStatus.ENTERED_IN_ERROR:
            add("clients", f"{label(client.pk)} was entered in error and can't be booked.")
    if not details.clinicians:
        add("clinicians", "Choose the clinician.")
    for clinician in details.clinicians:
        if not clinician.is_active or not clinician.has_role(Role.CLINICIAN, Role.SUPERVISOR):
            add("clinicians", f"{clinician.user.full_name} can't take appointments (not an active clinician).")
    location = details.location
    if not location.is_active:
        add("location", f"{location.name} is inactive and takes no bookings.")
    if kind.is_telehealth and not location.is_telehealth:
        add("location", f"“{kind.name}” is held by video: choose a telehealth location.")
    if not kind.is_telehealth and location.is_telehealth:
        add("location", f"“{kind.name}” is in person: choose a clinic site, or a telehealth appointment type.")
    room = details.room
    if room is not None:
        if location.is_telehealth:
            add("room", "Telehealth appointments don't take a room.")
        elif room.location_id != location.pk:
            add("room", f"{room.name} is not at {location.name}.")
        elif not room.is_active:
            add("room", f"{room.name} is out of use.")
    if errors:
        raise ValidationError(errors)


def _conflicts(spans: list, details: Details, label, zone: str, exclude_ids=()) -> list[conflicts.Conflict]:
    """What booking ``details`` over ``spans`` would clash with (``exclude_ids``: the appointments being changed)."""
    return conflicts.find(
        spans,
        clinicians=details.clinicians,
        room=details.room,
        client_ids=[c.pk for c in details.clients],
        client_label=label,
        zone=zone,
        exclude_ids=exclude_ids,
    )


def _raise_conflicts(found: list[conflicts.Conflict], actor: Membership, details: Details, override: bool) -> bool:
    """Refuse unless every conflict is the clinician's own double-booking and they chose to override.
    Returns whether an override was used (the caller marks and audits it)."""
    if not found:
        return False
    allowed = policies.can_override_double_booking(actor, [c.pk for c in details.clinicians])
    if override and allowed and all(c.overridable for c in found):
        return True
    unique = list(dict.fromkeys(c.message for c in found))
    shown = unique[:8] + ([f"…and {len(unique) - 8} more."] if len(unique) > 8 else [])
    raise BookingRefused(shown, found, overridable=allowed and all(c.overridable for c in found))


def _audit(action: str, *, actor: Membership | ClientActor, target, client_ids, request=None, **detail) -> None:
    label = actor.label if isinstance(actor, ClientActor) else ""
    for client_id in sorted(set(client_ids)) or [None]:
        record(
            action,
            request=request,
            actor=actor.user,
            actor_label=label,
            target=target,
            client_id=client_id,
            detail=detail,
        )


def _link(appointments: list[Appointment], details: Details) -> None:
    AppointmentClient.objects.bulk_create(
        [AppointmentClient(appointment=a, client=c) for a in appointments for c in details.clients]
    )
    AppointmentClinician.objects.bulk_create(
        [AppointmentClinician(appointment=a, clinician=m) for a in appointments for m in details.clinicians]
    )


def _closed_message(day: datetime.date, closure) -> str:
    return f"The clinic is closed on {day:%a %b} {day.day} ({closure.name})."


@transaction.atomic
def book(
    *,
    actor: Membership,
    details: Details,
    start: datetime.datetime,
    duration: int,
    rule: recurrence.Rule | None = None,
    closure_handling: str = ClosureHandling.SKIP,
    override: bool = False,
    display_zone: str | None = None,
    request=None,
) -> Booking:
    """Book one appointment, or a series when ``rule`` is given (expanded in the clinic's time zone).

    All or nothing: any conflict refuses the whole booking with messages naming each clash (in
    ``display_zone``). Closed days refuse a single booking; in a series they are skipped (and recorded as
    EXDATEs) or kept and flagged, as ``closure_handling`` says, and the result lists them.
    """
    zone = clinic_zone().key
    label = client_label_for(actor, details.clients)
    check_duration(duration)
    check_details(details, label)
    length = datetime.timedelta(minutes=duration)
    local_first = recurrence.to_local(start, zone)
    booking = Booking([])
    if rule is None:
        local_starts = [local_first]
    else:
        recurrence.validate(rule, local_first.date())
        local_starts = recurrence.occurrences(rule, local_first.date(), local_first.time())
        if not local_starts:
            raise ValidationError("This series has no occurrences: check the days and the end date.")
    closures = conflicts.closures_between(local_starts[0].date(), local_starts[-1].date(), details.location.pk)
    kept, excluded = [], []
    for local in local_starts:
        closure = conflicts.closure_on(closures, local.date(), details.location.pk)
        if closure is None:
            kept.append(local)
        elif rule is None:
            raise ValidationError(_closed_message(local.date(), closure))
        elif closure_handling == ClosureHandling.FLAG:
            kept.append(local)
            booking.flagged.append((local.date(), closure.name))
        else:
            excluded.append(local)
            booking.skipped.append((local.date(), closure.name))
    if not kept:
        raise ValidationError("Every occurrence of this series falls on a day the clinic is closed.")
    spans = [(recurrence.to_utc(local, zone), recurrence.to_utc(local, zone) + length) for local in kept]
    found = _conflicts(spans, details, label, display_zone or zone)
    double_booked = _raise_conflicts(found, actor, details, override)
    if rule is not None:
        booking.series = AppointmentSeries.objects.create(
            time_zone=zone,
            first_date=local_first.date(),
            start_time=local_first.time(),
            duration=duration,
            frequency=rule.frequency,
            interval=rule.interval,
            weekdays=sorted(set(rule.weekdays)) if rule.frequency == Frequency.WEEKLY else [],
            monthly_mode=rule.monthly_mode if rule.frequency == Frequency.MONTHLY else "",
            until=rule.until,
            count=rule.count,
            excluded=[local.isoformat() for local in excluded],
            closure_handling=closure_handling,
        )
    now = timezone.now()
    booking.appointments = Appointment.objects.bulk_create(
        [
            Appointment(
                appointment_type=details.appointment_type,
                start=start_,
                end=end_,
                location=details.location,
                room=details.room,
                staff_notes=details.staff_notes,
                series=booking.series,
                original_start=start_ if booking.series else None,
                double_booked=double_booked,
                created_by=actor,
                created_at=now,
                updated_at=now,
            )
            for start_, end_ in spans
        ]
    )
    _link(booking.appointments, details)
    client_ids = [c.pk for c in details.clients]
    _audit(
        "appointment.booked",
        actor=actor,
        target=booking.series or booking.appointments[0],
        client_ids=client_ids,
        request=request,
        appointment_ids=[a.pk for a in booking.appointments],
        series_id=booking.series.pk if booking.series else None,
    )
    if double_booked:
        _audit(
            "appointment.double_booked",
            actor=actor,
            target=booking.appointments[0],
            client_ids=client_ids,
            request=request,
            over_appointment_ids=sorted({c.appointment_id for c in found if c.appointment_id}),
        )
    return booking


def _locked(appointment: Appointment, expected_version: int) -> Appointment:
    queryset = Appointment.objects.select_related("appointment_type", "location", "room", "series")
    return lock_version(queryset.filter(pk=appointment.pk), expected_version=expected_version, noun="appointment")


def _recheck(
    appointment: Appointment,
    details: Details,
    spans: list[conflicts.Span],
    *,
    actor: Membership,
    override: bool,
    display_zone: str | None,
    exclude_ids,
) -> bool:
    """Validate a changed appointment (or several of one series) as if booking them anew."""
    zone = clinic_zone().key
    label = client_label_for(actor, details.clients)
    check_details(details, label)
    for start, end in spans:
        check_span(start, end)
    days = [recurrence.to_local(s, zone).date() for s, _ in spans]
    closures = conflicts.closures_between(min(days), max(days), details.location.pk)
    closed = [(d, c) for d in days if (c := conflicts.closure_on(closures, d, details.location.pk))]
    if closed:
        raise ValidationError([_closed_message(d, c) for d, c in closed])
    found = _conflicts(spans, details, label, display_zone or zone, exclude_ids)
    return _raise_conflicts(found, actor, details, override)


def _replace_links(appointment: Appointment, link_model: type[models.Model], field: str, chosen: Sequence) -> bool:
    """Link ``appointment`` to exactly ``chosen`` (its clinicians or clients, through ``link_model``'s ``field``);
    whether anything changed."""
    links = link_model._default_manager.filter(appointment=appointment)
    if set(links.values_list(f"{field}_id", flat=True)) == {row.pk for row in chosen}:
        return False
    links.delete()
    link_model._default_manager.bulk_create([link_model(appointment=appointment, **{field: row}) for row in chosen])
    return True


def _apply(appointment: Appointment, details: Details, start, end, *, double_booked: bool, now) -> list[str]:
    """Write ``details`` and the new times onto one locked appointment; returns the changed field names."""
    changed = []
    for name in ("appointment_type", "location", "room", "staff_notes"):
        if getattr(appointment, name) != getattr(details, name):
            setattr(appointment, name, getattr(details, name))
            changed.append(name)
    if (appointment.start, appointment.end) != (start, end):
        appointment.start, appointment.end = start, end
        changed.append("time")
    if _replace_links(appointment, AppointmentClinician, "clinician", details.clinicians):
        changed.append("clinicians")
    if _replace_links(appointment, AppointmentClient, "client", details.clients):
        changed.append("clients")
    appointment.double_booked = appointment.double_booked or double_booked
    appointment.updated_at = now
    appointment.version += 1
    appointment.save()
    return changed


@transaction.atomic
def move(
    appointment: Appointment,
    *,
    actor: Membership,
    expected_version: int,
    start: datetime.datetime,
    end: datetime.datetime,
    from_clinician: int | None = None,
    to_clinician: Membership | None = None,
    override: bool = False,
    display_zone: str | None = None,
    request=None,
) -> Appointment:
    """Drag-and-drop and keyboard moves: new times (and optionally hand one clinician's place to another).
    Only this appointment changes; one that belongs to a series becomes an exception of it."""
    check_span(start, end)
    current = _locked(appointment, expected_version)
    clinicians = [link.clinician for link in current.clinician_links.select_related("clinician__user")]
    if to_clinician is not None and from_clinician != to_clinician.pk:
        clinicians = [c for c in clinicians if c.pk != from_clinician]
        if to_clinician.pk not in {c.pk for c in clinicians}:
            clinicians.append(to_clinician)
    if not policies.can_change(actor, [c.pk for c in clinicians]):
        raise ValidationError("You may only move appointments onto your own calendar.")
    return update(
        current,
        actor=actor,
        expected_version=expected_version,
        details=Details.of(current, clinicians=clinicians),
        start=start,
        duration=int((end - start).total_seconds() // 60),
        override=override,
        display_zone=display_zone,
        request=request,
        _locked_already=True,
    )


@transaction.atomic
def update(
    appointment: Appointment,
    *,
    actor: Membership,
    expected_version: int,
    details: Details,
    start: datetime.datetime,
    duration: int,
    scope: str = ONE,
    override: bool = False,
    display_zone: str | None = None,
    request=None,
    _locked_already: bool = False,
) -> Appointment:
    """Change an appointment, or it and every later occurrence of its series (``scope=FOLLOWING``).

    "This and following" ends the series before this occurrence and moves it and the later ones into a new
    series: each keeps its identity and is shifted by the same wall-clock change (so 10:00 → 11:00 stays 11:00
    across DST), and the two series' counts add up to the original — nothing dropped, nothing doubled.
    """
    check_duration(duration)
    current = appointment if _locked_already else _locked(appointment, expected_version)
    if not current.is_open:
        raise ValidationError(f"A {current.get_status_display().lower()} appointment can't be changed.")
    if scope == FOLLOWING and current.series_id:
        return _update_following(
            current,
            actor=actor,
            details=details,
            start=start,
            duration=duration,
            override=override,
            display_zone=display_zone,
            request=request,
        )
    end = start + datetime.timedelta(minutes=duration)
    double_booked = _recheck(
        current,
        details,
        [(start, end)],
        actor=actor,
        override=override,
        display_zone=display_zone,
        exclude_ids=[current.pk],
    )
    before = {link.client_id for link in current.client_links.all()}
    changed = _apply(current, details, start, end, double_booked=double_booked, now=timezone.now())
    if current.series_id and changed and not current.is_exception:
        current.is_exception = True
        current.save(update_fields=["is_exception"])
    client_ids = before | {c.pk for c in details.clients}
    _audit(
        "appointment.updated",
        actor=actor,
        target=current,
        client_ids=client_ids,
        request=request,
        fields=sorted(changed),
    )
    if double_booked:
        _audit("appointment.double_booked", actor=actor, target=current, client_ids=client_ids, request=request)
    return current


def _update_following(
    current: Appointment, *, actor, details: Details, start, duration, override, display_zone, request
) -> Appointment:
    series = AppointmentSeries.objects.select_for_update().get(pk=current.series_id)
    zone = series.time_zone
    rule = recurrence.Rule.of(series)
    instances = recurrence.instances(rule, series.first_date, series.start_time)
    anchor = recurrence.to_local(current.original_start or current.start, zone)
    shift = recurrence.to_local(start, zone) - recurrence.to_local(current.start, zone)
    day_shift = (recurrence.to_local(start, zone).date() - recurrence.to_local(current.start, zone).date()).days
    if day_shift and series.frequency == Frequency.MONTHLY:
        raise ValidationError("A monthly series can't move to another day this way; end it here and book a new series.")
    if anchor not in instances:
        raise ValidationError("This occurrence no longer matches its series; change it on its own.")
    index = instances.index(anchor)
    following = list(
        series.occurrences.select_for_update().filter(original_start__gte=current.original_start).order_by("start")
    )
    to_move = [a for a in following if a.is_open]
    spans = []
    for a in to_move:
        new_start = recurrence.to_utc(recurrence.to_local(a.start, zone) + shift, zone)
        spans.append((new_start, new_start + datetime.timedelta(minutes=duration)))
    double_booked = _recheck(
        current,
        details,
        spans,
        actor=actor,
        override=override,
        display_zone=display_zone,
        exclude_ids=[a.pk for a in following],
    )
    new_local_first = anchor + shift
    new_rule_weekdays = sorted({(d + day_shift) % 7 for d in series.weekdays})
    excluded_after = [x for x in rule.excluded if x >= anchor]
    successor = AppointmentSeries.objects.create(
        time_zone=zone,
        first_date=new_local_first.date(),
        start_time=new_local_first.time(),
        duration=duration,
        frequency=series.frequency,
        interval=series.interval,
        weekdays=new_rule_weekdays,
        monthly_mode=series.monthly_mode,
        count=len(instances) - index,
        excluded=[(x + shift).isoformat() for x in excluded_after],
        closure_handling=series.closure_handling,
        previous=series,
    )
    expected = recurrence.instances(recurrence.Rule.of(successor), successor.first_date, successor.start_time)
    if expected != [x + shift for x in instances[index:]]:
        raise ValidationError(
            "This change would make the series repeat on a different pattern; change the occurrences one at a "
            "time, or end the series here and book a new one."
        )
    if index == 0:
        series.count, series.until = 0, None
    elif series.count is not None:
        series.count = index
    else:
        series.until = (anchor - datetime.timedelta(days=1)).date()
    series.excluded = [x.isoformat() for x in rule.excluded if x < anchor]
    series.version += 1
    AppointmentSeries.objects.filter(pk=series.pk).update(
        count=series.count, until=series.until, excluded=series.excluded, version=series.version
    )
    now = timezone.now()
    client_ids: set[int] = set()
    moved_ids = []
    span_of = dict(zip([a.pk for a in to_move], spans, strict=True))
    for a in following:
        client_ids |= set(a.client_links.values_list("client_id", flat=True))
        a.series = successor
        a.original_start = recurrence.to_utc(recurrence.to_local(a.original_start, zone) + shift, zone)
        if a.pk in span_of:
            _apply(a, details, *span_of[a.pk], double_booked=double_booked, now=now)
            moved_ids.append(a.pk)
        else:
            a.version += 1
        a.save(update_fields=["series", "original_start", "version"])
    client_ids |= {c.pk for c in details.clients}
    _audit(
        "appointment.series_split",
        actor=actor,
        target=successor,
        client_ids=client_ids,
        request=request,
        previous_series_id=series.pk,
        appointment_ids=moved_ids,
    )
    current.refresh_from_db()
    return current


@transaction.atomic
def cancel(
    appointment: Appointment,
    *,
    actor: Membership | ClientActor,
    expected_version: int,
    cancelled_by: str,
    reason: str,
    scope: str = ONE,
    request=None,
) -> list[Appointment]:
    """Cancel (kept, never deleted). Less than ``LATE_CANCEL_HOURS`` before the start counts as a late
    cancellation. With ``scope=FOLLOWING`` every later open occurrence of the series is cancelled too."""
    if cancelled_by not in CancelledBy.values:
        raise ValidationError({"cancelled_by": "Say who cancelled: the client or the clinic."})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give a short reason (no clinical details)."})
    current = _locked(appointment, expected_version)
    if not current.is_open:
        raise ValidationError(f"This appointment is already {current.get_status_display().lower()}.")
    targets = [current]
    if scope == FOLLOWING and current.series is not None:
        later = current.series.occurrences.select_for_update().filter(start__gt=current.start, status__in=OPEN_STATUSES)
        targets += list(later.order_by("start"))
    now = timezone.now()
    client_ids: set[int] = set()
    for a in targets:
        a.status = Status.CANCELLED
        a.cancelled_by = cancelled_by
        a.cancel_reason = reason[:200]
        a.cancelled_at = now
        a.late_cancellation = a.start - now < datetime.timedelta(hours=LATE_CANCEL_HOURS)
        a.updated_at = now
        a.version += 1
        a.save()
        client_ids |= set(a.client_links.values_list("client_id", flat=True))
    _audit(
        "appointment.cancelled",
        actor=actor,
        target=current,
        client_ids=client_ids,
        request=request,
        appointment_ids=[a.pk for a in targets],
        cancelled_by=cancelled_by,
    )
    return targets


ATTENDANCE = {
    Status.SCHEDULED: "scheduled",
    Status.CONFIRMED: "confirmed",
    Status.ARRIVED: "arrived",
    Status.COMPLETED: "completed",
    Status.NO_SHOW: "no_show",
}


@transaction.atomic
def set_status(
    appointment: Appointment, *, actor: Membership | ClientActor, expected_version: int, status: str, request=None
) -> Appointment:
    """Confirm, check in (arrived), complete or mark a no-show. Attendance can't be recorded ahead of time,
    and a cancelled appointment is re-opened only by booking again."""
    if status not in ATTENDANCE:
        raise ValidationError({"status": "Choose confirmed, arrived, completed or no-show (cancel separately)."})
    current = _locked(appointment, expected_version)
    if current.status == Status.CANCELLED:
        raise ValidationError("This appointment was cancelled; book a new one instead.")
    now = timezone.now()
    if status in (Status.ARRIVED, Status.COMPLETED, Status.NO_SHOW):
        zone = clinic_zone().key
        if recurrence.to_local(current.start, zone).date() > recurrence.to_local(now, zone).date():
            raise ValidationError("Attendance can be recorded from the day of the appointment.")
    if status == Status.NO_SHOW and current.start > now:
        raise ValidationError("A no-show can be recorded once the appointment's start time has passed.")
    save_version(current, {"status": status, "updated_at": now})
    _audit(
        "appointment.status_changed",
        actor=actor,
        target=current,
        client_ids=current.client_links.values_list("client_id", flat=True),
        request=request,
        status=status,
    )
    return current


@transaction.atomic
def save_setting(form, *, actor: Membership, request=None):
    """Save an appointment type, room or closure from its model form, audited; a duplicate name is a message."""
    from django.db import IntegrityError

    created = form.instance.pk is None
    if not created and hasattr(form.instance, "version"):
        form.instance.version += 1
    try:
        with transaction.atomic():
            saved = form.save()
    except IntegrityError:
        raise ValidationError({"name": "That name is already in use; choose another."}) from None
    record(
        "schedule.setting_created" if created else "schedule.setting_changed",
        request=request,
        actor=actor.user,
        target=saved,
        detail={"fields": sorted(form.changed_data)},
    )
    return saved
