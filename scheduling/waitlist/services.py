"""Writes to the waitlist: add, change, remove an entry; offer it a freed slot; record the client's answer.

Each runs in one transaction, checks the entry's optimistic lock, and records an audit event naming the client
(a waitlist entry is PHI). Booking an accepted offer goes through ``services.book`` with every conflict check it
makes, so the waitlist never puts anyone where the calendar would not.
"""

import datetime
from dataclasses import dataclass, field
from typing import cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.people.models import Membership
from accounts.roles import Role
from clients.events import record_change
from clients.records.models import Client, ClientStatus
from core.versioning import lock_version, save_version
from scheduling.appointments import conflicts, services
from scheduling.appointments.models import Appointment, AppointmentType, Room
from scheduling.waitlist.models import OfferOutcome, Priority, TimeWindow, WaitlistEntry, WaitlistOffer, WaitlistStatus
from tenancy.models import Location

NOTES_MAX = 1000
REASON_MAX = 200
WAITLISTABLE = (ClientStatus.WAITLIST, ClientStatus.ACTIVE)


@dataclass(frozen=True)
class EntryData:
    """What a client is waiting for. Empty ``weekdays``/``windows`` mean any day or time."""

    appointment_type: AppointmentType
    clinician: Membership | None = None
    clinician_title: str = ""
    weekdays: list[int] = field(default_factory=list)
    windows: list[str] = field(default_factory=list)
    priority: str = Priority.ROUTINE
    notes: str = ""


@dataclass(frozen=True)
class Slot:
    """A time that could be offered: a cancelled appointment's, or one ``availability.find_open_slots`` found."""

    start: datetime.datetime
    end: datetime.datetime
    clinician: Membership
    location: Location
    room: Room | None = None
    freed_by: Appointment | None = None

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def _audit(action: str, entry: WaitlistEntry, *, actor: Membership, request=None, **detail) -> None:
    record_change(action, entry, actor=actor, request=request, **detail)


def _check_client(client: Client) -> None:
    if client.status not in WAITLISTABLE:
        raise ValidationError(
            {"client": f"A client who is {client.get_status_display().lower()} can't be put on the waitlist."}
        )


def _check_data(data: EntryData) -> None:
    errors: dict[str, str] = {}
    if not data.appointment_type.is_active:
        errors["appointment_type"] = f"“{data.appointment_type.name}” is no longer offered; choose another type."
    elif data.appointment_type.is_group:
        errors["appointment_type"] = "Group places aren't offered from the waitlist; choose an individual type."
    clinician = data.clinician
    if clinician is not None and (not clinician.is_active or not clinician.has_role(Role.CLINICIAN, Role.SUPERVISOR)):
        errors["clinician"] = f"{clinician.user.full_name} doesn't take appointments (not an active clinician)."
    if clinician is not None and data.clinician_title.strip():
        errors["clinician_title"] = "Ask for a clinician or a kind of clinician, not both."
    if any(not isinstance(d, int) or not 0 <= d <= 6 for d in data.weekdays):
        errors["weekdays"] = "Choose days from Monday to Sunday."
    if any(w not in TimeWindow.values for w in data.windows):
        errors["windows"] = "Choose morning, afternoon or evening."
    if data.priority not in Priority.values:
        errors["priority"] = "Choose routine or high priority."
    if len(data.notes) > NOTES_MAX:
        errors["notes"] = f"Keep the notes under {NOTES_MAX} characters."
    if errors:
        raise ValidationError(errors)


def _fields(data: EntryData) -> dict:
    return {
        "appointment_type": data.appointment_type,
        "clinician": data.clinician,
        "clinician_title": data.clinician_title.strip()[:100],
        "weekdays": sorted(set(data.weekdays)),
        "windows": [w for w in TimeWindow.values if w in set(data.windows)],
        "priority": data.priority,
        "notes": data.notes.strip(),
    }


