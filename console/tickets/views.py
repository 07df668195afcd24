"""The console's tickets: the list of tickets clinics sent to the vendor, one ticket's page where vendor staff
reply and change the status, and its files.

Served only on the support host (see ``console/urls.py``), only to vendor staff signed in with both steps
(``console.signin.services.vendor_staff_required``). Requests run with no clinic in context; every read of one
ticket's description, thread or files, and every write, happens inside ``tenant_context(ticket.organization)`` and
is audited in that clinic's chain, naming the vendor staff member (``VendorStaff.audit_label``).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.models import Outcome
from audit.services import record
from console.signin import services as vendor
from console.tickets.forms import ConsoleFilterForm, ReplyForm, StatusForm
from core.errors import ConflictError
from core.paging import page_number
from tenancy.context import tenant_context
from tickets import policies, selectors, services
from tickets.views import record_refused_files, serve_attachment

# --- The list ------------------------------------------------------------------------------------------------


@vendor.vendor_staff_required
def ticket_list(request):
    """Tickets sent to the vendor, across clinics: no description, no client, only what a row shows."""
    data = request.GET.copy()
    data.setdefault("status", "open")
    form = ConsoleFilterForm(data)
    page = selectors.vendor_ticket_page(form.filters(), timezone.now(), request.GET.get("page"))
    kept = {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v not in (None, "", False)}
    context = {"page": page, "form": form, "query_string": urlencode(kept)}
    return render(request, "console/list.html", context)


# --- One ticket ----------------------------------------------------------------------------------------------


def _require(request, allowed: bool, permission: str, ticket) -> None:
    """Refuse (403) and audit in the ticket's clinic's chain, naming the vendor staff member."""
    if allowed:
        return
    with tenant_context(ticket.organization):
        record(
            "access.denied",
            request=request,
            organization=ticket.organization,
            actor_label=request.vendor_staff.audit_label,
            target=ticket,
            outcome=Outcome.DENIED,
            detail={"permission": permission, "vendor_staff_id": request.vendor_staff.pk, "path": request.path},
        )
    raise PermissionDenied(permission)


def _render_detail(request, ticket, *, reply_form=None, status_form=None, conflict=None, status: int = 200):
    """The ticket page. It shows the description and thread, so each render is a read audited in the clinic."""
    staff = request.vendor_staff
    with tenant_context(ticket.organization):
        record(
            "ticket.viewed",
            request=request,
            organization=ticket.organization,
            actor_label=staff.audit_label,
            target=ticket,
            client_id=ticket.client_id,
            detail={"vendor_staff_id": staff.pk},
        )
        thread = selectors.thread(ticket, page_number(request.GET.get("updates")))
    clock = selectors.Clock.for_clinic(ticket.organization)
    context = {
        "ticket": ticket,
        "clinic": ticket.organization,
        "thread": thread,
        "overdue": ticket.is_overdue(clock.now, clock.today),
        "reply_form": reply_form or ReplyForm(),
        "status_form": status_form or StatusForm(staff=staff, ticket=ticket),
        "can_reply": policies.vendor_can_reply(staff, ticket),
        "conflict": conflict,
    }
    return render(request, "console/detail.html", context, status=status)


@vendor.vendor_staff_required
def ticket_detail(request, pk: int):
    return _render_detail(request, selectors.get_sent_ticket(request, pk))


@vendor.vendor_staff_required
@require_POST
def ticket_reply(request, pk: int):
    ticket = selectors.get_sent_ticket(request, pk, "tickets.vendor_reply")
    _require(request, policies.vendor_can_reply(request.vendor_staff, ticket), "tickets.vendor_reply", ticket)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_vendor_reply(
                ticket,
                actor=request.vendor_staff,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
                request=request,
            )
        except ValidationError as error:
            form.add_error("body", error.messages)
        else:
            messages.success(request, f"Reply sent to {ticket.organization.name}.")
            return redirect(reverse("console:detail", args=[pk]) + "#thread")
    with tenant_context(ticket.organization):
        record_refused_files(
            request,
            form,
            ticket,
            organization=ticket.organization,
            actor_label=request.vendor_staff.audit_label,
            detail={"vendor_staff_id": request.vendor_staff.pk},
        )
    return _render_detail(request, ticket, reply_form=form, status=400)


@vendor.vendor_staff_required
@require_POST
def ticket_status(request, pk: int):
    ticket = selectors.get_sent_ticket(request, pk, "tickets.vendor_change_status")
    staff = request.vendor_staff
    form = StatusForm(request.POST, staff=staff, ticket=ticket)
    if not form.is_valid():
        return _render_detail(request, ticket, status_form=form, status=400)
    status = form.cleaned_data["status"]
    allowed = policies.vendor_can_change_status(staff, ticket, status)
    _require(request, allowed, "tickets.vendor_change_status", ticket)
    try:
        services.set_status_by_vendor(
            ticket, actor=staff, status=status, expected_version=form.cleaned_data["version"], request=request
        )
    except ConflictError as conflict:
        fresh = selectors.get_sent_ticket(request, pk, "tickets.vendor_change_status")
        return _render_detail(request, fresh, conflict=conflict, status=409)
    messages.success(request, "Status saved." if status != ticket.status else "Nothing to save: no change.")
    return redirect("console:detail", pk=pk)


@vendor.vendor_staff_required
def attachment_download(request, pk: int, attachment_pk: int):
    """A file of a sent ticket; the download is audited in the ticket's clinic's chain."""
    ticket, attachment = selectors.vendor_attachment(request, pk, attachment_pk)
    staff = request.vendor_staff
    with tenant_context(ticket.organization):
        return serve_attachment(
            request,
            attachment,
            organization=ticket.organization,
            actor_label=staff.audit_label,
            detail={"vendor_staff_id": staff.pk},
        )
