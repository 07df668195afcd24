"""Views for the rest of the client record: status flow, care team, contacts and family links, alerts, programs.

Thin like the others: every chart page starts at ``access.get_chart`` (404/403 and the audited read), asks
``policies`` what the person may change, calls one service from ``status``, ``care_team``, ``contacts``,
``alerts`` or ``programs``, and shows a bad input or a stale form as a message, never a 500.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from clients import access, alerts, care_team, contacts, policies, programs, status, tabs
from clients.forms import (
    AdmitForm,
    AlertForm,
    CareTeamAddForm,
    ContactForm,
    DischargeForm,
    FamilyLinkForm,
    PrimaryClinicianForm,
    ProgramForm,
    ResolveAlertForm,
    StatusReasonForm,
    VersionOnlyForm,
)
from clients.models import AlertKind, ClientLink, ClientStatus, Program
from hearth.authz import get_for_clinic_or_404, require
from hearth.errors import ConflictError
from hearth.forms import add_validation_errors, call_service


def _demographics_chart(request, pk: int):
    return access.get_chart(request, pk, policies.DEMOGRAPHICS)


def _tab(request, client, chart, template: str, context: dict, tab: str = "overview", status_code: int = 200):
    return tabs.render_tab(request, client, chart, tab, template, context, status=status_code)


# --- Status --------------------------------------------------------------------------------------------------

STATUS_ACTIONS = {
    "admit": "admit",
    "discharge": "discharge",
    "entered-in-error": "error",
    "restore": "restore",
}


def _status_forms(request, client, chart) -> dict:
    """The forms for the transitions this person may make from the client's current status."""
    actor, today = request.membership, tabs.clinic_today(request)
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
    context = {"forms": forms, "history": status.history(client), "readmission": client.status == "discharged"}
    return _tab(request, client, chart, "clients/status.html", context, status_code=status_code)


@login_required
def client_status(request, pk: int):
    """The client's status, its history, and the changes this person may make."""
    client, chart = _demographics_chart(request, pk)
    return _render_status(request, client, chart, _status_forms(request, client, chart))


@login_required
@require_POST
def client_status_change(request, pk: int, action: str):
    key = STATUS_ACTIONS.get(action)
    if key is None:
        raise Http404
    client, chart = _demographics_chart(request, pk)
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
    if form.is_valid():
        data = form.cleaned_data
        common = {"actor": actor, "expected_version": data["version"], "request": request}
        if key == "admit":
            service, extra, done = status.admit, {"intake_date": data["intake_date"]}, "Client admitted."
        elif key == "discharge":
            extra = {"discharge_date": data["discharge_date"], "reason": data["reason"]}
            service, done = status.discharge, "Client discharged."
        elif key == "error":
            service, extra = status.mark_entered_in_error, {"reason": data["reason"]}
            done = "Client marked entered in error. The chart is kept but hidden from lists and search."
        else:
            service, extra, done = status.restore_from_error, {"reason": data["reason"]}, "Client restored."
        if call_service(form, service, client, **extra, **common):
            messages.success(request, done)
            return redirect("clients:status", pk=pk)
    forms = _status_forms(request, client, chart)
    forms[key] = form
    return _render_status(request, client, chart, forms)


# --- Care team -----------------------------------------------------------------------------------------------


def _care_team_chart(request, pk: int):
    client, chart = _demographics_chart(request, pk)
    require(
        request,
        policies.can_manage_care_team(request.membership, client, chart.sections),
        "clients.care_team.manage",
        client,
    )
    return client, chart


def _render_care_team(request, client, chart, add_form=None, primary_form=None):
    context = {
        "team": care_team.current_team(client),
        "add_form": add_form or CareTeamAddForm(),
        "primary_form": primary_form
        or PrimaryClinicianForm(initial={"version": client.version, "membership": client.primary_clinician_id}),
    }
    return _tab(request, client, chart, "clients/care_team.html", context)


@login_required
def care_team_page(request, pk: int):
    client, chart = _care_team_chart(request, pk)
    return _render_care_team(request, client, chart)


