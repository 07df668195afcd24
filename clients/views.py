from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from clients import access, diagnoses, icd, insurance, policies, search, services, tabs
from clients.forms import (
    BreakGlassForm,
    ClientForm,
    DiagnosisForm,
    EndPolicyForm,
    InsurancePolicyForm,
    PayerForm,
    RegisterClientForm,
    SelfPayForm,
)
from clients.models import Client, Payer
from hearth.authz import get_for_clinic_or_404, require
from hearth.forms import add_validation_errors, call_service
from hearth.paging import page_number, window

PAGE_SIZE = 25


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
    raw = request.POST.get("q", "").strip()[: search.MAX_QUERY_LENGTH] if request.method == "POST" else ""
    query = search.parse_query(raw, today=tabs.clinic_today(request))
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
    from clients import care_team, contacts

    actor = request.membership
    rows = contacts.active_contacts(client)
    context = {
        "contacts": rows,
        "key_contacts": [c for c in rows if c.is_emergency_contact or c.is_legal_guardian],
        "team": care_team.current_team(client),
        "can_manage_team": policies.can_manage_care_team(actor, client, chart.sections),
        "can_change_status": policies.can_change_status(actor, chart.sections),
        "alert_kinds": policies.alert_kinds_for(actor, chart.sections),
    }
    return tabs.render_tab(request, client, chart, "overview", "clients/tab_overview.html", context)


def demographics_tab(request, client, chart):
    from clients import contacts

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
    from clients import contacts

    rows = contacts.family_links(client)
    other_ids = [row["other"].pk for row in rows]
    visible = set(access.visible_clients(request.membership).filter(pk__in=other_ids).values_list("pk", flat=True))
    for row in rows:
        row["visible"] = row["other"].pk in visible
    return rows


def insurance_tab(request, client, chart):
    context = {
        "policies": client.insurance_policies.select_related("payer").order_by("-is_active", "order", "-end_date"),
        "can_edit": policies.can_edit_insurance(request.membership, chart.sections),
        "self_pay_form": SelfPayForm(initial={"self_pay": client.self_pay}),
    }
    return tabs.render_tab(request, client, chart, "insurance", "clients/tab_insurance.html", context)


def diagnoses_tab(request, client, chart):
    rows = list(client.diagnoses.order_by("-is_primary", "resolved_date", "code"))
    context = {
        "active": [d for d in rows if d.is_active],
        "resolved": [d for d in rows if not d.is_active],
        "can_edit": policies.can_edit_diagnoses(request.membership, chart.sections),
    }
    return tabs.render_tab(request, client, chart, "diagnoses", "clients/tab_diagnoses.html", context)


def _offer_break_glass(request, pk: int):
    client = Client.objects.get(pk=pk)
    if not policies.can_break_glass(request.membership, on_caseload=access.on_caseload(request.membership, client)):
        raise PermissionDenied("clients.view")
    return render(request, "clients/break_glass.html", {"client": client, "form": BreakGlassForm()}, status=403)


@login_required
def client_edit(request, pk: int):
    from clients.contacts import needs_guardian

    client, chart = access.get_chart(request, pk, policies.DEMOGRAPHICS)
    require(request, policies.can_edit_demographics(request.membership, chart.sections), "clients.edit", client)
    form = ClientForm(request.POST or None, instance=Client.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name != "version"}
        if call_service(
            form,
            services.update_demographics,
            client,
            actor=request.membership,
            expected_version=form.cleaned_data.get("version") or 0,
            changes=changes,
            request=request,
        ):
            messages.success(request, "Saved.")
            return redirect("clients:tab", pk=pk, tab="demographics")
    context = {"form": form, "client": client, "guardian_missing": needs_guardian(client, tabs.clinic_today(request))}
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


# --- Insurance -----------------------------------------------------------------------------------------------


def _insurance_chart(request, pk: int):
    client, chart = access.get_chart(request, pk, policies.INSURANCE)
    require(request, policies.can_edit_insurance(request.membership, chart.sections), "clients.insurance.edit", client)
    return client, chart


@login_required
def policy_add(request, pk: int):
    client, chart = _insurance_chart(request, pk)
    form = InsurancePolicyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in insurance.POLICY_FIELDS}
        try:
            insurance.add_policy(client, actor=request.membership, data=data, request=request)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, "Insurance policy added.")
            return redirect("clients:tab", pk=pk, tab="insurance")
    context = {"form": form, "heading": "Add an insurance policy"}
    return tabs.render_tab(request, client, chart, "insurance", "clients/policy_form.html", context)


@login_required
def policy_edit(request, pk: int, policy_pk: int):
    client, chart = _insurance_chart(request, pk)
    policy = get_for_clinic_or_404(request, client.insurance_policies.all(), "clients.insurance.edit", policy_pk)
    form = InsurancePolicyForm(request.POST or None, instance=policy)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            insurance.update_policy,
            policy,
            actor=request.membership,
            expected_version=form.cleaned_data.get("version") or 0,
            changes=form.changes(),
            request=request,
        )
    ):
        messages.success(request, "Insurance policy saved.")
        return redirect("clients:tab", pk=pk, tab="insurance")
    context = {"form": form, "policy": policy, "heading": "Edit insurance policy"}
    return tabs.render_tab(request, client, chart, "insurance", "clients/policy_form.html", context)


