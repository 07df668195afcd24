"""The waitlist pages: the list, adding and changing an entry, offering a freed slot and recording the answer.

Thin: parse the form, ask ``policies``, call ``scheduling.waitlist``, render. Pages that show client names are
audited (``waitlist.viewed``), like the calendar.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.people.models import Membership
from audit.services import record
from clients.records.models import Client
from core import params
from core.authz import get_for_clinic_or_404, require
from core.errors import ConflictError
from core.forms import add_validation_errors, run_button, submit
from scheduling import policies
from scheduling.appointments import recurrence, services
from scheduling.appointments.models import Appointment, Room
from scheduling.appointments.selectors import reader_zone
from scheduling.waitlist import selectors as wl
from scheduling.waitlist import services as waitlist
from scheduling.waitlist.forms import EntryForm, ListFilterForm, OfferForm, ReasonForm
from scheduling.waitlist.models import TimeWindow, WaitlistEntry
from tenancy.models import Location

PAGE_SIZE = 50
INCOMPLETE = "The form was incomplete; reload the page and try again."
DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _describe(entry: WaitlistEntry) -> None:
    """Plain-language wishes for the templates."""
    entry.days_text = ", ".join(DAY_NAMES[d] for d in entry.weekdays) or "Any day"
    entry.windows_text = ", ".join(TimeWindow(w).label.split(" (")[0] for w in entry.windows) or "Any time"
    if entry.clinician_id:
        entry.clinician_text = entry.clinician.user.full_name
    else:
        entry.clinician_text = f"Any {entry.clinician_title}" if entry.clinician_title else "Any clinician"


def _label(entries, named: set[int]) -> None:
    for entry in entries:
        entry.named = entry.client_id in named
        _describe(entry)


def _entry(request, pk: int, permission: str) -> tuple[WaitlistEntry, set[int]]:
    """The entry (404 for another clinic's or an unknown id), refused with 403 if outside the person's scope."""
    actor = request.membership
    require(request, policies.can_view_waitlist(actor), permission)
    queryset = WaitlistEntry.objects.select_related("client", "appointment_type", "clinician__user")
    entry = get_for_clinic_or_404(request, queryset, permission, pk)
    named = wl.named_client_ids(actor, [entry.client_id])
    visible = policies.sees_whole_waitlist(actor) or entry.client_id in named or entry.clinician_id == actor.pk
    require(request, visible, permission, entry)
    return entry, named


@login_required
def waitlist_list(request):
    actor = request.membership
    require(request, policies.can_view_waitlist(actor), "scheduling.waitlist")
    form = ListFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = wl.entries_for_list(
        actor,
        status=filters.get("status") or "open",
        appointment_type_id=filters["appointment_type"].pk if filters.get("appointment_type") else None,
        clinician_id=filters["clinician"].pk if filters.get("clinician") else None,
        priority=filters.get("priority") or "",
        sort=filters.get("sort") or "added",
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    _label(rows, wl.named_client_ids(actor, {e.client_id for e in rows}))
    unrecorded = wl.waitlist_status_without_entry(actor)
    record(
        "waitlist.viewed",
        request=request,
        detail={"entries": len(rows), "page": page.number, "unrecorded": len(unrecorded)},
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "unrecorded": unrecorded,
        "query": query.urlencode(),
        "zone": reader_zone(request),
    }
    return render(request, "scheduling/waitlist.html", context)


@login_required
def entry_add(request):
    actor = request.membership
    require(request, policies.can_view_waitlist(actor), "scheduling.waitlist.add")
    initial = {"client": params.get_id(request.GET, "client")}
    form = EntryForm(request.POST or None, actor=actor, with_client=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        client = form.cleaned_data["client"]
        data = form.data_for_service()
        on_caseload = client.pk in wl.named_client_ids(actor, [client.pk])
        allowed = policies.can_manage_waitlist_entry(
            actor, on_caseload=on_caseload, requested_clinician_id=data.clinician.pk if data.clinician else None
        )
        require(request, allowed, "scheduling.waitlist.add", client)
        try:
            entry = waitlist.add_entry(client, actor=actor, data=data, request=request)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, "Added to the waitlist.")
            return redirect("scheduling:waitlist_entry", pk=entry.pk)
    return render(request, "scheduling/waitlist_form.html", {"form": form, "entry": None, "zone": reader_zone(request)})


@login_required
def entry_detail(request, pk: int):
    actor = request.membership
    entry, named = _entry(request, pk, "scheduling.waitlist")
    clinic_zone, zone = request.organization.time_zone, reader_zone(request)
    _label([entry], named)
    offers = wl.offers_of(entry)
    for offer in offers:
        offer.local_start = recurrence.to_local(offer.start, zone)
    can_manage = wl.may_manage(actor, entry, named)
    slots = []
    if can_manage and entry.status == "waiting":
        try:
            found = wl.open_slots_for(entry, clinic_zone)
        except ValidationError:
            found = []
        slots = [
            (s, recurrence.to_local(s.start, zone), OfferForm(initial=_offer_initial(entry, s)))
            for s in found
            if policies.can_book(actor, [s.clinician.pk])
        ]
    record("waitlist.entry_viewed", request=request, target=entry, client_id=entry.client_id)
    context = {
        "entry": entry,
        "offers": offers,
        "pending": next((o for o in offers if o.outcome == "pending"), None),
        "can_manage": can_manage,
        "slots": slots,
        "zone": zone,
        "reason_form": ReasonForm(initial={"version": entry.version}),
    }
    return render(request, "scheduling/waitlist_entry.html", context)


def _offer_initial(entry: WaitlistEntry, slot: waitlist.Slot) -> dict:
    return {
        "version": entry.version,
        "start": slot.start.isoformat(),
        "clinician": slot.clinician.pk,
        "location": slot.location.pk,
        "room": slot.room.pk if slot.room else None,
        "minutes": slot.minutes,
        "freed_by": slot.freed_by.pk if slot.freed_by else None,
    }


def _managed(request, pk: int, permission: str) -> WaitlistEntry:
    entry, named = _entry(request, pk, permission)
    require(request, wl.may_manage(request.membership, entry, named), permission, entry)
    return entry


@login_required
def entry_edit(request, pk: int):
    actor = request.membership
    entry = _managed(request, pk, "scheduling.waitlist.change")
    initial = {
        "appointment_type": entry.appointment_type_id,
        "clinician": entry.clinician_id,
        "clinician_title": entry.clinician_title,
        "weekdays": entry.weekdays,
        "windows": entry.windows,
        "priority": entry.priority,
        "notes": entry.notes,
        "version": entry.version,
    }
    form = EntryForm(request.POST or None, actor=actor, with_client=False, initial=initial)
    if submit(request, form, waitlist.update_entry, entry):
        messages.success(request, "Waitlist entry saved.")
        return redirect("scheduling:waitlist_entry", pk=pk)
    _label([entry], wl.named_client_ids(actor, [entry.client_id]))
    return render(
        request, "scheduling/waitlist_form.html", {"form": form, "entry": entry, "zone": reader_zone(request)}
    )


def _answer(request, pk: int, permission: str, service, done: str):
    """Remove an entry or decline its offer: the POSTed version and reason go to ``service``, refusals become
    messages."""
    entry = _managed(request, pk, permission)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, INCOMPLETE)
    elif run_button(request, service, entry, **form.arguments()):
        messages.success(request, done)
    return redirect("scheduling:waitlist_entry", pk=pk)


@login_required
@require_POST
def entry_remove(request, pk: int):
    return _answer(request, pk, "scheduling.waitlist.remove", waitlist.remove_entry, "Removed from the waitlist.")


@login_required
@require_POST
def offer_decline(request, pk: int):
    done = "Offer declined; the client is waiting again and keeps their place."
    return _answer(request, pk, "scheduling.waitlist.services.offer", waitlist.decline_offer, done)


@login_required
@require_POST
def offer_accept(request, pk: int):
    entry = _managed(request, pk, "scheduling.waitlist.services.offer")
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, INCOMPLETE)
        return redirect("scheduling:waitlist_entry", pk=pk)
    offer = entry.offers.filter(outcome="pending").select_related("clinician").first()
    allowed = offer is None or policies.can_book(request.membership, [offer.clinician_id])
    require(request, allowed, "scheduling.book", entry)
    try:
        appointment = waitlist.accept_offer(
            entry,
            actor=request.membership,
            expected_version=form.cleaned_data["version"],
            zone=reader_zone(request),
            request=request,
        )
    except ConflictError as error:
        messages.error(request, error.message)
    except services.BookingRefused as error:
        messages.error(request, "Not booked: " + " ".join(error.messages) + " The offer is still open.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Booked from the waitlist.")
        return redirect("scheduling:detail", pk=appointment.pk)
    return redirect("scheduling:waitlist_entry", pk=pk)


@login_required
@require_POST
def entry_offer(request, pk: int):
    actor = request.membership
    entry = _managed(request, pk, "scheduling.waitlist.services.offer")
    form = OfferForm(request.POST)
    back = request.POST.get("back") == "matches"
    if not form.is_valid():
        messages.error(request, "That slot could not be read; search again.")
        return redirect("scheduling:waitlist_entry", pk=pk)
    data = form.cleaned_data
    require(request, policies.can_book(actor, [data["clinician"].pk]), "scheduling.book", entry)
    freed_by = Appointment.objects.filter(pk=data["freed_by"]).first() if data.get("freed_by") else None
    start = data["start"]
    slot = waitlist.Slot(
        start,
        start + datetime.timedelta(minutes=data["minutes"]),
        data["clinician"],
        data["location"],
        data.get("room"),
        freed_by,
    )
    try:
        waitlist.offer(
            entry, actor=actor, expected_version=data["version"], slot=slot, zone=reader_zone(request), request=request
        )
    except ConflictError as error:
        messages.error(request, error.message)
    except ValidationError as error:
        messages.error(request, "Not offered: " + " ".join(error.messages))
    else:
        local = recurrence.to_local(start, reader_zone(request))
        messages.success(
            request,
            f"Offer recorded: {local:%a %b} {local.day}, {local:%H:%M} with {data['clinician'].user.full_name}. "
            "Record the client's answer below.",
        )
        return redirect("scheduling:waitlist_entry", pk=pk)
    if back and freed_by is not None:
        return redirect(f"{reverse('scheduling:waitlist_matches')}?appointment={freed_by.pk}")
    return redirect("scheduling:waitlist_entry", pk=pk)


def _slot_from_query(request) -> waitlist.Slot | None:
    """A slot from ``?start=…&end=…&clinician=…&location=…[&room=…]`` (the open-times page links here)."""
    start, end = params.get_datetime(request.GET, "start"), params.get_datetime(request.GET, "end")
    ids = {name: params.get_id(request.GET, name) for name in ("clinician", "location", "room")}
    if start is None or end is None or ids["clinician"] is None or ids["location"] is None:
        return None
    start, end = (recurrence.to_utc(t, reader_zone(request)) if timezone.is_naive(t) else t for t in (start, end))
    if not datetime.timedelta(minutes=5) <= end - start <= datetime.timedelta(hours=8):
        return None
    clinician = Membership.objects.filter(pk=ids["clinician"]).select_related("user").first()
    location = Location.objects.filter(pk=ids["location"]).first()
    room = Room.objects.filter(pk=ids["room"]).first() if ids["room"] else None
    if clinician is None or location is None:
        return None
    return waitlist.Slot(start, end, clinician, location, room)


@login_required
def slot_matches(request):
    """Waiting clients who fit a freed slot, longest-waiting first, each with an Offer button."""
    actor = request.membership
    require(request, policies.can_view_waitlist(actor), "scheduling.waitlist")
    problem = ""
    if appointment_id := params.get_id(request.GET, "appointment"):
        appointment = get_for_clinic_or_404(
            request,
            Appointment.objects.select_related("location", "room", "appointment_type"),
            "scheduling.waitlist",
            appointment_id,
        )
        slot = wl.slot_of_cancelled(appointment)
        if slot is None:
            problem = "This appointment isn't a cancelled future one, so its time isn't free to offer."
    else:
        slot = _slot_from_query(request)
        if slot is None:
            problem = "Choose a slot from the open times, or a cancelled appointment, to see who it suits."
    entries = wl.matching_entries(actor, slot, request.organization.time_zone) if slot else []
    named = wl.named_client_ids(actor, {e.client_id for e in entries})
    _label(entries, named)
    for entry in entries:
        entry.can_offer = wl.may_manage(actor, entry, named) and policies.can_book(actor, [slot.clinician.pk])
        entry.offer_form = OfferForm(initial=_offer_initial(entry, slot))
    record(
        "waitlist.viewed",
        request=request,
        detail={"matches": len(entries), "freed_by": slot.freed_by.pk if slot and slot.freed_by else None},
    )
    zone = reader_zone(request)
    context = {
        "slot": slot,
        "problem": problem,
        "entries": entries,
        "zone": zone,
        "start": recurrence.to_local(slot.start, zone) if slot else None,
        "end": recurrence.to_local(slot.end, zone) if slot else None,
    }
    return render(request, "scheduling/waitlist_matches.html", context)


def chart_context(request, client: Client) -> dict:
    """The Schedule tab's waitlist part (empty for people who don't use the waitlist, e.g. billing)."""
    actor = request.membership
    if not policies.can_view_waitlist(actor):
        return {}
    entries = wl.client_entries(client)
    for entry in entries:
        _describe(entry)
    on_caseload = client.pk in wl.named_client_ids(actor, [client.pk])
    may_add = policies.can_manage_waitlist_entry(actor, on_caseload=on_caseload, requested_clinician_id=None)
    return {"waitlist_entries": entries, "can_add_waitlist": may_add and client.status in waitlist.WAITLISTABLE}