@login_required
@require_POST
def care_team_add(request, pk: int):
    client, chart = _care_team_chart(request, pk)
    form = CareTeamAddForm(request.POST)
    if form.is_valid():
        member = form.cleaned_data["membership"]
        try:
            care_team.add_member(client, actor=request.membership, membership=member, request=request)
        except ValidationError as error:
            form.add_error("membership", error)
        else:
            messages.success(request, f"{member.user.full_name} added to the care team.")
            return redirect("clients:care_team", pk=pk)
    return _render_care_team(request, client, chart, add_form=form)


@login_required
@require_POST
def care_team_remove(request, pk: int, member_pk: int):
    client, _chart = _care_team_chart(request, pk)
    member = get_for_clinic_or_404(
        request,
        client.care_team.filter(removed_at__isnull=True).select_related("membership__user"),
        "clients.care_team.manage",
        member_pk,
    )
    try:
        care_team.remove_member(member, actor=request.membership, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{member.membership.user.full_name} removed from the care team.")
    return redirect("clients:care_team", pk=pk)


@login_required
@require_POST
def care_team_primary(request, pk: int):
    client, chart = _care_team_chart(request, pk)
    form = PrimaryClinicianForm(request.POST)
    if form.is_valid():
        try:
            care_team.set_primary_clinician(
                client,
                actor=request.membership,
                expected_version=form.cleaned_data["version"],
                membership=form.cleaned_data["membership"],
                keep_previous_on_team=form.cleaned_data["keep_previous_on_team"],
                request=request,
            )
        except ConflictError as error:
            form.add_error(None, error.message)
        except ValidationError as error:
            form.add_error("membership", error)
        else:
            messages.success(request, "Primary clinician saved.")
            return redirect("clients:care_team", pk=pk)
    return _render_care_team(request, client, chart, primary_form=form)


# --- Contacts and family links -------------------------------------------------------------------------------


def _contacts_chart(request, pk: int):
    client, chart = _demographics_chart(request, pk)
    require(request, policies.can_edit_contacts(request.membership, chart.sections), "clients.contacts.edit", client)
    return client, chart


def _back_to_demographics(pk: int):
    return redirect("clients:tab", pk=pk, tab="demographics")


@login_required
def contact_add(request, pk: int):
    client, chart = _contacts_chart(request, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in contacts.CONTACT_FIELDS}
        try:
            contacts.add_contact(client, actor=request.membership, data=data, request=request)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, "Contact added.")
            return _back_to_demographics(pk)
    context = {"form": form, "heading": "Add a contact"}
    return _tab(request, client, chart, "clients/contact_form.html", context, tab="demographics")


@login_required
def contact_edit(request, pk: int, contact_pk: int):
    client, chart = _contacts_chart(request, pk)
    contact = get_for_clinic_or_404(
        request, client.contacts.filter(is_active=True), "clients.contacts.edit", contact_pk
    )
    form = ContactForm(request.POST or None, instance=contact)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            contacts.update_contact,
            contact,
            actor=request.membership,
            expected_version=form.cleaned_data.get("version") or 0,
            changes=form.changes(),
            request=request,
        )
    ):
        messages.success(request, "Contact saved.")
        return _back_to_demographics(pk)
    context = {"form": form, "contact": contact, "heading": "Edit contact"}
    return _tab(request, client, chart, "clients/contact_form.html", context, tab="demographics")


