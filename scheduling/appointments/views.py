import datetime
import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.people.models import Membership
from audit.services import record
from clients import tabs
from clients.records.models import Client
from core import params
from core.authz import get_for_clinic_or_404, require
from core.clinic_time import today_in
from core.errors import ConflictError
from core.forms import add_validation_errors, run_button, submit
from core.paging import page_of
from scheduling import policies
from scheduling.appointments import actions, calendar, recurrence, selectors, services
from scheduling.appointments.forms import (
    AppointmentTypeForm,
    BookForm,
    CancelForm,
    ClosureForm,
    EditForm,
    PreferenceForm,
    RoomForm,
    StatusForm,
    client_matches,
)
from scheduling.appointments.models import Appointment, AppointmentType, CalendarPreference, ClinicClosure, Room, Status
from scheduling.reminders import views as reminder_views
from scheduling.waitlist import selectors as waitlist_selectors
from scheduling.waitlist import views as waitlist_views

BAD_DATE = "The date in the address isn't a real date (YYYY-MM-DD between 1900 and 2199), so today is shown."
BAD_START = "The start time in the address isn't a real date and time, so give it below."


def _details(form) -> services.Details:
    data = form.cleaned_data
    return services.Details(
        appointment_type=data["appointment_type"],
        clients=list(data["clients"]),
        clinicians=list(data["clinicians"]),
        location=data["location"],
        room=data.get("room"),
        staff_notes=data.get("staff_notes", ""),
    )


@login_required
@calendar.collector_paused  # thousands of short-lived objects, freed when the view returns; see its docstring
def calendar_view(request):
    """Day, week, month or list; one clinician, several side by side, or a room. Reading it is audited."""
    actor = request.membership
    require(request, policies.can_view_calendar(actor), "scheduling.view")
    zone = selectors.reader_zone(request)
    view = params.get_choice(request.GET, "view", calendar.VIEWS, "")
    anchor = params.get_date(request.GET, "date")
    if anchor is None:
        if request.GET.get("date"):
            messages.error(request, BAD_DATE)
        anchor = today_in(zone)
    everyone = selectors.clinicians()
    by_pk = {m.pk: m for m in everyone}
    rooms = list(Room.objects.filter(is_active=True).select_related("location").only("name", "location__name"))
    room_id = params.get_id(request.GET, "room")
    room = next((r for r in rooms if r.pk == room_id), None)
    chosen = [by_pk[pk] for pk in params.get_ids(request.GET, "c") if pk in by_pk]
    if room is None and not chosen:
        own = actor.pk in by_pk and not actor.has_role(*policies.SCHEDULERS)
        chosen = [by_pk[actor.pk]] if own else everyone
    if view not in calendar.VIEWS:
        view = "week" if len(chosen) == 1 or room else "day"
    first, last = calendar.date_range(view, anchor)
    start, end = calendar.utc_bounds(first, last, zone)
    appointments = selectors.calendar_rows(
        start,
        end,
        zone=zone,
        clinician_ids=None if room else [m.pk for m in chosen],
        room_id=room.pk if room else None,
        include_cancelled=view == "list",
    )
    client_ids = {row.pk for a in appointments for row in a.client_rows}
    visible = selectors.visible_client_ids(actor, client_ids)
    closures = selectors.closures_between(first, last)
    events = calendar.events_for(appointments, actor=actor, visible=visible, closures=closures)
    blocked = [] if room else selectors.blocked_between(start, end, [m.pk for m in chosen])
    record(
        "schedule.viewed",
        request=request,
        detail={
            "view": view,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "clinicians": len(chosen),
            "room_id": room.pk if room else None,
            "appointments": len(appointments),
        },
    )
    chosen_ids = {m.pk for m in chosen}
    context = {
        "view": view,
        "anchor": anchor,
        "first": first,
        "last": last,
        "zone": zone,
        "today": today_in(zone),
        "room": room,
        "rooms": rooms,
        "chosen": chosen,
        "clinician_options": calendar.options_html(
            [(str(m.pk), m.user.full_name, not room and m.pk in chosen_ids) for m in everyone]
        ),
        "room_options": calendar.options_html([(str(r.pk), f"{r.name} ({r.location.name})", r == room) for r in rooms]),
        "prev": calendar.step(view, anchor, -1),
        "next": calendar.step(view, anchor, 1),
        "can_book": policies.can_open_booking(actor),
        "can_manage_settings": policies.can_manage_settings(actor),
        "can_manage_closures": policies.can_manage_closures(actor),
        "own_hours": actor.pk in by_pk and policies.can_manage_availability(actor, actor),
        "can_use_waitlist": policies.can_view_waitlist(actor),
        "can_use_feeds": policies.can_use_feeds(actor),
        "query": _query(view, room, chosen, everyone),
        "events": events,
    }
    if view in ("day", "week") and (view == "day" or len(chosen) == 1 or room):
        context.update(_time_grid(view, first, last, events, blocked, chosen, room, closures, zone))
    elif view == "week":
        context["rows_html"] = _resource_week(first, last, events, chosen, closures)
        context["days"] = [first + datetime.timedelta(days=i) for i in range(7)]
        view = "resource-week"
    elif view == "month":
        context["weeks"] = _month(first, anchor, events, closures)
    context["layout"] = view if view in ("month", "list", "resource-week") else "grid"
    return render(request, "scheduling/calendar.html", context)


