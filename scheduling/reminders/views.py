"""Reminder pages: the administrators' settings, and the page a client reaches from a reminder's link.

The client's page needs no sign-in: the signed token in its address is the authority, for one appointment and
one answer. Opening it (GET) changes nothing — mail scanners open links — it shows the time and asks the
client to press a button, which POSTs with the CSRF token. Visits are throttled per address.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from audit.models import Outcome
from audit.request_info import client_ip
from audit.services import record
from core.authz import require
from core.errors import ConflictError
from core.forms import submit
from scheduling import policies
from scheduling.appointments import services
from scheduling.reminders import services as reminders
from scheduling.reminders.forms import ReminderSettingsForm
from scheduling.reminders.models import ReminderResponse

ANSWERS = {"confirm": ReminderResponse.CONFIRMED, "cancel": ReminderResponse.CANCELLED}


@login_required
def reminder_settings(request):
    actor = request.membership
    require(request, policies.can_manage_reminders(actor), "scheduling.reminders.settings")
    current = reminders.clinic_settings()
    initial = {"version": current.version}
    form = ReminderSettingsForm(request.POST or None, instance=current, initial=initial)
    if submit(request, form, reminders.save_settings):
        messages.success(request, "Reminder settings saved.")
        return redirect("scheduling:reminder_settings")
    return render(request, "scheduling/reminders/settings.html", {"form": form})


def _client_key(group: str, request) -> str:
    return client_ip(request) or "unknown"


def _problem(request, problem: reminders.LinkProblem, *, reason: str):
    record(
        "appointment.reminder_link_refused",
        request=request,
        outcome=Outcome.DENIED,
        detail={"reason": reason, "status": problem.status},
    )
    context = {"title": problem.title, "message": problem.message}
    return render(request, "scheduling/reminders/problem.html", context, status=problem.status)


@require_http_methods(["GET", "POST"])
def reply(request, token: str, action: str = ""):
    """The reminder's link: GET shows the appointment and the button(s); POST answers."""
    if action and action not in ANSWERS:
        return _problem(
            request, reminders.LinkProblem("This link doesn't work", "Please contact the clinic.", 404), reason="path"
        )
    if is_ratelimited(
        request,
        group="reminder_link",
        key=_client_key,
        rate=settings.HEARTH_REMINDER_LINK_RATE,
        increment=True,
    ):
        record("security.rate_limited", request=request, outcome=Outcome.DENIED, detail={"path": "reminder link"})
        context = {"title": "Too many attempts", "message": "Please wait ten minutes and try again."}
        response = render(request, "scheduling/reminders/problem.html", context, status=429)
        response["Retry-After"] = "600"
        return response
    organization = request.organization
    try:
        reminder = reminders.reminder_for_token(token, organization)
    except reminders.LinkProblem as problem:
        return _problem(request, problem, reason="token")
    try:
        reminders.check_usable(reminder, now=timezone.now())
    except reminders.LinkProblem as problem:
        return _problem(request, problem, reason="state")
    appointment = reminder.appointment
    context = {
        "action": action,
        "when": reminders.when_text(appointment.start, organization.time_zone),
        "where": reminders.where_text(appointment),
        "phone": appointment.location.phone,
        "already_confirmed": appointment.status == "confirmed",
    }
    if request.method == "GET":
        # The page shows when and where a client is expected: a read of their record, by whoever holds the link.
        record(
            "appointment.reminder_link_opened",
            request=request,
            actor_label=services.ClientActor().label,
            target=appointment,
            client_id=reminder.client_id,
            detail={"reminder_id": reminder.pk},
        )
    if request.method == "POST":
        answer = ANSWERS.get(request.POST.get("answer", ""))
        if answer is None:
            context["error"] = "Please press Confirm or Cancel."
        else:
            try:
                reminders.respond(reminder, answer=answer, request=request)
            except reminders.LinkProblem as problem:
                return _problem(request, problem, reason="state")
            except (ConflictError, ValidationError):
                context["error"] = "The clinic changed this appointment just now. Please open the link again."
            else:
                return render(request, "scheduling/reminders/done.html", {**context, "answer": answer})
    return render(request, "scheduling/reminders/reply.html", context, status=400 if "error" in context else 200)


def appointment_context(appointment, *, zone: str, links) -> dict:
    """The Reminders section of an appointment's page (two queries). ``links`` are the page's client links,
    already marked ``visible`` by the viewer's access, so a client's name shows only where it would anyway."""
    from scheduling.appointments.recurrence import to_local

    labels = {
        link.client_id: link.client.display_name if link.visible else f"Client #{link.client.number}" for link in links
    }
    rows = reminders.for_appointment(appointment)
    for row in rows:
        row.client_label = labels.get(row.client_id, f"Client #{row.client.number}")
        row.local_start = to_local(row.appointment_start, zone)
        row.local_sent = to_local(row.sent_at, zone) if row.sent_at else None
        row.local_responded = to_local(row.responded_at, zone) if row.responded_at else None
    config = reminders.clinic_settings()
    leads = [label for hours, label in reminders.LEAD_CHOICES if hours in config.leads]
    return {"reminders": rows, "reminders_on": config.enabled, "reminder_leads": " and ".join(leads)}
