from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from clients import access, policies, tabs
from clients.insurance import services as insurance
from clients.insurance.forms import EndPolicyForm, InsurancePolicyForm, PayerForm, SelfPayForm
from clients.insurance.models import Payer
from core import params
from core.authz import get_for_clinic_or_404, require
from core.clinic_time import clinic_today
from core.forms import submit


def insurance_tab(request, client, chart):
    context = {
        "policies": client.insurance_policies.select_related("payer").order_by("-is_active", "order", "-end_date"),
        "can_edit": policies.can_edit_insurance(request.membership, chart.sections),
        "self_pay_form": SelfPayForm(initial={"self_pay": client.self_pay}),
    }
    return tabs.render_tab(request, client, chart, "insurance", "clients/tab_insurance.html", context)


def _insurance_chart(request, pk: int):
    return access.get_chart_to_change(
        request, pk, policies.INSURANCE, policies.can_edit_insurance, "clients.insurance.edit"
    )


@login_required
def policy_add(request, pk: int):
    client, chart = _insurance_chart(request, pk)
    form = InsurancePolicyForm(request.POST or None)
    if submit(request, form, insurance.add_policy, client):
        return tabs.back_to_tab(request, pk, "insurance", "Insurance policy added.")
    context = {"form": form, "heading": "Add an insurance policy"}
    return tabs.render_tab(request, client, chart, "insurance", "clients/policy_form.html", context)


@login_required
def policy_edit(request, pk: int, policy_pk: int):
    client, chart = _insurance_chart(request, pk)
    policy = get_for_clinic_or_404(request, client.insurance_policies.all(), "clients.insurance.edit", policy_pk)
    form = InsurancePolicyForm(request.POST or None, instance=policy)
    if submit(request, form, insurance.update_policy, policy):
        return tabs.back_to_tab(request, pk, "insurance", "Insurance policy saved.")
    context = {"form": form, "policy": policy, "heading": "Edit insurance policy"}
    return tabs.render_tab(request, client, chart, "insurance", "clients/policy_form.html", context)


@login_required
def policy_end(request, pk: int, policy_pk: int):
    client, chart = _insurance_chart(request, pk)
    active = client.insurance_policies.filter(is_active=True)
    policy = get_for_clinic_or_404(request, active, "clients.insurance.end", policy_pk)
    today = clinic_today(request.organization)
    form = EndPolicyForm(request.POST or None, initial={"version": policy.version, "end_date": today})
    if submit(request, form, insurance.end_policy, policy):
        return tabs.back_to_tab(request, pk, "insurance", "Insurance policy ended.")
    context = {"form": form, "policy": policy}
    return tabs.render_tab(request, client, chart, "insurance", "clients/policy_end.html", context)


@login_required
@require_POST
def self_pay(request, pk: int):
    client, _chart = _insurance_chart(request, pk)
    form = SelfPayForm(request.POST)
    form.is_valid()
    insurance.set_self_pay(client, actor=request.membership, self_pay=form.cleaned_data["self_pay"], request=request)
    return tabs.back_to_tab(request, pk, "insurance", "Saved.")


def _next_url(request, default: str) -> str:
    return params.get_next(request, request.POST) or params.get_next(request, request.GET) or default


@login_required
def payer_list(request):
    require(request, policies.can_manage_payers(request.membership), "clients.payers")
    return render(request, "clients/payers.html", {"payers": Payer.objects.order_by("name", "pk")})


@login_required
def payer_add(request):
    require(request, policies.can_manage_payers(request.membership), "clients.payers")
    form = PayerForm(request.POST or None)
    if payer := submit(request, form, insurance.create_payer):
        messages.success(request, f"Payer {payer.name} added.")
        return redirect(_next_url(request, "clients:payers"))
    context = {"form": form, "heading": "Add a payer", "next": _next_url(request, "")}
    return render(request, "clients/payer_form.html", context)


@login_required
def payer_edit(request, payer_pk: int):
    require(request, policies.can_manage_payers(request.membership), "clients.payers")
    payer = get_for_clinic_or_404(request, Payer.objects.all(), "clients.payers", payer_pk)
    form = PayerForm(request.POST or None, instance=payer)
    if submit(request, form, insurance.update_payer, payer):
        messages.success(request, "Payer saved.")
        return redirect("clients:payers")
    return render(request, "clients/payer_form.html", {"form": form, "heading": f"Edit {payer.name}", "next": ""})