def _query(view, room, chosen, everyone) -> str:
    from urllib.parse import urlencode

    if room:
        return urlencode({"view": view, "room": room.pk})
    if len(chosen) == len(everyone):
        return urlencode({"view": view})
    return urlencode([("view", view)] + [("c", m.pk) for m in chosen])


def _time_grid(view, first, last, events, blocked, chosen, room, closures, zone) -> dict:
    shown = calendar.segments(events, first, last)
    first_hour, last_hour = calendar.hour_span(shown)
    columns = []
    days = [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]
    if view == "day" and not room:
        for m in chosen:
            columns.append(calendar.Column(m.user.full_name, first, clinician_id=m.pk))
    else:
        for day in days:
            label = f"{day:%a} {day.day}"
            if room:
                columns.append(calendar.Column(label, day, room_id=room.pk))
            else:
                columns.append(calendar.Column(label, day, clinician_id=chosen[0].pk))
    placed: dict = {}
    for day, event in shown:
        if room:
            placed.setdefault((day, None), []).append(event)
        else:
            for clinician_id in event.clinician_ids:
                placed.setdefault((day, clinician_id), []).append(event)
    by_clinician = {}
    for block in blocked:
        by_clinician.setdefault(block.clinician_id, []).append(block)
    for column in columns:
        column.closure = calendar.closure_label(closures, column.date)
        for event in placed.get((column.date, column.clinician_id), ()):
            calendar.place(column, event, first_hour, last_hour)
        for block in by_clinician.get(column.clinician_id, ()) if column.clinician_id else ():
            calendar.place_block(column, block, zone, first_hour, last_hour)
    hours = [f"{h:02d}:00" for h in range(first_hour, last_hour)]
    markup = "".join(column.markup(first_hour, last_hour - first_hour) for column in columns)
    return {
        "columns": columns,
        "columns_html": mark_safe(markup),  # noqa: S308 -- Column.markup escapes every text value
        "hours": hours,
        "first_hour": first_hour,
        "hour_rows": last_hour - first_hour,
    }


def _resource_week(first, last, events, chosen, closures):
    """The week table's rows, one per clinician, rendered here (see ``calendar.Cell.markup``)."""
    cells_of: dict = {}
    for day, e in calendar.segments(events, first, last):
        for clinician_id in e.clinician_ids:
            cells_of.setdefault((day, clinician_id), []).append(e)
    days = [first + datetime.timedelta(days=i) for i in range(7)]
    closed = {day: calendar.closure_label(closures, day) for day in days}
    rows = []
    for m in chosen:
        cells = (calendar.Cell(day, m.pk, closure=closed[day], events=cells_of.get((day, m.pk), [])) for day in days)
        rows.append(f'<tr><th scope="row">{escape(m.user.full_name)}</th>{"".join(c.markup() for c in cells)}</tr>')
    return mark_safe("".join(rows))  # noqa: S308 -- names escaped here, cells by Cell.markup


def _month(first, anchor, events, closures):
    days = calendar.by_day(events)
    weeks = []
    for w in range(6):
        week = []
        for i in range(7):
            day = first + datetime.timedelta(days=7 * w + i)
            cell = calendar.Cell(day, None, in_month=day.month == anchor.month)
            cell.closure = calendar.closure_label(closures, day)
            cell.events = days.get(day, [])
            week.append(cell)
        weeks.append(week)
    return weeks


@login_required
@sensitive_post_parameters("client_query")
@require_POST
def client_search(request):
    """The booking form's client picker, as the person types: the best few clients they may book.

    A POST, like the client list's search, so the name or birth date typed never reaches a URL or an access log;
    not audited, for the reasons ``clients.records.views.client_list`` gives.
    """
    require(request, policies.can_open_booking(request.membership), "scheduling.book")
    text = request.POST.get("client_query", "")
    if not text.strip():
        return HttpResponse("")
    matches = client_matches(request.membership, text)
    return render(request, "scheduling/widgets/_client_matches.html", {"matches": matches, "live": True})