def _save_open(entry: WaitlistEntry, changes: dict | None = None) -> None:
    """Save a new entry, or ``changes`` to a locked one (a new version), turning the
    one-open-entry-per-client-and-type constraint into a message."""
    try:
        with transaction.atomic():
            if changes is None:
                entry.save()
            else:
                save_version(entry, changes)
    except IntegrityError:
        raise ValidationError(
            {"appointment_type": f"This client is already on the waitlist for “{entry.appointment_type.name}”."}
        ) from None


@transaction.atomic
def add_entry(client: Client, *, actor: Membership, data: EntryData, request=None) -> WaitlistEntry:
    """Put a waitlist-status client (or an active one waiting for a new service) on the waitlist."""
    _check_client(client)
    _check_data(data)
    now = timezone.now()
    entry = WaitlistEntry(client=client, added_by=actor, added_at=now, updated_at=now, **_fields(data))
    _save_open(entry)
    _audit("waitlist.added", entry, actor=actor, request=request)
    return entry


def _locked(entry: WaitlistEntry, expected_version: int) -> WaitlistEntry:
    queryset = WaitlistEntry.objects.select_related("client", "appointment_type").filter(pk=entry.pk)
    return lock_version(queryset, expected_version=expected_version, noun="waitlist entry")


@transaction.atomic
def update_entry(
    entry: WaitlistEntry, *, actor: Membership, expected_version: int, data: EntryData, request=None
) -> WaitlistEntry:
    current = _locked(entry, expected_version)
    if not current.is_open:
        raise ValidationError(f"This entry is {current.get_status_display().lower()} and can't be changed.")
    _check_data(data)
    changed = {name: value for name, value in _fields(data).items() if getattr(current, name) != value}
    _save_open(current, {**changed, "updated_at": timezone.now()})
    _audit("waitlist.changed", current, actor=actor, request=request, fields=sorted(changed))
    return current


def _pending(entry: WaitlistEntry) -> WaitlistOffer | None:
    return entry.offers.select_for_update().filter(outcome=OfferOutcome.PENDING).first()


@transaction.atomic
def remove_entry(
    entry: WaitlistEntry, *, actor: Membership, expected_version: int, reason: str, request=None
) -> WaitlistEntry:
    """Take a client off the waitlist (found care elsewhere, no longer interested…); a pending offer lapses."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason for removing this entry (no clinical details)."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX} characters."})
    current = _locked(entry, expected_version)
    if not current.is_open:
        raise ValidationError(f"This entry is already {current.get_status_display().lower()}.")
    now = timezone.now()
    offer = _pending(current)
    if offer is not None:
        offer.outcome, offer.responded_at, offer.decline_reason = OfferOutcome.DECLINED, now, "Removed from waitlist"
        offer.save(update_fields=["outcome", "responded_at", "decline_reason"])
    removal = {"status": WaitlistStatus.REMOVED, "removed_reason": reason, "removed_at": now}
    save_version(current, {**removal, "updated_at": now})
    _audit("waitlist.removed", current, actor=actor, request=request)
    return current


def check_slot(entry: WaitlistEntry, slot: Slot, *, actor: Membership, zone: str) -> None:
    """Whether ``slot`` can be offered for ``entry``: in the future, long enough, the right kind of place, the
    client's requested clinician, and free (clinician, room and client), checked as a booking would be."""
    kind = entry.appointment_type
    if slot.start <= timezone.now():
        raise ValidationError("This time has passed; offer a later one.")
    if slot.minutes < kind.default_duration:
        raise ValidationError(f"“{kind.name}” needs {kind.default_duration} minutes; this slot has {slot.minutes}.")
    if entry.clinician_id and entry.clinician_id != slot.clinician.pk:
        raise ValidationError(f"This client asked for {cast(Membership, entry.clinician).user.full_name}.")
    label = services.client_label_for(actor, [entry.client])
    end = slot.start + datetime.timedelta(minutes=kind.default_duration)
    details = services.Details(kind, [entry.client], [slot.clinician], slot.location, slot.room)
    services.check_details(details, label)
    found = conflicts.find(
        [(slot.start, end)],
        clinicians=[slot.clinician],
        room=slot.room,
        client_ids=[entry.client_id],
        client_label=label,
        zone=zone,
    )
    if found:
        raise ValidationError(["This slot is no longer free:", *dict.fromkeys(c.message for c in found)])


