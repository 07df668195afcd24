"""Reads of tickets: every one goes through here, which applies the visibility policy and audits PHI reads."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from accounts.http import ClinicRequest
from accounts.people.models import Membership
from accounts.roles import Role
from audit.services import record
from core.authz import get_for_clinic_or_404, require
from core.clinic_time import clinic_zone
from core.paging import Window, window
from core.params import whole_number
from tenancy.context import tenant_context, vendor_console_context
from tenancy.models import Organization
from tickets import policies
from tickets.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Notification,
    Status,
    Ticket,
    TicketAssociate,
    TicketAttachment,
)
from tickets.policies import ConsoleRequest

SCOPES = {
    "assigned": "Assigned to me",
    "created": "I created",
    "associated": "I'm associated with",
    "sent-to-vendor": "Sent to vendor",
    "all": "All tickets",
}
UNREAD_CACHE_SECONDS = 60
THREAD_PAGE_SIZE = 20


def _associated(actor: Membership) -> Exists:
    return Exists(TicketAssociate.objects.filter(ticket=OuterRef("pk"), membership=actor))


def visible_tickets(actor: Membership) -> QuerySet:
    """The clinic's tickets ``actor`` may see (the same rule as ``policies.can_view_ticket``, in SQL)."""
    tickets = Ticket.objects.all()
    if not policies.can_use_tickets(actor):
        return tickets.none()
    if policies.can_see_all_tickets(actor):
        return tickets
    rule = Q(created_by=actor) | Q(assignee=actor) | Q(_associated(actor))
    if policies.sees_all_vendor_tickets(actor):
        rule |= Q(sent_to_vendor_at__isnull=False)
    return tickets.filter(rule)


def scoped_tickets(actor: Membership, scope: str) -> QuerySet:
    """One of the lists: assigned to me, I created, I'm associated with, sent to vendor, all (administrators)."""
    tickets = visible_tickets(actor)
    if scope == "assigned":
        mine = Q(assignee=actor)
        if policies.is_administrator(actor):
            mine |= Q(assignee__isnull=True, auto_assigned=True)  # shared by the administrators until taken
        return tickets.filter(mine)
    if scope == "created":
        return tickets.filter(created_by=actor)
    if scope == "associated":
        return tickets.filter(_associated(actor))
    if scope == "sent-to-vendor":
        return tickets.filter(sent_to_vendor_at__isnull=False)
    if scope == "all" and policies.can_see_all_tickets(actor):
        return tickets
    return tickets.none()


def available_scopes(actor: Membership) -> list[tuple[str, str]]:
    return [(key, label) for key, label in SCOPES.items() if key != "all" or policies.can_see_all_tickets(actor)]


@dataclass(frozen=True)
class Clock:
    """ "Now" and "today" for one clinic, so overdue means the same on every row of a page."""

    now: datetime
    today: date
    end_of_today: datetime

    @classmethod
    def for_clinic(cls, organization: Organization) -> "Clock":
        zone = clinic_zone(organization)
        now = timezone.now()
        today = now.astimezone(zone).date()
        return cls(now, today, datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone))


def overdue_q(clock: Clock) -> Q:
    return Q(status__in=OPEN_STATUSES) & (Q(due_by__lt=clock.now) | Q(date_due__lt=clock.today))


def overdue_flag(overdue: Q) -> Case:
    """True or False, never NULL: in SQL ``false OR NULL`` (no date due) is NULL, and PostgreSQL sorts NULLs
    first in a descending order, which would put tickets that are not overdue above overdue ones."""
    return Case(When(overdue, then=Value(True)), default=Value(False), output_field=BooleanField())


def _filter_status_and_priority(tickets: QuerySet, filters: dict) -> QuerySet:
    """The status ("open", "closed" or one status) and priority filters the clinic lists and the console share."""
    status = filters.get("status") or ""
    if status == "open":
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    elif status == "closed":
        tickets = tickets.filter(status__in=CLOSED_STATUSES)
    elif status in Status.values:
        tickets = tickets.filter(status=status)
    if filters.get("priority") not in (None, ""):
        tickets = tickets.filter(priority=int(filters["priority"]))
    return tickets


def filter_tickets(tickets: QuerySet, filters: dict, clock: Clock) -> QuerySet:
    """Apply the list filters (already validated by ``TicketFilterForm``) and mark overdue rows."""
    tickets = _filter_status_and_priority(tickets, filters)
    assignee = filters.get("assignee") or ""
    if assignee == "auto":
        tickets = tickets.filter(assignee__isnull=True, auto_assigned=True)
    elif assignee:
        tickets = tickets.filter(assignee_id=int(assignee))
    overdue = overdue_q(clock)
    due = filters.get("due") or ""
    if due == "overdue":
        tickets = tickets.filter(overdue)
    elif due in ("today", "week"):
        horizon = clock.end_of_today if due == "today" else clock.end_of_today + timedelta(days=6)
        last_day = clock.today if due == "today" else clock.today + timedelta(days=6)
        tickets = tickets.filter(Q(status__in=OPEN_STATUSES) & (Q(due_by__lt=horizon) | Q(date_due__lte=last_day)))
        tickets = tickets.exclude(overdue)
    elif due == "none":
        tickets = tickets.filter(due_by__isnull=True, date_due__isnull=True)
    query = (filters.get("q") or "").strip()
    if query:
        number = whole_number(query.lstrip("#"), maximum=99_999_999)
        if number is not None:
            tickets = tickets.filter(Q(number=number) | Q(title__icontains=query))
        else:
            for word in query.split():
                tickets = tickets.filter(title__icontains=word)
    return tickets.annotate(overdue=overdue_flag(overdue)).order_by("-overdue", "-priority", "due_by", "-number")