@login_required
def book(request):
    actor = request.membership
    require(request, policies.can_open_booking(actor), "scheduling.book")
    zone = selectors.reader_zone(request)
    initial = {"clinicians": [actor.pk] if not actor.has_role(*policies.SCHEDULERS) else []}
    moment = params.get_datetime(request.GET, "start")
    if moment:
        initial.update(date=moment.date(), start_time=moment.time())
    elif request.GET.get("start"):
        messages.error(request, BAD_START)
    for name, field in (("client", "clients"), ("clinician", "clinicians")):
        if chosen := params.get_id(request.GET, name):
            initial[field] = [chosen]
    for name in ("room", "location", "appointment_type", "duration"):
        if chosen := params.get_id(request.GET, name):
            initial[name] = chosen
    form = BookForm(request.POST or None, actor=actor, zone=zone, initial=initial)
    refused = None
    if request.method == "POST" and not form.searching and form.is_valid():
        clinician_ids = [m.pk for m in form.cleaned_data["clinicians"]]
        require(request, policies.can_book(actor, clinician_ids), "scheduling.book.others")
        try:
            booking = services.book(
                actor=actor,
                details=_details(form),
                start=form.start(),
                duration=form.length(),
                rule=form.rule(),
                closure_handling=form.cleaned_data.get("closure_handling") or "skip",
                override=form.cleaned_data["override"],
                display_zone=zone,
                request=request,
            )
        except services.BookingRefused as error:
            refused = error
            form.add_error(None, "Not booked: " + " ".join(error.messages))
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            first = booking.appointments[0]
            count = len(booking.appointments)
            text = f"Booked {count} appointments." if count > 1 else "Booked."
            if booking.skipped:
                text += " Skipped (clinic closed): " + ", ".join(f"{d:%b} {d.day} ({n})" for d, n in booking.skipped)
            if booking.flagged:
                text += " Booked on closed days, please check: " + ", ".join(
                    f"{d:%b} {d.day} ({n})" for d, n in booking.flagged
                )
            messages.success(request, text)
            local = recurrence.to_local(first.start, zone)
            query = "&".join(f"c={m.pk}" for m in form.cleaned_data["clinicians"])
            return redirect(f"{reverse('scheduling:calendar')}?view=week&date={local.date()}&{query}")
    return render(request, "scheduling/book.html", {"form": form, "refused": refused, "zone": zone})


def _appointment(request, pk, permission: str) -> Appointment:
    queryset = Appointment.objects.select_related("appointment_type", "location", "room", "series")
    return get_for_clinic_or_404(request, queryset, permission, pk)


def _clinician_ids(appointment: Appointment) -> list[int]:
    return list(appointment.clinician_links.values_list("clinician_id", flat=True))


def _changeable(request, pk, permission: str) -> Appointment:
    """The appointment (404 unless this clinic's) if the person may change it (403 otherwise), both audited."""
    appointment = _appointment(request, pk, permission)
    require(request, policies.can_change(request.membership, _clinician_ids(appointment)), permission, appointment)
    return appointment


@login_required
def appointment_detail(request, pk: int):
    actor = request.membership
    require(request, policies.can_view_appointment(actor), "scheduling.view")
    appointment = _appointment(request, pk, "scheduling.view")
    zone = selectors.reader_zone(request)
    links = list(appointment.client_links.select_related("client"))
    clinicians = [link.clinician for link in appointment.clinician_links.select_related("clinician__user")]
    visible = selectors.visible_client_ids(actor, [link.client_id for link in links])
    for link in links:
        link.visible = link.client_id in visible
    client_ids = [link.client_id for link in links]
    for client_id in client_ids or [None]:
        record("appointment.viewed", request=request, target=appointment, client_id=client_id)
    series_text = ""
    if appointment.series:
        rule = recurrence.Rule.of(appointment.series)
        series_text = recurrence.describe(rule, appointment.series.first_date)
    can_change = policies.can_change(actor, [c.pk for c in clinicians])
    context = {
        "appointment": appointment,
        "links": links,
        "clinicians": clinicians,
        "start": recurrence.to_local(appointment.start, zone),
        "end": recurrence.to_local(appointment.end, zone),
        "zone": zone,
        "series_text": series_text,
        "can_change": can_change and appointment.is_open,
        "can_mark": can_change and appointment.status != Status.CANCELLED,
        "status_form": StatusForm(initial={"version": appointment.version}),
        "statuses": [s for s in Status if s not in (Status.CANCELLED, appointment.status)],
        **reminder_views.appointment_context(appointment, zone=zone, links=links),
        "waitlist_matches": waitlist_selectors.count_matching_cancelled(
            actor, appointment, request.organization.time_zone
        ),
        "actions": actions.action_links(request, appointment, links),
    }
    return render(request, "scheduling/detail.html", context)


