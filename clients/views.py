from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date

from clients import access, policies, services
from clients.forms import BreakGlassForm, ClientForm, RegisterClientForm
from clients.models import Client
from hearth.authz import get_for_clinic_or_404, require
from hearth.errors import ConflictError

PAGE_SIZE = 25


@login_required
def client_list(request):
    clients = access.visible_clients(request.membership).select_related("primary_clinician__user")
    query = request.GET.get("q", "").strip()[:100]
    if query:
        born = parse_date(query)
        if born:
            clients = clients.filter(date_of_birth=born)
        elif query.isdigit() and len(query) < 7:
            clients = clients.filter(number=int(query))
        else:
            for word in query.split():
                clients = clients.filter(
                    Q(legal_first_name__icontains=word)
                    | Q(legal_last_name__icontains=word)
                    | Q(preferred_name__icontains=word)
                    | Q(phone__icontains=word)
                )
    page = Paginator(clients.order_by("legal_last_name", "legal_first_name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "query": query, "can_register": policies.can_register_client(request.membership)}
    return render(request, "clients/list.html", context)


@login_required
def client_register(request):
    require(request, policies.can_register_client(request.membership), "clients.register")
    form = RegisterClientForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.DEMOGRAPHIC_FIELDS}
        duplicates = services.possible_duplicates(
            data["legal_first_name"], data["legal_last_name"], data["date_of_birth"]
        )
        if duplicates and not form.cleaned_data["confirm_not_duplicate"]:
            form.add_error(None, "A client with this name and date of birth already exists. Check below.")
        else:
            client = services.register_client(actor=request.membership, data=data, request=request)
            messages.success(request, f"Client {client.number} registered.")
            return redirect("clients:chart", pk=client.pk)
    return render(request, "clients/register.html", {"form": form, "duplicates": duplicates})


@login_required
def client_chart(request, pk: int):
    try:
        client, chart = access.get_chart(request, pk, policies.DEMOGRAPHICS)
    except PermissionDenied:
        return _offer_break_glass(request, pk)
    context = {
        "client": client,
        "chart": chart,
        "can_edit": policies.can_edit_demographics(request.membership, chart.sections),
    }
    return render(request, "clients/chart.html", context)


def _offer_break_glass(request, pk: int):
    client = Client.objects.get(pk=pk)
    if not policies.can_break_glass(request.membership, on_caseload=access.on_caseload(request.membership, client)):
        raise PermissionDenied("clients.view")
    return render(request, "clients/break_glass.html", {"client": client, "form": BreakGlassForm()}, status=403)


@login_required
def client_edit(request, pk: int):
    client, chart = access.get_chart(request, pk, policies.DEMOGRAPHICS)
    require(request, policies.can_edit_demographics(request.membership, chart.sections), "clients.edit", client)
    form = ClientForm(request.POST or None, instance=Client.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name != "version"}
        try:
            services.update_demographics(
                client,
                actor=request.membership,
                expected_version=form.cleaned_data.get("version") or 0,
                changes=changes,
                request=request,
            )
        except ConflictError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Saved.")
            return redirect("clients:chart", pk=pk)
    return render(request, "clients/edit.html", {"form": form, "client": client})


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