@login_required
@require_POST
def contact_remove(request, pk: int, contact_pk: int):
    client, _chart = _contacts_chart(request, pk)
    contact = get_for_clinic_or_404(request, client.contacts.all(), "clients.contacts.edit", contact_pk)
    form = VersionOnlyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The form was incomplete; please try again.")
        return _back_to_demographics(pk)
    try:
        contacts.remove_contact(
            contact, actor=request.membership, expected_version=form.cleaned_data["version"], request=request
        )
    except ConflictError as error:
        messages.error(request, error.message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Contact removed.")
    return _back_to_demographics(pk)


@login_required
@require_POST
def contact_move(request, pk: int, contact_pk: int):
    client, _chart = _contacts_chart(request, pk)
    contact = get_for_clinic_or_404(
        request, client.contacts.filter(is_active=True), "clients.contacts.edit", contact_pk
    )
    try:
        contacts.move_contact(
            contact, actor=request.membership, up=request.POST.get("direction") == "up", request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back_to_demographics(pk)


@login_required
def family_add(request, pk: int):
    client, chart = _contacts_chart(request, pk)
    form = FamilyLinkForm(request.POST or None, visible=access.visible_clients(request.membership))
    if request.method == "POST" and form.is_valid():
        try:
            contacts.link_clients(
                client,
                actor=request.membership,
                related_client=form.related_client,
                relationship=form.cleaned_data["relationship"],
                request=request,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("related_number", message)
        else:
            messages.success(request, f"Linked with client {form.related_client.number}.")
            return _back_to_demographics(pk)
    return _tab(request, client, chart, "clients/family_form.html", {"form": form}, tab="demographics")


@login_required
@require_POST
def family_end(request, pk: int, link_pk: int):
    client, _chart = _contacts_chart(request, pk)
    links = ClientLink.objects.filter(Q(client=client) | Q(related_client=client), ended_at__isnull=True)
    link = get_for_clinic_or_404(request, links, "clients.contacts.edit", link_pk)
    try:
        contacts.end_link(link, actor=request.membership, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Family link removed.")
    return _back_to_demographics(pk)


# --- Alerts --------------------------------------------------------------------------------------------------


@login_required
def alert_add(request, pk: int):
    client, chart = _demographics_chart(request, pk)
    actor = request.membership
    kinds = policies.alert_kinds_for(actor, chart.sections)
    require(request, bool(kinds), "clients.alerts.add", client)
    posted_kind = request.POST.get("kind")
    if posted_kind in AlertKind.values:
        require(request, policies.can_manage_alert(actor, chart.sections, posted_kind), "clients.alerts.add", client)
    form = AlertForm(request.POST or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            alerts.add_alert(
                client, actor=actor, kind=data["kind"], severity=data["severity"], text=data["text"], request=request
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, "Alert added.")
            return redirect("clients:chart", pk=pk)
    return _tab(request, client, chart, "clients/alert_form.html", {"form": form})


@login_required
@require_POST
def alert_resolve(request, pk: int, alert_pk: int):
    client, chart = _demographics_chart(request, pk)
    visible = client.alerts.filter(kind__in=policies.visible_alert_kinds(chart.sections))
    alert = get_for_clinic_or_404(request, visible, "clients.alerts.resolve", alert_pk)
    require(
        request,
        policies.can_manage_alert(request.membership, chart.sections, alert.kind),
        "clients.alerts.resolve",
        client,
    )
    form = ResolveAlertForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        alerts.resolve_alert(alert, actor=request.membership, note=note, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Alert resolved.")
    return redirect("clients:chart", pk=pk)


# --- Programs ------------------------------------------------------------------------------------------------


def _require_programs(request):
    require(request, policies.can_manage_programs(request.membership), "clients.programs")


@login_required
def program_list(request):
    _require_programs(request)
    return render(request, "clients/programs.html", {"programs": Program.objects.order_by("-is_active", "name")})


@login_required
def program_add(request):
    _require_programs(request)
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in programs.PROGRAM_FIELDS}
        try:
            program = programs.create_program(actor=request.membership, data=data, request=request)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Program {program.name} added.")
            return redirect("clients:programs")
    return render(request, "clients/program_form.html", {"form": form, "heading": "Add a program"})


@login_required
def program_edit(request, program_pk: int):
    _require_programs(request)
    program = get_for_clinic_or_404(request, Program.objects.all(), "clients.programs", program_pk)
    form = ProgramForm(request.POST or None, instance=program)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            programs.update_program,
            program,
            actor=request.membership,
            expected_version=form.cleaned_data.get("version") or 0,
            changes=form.changes(),
            request=request,
        )
    ):
        messages.success(request, "Program saved.")
        return redirect("clients:programs")
    context = {"form": form, "program": program, "heading": f"Edit {program.name}"}
    return render(request, "clients/program_form.html", context)


@login_required
@require_POST
def program_set_active(request, program_pk: int):
    _require_programs(request)
    program = get_for_clinic_or_404(request, Program.objects.all(), "clients.programs", program_pk)
    form = VersionOnlyForm(request.POST)
    active = request.POST.get("active") == "1"
    if not form.is_valid():
        messages.error(request, "The form was incomplete; please try again.")
        return redirect("clients:programs")
    try:
        programs.set_program_active(
            program,
            actor=request.membership,
            expected_version=form.cleaned_data["version"],
            active=active,
            request=request,
        )
    except ConflictError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Program {program.name} {'reactivated' if active else 'deactivated'}.")
    return redirect("clients:programs")
