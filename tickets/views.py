import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.services import record
from core import params, uploads
from core.authz import get_for_clinic_or_404, require
from core.errors import ConflictError
from core.paging import page_number
from tickets import policies, selectors, services
from tickets.forms import AddStaffForm, CommentForm, EditTicketForm, NewTicketForm, TicketFilterForm, staff_choices
from tickets.models import Notification, TicketUpdate, UpdateKind

PAGE_SIZE = 25
CHART_PATH = re.compile(r"^/clients/(\d+)/")
ASSIGNEE_FIELDS = {"id_assignee", "nt_assignee"}


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            name = "client_number" if field == "client" else field
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Lists ---------------------------------------------------------------------------------------------------


@login_required
def ticket_list(request, scope: str = "assigned"):
    actor = request.membership
    require(request, policies.can_use_tickets(actor), "tickets.list")
    if scope not in selectors.SCOPES:
        raise Http404
    if scope == "all":
        require(request, policies.can_see_all_tickets(actor), "tickets.list_all")
    staff = list(selectors.active_staff())
    data = request.GET.copy()
    data.setdefault("status", "open")
    form = TicketFilterForm(data, staff=staff)
    clock = selectors.Clock.for_clinic(request.organization)
    tickets = selectors.filter_tickets(selectors.scoped_tickets(actor, scope), form.filters(), clock)
    page = Paginator(selectors.list_rows(tickets), PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v not in (None, "")}
    context = {
        "page": page,
        "form": form,
        "scope": scope,
        "scope_label": selectors.SCOPES[scope],
        "scopes": selectors.available_scopes(actor),
        "query_string": urlencode(kept),
        "list_url": reverse("tickets:list_scope", args=[scope]) if scope != "assigned" else reverse("tickets:list"),
    }
    template = "tickets/_table.html" if request.htmx and request.htmx.target == "ticket-table" else "tickets/list.html"
    return render(request, template, context)


# --- New ticket (the help button) -----------------------------------------------------------------------------


def _client_from_page(actor, path: str):
    """When the help button was pressed on a client's chart, offer that client (if the person may see them)."""
    from clients.access import visible_clients

    match = CHART_PATH.match(path)
    pk = params.whole_number(match.group(1)) if match else None
    if pk is None:
        return None
    return visible_clients(actor).filter(pk=pk).values_list("number", flat=True).first()