@login_required
def policy_end(request, pk: int, policy_pk: int):
    client, chart = _insurance_chart(request, pk)
    policy = get_for_clinic_or_404(
        request, client.insurance_policies.filter(is_active=True), "clients.insurance.end", policy_pk
    )
    form = EndPolicyForm(
        request.POST or None, initial={"version": policy.version, "end_date": tabs.clinic_today(request)}
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            insurance.end_policy,
            policy,
            actor=request.membership,
            expected_version=form.cleaned_data["version"],
            end_date=form.cleaned_data["end_date"],
            request=request,
        )
    ):
        messages.success(request, "Insurance policy ended.")
        return redirect("clients:tab", pk=pk, tab="insurance")
    context = {"form": form, "policy": policy}
    return tabs.render_tab(request, client, chart, "insurance", "clients/policy_end.html", context)


@login_required
@require_POST
def self_pay(request, pk: int):
    client, _chart = _insurance_chart(request, pk)
    form = SelfPayForm(request.POST)
    form.is_valid()
    insurance.set_self_pay(client, actor=request.membership, self_pay=form.cleaned_data["self_pay"], request=request)
    messages.success(request, "Saved.")
    return redirect("clients:tab", pk=pk, tab="insurance")


# --- Payers --------------------------------------------------------------------------------------------------


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
def payer_list(request):
    require(request, policies.can_manage_payers(request.membership), "clients.payers")
    return render(request, "clients/payers.html", {"payers": Payer.objects.order_by("name", "pk")})


@login_required
def payer_add(request):
    require(request, policies.can_manage_payers(request.membership), "clients.payers")
    form = PayerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in insurance.PAYER_FIELDS}
        try:
            payer = insurance.create_payer(actor=request.membership, data=data, request=request)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Payer {payer.name} added.")
            return redirect(_next_url(request, "clients:payers"))
    context = {"form": form, "heading": "Add a payer", "next": _next_url(request, "")}
    return render(request, "clients/payer_form.html", context)


@login_required
def payer_edit(request, payer_pk: int):
    require(request, policies.can_manage_payers(request.membership), "clients.payers")
    payer = get_for_clinic_or_404(request, Payer.objects.all(), "clients.payers", payer_pk)
    form = PayerForm(request.POST or None, instance=payer)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            insurance.update_payer,
            payer,
            actor=request.membership,
            expected_version=form.cleaned_data.get("version") or 0,
            changes=form.changes(),
            request=request,
        )
    ):
        messages.success(request, "Payer saved.")
        return redirect("clients:payers")
    return render(request, "clients/payer_form.html", {"form": form, "heading": f"Edit {payer.name}", "next": ""})


# --- Diagnoses -----------------------------------------------------------------------------------------------


def _clinical_chart(request, pk: int):
    client, chart = access.get_chart(request, pk, policies.CLINICAL)
    require(request, policies.can_edit_diagnoses(request.membership, chart.sections), "clients.diagnoses.edit", client)
    return client, chart


@login_required
def diagnosis_add(request, pk: int):
    client, chart = _clinical_chart(request, pk)
    form = DiagnosisForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in diagnoses.DIAGNOSIS_FIELDS}
        try:
            diagnoses.add_diagnosis(client, actor=request.membership, data=data, request=request)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, "Diagnosis added.")
            return redirect("clients:tab", pk=pk, tab="diagnoses")
    context = {"form": form, "heading": "Add a diagnosis"}
    return tabs.render_tab(request, client, chart, "diagnoses", "clients/diagnosis_form.html", context)


@login_required
def diagnosis_edit(request, pk: int, diagnosis_pk: int):
    client, chart = _clinical_chart(request, pk)
    diagnosis = get_for_clinic_or_404(request, client.diagnoses.all(), "clients.diagnoses.edit", diagnosis_pk)
    form = DiagnosisForm(request.POST or None, instance=diagnosis)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            diagnoses.update_diagnosis,
            diagnosis,
            actor=request.membership,
            expected_version=form.cleaned_data.get("version") or 0,
            changes=form.changes(),
            request=request,
        )
    ):
        messages.success(request, "Diagnosis saved.")
        return redirect("clients:tab", pk=pk, tab="diagnoses")
    context = {"form": form, "diagnosis": diagnosis, "heading": f"Edit diagnosis {diagnosis.code}"}
    return tabs.render_tab(request, client, chart, "diagnoses", "clients/diagnosis_form.html", context)


@login_required
def icd_search(request):
    """Billable ICD-10-CM codes matching ``q`` (or the code field's text), as ``<option>``s for a datalist."""
    require(request, policies.can_look_up_codes(request.membership), "clients.icd_search")
    query = request.GET.get("q") or request.GET.get("code") or ""
    return render(request, "clients/_icd_options.html", {"codes": icd.search(query), "query": query})