@login_required
def appointment_edit(request, pk: int):
    actor = request.membership
    appointment = _appointment(request, pk, "scheduling.change")
    clinicians = list(appointment.clinician_links.select_related("clinician__user"))
    require(request, policies.can_change(actor, [c.clinician_id for c in clinicians]), "scheduling.change", appointment)
    zone = selectors.reader_zone(request)
    local = recurrence.to_local(appointment.start, zone)
    initial = {
        "version": appointment.version,
        "appointment_type": appointment.appointment_type_id,
        "clients": list(appointment.client_links.values_list("client_id", flat=True)),
        "clinicians": [c.clinician_id for c in clinicians],
        "date": local.date(),
        "start_time": local.time(),
        "duration": appointment.duration,
        "location": appointment.location_id,
        "room": appointment.room_id,
        "staff_notes": appointment.staff_notes,
    }
    form = EditForm(request.POST or None, actor=actor, zone=zone, initial=initial)
    current_clients = appointment.client_links.values("client_id")
    form.fields["clients"].queryset = Client.objects.filter(
        Q(pk__in=form.fields["clients"].queryset.values("pk")) | Q(pk__in=current_clients)
    ).order_by("legal_last_name", "legal_first_name")
    if not appointment.series_id:
        del form.fields["scope"]
    refused = None
    if request.method == "POST" and not form.searching and form.is_valid():
        require(
            request,
            policies.can_change(actor, [m.pk for m in form.cleaned_data["clinicians"]]),
            "scheduling.change.others",
            appointment,
        )
        try:
            services.update(
                appointment,
                actor=actor,
                expected_version=form.cleaned_data["version"],
                details=_details(form),
                start=form.start(),
                duration=form.length(),
                scope=form.cleaned_data.get("scope") or services.ONE,
                override=form.cleaned_data["override"],
                display_zone=zone,
                request=request,
            )
        except ConflictError as error:
            form.add_error(None, error.message)
        except services.BookingRefused as error:
            refused = error
            form.add_error(None, "Not changed: " + " ".join(error.messages))
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, "Appointment changed.")
            return redirect("scheduling:detail", pk=pk)
    context = {"form": form, "appointment": appointment, "refused": refused, "zone": zone}
    return render(request, "scheduling/edit.html", context)


@login_required
@require_POST
def appointment_move(request, pk: int):
    """Drag-and-drop and keyboard moves (fetch with the CSRF header): JSON in, JSON out."""
    actor = request.membership
    appointment = _changeable(request, pk, "scheduling.change")
    zone = selectors.reader_zone(request)
    tz = zoneinfo.ZoneInfo(zone)
    start, end = params.get_datetime(request.POST, "start"), params.get_datetime(request.POST, "end")
    version = params.whole_number(request.POST.get("version"), minimum=0)
    if start is None or end is None or version is None:
        return JsonResponse({"ok": False, "message": "Give a start, an end and the version."}, status=400)
    to_clinician = None
    if request.POST.get("to_clinician"):
        to_id = params.get_id(request.POST, "to_clinician")
        to_clinician = Membership.objects.filter(pk=to_id).select_related("user").first() if to_id else None
        if to_clinician is None:
            return JsonResponse({"ok": False, "message": "Unknown clinician."}, status=400)
    from_clinician = params.get_id(request.POST, "from_clinician")
    try:
        services.move(
            appointment,
            actor=actor,
            expected_version=version,
            start=start.replace(tzinfo=tz) if timezone.is_naive(start) else start,
            end=end.replace(tzinfo=tz) if timezone.is_naive(end) else end,
            from_clinician=from_clinician,
            to_clinician=to_clinician,
            override=request.POST.get("override") == "1",
            display_zone=zone,
            request=request,
        )
    except ConflictError as error:
        return JsonResponse({"ok": False, "message": error.message, "stale": True}, status=409)
    except services.BookingRefused as error:
        message = "Not moved: " + " ".join(error.messages)
        return JsonResponse({"ok": False, "message": message, "overridable": error.overridable}, status=409)
    except ValidationError as error:
        return JsonResponse({"ok": False, "message": "Not moved: " + " ".join(error.messages)}, status=400)
    local = recurrence.to_local(start.replace(tzinfo=tz) if timezone.is_naive(start) else start, zone)
    return JsonResponse({"ok": True, "message": f"Moved to {local:%a %b} {local.day}, {local:%H:%M}."})


