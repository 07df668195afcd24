"""Support tickets: staff asking each other, and through their support champion the vendor, for help.

A ticket's **title** travels in email and in-app notifications, so it never holds PHI (``tickets.phi`` checks it);
its **description** and comments may, and every read of them is audited. A ticket linked to a client is PHI.

The vendor side: the support console (the ``console`` app, served on the reserved ``support.`` host) lists
``Ticket.all_tenants.filter(sent_to_vendor_at__isnull=False)`` across clinics. Vendor staff
(``console.VendorStaff``) are not clinic memberships and not ``accounts.User`` people, so no clinic sign-in can use
their accounts and they cannot use a clinic's; their replies are ``TicketUpdate`` rows with ``author=None``,
``vendor_author`` set and ``external_author`` naming them. Files (``TicketAttachment``) hang off the
``TicketUpdate`` that added them.
"""

from datetime import date, datetime, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.clinic_time import clinic_today
from core.versioning import VersionedModel
from tenancy.context import current_organization
from tenancy.models import Organization, TenantModel


class Priority(models.IntegerChoices):
    """Higher values are answered first; ``NONE`` is answered last."""

    NONE = 0, "None"
    FUTURE = 1, "Future"
    LOW = 2, "Low"
    MEDIUM = 3, "Medium"
    HIGH = 4, "High"
    CRISIS = 5, "Crisis"


# The response each priority promises: how long until a ticket is due, and how that is put to people.
# Crisis promises 60 to 90 minutes; the due-by time takes the earlier end so a crisis stands out in time.
RESPONSE_TARGETS: dict[int, tuple[timedelta | None, str]] = {
    Priority.NONE: (None, "answered last"),
    Priority.FUTURE: (timedelta(days=30), "within 30 days"),
    Priority.LOW: (timedelta(days=14), "within two weeks"),
    Priority.MEDIUM: (timedelta(days=7), "within a week"),
    Priority.HIGH: (timedelta(hours=48), "within 48 hours"),
    Priority.CRISIS: (timedelta(minutes=60), "within 60–90 minutes; only when you cannot work"),
}


def response_target(priority: int) -> str:
    return RESPONSE_TARGETS[priority][1]


def due_by_for(priority: int, since: datetime) -> datetime | None:
    """When a ticket of ``priority`` raised (or re-prioritised) at ``since`` is due; None for no target."""
    delay = RESPONSE_TARGETS[priority][0]
    return since + delay if delay is not None else None


class Status(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING_STAFF = "waiting_staff", "Waiting on staff"
    WAITING_VENDOR = "waiting_vendor", "Waiting on vendor"
    COMPLETE = "complete", "Complete"
    CANCELLED = "cancelled", "Cancelled"


CLOSED_STATUSES = frozenset({Status.COMPLETE, Status.CANCELLED})
OPEN_STATUSES = frozenset(set(Status) - CLOSED_STATUSES)


class TicketNumberSequence(TenantModel):
    """The next ticket number of a clinic, locked while a number is taken so two tickets never share one."""

    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="one_ticket_sequence_per_clinic")]

    def __str__(self) -> str:
        return f"next ticket number {self.next_number}"


class Ticket(TenantModel, VersionedModel):
    """One request for help. Never deleted: completed or cancelled.

    Assignment is exactly one person (``assignee``), except for automated tickets routed to a clinic without a
    billing coordinator: then ``auto_assigned`` is set, ``assignee`` is empty and the clinic's administrators
    share the ticket until one of them takes it.
    """

    number = models.PositiveIntegerField(help_text="Assigned per clinic, in order.")
    title = models.CharField(max_length=150, help_text="Travels in email: never PHI.")
    description = models.TextField(blank=True, help_text="May hold PHI; every read is audited.")
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    due_by = models.DateTimeField(null=True, blank=True, help_text="From the priority's response target.")
    date_due = models.DateField(null=True, blank=True, help_text="A date the person asking needs it by.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    date_completed = models.DateField(null=True, blank=True)
    assignee = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_tickets"
    )
    auto_assigned = models.BooleanField(
        default=False, help_text="Routed by the system ([auto-assignment]) rather than chosen by a person."
    )
    created_by = models.ForeignKey(
        "accounts.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="created_tickets",
        help_text="Empty for automated tickets.",
    )
    source = models.CharField(
        max_length=60, blank=True, help_text="For automated tickets, the part of Hearth that opened it."
    )
    opened_from = models.CharField(
        max_length=200, blank=True, help_text="The page the help button was pressed on: a path, never a query."
    )
    module = models.CharField(max_length=60, blank=True)
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    sent_to_vendor_at = models.DateTimeField(null=True, blank=True)
    sent_to_vendor_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="ticket_number_unique"),
            models.CheckConstraint(
                condition=Q(assignee__isnull=False) | Q(auto_assigned=True), name="ticket_assigned_to_someone"
            ),
            models.CheckConstraint(
                condition=Q(status="complete", date_completed__isnull=False)
                | (~Q(status="complete") & Q(date_completed__isnull=True)),
                name="ticket_completed_date_with_status",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["organization", "sent_to_vendor_at"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["created_by", "status"]),
        ]

    # On PostgreSQL the support console (tenancy.context.vendor_console_context) sees sent tickets, and only those.
    rls_cross_clinic_select = {"hearth_vendor_console": "sent_to_vendor_at IS NOT NULL"}

    def __str__(self) -> str:
        return f"Ticket {self.number}"

    def save(self, *args, **kwargs) -> None:
        """Keep ``date_completed`` in step with the status: today's clinic date on completion, none when open."""
        if self.status == Status.COMPLETE:
            if self.date_completed is None:
                self.date_completed = clinic_today(self._clinic())
        else:
            self.date_completed = None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "status" in update_fields:
            kwargs["update_fields"] = {*update_fields, "date_completed"}
        super().save(*args, **kwargs)

    def _clinic(self) -> Organization:
        current = current_organization()
        if current is not None and current.pk == self.organization_id:
            return current
        return self.organization

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def response_target(self) -> str:
        return response_target(self.priority)

    def is_overdue(self, now: datetime, today: date) -> bool:
        if not self.is_open:
            return False
        return bool((self.due_by and self.due_by < now) or (self.date_due and self.date_due < today))


