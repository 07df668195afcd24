"""Reads of the waitlist with their permission rules: which entries a person sees (and by name), which waiting
clients fit a freed slot, and a client's entries for the chart. Each is a fixed number of queries."""

import datetime
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.people.models import Membership
from clients.access import visible_clients
from clients.records.models import Client, ClientStatus
from scheduling import policies
from scheduling.appointments import recurrence
from scheduling.appointments.models import Appointment
from scheduling.availability import services as availability
from scheduling.waitlist.models import (
    OPEN_WAITLIST,
    OfferOutcome,
    Priority,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistStatus,
    window_of,
)
from scheduling.waitlist.services import WAITLISTABLE, Slot

SORTS = {
    "added": ("added_at", "pk"),
    "-added": ("-added_at", "-pk"),
    "priority": ("-is_high", "added_at", "pk"),
}


def visible_entries(actor: Membership) -> QuerySet:
    """Entries the person may see: all for the front desk and administrators; for clinicians, their caseload's
    and the requests naming them."""
    entries = WaitlistEntry.objects.all()
    if policies.sees_whole_waitlist(actor):
        return entries
    if not policies.can_view_waitlist(actor):
        return entries.none()
    return entries.filter(Q(client__in=visible_clients(actor).values("pk")) | Q(clinician=actor))


def named_client_ids(actor: Membership, client_ids: Iterable[int]) -> set[int]:
    """Which clients the person may see by name (caseload rules of ``clients.access.visible_clients``)."""
    ids = set(client_ids)
    if not ids:
        return set()
    if policies.sees_all_client_names(actor):
        return ids
    return set(visible_clients(actor).filter(pk__in=ids).values_list("pk", flat=True))


def may_manage(actor: Membership, entry: WaitlistEntry, named: set[int] | None = None) -> bool:
    named = named_client_ids(actor, [entry.client_id]) if named is None else named
    return policies.can_manage_waitlist_entry(
        actor, on_caseload=entry.client_id in named, requested_clinician_id=entry.clinician_id
    )


def _with_related(entries: QuerySet) -> QuerySet:
    pending = WaitlistOffer.objects.filter(outcome=OfferOutcome.PENDING).select_related("clinician__user", "location")
    return entries.select_related("client", "appointment_type", "clinician__user").prefetch_related(
        Prefetch("offers", queryset=pending, to_attr="pending_offers")
    )


def entries_for_list(
    actor: Membership,
    *,
    status: str = "open",
    appointment_type_id: int | None = None,
    clinician_id: int | None = None,
    priority: str = "",
    sort: str = "added",
) -> QuerySet:
    """The waitlist page's rows, filtered and sorted (oldest first unless asked otherwise)."""
    from django.db.models import BooleanField, Case, Value, When

    entries = visible_entries(actor)
    if status == "open":
        entries = entries.filter(status__in=OPEN_WAITLIST)
    elif status in WaitlistStatus.values:
        entries = entries.filter(status=status)
    if appointment_type_id:
        entries = entries.filter(appointment_type_id=appointment_type_id)
    if clinician_id:
        entries = entries.filter(clinician_id=clinician_id)
    if priority in Priority.values:
        entries = entries.filter(priority=priority)
    entries = entries.annotate(
        is_high=Case(When(priority=Priority.HIGH, then=Value(True)), default=Value(False), output_field=BooleanField())
    )
    return _with_related(entries).order_by(*SORTS.get(sort, SORTS["added"]))


def waitlist_status_without_entry(actor: Membership, limit: int = 20) -> list[Client]:
    """Clients whose status is Waitlist but who have no open request: their wishes aren't recorded yet."""
    if not policies.sees_whole_waitlist(actor):
        return []
    open_ids = WaitlistEntry.objects.filter(status__in=OPEN_WAITLIST).values("client_id")
    return list(
        Client.objects.filter(status=ClientStatus.WAITLIST)
        .exclude(pk__in=open_ids)
        .order_by("created_at", "pk")[:limit]
    )