@login_required
def appointment_cancel(request, pk: int):
    actor = request.membership
    appointment = _changeable(request, pk, "scheduling.cancel")
    form = CancelForm(request.POST or None, initial={"version": appointment.version, "scope": services.ONE})
    if not appointment.series_id:
        del form.fields["scope"]
    if cancelled := submit(request, form, services.cancel, appointment):
        late = " (late cancellation)" if cancelled[0].late_cancellation else ""
        count = f"{len(cancelled)} appointments" if len(cancelled) > 1 else "Appointment"
        matching = waitlist_selectors.count_matching_cancelled(actor, cancelled[0], request.organization.time_zone)
        waiting = f" {waitlist_selectors.matches_text(matching)}." if matching else ""
        messages.success(request, f"{count} cancelled{late}.{waiting}")
        return redirect("scheduling:detail", pk=pk)
    return render(request, "scheduling/cancel.html", {"form": form, "appointment": appointment})


@login_required
@require_POST
def appointment_status(request, pk: int):
    appointment = _changeable(request, pk, "scheduling.status")
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
    elif run_button(request, services.set_status, appointment, **form.arguments()):
        messages.success(request, f"Marked {Status(form.cleaned_data['status']).label.lower()}.")
    return redirect("scheduling:detail", pk=pk)


SETTINGS = {
    "types": (AppointmentType, AppointmentTypeForm, "Appointment types", policies.can_manage_settings),
    "rooms": (Room, RoomForm, "Rooms", policies.can_manage_settings),
    "closures": (ClinicClosure, ClosureForm, "Clinic closures", policies.can_manage_closures),
}


@login_required
def settings_list(request, kind: str):
    if kind not in SETTINGS:
        raise Http404
    model, _form, title, allowed = SETTINGS[kind]
    require(request, allowed(request.membership), f"scheduling.settings.{kind}")
    rows = model.objects.all()
    if kind == "rooms":
        rows = rows.select_related("location")
    if kind == "closures":
        rows = rows.select_related("location").order_by("-start_date")
    context = {
        "kind": kind,
        "title": title,
        "rows": rows,
        "can_manage_settings": policies.can_manage_settings(request.membership),
    }
    return render(request, "scheduling/settings_list.html", context)


@login_required
def settings_edit(request, kind: str, pk: int | None = None):
    if kind not in SETTINGS:
        raise Http404
    model, form_class, title, allowed = SETTINGS[kind]
    require(request, allowed(request.membership), f"scheduling.settings.{kind}")
    instance = get_for_clinic_or_404(request, model.objects.all(), f"scheduling.settings.{kind}", pk) if pk else None
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_setting(form, actor=request.membership, request=request)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Saved {saved}.")
            return redirect("scheduling:settings", kind=kind)
    return render(request, "scheduling/settings_form.html", {"form": form, "kind": kind, "title": title})


@login_required
def preferences(request):
    actor = request.membership
    require(request, policies.can_view_calendar(actor), "scheduling.preferences")
    pref = CalendarPreference.objects.filter(membership=actor).first() or CalendarPreference(membership=actor)
    form = PreferenceForm(request.POST or None, instance=pref, clinic_zone=request.organization.time_zone)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved.")
        return redirect("scheduling:calendar")
    return render(request, "scheduling/preferences.html", {"form": form})


TAB_PAGE_SIZE = 20


def schedule_tab(request, client, chart):
    """The chart's Schedule tab: upcoming appointments (soonest first) and past ones (latest first), each paged on
    its own, and attendance rates (the chart read is audited by ``clients.access.get_chart`` before this runs)."""
    zone = selectors.reader_zone(request)
    now = timezone.now()
    upcoming = page_of(request, selectors.client_appointments(client, now, upcoming=True), TAB_PAGE_SIZE, "upcoming")
    past = page_of(request, selectors.client_appointments(client, now, upcoming=False), TAB_PAGE_SIZE, "past")
    selectors.load_clinicians([*upcoming, *past])
    for a in [*upcoming, *past]:
        a.local_start = recurrence.to_local(a.start, zone)
        a.clinician_names = ", ".join(link.clinician.user.full_name for link in a.clinician_links.all())
    context = {
        "upcoming": upcoming,
        "past": past,
        "stats": selectors.attendance(client, now),
        "zone": zone,
        "can_book": policies.can_open_booking(request.membership) and client.status not in ("discharged",),
        **waitlist_views.chart_context(request, client),
    }
    return tabs.render_tab(request, client, chart, "schedule", "scheduling/tab_schedule.html", context)