@login_required
def ticket_new(request):
    """The "New ticket" form: a fragment for the help dialog (htmx), or a page of its own without JavaScript."""
    actor = request.membership
    require(request, policies.can_create_ticket(actor), "tickets.create")
    source = request.POST.get("opened_from", "") if request.method == "POST" else request.GET.get("from", "")
    opened_from = services.clean_opened_from(source)
    initial = {"opened_from": opened_from, "client_number": _client_from_page(actor, opened_from)}
    posted = request.method == "POST"
    form = NewTicketForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        actor=actor,
        organization=request.organization,
        initial=initial,
        auto_id="nt_%s",
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.create_ticket(
                attachments=data["attachments"],
                actor=actor,
                title=data["title"],
                description=data["description"],
                priority=data["priority"],
                date_due=data["date_due"],
                assignee=data["assignee"],
                client=data["client_number"],
                opened_from=opened_from,
                send_to_vendor=data.get("send_to_vendor", False),
                request=request,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if request.htmx:
                return render(request, "tickets/_created.html", {"ticket": ticket})
            messages.success(request, f"Ticket {ticket.number} created.")
            return redirect("tickets:detail", pk=ticket.pk)
    record_refused_files(request, form)
    context = {
        "form": form,
        "in_dialog": bool(request.htmx),
        "module": services.module_for(opened_from),
        "champions": [] if "send_to_vendor" in form.fields else selectors.champions(),
    }
    return render(request, "tickets/_new_form.html" if request.htmx else "tickets/new.html", context)


@login_required
def staff_search(request):
    """Quick search for the assignee: the pick list narrowed to active staff matching what was typed."""
    require(request, policies.can_use_tickets(request.membership), "tickets.staff_search")
    field_id = request.GET.get("field", "id_assignee")
    if field_id not in ASSIGNEE_FIELDS:
        field_id = "id_assignee"
    query = params.get_text(request.GET, "assignee_q")
    current = request.GET.get("assignee", "")
    staff = list(selectors.active_staff(query)[:50])
    choices = staff_choices(staff)
    if current == "":
        choices.insert(0, ("", "[auto-assignment] Administrators"))
    values = [value for value, _ in choices]
    fallback = current if current in values else values[0]
    selected = str(staff[0].pk) if query and staff else fallback
    context = {
        "field_id": field_id,
        "choices": choices,
        "selected": selected,
        "found": len(staff),
        "query": query,
    }
    return render(request, "tickets/_assignee_options.html", context)


@login_required
@require_POST
def client_search(request):
    """Clients the person may see matching a number or name, as ``<option>``s for the client field's datalist.
    POST, so a typed name never lands in a URL or an access log."""
    from clients.access import visible_clients

    require(request, policies.can_use_tickets(request.membership), "tickets.client_search")
    query = params.get_text(request.POST, "client_number", max_length=60)
    clients = visible_clients(request.membership)
    if query.isdigit():
        clients = clients.filter(number__startswith=query)
    elif len(query) >= 2:
        for word in query.split()[:3]:
            clients = clients.filter(
                Q(legal_last_name__icontains=word)
                | Q(legal_first_name__icontains=word)
                | Q(preferred_name__icontains=word)
            )
    else:
        clients = clients.none()
    rows = clients.order_by("number").only("number", "legal_first_name", "legal_last_name", "preferred_name")[:10]
    return render(request, "tickets/_client_options.html", {"clients": rows})


# --- One ticket ----------------------------------------------------------------------------------------------


def _render_detail(request, ticket, associated, *, form=None, comment_form=None, staff_form=None, status=200, **extra):
    """The ticket page. It shows the description and thread, so each render is an audited read."""
    actor = request.membership
    record("ticket.viewed", request=request, target=ticket, client_id=ticket.client_id)
    people = selectors.associates(ticket)
    can_add_staff = policies.can_add_associate(actor, ticket, associated=associated)
    clock = selectors.Clock.for_clinic(request.organization)
    form = form or EditTicketForm(actor=actor, organization=request.organization, ticket=ticket, associated=associated)
    context = {
        "ticket": ticket,
        "form": form,
        "thread": selectors.thread(ticket, page_number(request.GET.get("updates"))),
        "associates": [(m, policies.can_remove_associate(actor, ticket, m)) for m in people],
        "can_comment": policies.can_comment(actor, ticket, associated=associated),
        "comment_form": comment_form or CommentForm(),
        "staff_form": (staff_form or AddStaffForm(exclude={m.pk for m in people})) if can_add_staff else None,
        "overdue": ticket.is_overdue(clock.now, clock.today),
        "champions": [] if policies.is_champion(actor) else selectors.champions(),
        **extra,
    }
    return render(request, "tickets/detail.html", context, status=status)


@login_required
def ticket_detail(request, pk: int):
    ticket, associated = selectors.get_ticket(request, pk)
    services.mark_read(request.membership, ticket=ticket)
    return _render_detail(request, ticket, associated)


@login_required
@require_POST
def ticket_update(request, pk: int):
    actor = request.membership
    ticket, associated = selectors.get_ticket(request, pk, "tickets.edit")
    form = EditTicketForm(
        request.POST, actor=actor, organization=request.organization, ticket=ticket, associated=associated
    )
    if not form.is_valid():
        return _render_detail(request, ticket, associated, form=form)
    if form.cleaned_data["version"] != ticket.version:
        # Stale: what the form sends back is partly the old ticket, so nothing in it can be taken as a change.
        return _conflict(
            request, ticket, associated, form, services.changes_since(ticket, form.cleaned_data["version"])
        )
    changes = form.changes()
    if "status" in changes:
        allowed = policies.can_change_status(actor, ticket, changes["status"], associated=associated)
        require(request, allowed, "tickets.change_status", ticket)
    if services.EDIT_FIELDS.intersection(changes):
        require(request, policies.can_edit_ticket(actor, ticket), "tickets.edit", ticket)
    if changes.get("send_to_vendor"):
        allowed = policies.can_send_to_vendor(actor, ticket, associated=associated)
        require(request, allowed, "tickets.send_to_vendor", ticket)
    try:
        services.update_ticket(
            ticket, actor=actor, expected_version=form.cleaned_data["version"], changes=changes, request=request
        )
    except ConflictError as conflict:  # someone saved between our read and the service's lock
        return _conflict(request, ticket, associated, form, conflict.changes)
    except ValidationError as error:
        _add_errors(form, error)
        return _render_detail(request, ticket, associated, form=form)
    messages.success(request, "Saved." if changes else "Nothing to save: no changes.")
    return redirect("tickets:detail", pk=pk)


# Which thread entry records a change of each form field (to tell the person's own edits from others').
FIELD_KINDS = {
    "title": UpdateKind.TITLE,
    "status": UpdateKind.STATUS,
    "priority": UpdateKind.PRIORITY,
    "date_due": UpdateKind.DATE_DUE,
    "assignee": UpdateKind.ASSIGNEE,
    "client_number": UpdateKind.CLIENT,
    "description": UpdateKind.DESCRIPTION,
}


def _conflict(request, ticket, associated, form, changes: list[str]):
    """Refuse a stale save: say what others changed, list what the person tried, show the latest ticket."""
    fresh, associated = selectors.get_ticket(request, ticket.pk, "tickets.edit")
    version = form.cleaned_data["version"]
    earlier = {}  # for each field others changed, its value when this person opened the form
    for entry in TicketUpdate.objects.filter(ticket=fresh, ticket_version__gt=version).order_by("created_at", "pk"):
        earlier.setdefault(entry.kind, entry.old_value)
    unsaved = []
    for name in form.changed_data:
        if name == "version" or form.fields[name].disabled:
            continue
        shown = _shown(form, name)
        kind = FIELD_KINDS.get(name)
        if kind in earlier and (kind == UpdateKind.DESCRIPTION or (earlier[kind] or "—") == shown):
            continue  # the form only sent back the value it was opened with
        unsaved.append(f"{form.fields[name].label}: {shown}")
    conflict = ConflictError("ticket", changes=changes)
    return _render_detail(request, fresh, associated, conflict=conflict, unsaved=unsaved, status=409)


def _shown(form, name: str) -> str:
    """A submitted value as the thread would show it (the label of a choice, a formatted date, a name)."""
    value = form.cleaned_data.get(name)
    if name == "assignee":
        return value.user.full_name if value is not None else "[auto-assignment] Administrators"
    if name == "client_number":
        return f"Client {value.number}" if value is not None else "—"
    if name == "date_due":
        return value.strftime("%b %-d, %Y") if value else "—"
    if name == "description":
        return "(your edited text)"
    if name == "send_to_vendor":
        return "yes" if value else "no"
    for key, label in getattr(form.fields[name], "choices", []):
        if str(key) == str(value):
            return str(label).split(" — ")[0]
    return str(value) if value not in (None, "") else "—"


@login_required
@require_POST
def ticket_comment(request, pk: int):
    actor = request.membership
    ticket, associated = selectors.get_ticket(request, pk, "tickets.comment")
    require(request, policies.can_comment(actor, ticket, associated=associated), "tickets.comment", ticket)
    form = CommentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_comment(
                ticket,
                actor=actor,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
                request=request,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Comment added.")
            return redirect(reverse("tickets:detail", args=[pk]) + "#thread")
    record_refused_files(request, form, ticket)
    return _render_detail(request, ticket, associated, comment_form=form)


def record_refused_files(request, form, ticket=None, **audit) -> None:
    """A refused attachment (wrong type, too large, too many) is audited like a refused chart document: the
    reasons' codes only, never file names."""
    if "attachments" not in form.errors:
        return
    codes = sorted({error.code or "invalid" for error in form.errors.as_data()["attachments"]})
    record(
        "ticket.attachment_refused",
        request=request,
        target=ticket,
        outcome="denied",
        detail={"reasons": codes, **audit.pop("detail", {})},
        **audit,
    )


@login_required
def attachment_download(request, pk: int, attachment_pk: int):
    """A ticket's file, to those who may see the ticket (404/403 otherwise, audited); each download audited."""
    attachment = selectors.get_attachment(request, pk, attachment_pk)
    return serve_attachment(request, attachment)


def serve_attachment(request, attachment, **audit):
    """Stream the file (sandboxed, no-store: ``core.uploads.file_response``) and record the download."""
    response = uploads.serve_stored_file(
        request,
        attachment,
        filename=attachment.filename,
        inline=True,
        missing="ticket.attachment_missing",
        noun="attachment",
        client_id=attachment.ticket.client_id,
        **audit,
    )
    detail = {"ticket_id": attachment.ticket_id, **audit.pop("detail", {})}
    record(
        "ticket.attachment_downloaded",
        request=request,
        target=attachment,
        client_id=attachment.ticket.client_id,
        detail=detail,
        **audit,
    )
    return response


@login_required
@require_POST
def ticket_add_staff(request, pk: int):
    actor = request.membership
    ticket, associated = selectors.get_ticket(request, pk, "tickets.add_associate")
    allowed = policies.can_add_associate(actor, ticket, associated=associated)
    require(request, allowed, "tickets.add_associate", ticket)
    people = selectors.associates(ticket)
    form = AddStaffForm(request.POST, exclude={m.pk for m in people})
    if form.is_valid():
        member = form.cleaned_data["member"]
        services.add_associate(ticket, actor=actor, member=member, request=request)
        messages.success(request, f"{member.user.full_name} now follows this ticket.")
        return redirect("tickets:detail", pk=pk)
    return _render_detail(request, ticket, associated, staff_form=form)


@login_required
@require_POST
def ticket_remove_staff(request, pk: int, member_pk: int):
    actor = request.membership
    ticket, _associated = selectors.get_ticket(request, pk, "tickets.remove_associate")
    people = {m.pk: m for m in selectors.associates(ticket)}
    member = people.get(member_pk)
    if member is None:
        raise Http404
    allowed = policies.can_remove_associate(actor, ticket, member)
    require(request, allowed, "tickets.remove_associate", ticket)
    services.remove_associate(ticket, actor=actor, member=member, request=request)
    messages.success(request, f"{member.user.full_name} no longer follows this ticket.")
    if member.pk == actor.pk and not policies.can_view_ticket(actor, ticket, associated=False):
        return redirect("tickets:list")
    return redirect("tickets:detail", pk=pk)


# --- Notifications -------------------------------------------------------------------------------------------


@login_required
def notification_list(request):
    require(request, policies.can_use_tickets(request.membership), "tickets.notifications")
    page = Paginator(selectors.notifications_for(request.membership), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tickets/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk: int):
    mine = Notification.objects.filter(recipient=request.membership)
    notification = get_for_clinic_or_404(request, mine, "tickets.notifications", pk)
    services.mark_read(request.membership, notification_ids=[notification.pk])
    return redirect("tickets:notifications")


@login_required
@require_POST
def notifications_read_all(request):
    require(request, policies.can_use_tickets(request.membership), "tickets.notifications")
    count = services.mark_read(request.membership)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect("tickets:notifications")