def list_rows(tickets: QuerySet) -> QuerySet:
    """What a list row shows (title, priority, status, assignee, due): no description, no client."""
    return tickets.select_related("assignee__user").defer("description")


def is_associated(actor: Membership | None, ticket: Ticket) -> bool:
    return TicketAssociate.objects.filter(ticket=ticket, membership=actor).exists()


def get_ticket(request: ClinicRequest, pk, permission: str = "tickets.view") -> tuple[Ticket, bool]:
    """The ticket and whether the person is associated with it; 404 for another clinic's (audited), 403 (audited)
    when they may not see it. Does not audit reading the description: the ticket page does."""
    ticket = get_for_clinic_or_404(
        request,
        Ticket.objects.select_related("assignee__user", "created_by__user", "sent_to_vendor_by__user", "client"),
        permission,
        pk,
    )
    associated = is_associated(request.membership, ticket)
    require(request, policies.can_view_ticket(request.membership, ticket, associated=associated), permission, ticket)
    return ticket, associated


def thread(ticket: Ticket, page: int = 1) -> Window:
    """A page of the updates, newest first, each with its ``files`` (attachments) loaded: two queries a page
    however long the thread (``page`` from ``core.paging.page_number``)."""
    entries = window(
        ticket.updates.select_related("author__user").order_by("-created_at", "-pk"), page, THREAD_PAGE_SIZE
    )
    files: dict[int, list] = {}
    if entries:
        attachments = TicketAttachment.objects.filter(ticket=ticket, update__in=[entry.pk for entry in entries])
        for attachment in attachments.order_by("created_at", "pk"):
            files.setdefault(attachment.update_id, []).append(attachment)
    for entry in entries:
        entry.files = files.get(entry.pk, [])
    return entries


def get_attachment(request: ClinicRequest, pk, attachment_pk) -> TicketAttachment:
    """An attachment of a ticket the person may see (``get_ticket``'s 404/403, audited), or 404 (audited)."""
    ticket, _associated = get_ticket(request, pk, "tickets.attachment")
    attachment = get_for_clinic_or_404(
        request, TicketAttachment.objects.filter(ticket=ticket), "tickets.attachment", attachment_pk
    )
    attachment.ticket = ticket
    return attachment


def associates(ticket: Ticket) -> list[Membership]:
    return list(
        Membership.objects.filter(pk__in=ticket.associates.values("membership"))
        .select_related("user")
        .order_by("user__full_name", "pk")
    )


def active_staff(query: str = "") -> QuerySet:
    """Active staff of the clinic, for the assignee pick list and quick search (names are not PHI)."""
    staff = Membership.objects.filter(is_active=True).select_related("user").order_by("user__full_name", "pk")
    for word in query.split()[:4]:
        staff = staff.filter(Q(user__full_name__icontains=word) | Q(username__icontains=word))
    return staff


def champions() -> list[Membership]:
    return list(
        Membership.objects.filter(is_active=True, role_assignments__role=Role.SUPPORT_CHAMPION)
        .select_related("user")
        .order_by("user__full_name")
    )


def notifications_for(actor: Membership) -> QuerySet:
    return Notification.objects.filter(recipient=actor).select_related("ticket").order_by("-created_at", "-pk")


def _unread_key(membership_id: int) -> str:
    return f"tickets:unread:{membership_id}"


