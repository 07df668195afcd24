import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.people.models import Membership
from core.authz import get_for_clinic_or_404, require
from core.clinic_time import today_in
from core.forms import add_validation_errors, run_button
from scheduling import policies
from scheduling.appointments import recurrence, selectors
from scheduling.availability import services as availability
from scheduling.availability.forms import BlockTimeForm, OpenSlotsForm, WorkingHoursFormSet
from scheduling.availability.models import BlockedTime, WorkingHours


@login_required
def open_slots(request):
    actor = request.membership
    require(request, policies.can_open_booking(actor), "scheduling.open_slots")
    zone = selectors.reader_zone(request)
    form = OpenSlotsForm(request.GET or None)
    slots = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        day = data.get("start") or today_in(zone)
        start = max(timezone.now(), recurrence.to_utc(datetime.datetime.combine(day, datetime.time()), zone))
        try:
            slots = availability.find_open_slots(
                start=start,
                clinicians=[data["clinician"]] if data.get("clinician") else None,
                appointment_type=data.get("appointment_type"),
                duration=data.get("duration"),
                limit=15,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            slots = [(s, recurrence.to_local(s.start, zone), recurrence.to_local(s.end, zone)) for s in slots]
    hours_for = [m for m in selectors.clinicians() if policies.can_manage_availability(actor, m)]
    context = {"form": form, "slots": slots, "zone": zone, "hours_for": hours_for}
    return render(request, "scheduling/open_slots.html", context)


def _clinician(request, member_pk: int) -> Membership:
    """The clinician whose hours the page manages (404 unless this clinic's; 403 unless the person may), audited."""
    clinician = get_for_clinic_or_404(
        request, Membership.objects.select_related("user"), "scheduling.availability", member_pk
    )
    require(
        request, policies.can_manage_availability(request.membership, clinician), "scheduling.availability", clinician
    )
    return clinician


@login_required
def availability_edit(request, member_pk: int):
    clinician = _clinician(request, member_pk)
    zone = request.organization.time_zone
    rows = WorkingHours.objects.filter(clinician=clinician).select_related("location")
    initial = [
        {"weekday": r.weekday, "location": r.location_id, "start_time": r.start_time, "end_time": r.end_time}
        for r in rows
    ]
    formset = WorkingHoursFormSet(request.POST or None, initial=initial, prefix="hours")
    block_form = BlockTimeForm(prefix="block")
    if request.method == "POST" and formset.is_valid():
        kept = [f.cleaned_data for f in formset if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        rows = [{k: v for k, v in row.items() if k != "DELETE"} for row in kept]
        if run_button(request, availability.set_working_hours, clinician, rows=rows):
            messages.success(request, "Working hours saved.")
            return redirect("scheduling:availability", member_pk=member_pk)
    blocks = BlockedTime.objects.filter(clinician=clinician, end__gt=timezone.now()).order_by("start")
    context = {
        "clinician": clinician,
        "formset": formset,
        "block_form": block_form,
        "blocks": [(b, recurrence.to_local(b.start, zone), recurrence.to_local(b.end, zone)) for b in blocks],
        "zone": zone,
    }
    return render(request, "scheduling/availability.html", context)


@login_required
@require_POST
def block_add(request, member_pk: int):
    clinician = _clinician(request, member_pk)
    form = BlockTimeForm(request.POST, prefix="block")
    zone = request.organization.time_zone
    if form.is_valid():
        data = form.cleaned_data
        start = recurrence.to_utc(datetime.datetime.combine(data["start_date"], data["start_time"]), zone)
        end = recurrence.to_utc(datetime.datetime.combine(data["end_date"], data["end_time"]), zone)
        if run_button(request, availability.block_time, clinician, start=start, end=end, reason=data["reason"]):
            messages.success(request, "Time blocked.")
    else:
        messages.error(request, "Give the start and end of the blocked time.")
    return redirect("scheduling:availability", member_pk=member_pk)


@login_required
@require_POST
def block_remove(request, member_pk: int, block_pk: int):
    clinician = _clinician(request, member_pk)
    block = get_for_clinic_or_404(request, clinician.blocked_times.all(), "scheduling.availability", block_pk)
    availability.unblock_time(block, actor=request.membership, request=request)
    messages.success(request, "Blocked time removed.")
    return redirect("scheduling:availability", member_pk=member_pk)
