"""Writes to tickets. Each runs in one transaction, checks the policy again, records its thread entries and audit
event, and queues notification emails on commit (so a slow mail server never holds up a page, and a rolled-back
change never emails anyone).
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.people.models import Membership
from accounts.roles import Role
from audit.services import record
from clients.events import record_change
from core import uploads
from core.clinic_time import clinic_today
from core.versioning import lock_version
from tenancy.context import require_organization, tenant_context
from tenancy.models import Organization
from tickets import phi, policies
from tickets.models import (
    NotificationKind,
    Priority,
    Status,
    Ticket,
    TicketAssociate,
    TicketAttachment,
    TicketNumberSequence,
    TicketUpdate,
    UpdateKind,
    due_by_for,
)
from tickets.selectors import forget_unread_count, is_associated

# The part of Hearth a page belongs to, by the first segment of its path (shown on the ticket as "Module").
MODULES = {
    "": "Home",
    "clients": "Clients",
    "staff": "Staff",
    "settings": "Clinic settings",
    "audit": "Audit log",
    "tickets": "Tickets",
    "account": "Your account",
    "mfa": "Two-step sign-in",
    "password": "Password",
}
EDIT_FIELDS = frozenset({"title", "description", "priority", "date_due", "assignee", "client"})


def clean_opened_from(value: str) -> str:
    """The path of the page the help button was pressed on: never its query string or fragment (either may
    hold a search for a client's name), and only a path on this site."""
    path = (value or "").split("?", 1)[0].split("#", 1)[0].strip()
    if (
        not path.startswith("/")
        or path.startswith("//")
        or any(c.isspace() or c == "\\" or not c.isprintable() for c in path)
    ):
        return ""
    return path[:200]


def module_for(path: str) -> str:
    if not path:
        return ""
    first = path.strip("/").split("/", 1)[0]
    return MODULES.get(first, first.replace("-", " ").capitalize())[:60]


def next_ticket_number() -> int:
    sequence, _ = TicketNumberSequence.objects.get_or_create()
    sequence = TicketNumberSequence.objects.select_for_update().get(pk=sequence.pk)
    TicketNumberSequence.objects.filter(pk=sequence.pk).update(next_number=F("next_number") + 1)
    return sequence.next_number


def auto_assignee(organization: Organization) -> Membership | None:
    """Where ``[auto-assignment]`` routes: the clinic's billing coordinator if one is designated and active;
    otherwise None, meaning the clinic's administrators share the ticket."""
    if organization.billing_coordinator_id is None:
        return None
    return Membership.objects.filter(pk=organization.billing_coordinator_id, is_active=True).first()


def active_administrators() -> list[Membership]:
    return list(
        Membership.objects.filter(is_active=True, role_assignments__role=Role.ADMINISTRATOR).select_related("user")
    )


def _name(member: Membership | None) -> str:
    return member.user.full_name if member is not None else ""


def _assignee_label(ticket: Ticket) -> str:
    if ticket.assignee_id is None:
        return "[auto-assignment] Administrators"
    return _name(ticket.assignee)


def _client_label(client) -> str:
    return f"Client {client.number}" if client is not None else ""


def _validate(actor: Membership | None, fields: dict, today) -> None:
    """Field checks shared by creating and editing; raises one ValidationError naming every problem."""
    from clients.access import visible_clients

    errors: dict[str, list] = {}
    if "title" in fields:
        title = fields["title"]
        if not title:
            errors["title"] = ["Give the ticket a title."]
        else:
            try:
                phi.validate_title(title, today)
            except ValidationError as error:
                errors["title"] = error.messages
    date_due = fields.get("date_due")
    if date_due is not None and date_due < today:
        errors["date_due"] = ["The date due can't be in the past."]
    assignee = fields.get("assignee")
    if assignee is not None:
        organization = require_organization()
        if assignee.organization_id != organization.pk or not assignee.is_active:
            errors["assignee"] = ["Assign the ticket to an active staff member of this clinic."]
    client = fields.get("client")
    if client is not None and actor is not None and not visible_clients(actor).filter(pk=client.pk).exists():
        errors["client"] = ["Link only a client you may see."]
    if errors:
        raise ValidationError(errors)


def _associate(ticket: Ticket, member: Membership, *, added_by: Membership | None) -> bool:
    _, created = TicketAssociate.objects.get_or_create(
        ticket=ticket, membership=member, defaults={"added_by": added_by}
    )
    return created


def _entry(
    ticket: Ticket,
    kind: str,
    author: Membership | None,
    old: str = "",
    new: str = "",
    body: str = "",
    *,
    vendor: policies.VendorActor | None = None,
):
    return TicketUpdate.objects.create(
        ticket=ticket,
        kind=kind,
        author=author,
        vendor_author=vendor,
        external_author=vendor.display_name if vendor is not None else "",
        old_value=old[:200],
        new_value=new[:200],
        body=body,
        ticket_version=ticket.version,
    )


def _mark_sent_to_vendor(ticket: Ticket, actor: Membership, now, *, set_status: bool) -> None:
    ticket.sent_to_vendor_at = now
    ticket.sent_to_vendor_by = actor
    _entry(ticket, UpdateKind.SENT_TO_VENDOR, actor)
    if set_status and ticket.is_open and ticket.status != Status.WAITING_VENDOR:
        old = ticket.get_status_display()
        ticket.status = Status.WAITING_VENDOR
        _entry(ticket, UpdateKind.STATUS, actor, old, ticket.get_status_display())


# --- Attachments ----------------------------------------------------------------------------------------------


@contextmanager
def _stored_files(files: Sequence[uploads.CheckedUpload], organization_id: int) -> Iterator[list]:
    """Write checked uploads to the private storage before the transaction that records them; remove them again
    if anything in the block fails, so an attachment is either wholly there (file, row, audit) or not at all."""
    stored: list[tuple[uploads.CheckedUpload, str]] = []
    try:
        for checked in files:
            stored.append((checked, uploads.store(checked, folder=f"tickets/{organization_id}")))
        yield stored
    except BaseException:
        for _checked, name in stored:
            uploads.discard(name)
        raise


def _attach(ticket: Ticket, update: TicketUpdate, stored: list) -> list[int]:
    rows = TicketAttachment.objects.bulk_create(
        [
            TicketAttachment(
                ticket=ticket,
                update=update,
                stored_name=name,
                filename=checked.display_name,
                content_type=checked.kind.content_type,
                size=checked.size,
                sha256=checked.sha256,
            )
            for checked, name in stored
        ]
    )
    return [row.pk for row in rows]


def _files_detail(attachment_ids: list[int]) -> dict:
    """Audit detail naming the attachments added (ids only: file names can hold PHI)."""
    return {"attachment_ids": attachment_ids} if attachment_ids else {}


def _new_ticket(title: str, description: str, priority: int, date_due, client, now, **fields) -> Ticket:
    """A new ticket with the clinic's next number, the response deadline its priority sets, and ``now`` as its
    creation time; ``fields`` say who opened it and how it is assigned."""
    return Ticket.objects.create(
        number=next_ticket_number(),
        title=title,
        description=description.strip(),
        priority=priority,
        due_by=due_by_for(priority, now),
        date_due=date_due,
        client=client,
        created_at=now,
        updated_at=now,
        **fields,
    )


def create_ticket(*, attachments: Sequence[uploads.CheckedUpload] = (), **fields) -> Ticket:
    """Open a ticket from a person (see ``_create_ticket`` for the fields), with any checked ``attachments``
    (screenshots, PDFs) on its first thread entry."""
    with _stored_files(attachments, require_organization().pk) as stored, transaction.atomic():
        return _create_ticket(stored=stored, **fields)


def _create_ticket(
    *,
    stored: list,
    actor: Membership,
    title: str,
    assignee: Membership,
    description: str = "",
    priority: int = Priority.MEDIUM,
    date_due=None,
    client=None,
    opened_from: str = "",
    send_to_vendor: bool = False,
    request=None,
    notify: bool = True,
) -> Ticket:
    """Open a ticket from a person. Assigning it to someone else adds the person to the associated staff."""
    if not policies.can_create_ticket(actor):
        raise PermissionDenied("tickets.create")
    if send_to_vendor and not policies.can_send_to_vendor(actor):
        raise PermissionDenied("tickets.send_to_vendor")
    organization = require_organization()
    title = title.strip()
    _validate(
        actor,
        {"title": title, "date_due": date_due, "assignee": assignee, "client": client},
        clinic_today(organization),
    )
    now = timezone.now()
    path = clean_opened_from(opened_from)
    opened_by = {"assignee": assignee, "created_by": actor, "opened_from": path, "module": module_for(path)}
    ticket = _new_ticket(title, description, priority, date_due, client, now, **opened_by)
    created = _entry(ticket, UpdateKind.CREATED, actor, new=_assignee_label(ticket))
    attachment_ids = _attach(ticket, created, stored)
    if assignee.pk != actor.pk:
        _associate(ticket, actor, added_by=actor)
    if send_to_vendor:
        _mark_sent_to_vendor(ticket, actor, now, set_status=True)
        ticket.save(update_fields=["sent_to_vendor_at", "sent_to_vendor_by", "status"])
    record_change(
        "ticket.created",
        ticket,
        actor=actor,
        request=request,
        number=ticket.number,
        sent_to_vendor=send_to_vendor,
        **_files_detail(attachment_ids),
    )
    if notify:
        _notify(
            ticket,
            actor=actor,
            kind=NotificationKind.CREATED,
            text=lambda member: "opened it and assigned it to you" if member.pk == ticket.assignee_id else "opened it",
        )
    return ticket


def open_automated_ticket(
    organization: Organization,
    title: str,
    description: str,
    *,
    priority: int = Priority.MEDIUM,
    source: str = "",
    client=None,
    date_due=None,
    notify: bool = True,
) -> Ticket:
    """Open a ticket on the system's behalf (a rejected claim batch, say), assigned with ``[auto-assignment]``:
    to the clinic's billing coordinator, or shared by its administrators when none is designated.

    The title is checked for PHI like anyone's, and a ValidationError here is a bug in the caller: describe the
    problem in the title, and put client details in the description.
    """
    with tenant_context(organization), transaction.atomic():
        title = title.strip()
        _validate(None, {"title": title, "date_due": date_due}, clinic_today(organization))
        now = timezone.now()
        assigned = {"assignee": auto_assignee(organization), "auto_assigned": True}
        ticket = _new_ticket(
            title, description, priority, date_due, client, now, source=source[:60], module=source[:60], **assigned
        )
        _entry(ticket, UpdateKind.CREATED, None, new=f"[auto-assignment] {_assignee_label(ticket)}")
        record(
            "ticket.created",
            organization=organization,
            target=ticket,
            client_id=ticket.client_id,
            detail={"number": ticket.number, "automated": True, "source": source[:60]},
        )
        if notify:
            _notify(
                ticket,
                actor=None,
                kind=NotificationKind.CREATED,
                text=lambda member: (
                    "opened it automatically and assigned it to "
                    + ("you" if member.pk == ticket.assignee_id else "the clinic's administrators")
                ),
            )
    return ticket


def changes_since(ticket: Ticket, version: int) -> list[str]:
    """What others did to the ticket since ``version``, one sentence each (from its thread entries)."""
    updates = TicketUpdate.objects.filter(ticket=ticket, ticket_version__gt=version).select_related("author__user")
    return [update.describe() for update in updates.order_by("created_at", "pk")]


@transaction.atomic
def update_ticket(
    ticket: Ticket, *, actor: Membership, expected_version: int, changes: dict, request=None, notify: bool = True
) -> Ticket:
    """Apply ``changes`` (title, description, priority, date_due, assignee, client, status, send_to_vendor) if
    nobody saved the ticket since ``expected_version``; otherwise ConflictError listing what they did.

    Each change becomes a thread entry. Completing fills the date completed (the model does it on save);
    reassigning to someone else adds the person doing it to the associated staff; sending to the vendor marks the
    ticket "Waiting on vendor" unless the same save sets another status.
    """
    current = lock_version(
        Ticket.objects.select_related("assignee__user", "client").filter(pk=ticket.pk),
        expected_version=expected_version,
        noun="ticket",
        changes_since=changes_since,
    )
    associated = is_associated(actor, current)
    changes = dict(changes)
    send = bool(changes.pop("send_to_vendor", False))
    if EDIT_FIELDS.intersection(changes) and not policies.can_edit_ticket(actor, current):
        raise PermissionDenied("tickets.edit")
    if "status" in changes and not policies.can_change_status(actor, current, changes["status"], associated=associated):
        raise PermissionDenied("tickets.change_status")
    if send and not policies.can_send_to_vendor(actor, current, associated=associated):
        raise PermissionDenied("tickets.send_to_vendor")
    organization = require_organization()
    if "title" in changes:
        changes["title"] = changes["title"].strip()
    _validate(actor, {k: v for k, v in changes.items() if k in EDIT_FIELDS}, clinic_today(organization))

    now = timezone.now()
    current.version = expected_version + 1
    changed: list[str] = []
    old_assignee, old_status = current.assignee_id, current.status
    for field, value in changes.items():
        if field in ("title", "description") and value == getattr(current, field):
            continue
        if field == "title":
            _entry(current, UpdateKind.TITLE, actor, current.title, value)
        elif field == "description":
            _entry(current, UpdateKind.DESCRIPTION, actor)
        elif field == "priority":
            if value == current.priority:
                continue
            old = current.get_priority_display()
            current.priority = value
            current.due_by = due_by_for(value, now)
            changed.append("due_by")
            _entry(current, UpdateKind.PRIORITY, actor, old, current.get_priority_display())
        elif field == "date_due":
            if value == current.date_due:
                continue
            _entry(current, UpdateKind.DATE_DUE, actor, _date(current.date_due), _date(value))
        elif field == "assignee":
            if value.pk == current.assignee_id:
                continue
            old = _assignee_label(current)
            current.assignee, current.auto_assigned = value, False
            changed.append("auto_assigned")
            _entry(current, UpdateKind.ASSIGNEE, actor, old, _name(value))
            if value.pk != actor.pk and _associate(current, actor, added_by=actor):
                _entry(current, UpdateKind.ASSOCIATE_ADDED, actor, new=_name(actor))
        elif field == "client":
            if (value.pk if value else None) == current.client_id:
                continue
            _entry(current, UpdateKind.CLIENT, actor, _client_label(current.client), _client_label(value))
        elif field == "status":
            if value == current.status:
                continue
            old = current.get_status_display()
            current.status = value
            _entry(current, UpdateKind.STATUS, actor, old, current.get_status_display())
        else:
            raise ValueError(f"Unknown ticket field {field!r}")
        if field not in ("priority", "assignee", "status"):
            setattr(current, field, value)
        changed.append(field)
    if send:
        _mark_sent_to_vendor(current, actor, now, set_status=current.status == old_status)
        changed += ["sent_to_vendor_at", "sent_to_vendor_by", "status"]
    if not changed:
        return current
    current.updated_at = now
    current.save(update_fields={*changed, "version", "updated_at"})
    fields = sorted({f for f in changed if f in EDIT_FIELDS or f == "status"} | ({"sent_to_vendor"} if send else set()))
    record_change("ticket.updated", current, actor=actor, request=request, fields=fields)
    if notify:
        _notify_changes(
            current, actor=actor, reassigned=current.assignee_id != old_assignee, status=old_status, sent=send
        )
    return current


def _date(value) -> str:
    return value.strftime("%b %-d, %Y") if value else ""


def _notify_changes(ticket: Ticket, *, actor: Membership, reassigned: bool, status: str, sent: bool) -> None:
    """One notification per person for one save: assignment, status and vendor changes (others are quiet)."""
    status_changed = ticket.status != status
    if not (reassigned or status_changed or sent):
        return

    def text(member: Membership) -> str:
        parts = []
        if reassigned:
            parts.append(
                "assigned it to you"
                if member.pk == ticket.assignee_id
                else f"reassigned it to {_name(ticket.assignee)}"
            )
        if sent:
            parts.append("sent it to the vendor")
        if status_changed:
            parts.append(f"changed its status to {ticket.get_status_display()}")
        return ", ".join(parts)

    kind = NotificationKind.ASSIGNED if reassigned else NotificationKind.STATUS
    if sent and not reassigned:
        kind = NotificationKind.SENT_TO_VENDOR
    _notify(ticket, actor=actor, kind=kind, text=text)


def add_comment(
    ticket: Ticket,
    *,
    actor: Membership,
    body: str,
    attachments: Sequence[uploads.CheckedUpload] = (),
    request=None,
) -> TicketUpdate:
    """A comment in the thread (PHI allowed), with any checked attachments. It does not change the ticket's
    version: commenting never makes someone else's open edit stale."""
    if not policies.can_comment(actor, ticket, associated=is_associated(actor, ticket)):
        raise PermissionDenied("tickets.comment")
    body = body.strip()
    if not body and not attachments:
        raise ValidationError({"body": ["Write a comment or attach a file first."]})
    with _stored_files(attachments, ticket.organization_id) as stored, transaction.atomic():
        update = _entry(ticket, UpdateKind.COMMENT, actor, body=body)
        attachment_ids = _attach(ticket, update, stored)
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
        record_change(
            "ticket.commented",
            ticket,
            actor=actor,
            request=request,
            update_id=update.pk,
            **_files_detail(attachment_ids),
        )
        _notify(ticket, actor=actor, kind=NotificationKind.COMMENTED, text=lambda member: "commented")
    return update


@transaction.atomic
def add_associate(ticket: Ticket, *, actor: Membership, member: Membership, request=None) -> None:
    if not policies.can_add_associate(actor, ticket, associated=is_associated(actor, ticket)):
        raise PermissionDenied("tickets.add_associate")
    if member.organization_id != ticket.organization_id or not member.is_active:
        raise ValidationError({"member": ["Add an active staff member of this clinic."]})
    if not _associate(ticket, member, added_by=actor):
        return
    _entry(ticket, UpdateKind.ASSOCIATE_ADDED, actor, new=_name(member))
    record_change("ticket.associate_added", ticket, actor=actor, request=request, membership_id=member.pk)
    _notify(ticket, actor=actor, kind=NotificationKind.UPDATED, text=lambda m: "added you to it", only=[member])


@transaction.atomic
def remove_associate(ticket: Ticket, *, actor: Membership, member: Membership, request=None) -> None:
    if not policies.can_remove_associate(actor, ticket, member):
        raise PermissionDenied("tickets.remove_associate")
    deleted, _ = TicketAssociate.objects.filter(ticket=ticket, membership=member).delete()
    if not deleted:
        return
    _entry(ticket, UpdateKind.ASSOCIATE_REMOVED, actor, old=_name(member))
    record_change("ticket.associate_removed", ticket, actor=actor, request=request, membership_id=member.pk)


# --- The vendor's support staff (the support console) ---------------------------------------------------------
# Console requests run with no clinic in context; each write enters the ticket's own clinic, so its rows, its
# audit event (in that clinic's chain) and row-level security all agree.


def add_vendor_reply(
    ticket: Ticket,
    *,
    actor: policies.VendorActor,
    body: str,
    attachments: Sequence[uploads.CheckedUpload] = (),
    request=None,
) -> TicketUpdate:
    """A reply from the vendor's support staff on a sent ticket: a comment naming them, notified to the clinic's
    assignee, creator and associated staff (email without the reply's text, and in-app)."""
    organization = ticket.organization
    body = body.strip()
    if not body and not attachments:
        raise ValidationError({"body": ["Write a reply or attach a file first."]})
    with (
        tenant_context(organization),
        _stored_files(attachments, organization.pk) as stored,
        transaction.atomic(),
    ):
        current = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
        if not policies.vendor_can_reply(actor, current):
            raise PermissionDenied("tickets.vendor_reply")
        update = _entry(current, UpdateKind.COMMENT, None, body=body, vendor=actor)
        attachment_ids = _attach(current, update, stored)
        Ticket.objects.filter(pk=current.pk).update(updated_at=timezone.now())
        record(
            "ticket.commented",
            request=request,
            organization=organization,
            actor_label=actor.audit_label,
            target=current,
            client_id=current.client_id,
            detail={"update_id": update.pk, "vendor_staff_id": actor.pk, **_files_detail(attachment_ids)},
        )
        _notify(current, actor=None, who=actor.display_name, kind=NotificationKind.COMMENTED, text=lambda m: "replied")
    return update


def set_status_by_vendor(
    ticket: Ticket, *, actor: policies.VendorActor, status: str, expected_version: int, request=None
) -> Ticket:
    """Vendor staff move a sent ticket to In progress, Waiting on staff or Complete, if nobody saved it since
    ``expected_version`` (otherwise ConflictError listing what changed). Completing fills the date completed."""
    organization = ticket.organization
    with tenant_context(organization), transaction.atomic():
        current = lock_version(ticket, expected_version=expected_version, noun="ticket", changes_since=changes_since)
        if not policies.vendor_can_change_status(actor, current, status):
            raise PermissionDenied("tickets.vendor_change_status")
        if status == current.status:
            return current
        old = current.get_status_display()
        current.status = status
        current.version = expected_version + 1
        current.updated_at = timezone.now()
        _entry(current, UpdateKind.STATUS, None, old, current.get_status_display(), vendor=actor)
        current.save(update_fields=["status", "version", "updated_at"])
        record(
            "ticket.updated",
            request=request,
            organization=organization,
            actor_label=actor.audit_label,
            target=current,
            client_id=current.client_id,
            detail={"fields": ["status"], "vendor_staff_id": actor.pk},
        )
        label = current.get_status_display()
        _notify(
            current,
            actor=None,
            who=actor.display_name,
            kind=NotificationKind.STATUS,
            text=lambda m: f"changed its status to {label}",
        )
    return current


# --- Notifications -------------------------------------------------------------------------------------------


def recipients(ticket: Ticket) -> list[Membership]:
    """Who follows a ticket: its assignee (or, auto-assigned with none, the administrators), its creator and its
    associated staff; active staff only."""
    ids = set(ticket.associates.values_list("membership_id", flat=True))
    if ticket.assignee_id:
        ids.add(ticket.assignee_id)
    elif ticket.auto_assigned:
        ids.update(member.pk for member in active_administrators())
    if ticket.created_by_id:
        ids.add(ticket.created_by_id)
    return list(Membership.objects.filter(pk__in=ids, is_active=True).select_related("user").order_by("pk"))


def _notify(
    ticket: Ticket,
    *,
    actor: Membership | None,
    kind: str,
    text: Callable[[Membership], str],
    only: Iterable[Membership] | None = None,
    who: str = "",
) -> None:
    """An in-app notification for everyone following the ticket but the actor, each emailed after commit.
    ``who`` names an actor who is not clinic staff (the vendor's support staff)."""
    from tickets.models import Notification
    from tickets.tasks import send_notification_email

    who = who or _name(actor) or "Hearth"
    people = [m for m in (only if only is not None else recipients(ticket)) if actor is None or m.pk != actor.pk]
    if not people:
        return
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient=m, ticket=ticket, kind=kind, message=f"Ticket {ticket.number}: {who} {text(m)}."[:300]
            )
            for m in people
        ]
    )
    organization_id = ticket.organization_id
    ids = [n.pk for n in notifications]
    people_ids = [m.pk for m in people]

    def after_commit() -> None:
        for membership_id in people_ids:
            forget_unread_count(membership_id)
        for notification_id in ids:
            send_notification_email.enqueue(organization_id, notification_id)

    for membership_id in people_ids:
        forget_unread_count(membership_id)
    transaction.on_commit(after_commit)


def mark_read(actor: Membership, *, notification_ids: Iterable[int] | None = None, ticket: Ticket | None = None) -> int:
    """Mark the person's own notifications read: some, those of one ticket, or all. Returns how many."""
    from tickets.models import Notification

    unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    if ticket is not None:
        unread = unread.filter(ticket=ticket)
    count = unread.update(read_at=timezone.now())
    if count:
        forget_unread_count(actor.pk)
    return count