class TicketAssociate(TenantModel):
    """Staff associated with a ticket: they see it and get its notifications."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="associates")
    membership = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        "accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "membership"], name="ticket_associate_once")]

    def __str__(self) -> str:
        return f"{self.membership_id} on {self.ticket_id}"


class UpdateKind(models.TextChoices):
    CREATED = "created", "Opened"
    COMMENT = "comment", "Comment"
    STATUS = "status", "Status changed"
    PRIORITY = "priority", "Priority changed"
    ASSIGNEE = "assignee", "Reassigned"
    DATE_DUE = "date_due", "Date due changed"
    TITLE = "title", "Title changed"
    DESCRIPTION = "description", "Description edited"
    CLIENT = "client", "Client link changed"
    ASSOCIATE_ADDED = "associate_added", "Staff added"
    ASSOCIATE_REMOVED = "associate_removed", "Staff removed"
    SENT_TO_VENDOR = "sent_to_vendor", "Sent to vendor"


class TicketUpdate(TenantModel):
    """One entry of a ticket's thread: a comment, or a recorded change (old and new value, never PHI).

    ``author`` is the clinic staff member; it is empty for the system (automated tickets) and for the vendor's
    support staff, who are ``vendor_author`` and named in ``external_author`` (see the module docstring).
    ``ticket_version`` is the ticket's version after the change, so a refused stale save can list what happened
    since.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=20, choices=UpdateKind.choices)
    author = models.ForeignKey("accounts.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    external_author = models.CharField(
        max_length=150, blank=True, help_text="Someone outside the clinic (the vendor's support staff)."
    )
    vendor_author = models.ForeignKey(
        "console.VendorStaff", null=True, blank=True, on_delete=models.PROTECT, related_name="ticket_updates"
    )
    body = models.TextField(blank=True, help_text="A comment's text: may hold PHI, read only on the ticket page.")
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    ticket_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    files: list["TicketAttachment"]  # not a column: ``selectors.thread`` sets it for the page

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.ticket_id}"

    @property
    def author_name(self) -> str:
        if self.author_id:
            return self.author.user.full_name
        return self.external_author or "Hearth"

    def describe(self) -> str:
        """One line for the thread and for conflict messages: who changed what (no PHI: comments say only that)."""
        who = self.author_name
        match self.kind:
            case UpdateKind.CREATED:
                return f"{who} opened the ticket"
            case UpdateKind.COMMENT:
                return f"{who} commented"
            case UpdateKind.DESCRIPTION:
                return f"{who} edited the description"
            case UpdateKind.SENT_TO_VENDOR:
                return f"{who} sent the ticket to the vendor"
            case UpdateKind.ASSOCIATE_ADDED:
                return f"{who} added {self.new_value} to the ticket"
            case UpdateKind.ASSOCIATE_REMOVED:
                return f"{who} removed {self.old_value} from the ticket"
        field = {
            UpdateKind.STATUS: "status",
            UpdateKind.PRIORITY: "priority",
            UpdateKind.ASSIGNEE: "assignee",
            UpdateKind.DATE_DUE: "date due",
            UpdateKind.TITLE: "title",
            UpdateKind.CLIENT: "client link",
        }[self.kind]
        return f"{who} changed the {field} from {self.old_value or '—'} to {self.new_value or '—'}"


class TicketAttachment(TenantModel):
    """A screenshot or PDF added with a ticket or a comment; stored privately through ``core.uploads``.

    Served only after the ticket's own access check (clinic staff per ``policies.can_view_ticket``, vendor staff
    for sent tickets), each download audited. ``filename`` is the cleaned name the uploader gave: shown to those
    who may see the ticket, never written to the audit log or to notifications.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    update = models.ForeignKey(TicketUpdate, on_delete=models.CASCADE, related_name="attachments")
    stored_name = models.CharField(max_length=255)
    filename = models.CharField(max_length=150)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"attachment {self.pk} of {self.ticket_id}"


class NotificationKind(models.TextChoices):
    CREATED = "created", "New ticket"
    ASSIGNED = "assigned", "Assigned"
    COMMENTED = "commented", "Comment"
    STATUS = "status", "Status changed"
    UPDATED = "updated", "Updated"
    SENT_TO_VENDOR = "sent_to_vendor", "Sent to vendor"


class EmailState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    NONE = "none", "Not emailed"


class Notification(TenantModel):
    """An in-app notification for one staff member, also emailed to them by a background task.

    ``message`` is a short sentence without PHI (who did what to which ticket number); the email carries the
    ticket's number, title, status and a link, never its description or comments.
    """

    recipient = models.ForeignKey("accounts.Membership", on_delete=models.CASCADE, related_name="notifications")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=10, choices=EmailState.choices, default=EmailState.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient_id}"