@transaction.atomic
def offer(
    entry: WaitlistEntry, *, actor: Membership, expected_version: int, slot: Slot, zone: str, request=None
) -> WaitlistOffer:
    """Record that the client was offered ``slot`` (by phone, say); the entry waits for their answer."""
    current = _locked(entry, expected_version)
    if current.status != WaitlistStatus.WAITING:
        raise ValidationError(f"This entry is {current.get_status_display().lower()}; only a waiting one is offered.")
    check_slot(current, slot, actor=actor, zone=zone)
    made = WaitlistOffer.objects.create(
        entry=current,
        start=slot.start,
        end=slot.start + datetime.timedelta(minutes=current.appointment_type.default_duration),
        clinician=slot.clinician,
        location=slot.location,
        room=slot.room,
        freed_by=slot.freed_by,
        offered_by=actor,
    )
    save_version(current, {"status": WaitlistStatus.OFFERED, "updated_at": timezone.now()})
    _audit(
        "waitlist.offered",
        current,
        actor=actor,
        request=request,
        offer_id=made.pk,
        freed_by=slot.freed_by.pk if slot.freed_by else None,
    )
    return made


def _open_offer(current: WaitlistEntry) -> WaitlistOffer:
    made = _pending(current)
    if current.status != WaitlistStatus.OFFERED or made is None:
        raise ValidationError("There is no open offer on this entry.")
    return made


@transaction.atomic
def accept_offer(
    entry: WaitlistEntry, *, actor: Membership, expected_version: int, zone: str, request=None
) -> Appointment:
    """The client took the slot: book it through ``services.book`` (all its checks) and close the entry. If the
    booking is refused (the time was taken meanwhile), nothing changes and the offer stays open."""
    current = _locked(entry, expected_version)
    made = _open_offer(current)
    details = services.Details(
        appointment_type=current.appointment_type,
        clients=[current.client],
        clinicians=[made.clinician],
        location=made.location,
        room=made.room,
    )
    booking = services.book(
        actor=actor, details=details, start=made.start, duration=made.duration, display_zone=zone, request=request
    )
    appointment = booking.appointments[0]
    now = timezone.now()
    made.outcome, made.responded_at, made.appointment = OfferOutcome.BOOKED, now, appointment
    made.save(update_fields=["outcome", "responded_at", "appointment"])
    save_version(current, {"status": WaitlistStatus.BOOKED, "booked_appointment": appointment, "updated_at": now})
    _audit("waitlist.booked", current, actor=actor, request=request, offer_id=made.pk, appointment_id=appointment.pk)
    return appointment


@transaction.atomic
def decline_offer(
    entry: WaitlistEntry, *, actor: Membership, expected_version: int, reason: str = "", request=None
) -> WaitlistEntry:
    """The client said no (or didn't answer in time): the offer is closed and the entry waits again, keeping
    its place (date added)."""
    current = _locked(entry, expected_version)
    made = _open_offer(current)
    now = timezone.now()
    made.outcome, made.responded_at = OfferOutcome.DECLINED, now
    made.decline_reason = (reason or "").strip()[:REASON_MAX]
    made.save(update_fields=["outcome", "responded_at", "decline_reason"])
    save_version(current, {"status": WaitlistStatus.WAITING, "updated_at": now})
    _audit("waitlist.declined", current, actor=actor, request=request, offer_id=made.pk)
    return current
