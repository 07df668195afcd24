from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from clients import access, policies, tabs
from clients.contacts import services as contacts
from clients.contacts.forms import ContactForm, FamilyLinkForm
from clients.contacts.models import ClientLink
from core.authz import get_for_clinic_or_404, require
from core.errors import ConflictError
from core.forms import VersionForm, add_validation_errors, call_service


def _contacts_chart(request, pk: int):
    client, chart = access.get_chart(request, pk, policies.DEMOGRAPHICS)
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
    return tabs.render_tab(request, client, chart, "demographics", "clients/contact_form.html", context)


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
    return tabs.render_tab(request, client, chart, "demographics", "clients/contact_form.html", context)


@login_required
@require_POST
def contact_remove(request, pk: int, contact_pk: int):
    client, _chart = _contacts_chart(request, pk)
    contact = get_for_clinic_or_404(request, client.contacts.all(), "clients.contacts.edit", contact_pk)
    form = VersionForm(request.POST)
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
    return tabs.render_tab(request, client, chart, "demographics", "clients/family_form.html", {"form": form})


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