def fits(entry: WaitlistEntry, slot: Slot, zone: str) -> bool:
    """Whether a waiting entry suits a slot: clinician (or kind of clinician), kind of place, length, day, time."""
    kind = entry.appointment_type
    if entry.clinician_id is not None and entry.clinician_id != slot.clinician.pk:
        return False
    title = entry.clinician_title.casefold()
    if entry.clinician_id is None and title and title not in (slot.clinician.title or "").casefold():
        return False
    if kind.is_telehealth != slot.location.is_telehealth or kind.default_duration > slot.minutes:
        return False
    local = recurrence.to_local(slot.start, zone)
    if entry.weekdays and local.weekday() not in entry.weekdays:
        return False
    return not entry.windows or window_of(local.time()) in entry.windows


def matching_entries(actor: Membership, slot: Slot, zone: str) -> list[WaitlistEntry]:
    """Waiting clients who fit ``slot``, longest-waiting first (two queries)."""
    candidates = (
        visible_entries(actor)
        .filter(
            status=WaitlistStatus.WAITING,
            client__status__in=WAITLISTABLE,
            appointment_type__is_active=True,
            appointment_type__is_telehealth=slot.location.is_telehealth,
            appointment_type__default_duration__lte=slot.minutes,
        )
        .filter(Q(clinician__isnull=True) | Q(clinician=slot.clinician))
        .select_related("client", "appointment_type", "clinician__user")
        .order_by("added_at", "pk")
    )
    return [entry for entry in candidates if fits(entry, slot, zone)]


def slot_of_cancelled(appointment: Appointment) -> Slot | None:
    """The time a cancelled future appointment freed (with its first clinician), or None."""
    if not appointment.is_cancelled or appointment.start <= timezone.now():
        return None
    link = appointment.clinician_links.select_related("clinician__user").order_by("pk").first()
    if link is None:
        return None
    return Slot(appointment.start, appointment.end, link.clinician, appointment.location, appointment.room, appointment)


def count_matching_cancelled(actor: Membership, appointment: Appointment, zone: str) -> int:
    """For the "N waitlisted clients match this slot" note after a cancellation (0 if the person can't see it)."""
    if not policies.can_view_waitlist(actor):
        return 0
    slot = slot_of_cancelled(appointment)
    return len(matching_entries(actor, slot, zone)) if slot else 0


def matches_text(count: int) -> str:
    return f"{count} waitlisted client{'s' if count != 1 else ''} match{'' if count != 1 else 'es'} this slot"


def open_slots_for(entry: WaitlistEntry, zone: str, limit: int = 8) -> list[Slot]:
    """The next open times (``availability.find_open_slots``) that suit this entry's days, times and clinician."""
    from tenancy.models import Location

    found = availability.find_open_slots(
        start=timezone.now() + datetime.timedelta(minutes=5),
        clinicians=[entry.clinician] if entry.clinician is not None else None,
        appointment_type=entry.appointment_type,
        limit=300,
        step_minutes=30,
    )
    locations = {loc.pk: loc for loc in Location.objects.filter(pk__in={s.location_id for s in found})}
    slots = []
    for s in found:
        slot = Slot(s.start, s.end, s.clinician, locations[s.location_id], s.room)
        if fits(entry, slot, zone):
            slots.append(slot)
            if len(slots) == limit:
                break
    return slots


def client_entries(client: Client) -> list[WaitlistEntry]:
    """A client's waitlist entries for the chart, open ones first."""
    entries = _with_related(WaitlistEntry.objects.filter(client=client))
    rows = list(entries.select_related("booked_appointment").order_by("-added_at", "-pk"))
    return sorted(rows, key=lambda e: not e.is_open)


def offers_of(entry: WaitlistEntry) -> list[WaitlistOffer]:
    return list(entry.offers.select_related("clinician__user", "location", "room", "offered_by__user"))
