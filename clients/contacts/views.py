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
from core.authz import get_for_clinic_or_404
from core.forms import run_button, run_version_button, submit


def _contacts_chart(request, pk: int):
    return access.get_chart_to_change(
        request, pk, policies.DEMOGRAPHICS, policies.can_edit_contacts, "clients.contacts.edit"
    )


def _back_to_demographics(pk: int):
    return redirect("clients:tab", pk=pk, tab="demographics")


@login_required
def contact_add(request, pk: int):
    client, chart = _contacts_chart(request, pk)
    form = ContactForm(request.POST or None)
    if submit(request, form, contacts.add_contact, client):
        return tabs.back_to_tab(request, pk, "demographics", "Contact added.")
    context = {"form": form, "heading": "Add a contact"}
    return tabs.render_tab(request, client, chart, "demographics", "clients/contact_form.html", context)


@login_required
def contact_edit(request, pk: int, contact_pk: int):
    client, chart = _contacts_chart(request, pk)
    active = client.contacts.filter(is_active=True)
    contact = get_for_clinic_or_404(request, active, "clients.contacts.edit", contact_pk)
    form = ContactForm(request.POST or None, instance=contact)
    if submit(request, form, contacts.update_contact, contact):
        return tabs.back_to_tab(request, pk, "demographics", "Contact saved.")
    context = {"form": form, "contact": contact, "heading": "Edit contact"}
    return tabs.render_tab(request, client, chart, "demographics", "clients/contact_form.html", context)


@login_required
@require_POST
def contact_remove(request, pk: int, contact_pk: int):
    client, _chart = _contacts_chart(request, pk)
    contact = get_for_clinic_or_404(request, client.contacts.all(), "clients.contacts.edit", contact_pk)
    if run_version_button(request, contacts.remove_contact, contact):
        messages.success(request, "Contact removed.")
    return _back_to_demographics(pk)


@login_required
@require_POST
def contact_move(request, pk: int, contact_pk: int):
    client, _chart = _contacts_chart(request, pk)
    active = client.contacts.filter(is_active=True)
    contact = get_for_clinic_or_404(request, active, "clients.contacts.edit", contact_pk)
    run_button(request, contacts.move_contact, contact, up=request.POST.get("direction") == "up")
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
    if run_button(request, contacts.end_link, link):
        messages.success(request, "Family link removed.")
    return _back_to_demographics(pk)
