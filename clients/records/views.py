"""Views of the client record itself: the list and search, registration, the chart with its overview and
demographics tabs, editing demographics, emergency access and the status flow.

Thin like the others: every chart page starts at ``access.get_chart`` (404/403 and the audited read), asks
``policies`` what the person may change, calls one service from ``services`` or ``status``, and shows a bad input
or a stale form as a message, never a 500.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from clients import access, policies, tabs
from clients.care_team import services as care_team
from clients.contacts import services as contacts
from clients.records import search, services, status
from clients.records.forms import (
    AdmitForm,
    BreakGlassForm,
    ClientForm,
    DischargeForm,
    RegisterClientForm,
    StatusReasonForm,
)
from clients.records.models import Client, ClientStatus
from core import params
from core.authz import get_for_clinic_or_404, require
from core.clinic_time import clinic_today
from core.forms import add_validation_errors, submit
from core.paging import page_number, page_of, window

PAGE_SIZE = 25
HISTORY_PAGE_SIZE = 25


@sensitive_post_parameters("q")
@require_http_methods(["GET", "POST"])
@login_required
def client_list(request):
    """The clients the person may see, or those matching the search box (see ``clients.search``).

    A search is a POST so that the names, birth dates and phone numbers typed never appear in a URL, a server's
    access log or the browser's history; ``sensitive_post_parameters`` keeps them out of error reports too.
    htmx sends the same POST while the person types and gets only the results back.

    Searches are not audit events. The results show only what the list itself shows (name, number, birth date,
    status, clinician) of clients the person may already list, and the list is not audited either; the query
    text is PHI and must not be stored, so an event could say little more than "searched"; and live search
    asks after every pause in typing, so events would bury the ones that matter under the chain's lock.
    What is audited is opening a chart: ``client.viewed`` with the client and section.
    """
    raw = params.get_text(request.POST, "q", max_length=search.MAX_QUERY_LENGTH)
    query = search.parse_query(raw, today=clinic_today(request.organization))
    found = search.find_clients(request.membership, query)
    number = page_number(request.POST.get("page") or request.GET.get("page"))
    page = window(found.clients, number, PAGE_SIZE, limit=found.limit)
    context = {"page": page, "query": raw, "searched": bool(query), "problem": query.problem}
    if request.htmx:
        return render(request, "clients/_client_results.html", context)
    context["can_register"] = policies.can_register_client(request.membership)
    return render(request, "clients/list.html", context)


@login_required
def client_register(request):
    require(request, policies.can_register_client(request.membership), "clients.register")
    form = RegisterClientForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.REGISTRATION_FIELDS}
        duplicates = services.possible_duplicates(
            data["legal_first_name"], data["legal_last_name"], data["date_of_birth"]
        )
        if duplicates and not form.cleaned_data["confirm_not_duplicate"]:
            form.add_error(None, "A client with this name and date of birth already exists. Check below.")
        else:
            try:
                client = services.register_client(actor=request.membership, data=data, request=request)
            except ValidationError as error:
                add_validation_errors(form, error)
            else:
                messages.success(request, f"Client {client.number} registered.")
                return redirect("clients:chart", pk=client.pk)
    return render(request, "clients/register.html", {"form": form, "duplicates": duplicates})


@login_required
def client_chart(request, pk: int, tab: str = "overview"):
    """One chart tab (see ``clients.tabs``): its section is checked and the read audited before it renders."""
    chart_tab = tabs.get_tab(tab)
    if chart_tab is None:
        raise Http404
    try:
        client, chart = access.get_chart(request, pk, chart_tab.section)
    except PermissionDenied:
        return _offer_break_glass(request, pk)
    if callable(chart_tab.view):
        return chart_tab.view(request, client, chart)
    return tabs.render_tab(request, client, chart, chart_tab.key, chart_tab.view)


def overview_tab(request, client, chart):
    actor = request.membership
    rows = contacts.active_contacts(client)
    context = {
        "contacts": rows,
        "key_contacts": [c for c in rows if c.is_emergency_contact or c.is_legal_guardian],
        "team": care_team.team_names(client),
        "can_manage_team": policies.can_manage_care_team(actor, client, chart.sections),
        "can_change_status": policies.can_change_status(actor, chart.sections),
        "alert_kinds": policies.alert_kinds_for(actor, chart.sections),
    }
    return tabs.render_tab(request, client, chart, "overview", "clients/tab_overview.html", context)


def demographics_tab(request, client, chart):
    can_edit = policies.can_edit_demographics(request.membership, chart.sections)
    context = {
        "can_edit": can_edit,
        "can_edit_contacts": policies.can_edit_contacts(request.membership, chart.sections),
        "contacts": contacts.active_contacts(client),
        "family": _family_rows(request, client),
    }
    return tabs.render_tab(request, client, chart, "demographics", "clients/tab_demographics.html", context)


def _family_rows(request, client) -> list[dict]:
    """Family links, each saying whether this person may open the other chart (one query for all of them)."""
    rows = contacts.family_links(client)
    other_ids = [row["other"].pk for row in rows]
    visible = set(access.visible_clients(request.membership).filter(pk__in=other_ids).values_list("pk", flat=True))
    for row in rows:
        row["visible"] = row["other"].pk in visible
    return rows


def _offer_break_glass(request, pk: int):
    client = Client.objects.get(pk=pk)
    if not policies.can_break_glass(request.membership, on_caseload=access.on_caseload(request.membership, client)):
        raise PermissionDenied("clients.view")
    return render(request, "clients/break_glass.html", {"client": client, "form": BreakGlassForm()}, status=403)


@login_required
def client_edit(request, pk: int):
    client, _chart = access.get_chart_to_change(
        request, pk, policies.DEMOGRAPHICS, policies.can_edit_demographics, "clients.edit"
    )
    form = ClientForm(request.POST or None, instance=Client.objects.get(pk=pk))
    if submit(request, form, services.update_demographics, client):
        return tabs.back_to_tab(request, pk, "demographics", "Saved.")
    context = {
        "form": form,
        "client": client,
        "guardian_missing": contacts.needs_guardian(client, clinic_today(request.organization)),
    }
    return render(request, "clients/edit.html", context)


@login_required
def client_break_glass(request, pk: int):
    client = get_for_clinic_or_404(request, Client.objects.all(), "clients.break_glass", pk)
    caseload = access.on_caseload(request.membership, client)
    require(request, policies.can_break_glass(request.membership, on_caseload=caseload), "clients.break_glass", client)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.break_glass(client, actor=request.membership, reason=form.cleaned_data["reason"], request=request)
        messages.warning(request, "Emergency access granted for one hour. Your clinic's administrators have been told.")
        return redirect("clients:chart", pk=pk)
    return render(request, "clients/break_glass.html", {"client": client, "form": form}, status=200)


STATUS_ACTIONS = {
    "admit": "admit",
    "discharge": "discharge",
    "entered-in-error": "error",
    "restore": "restore",
}
STATUS_SERVICES = {
    "admit": (status.admit, "Client admitted."),
    "discharge": (status.discharge, "Client discharged."),
    "error": (
        status.mark_entered_in_error,
        "Client marked entered in error. The chart is kept but hidden from lists and search.",
    ),
    "restore": (status.restore_from_error, "Client restored."),
}


def _status_forms(request, client, chart) -> dict:
    """The forms for the transitions this person may make from the client's current status."""
    actor, today = request.membership, clinic_today(request.organization)
    initial = {"version": client.version}
    forms = {}
    if client.status in status.ADMITTABLE and policies.can_change_status(actor, chart.sections):
        forms["admit"] = AdmitForm(initial={**initial, "intake_date": today})
    if client.status == ClientStatus.ACTIVE and policies.can_change_status(actor, chart.sections):
        forms["discharge"] = DischargeForm(initial={**initial, "discharge_date": today})
    if client.status != ClientStatus.ENTERED_IN_ERROR and policies.can_mark_entered_in_error(
        actor, client, timezone.now()
    ):
        forms["error"] = StatusReasonForm(initial=initial, prefix="error")
    if client.status == ClientStatus.ENTERED_IN_ERROR and policies.can_restore_from_error(actor):
        forms["restore"] = StatusReasonForm(initial=initial, prefix="restore")
    return forms


