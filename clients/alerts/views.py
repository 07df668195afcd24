from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from clients import access, policies, tabs
from clients.alerts import services as alerts
from clients.alerts.forms import AlertForm, ResolveAlertForm
from clients.alerts.models import AlertKind
from core.authz import get_for_clinic_or_404, require
from core.forms import run_button, submit


@login_required
def alert_add(request, pk: int):
    client, chart = access.get_chart(request, pk, policies.DEMOGRAPHICS)
    actor = request.membership
    kinds = policies.alert_kinds_for(actor, chart.sections)
    require(request, bool(kinds), "clients.alerts.add", client)
    posted_kind = request.POST.get("kind")
    if posted_kind in AlertKind.values:
        require(request, policies.can_manage_alert(actor, chart.sections, posted_kind), "clients.alerts.add", client)
    form = AlertForm(request.POST or None, kinds=kinds)
    if submit(request, form, alerts.add_alert, client):
        messages.success(request, "Alert added.")
        return redirect("clients:chart", pk=pk)
    return tabs.render_tab(request, client, chart, "overview", "clients/alert_form.html", {"form": form})


@login_required
@require_POST
def alert_resolve(request, pk: int, alert_pk: int):
    client, chart = access.get_chart(request, pk, policies.DEMOGRAPHICS)
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
    if run_button(request, alerts.resolve_alert, alert, note=note):
        messages.success(request, "Alert resolved.")
    return redirect("clients:chart", pk=pk)
