from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from clients import access, policies, tabs
from clients.care_team import services as care_team
from clients.care_team.forms import CareTeamAddForm, PrimaryClinicianForm
from core.authz import get_for_clinic_or_404, require
from core.forms import run_button, submit


def _care_team_chart(request, pk: int):
    client, chart = access.get_chart(request, pk, policies.DEMOGRAPHICS)
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
    return tabs.render_tab(request, client, chart, "overview", "clients/care_team.html", context)


@login_required
def care_team_page(request, pk: int):
    client, chart = _care_team_chart(request, pk)
    return _render_care_team(request, client, chart)


@login_required
@require_POST
def care_team_add(request, pk: int):
    client, chart = _care_team_chart(request, pk)
    form = CareTeamAddForm(request.POST)
    if member := submit(request, form, care_team.add_member, client):
        messages.success(request, f"{member.membership.user.full_name} added to the care team.")
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
    if run_button(request, care_team.remove_member, member):
        messages.success(request, f"{member.membership.user.full_name} removed from the care team.")
    return redirect("clients:care_team", pk=pk)


@login_required
@require_POST
def care_team_primary(request, pk: int):
    client, chart = _care_team_chart(request, pk)
    form = PrimaryClinicianForm(request.POST)
    if submit(request, form, care_team.set_primary_clinician, client):
        messages.success(request, "Primary clinician saved.")
        return redirect("clients:care_team", pk=pk)
    return _render_care_team(request, client, chart, primary_form=form)
