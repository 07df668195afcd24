from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.shortcuts import render

from clients import access, policies, tabs
from clients.diagnoses import icd
from clients.diagnoses import services as diagnoses
from clients.diagnoses.forms import DiagnosisForm
from core import params
from core.authz import get_for_clinic_or_404, require
from core.forms import submit
from core.paging import page_of

TAB_PAGE_SIZE = 25


def diagnoses_tab(request, client, chart):
    """One paged list, one read a page: active diagnoses (the primary first, then by code), then the resolved
    ones, latest resolved first."""
    rows = client.diagnoses.order_by(F("resolved_date").desc(nulls_first=True), "-is_primary", "code", "-pk")
    page = page_of(request, rows, TAB_PAGE_SIZE)
    context = {
        "page": page,
        "active": [d for d in page if d.is_active],
        "resolved": [d for d in page if not d.is_active],
        "can_edit": policies.can_edit_diagnoses(request.membership, chart.sections),
    }
    return tabs.render_tab(request, client, chart, "diagnoses", "clients/tab_diagnoses.html", context)


def _clinical_chart(request, pk: int):
    return access.get_chart_to_change(
        request, pk, policies.CLINICAL, policies.can_edit_diagnoses, "clients.diagnoses.edit"
    )


@login_required
def diagnosis_add(request, pk: int):
    client, chart = _clinical_chart(request, pk)
    form = DiagnosisForm(request.POST or None)
    if submit(request, form, diagnoses.add_diagnosis, client):
        return tabs.back_to_tab(request, pk, "diagnoses", "Diagnosis added.")
    context = {"form": form, "heading": "Add a diagnosis"}
    return tabs.render_tab(request, client, chart, "diagnoses", "clients/diagnosis_form.html", context)


@login_required
def diagnosis_edit(request, pk: int, diagnosis_pk: int):
    client, chart = _clinical_chart(request, pk)
    diagnosis = get_for_clinic_or_404(request, client.diagnoses.all(), "clients.diagnoses.edit", diagnosis_pk)
    form = DiagnosisForm(request.POST or None, instance=diagnosis)
    if submit(request, form, diagnoses.update_diagnosis, diagnosis):
        return tabs.back_to_tab(request, pk, "diagnoses", "Diagnosis saved.")
    context = {"form": form, "diagnosis": diagnosis, "heading": f"Edit diagnosis {diagnosis.code}"}
    return tabs.render_tab(request, client, chart, "diagnoses", "clients/diagnosis_form.html", context)


@login_required
def icd_search(request):
    """Billable ICD-10-CM codes matching ``q`` (or the code field's text), as ``<option>``s for a datalist."""
    require(request, policies.can_look_up_codes(request.membership), "clients.icd_search")
    query = params.get_text(request.GET, "q") or params.get_text(request.GET, "code")
    return render(request, "clients/_icd_options.html", {"codes": icd.search(query), "query": query})