def unread_count(actor: Membership) -> int:
    """Unread notifications, cached briefly: the header shows it on every page and must not cost a query each."""
    key = _unread_key(actor.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=actor, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return count


def forget_unread_count(membership_id: int) -> None:
    cache.delete(_unread_key(membership_id))


# --- The vendor's support console ----------------------------------------------------------------------------
# Console requests run with no clinic in context. Their cross-clinic reads (the list, and finding a sent ticket by
# id) run in ``vendor_console_context``: on PostgreSQL as the restricted request role, where row-level security
# shows tickets sent to the vendor and nothing else of any clinic. Everything shown from one ticket (its people,
# description, thread and files) is read inside ``tenant_context(ticket.organization)``.

CONSOLE_PAGE_SIZE = 25


def vendor_clinics() -> QuerySet:
    """Clinics that have sent at least one ticket to the vendor (the console's clinic filter)."""
    sent = Ticket.all_tenants.filter(organization=OuterRef("pk"), sent_to_vendor_at__isnull=False)
    return Organization.objects.filter(Exists(sent)).order_by("name")


def vendor_clinic_choices() -> list[tuple[str, str]]:
    with vendor_console_context():
        return [(str(pk), name) for pk, name in vendor_clinics().values_list("pk", "name")]


def vendor_tickets(filters: dict, now: datetime) -> QuerySet:
    """Every clinic's sent tickets, filtered (status, priority, overdue, clinic), overdue first, then by priority
    and due-by. Overdue uses ``due_by`` and the clinic-given date due (in UTC: the console spans time zones).
    Evaluate it inside ``vendor_console_context`` (``vendor_ticket_page`` does)."""
    tickets = _filter_status_and_priority(Ticket.all_tenants.filter(sent_to_vendor_at__isnull=False), filters)
    if filters.get("clinic"):
        tickets = tickets.filter(organization_id=int(filters["clinic"]))
    overdue = Q(status__in=OPEN_STATUSES) & (Q(due_by__lt=now) | Q(date_due__lt=now.date()))
    if filters.get("overdue"):
        tickets = tickets.filter(overdue)
    return (
        tickets.select_related("organization")
        .only(
            "organization__name",
            "number",
            "title",
            "priority",
            "status",
            "due_by",
            "date_due",
            "sent_to_vendor_at",
        )
        .annotate(overdue=overdue_flag(overdue))
        .order_by("-overdue", "-priority", "due_by", "sent_to_vendor_at", "pk")
    )


def vendor_ticket_page(filters: dict, now: datetime, page_number) -> Page:
    """One page of ``vendor_tickets``, read under the console's row-level security (two queries)."""
    with vendor_console_context():
        page = Paginator(vendor_tickets(filters, now), CONSOLE_PAGE_SIZE).get_page(page_number)
        page.object_list = list(page.object_list)
    return page


def _vendor_refusal(request: ConsoleRequest, pk, permission: str) -> None:
    """Audit a console request for a ticket it may not see: in the ticket's clinic's chain when it exists (so the
    clinic sees the try), else in the system chain. Finding that clinic is the one read here outside the console's
    row-level security, and it reads the clinic's id alone."""
    detail = {"permission": permission, "vendor_staff_id": request.vendor_staff.pk}
    fields: dict[str, Any] = {"actor_label": request.vendor_staff.audit_label, "outcome": "denied", "detail": detail}
    organization_id = (
        Ticket.all_tenants.filter(pk=pk).values_list("organization_id", flat=True).first()
        if str(pk).isdigit()
        else None
    )
    organization = Organization.objects.filter(pk=organization_id).first() if organization_id else None
    if organization is None:
        record("access.not_found", request=request, object_type="tickets.ticket", object_id=str(pk)[:64], **fields)
        return
    with tenant_context(organization):
        record(
            "access.denied",
            request=request,
            organization=organization,
            object_type="tickets.ticket",
            object_id=str(pk),
            **fields,
        )


def get_sent_ticket(request: ConsoleRequest, pk, permission: str = "tickets.vendor_view") -> Ticket:
    """A ticket sent to the vendor, for the signed-in vendor staff member; 404 (audited) for any other id.

    Found under the console's row-level security, then read with its people inside its clinic's context.
    """
    sent = None
    if str(pk).isdigit():
        with vendor_console_context():
            sent = (
                Ticket.all_tenants.select_related("organization")
                .filter(pk=pk, sent_to_vendor_at__isnull=False)
                .only("organization", "sent_to_vendor_at")
                .first()
            )
    if sent is None or not policies.vendor_can_view(request.vendor_staff, sent):
        _vendor_refusal(request, pk, permission)
        raise Http404
    with tenant_context(sent.organization):
        ticket = Ticket.objects.select_related("assignee__user", "created_by__user", "sent_to_vendor_by__user").get(
            pk=sent.pk
        )
    ticket.organization = sent.organization
    return ticket


def vendor_attachment(request: ConsoleRequest, pk, attachment_pk) -> tuple[Ticket, TicketAttachment]:
    """A file of a sent ticket (404, audited in the clinic's chain, for any other id)."""
    ticket = get_sent_ticket(request, pk, "tickets.vendor_attachment")
    with tenant_context(ticket.organization):
        attachment = (
            TicketAttachment.objects.filter(ticket=ticket, pk=attachment_pk).first()
            if str(attachment_pk).isdigit()
            else None
        )
        if attachment is None:
            record(
                "access.not_found",
                request=request,
                organization=ticket.organization,
                actor_label=request.vendor_staff.audit_label,
                object_type="tickets.ticketattachment",
                object_id=str(attachment_pk)[:64],
                outcome="denied",
                detail={"permission": "tickets.vendor_attachment", "vendor_staff_id": request.vendor_staff.pk},
            )
            raise Http404
    attachment.ticket = ticket
    return ticket, attachment