def _render_status(request, client, chart, forms: dict, status_code: int = 200):
    history = page_of(request, status.history(client), HISTORY_PAGE_SIZE, "history")
    context = {"forms": forms, "history": history, "readmission": client.status == "discharged"}
    return tabs.render_tab(request, client, chart, "overview", "clients/status.html", context, status=status_code)


@login_required
def client_status(request, pk: int):
    """The client's status, its history, and the changes this person may make."""
    client, chart = access.get_chart(request, pk, policies.DEMOGRAPHICS)
    return _render_status(request, client, chart, _status_forms(request, client, chart))


@login_required
@require_POST
def client_status_change(request, pk: int, action: str):
    key = STATUS_ACTIONS.get(action)
    if key is None:
        raise Http404
    client, chart = access.get_chart(request, pk, policies.DEMOGRAPHICS)
    actor = request.membership
    allowed = {
        "admit": policies.can_change_status(actor, chart.sections),
        "discharge": policies.can_change_status(actor, chart.sections),
        "error": policies.can_mark_entered_in_error(actor, client, timezone.now()),
        "restore": policies.can_restore_from_error(actor),
    }[key]
    require(request, allowed, f"clients.status.{key}", client)
    form_class = {"admit": AdmitForm, "discharge": DischargeForm}.get(key, StatusReasonForm)
    prefix = key if key in ("error", "restore") else None
    form = form_class(request.POST, prefix=prefix)
    service, done = STATUS_SERVICES[key]
    if submit(request, form, service, client):
        messages.success(request, done)
        return redirect("clients:status", pk=pk)
    forms = _status_forms(request, client, chart)
    forms[key] = form
    return _render_status(request, client, chart, forms)
