"""Who may see and change support tickets. Views, templates (through the views) and services ask here only.

- Anyone on the staff may open a ticket and sees the tickets they created, are assigned to or are associated with.
- Administrators see every ticket of the clinic (and share automated tickets the clinic has no coordinator for).
- Support champions see every ticket sent to the vendor, may send tickets there, and alone mark a ticket
  "Waiting on vendor" (they are the clinic's link to the vendor's support team).
- The creator, the assignee and administrators change a ticket; associated staff follow it and comment.
  Cancelling is the creator's or an administrator's call: the assignee completes instead.
"""

from typing import Protocol, TypeGuard

from django.http import HttpRequest

from accounts.people.models import Membership
from accounts.roles import Role
from tickets.models import Status, Ticket


def _active(actor: Membership | None) -> TypeGuard[Membership]:
    return actor is not None and actor.is_active


def is_administrator(actor: Membership | None) -> TypeGuard[Membership]:
    return _active(actor) and actor.has_role(Role.ADMINISTRATOR)


def is_champion(actor: Membership | None) -> TypeGuard[Membership]:
    return _active(actor) and actor.has_role(Role.SUPPORT_CHAMPION)


def can_use_tickets(actor: Membership | None) -> bool:
    return _active(actor)


def can_create_ticket(actor: Membership | None) -> bool:
    return _active(actor)


def can_see_all_tickets(actor: Membership | None) -> bool:
    return is_administrator(actor)


def sees_all_vendor_tickets(actor: Membership | None) -> bool:
    """Champions follow every ticket the clinic sent to the vendor, whoever raised it."""
    return is_champion(actor) or is_administrator(actor)


def _manages(actor: Membership, ticket: Ticket) -> bool:
    return ticket.created_by_id == actor.pk or ticket.assignee_id == actor.pk or is_administrator(actor)


def can_view_ticket(actor: Membership | None, ticket: Ticket, *, associated: bool) -> TypeGuard[Membership]:
    if not _active(actor):
        return False
    return (
        _manages(actor, ticket)
        or associated
        or (ticket.sent_to_vendor_at is not None and sees_all_vendor_tickets(actor))
    )


def can_comment(actor: Membership | None, ticket: Ticket, *, associated: bool) -> bool:
    return can_view_ticket(actor, ticket, associated=associated)


def can_edit_ticket(actor: Membership | None, ticket: Ticket) -> bool:
    """Title, description, priority, date due, client link and assignee."""
    return _active(actor) and _manages(actor, ticket)


def can_add_associate(actor: Membership | None, ticket: Ticket, *, associated: bool) -> bool:
    return _active(actor) and (_manages(actor, ticket) or associated)


def can_remove_associate(actor: Membership | None, ticket: Ticket, target: Membership) -> bool:
    """Those who manage the ticket remove anyone; everyone may stop following a ticket themselves."""
    return _active(actor) and (_manages(actor, ticket) or target.pk == actor.pk)


def allowed_statuses(actor: Membership | None, ticket: Ticket, *, associated: bool) -> frozenset[str]:
    """The statuses ``actor`` may give ``ticket`` (its current status always included: no change)."""
    allowed = {ticket.status}
    if not can_view_ticket(actor, ticket, associated=associated):
        return frozenset(allowed)
    if _manages(actor, ticket):
        allowed |= {Status.IN_PROGRESS, Status.WAITING_STAFF, Status.COMPLETE}
        if ticket.created_by_id == actor.pk or is_administrator(actor):
            allowed.add(Status.CANCELLED)
    if is_champion(actor):
        allowed |= {Status.WAITING_VENDOR, Status.IN_PROGRESS}
    return frozenset(allowed)


def can_change_status(actor: Membership | None, ticket: Ticket, status: str, *, associated: bool) -> bool:
    return status in allowed_statuses(actor, ticket, associated=associated)


def can_send_to_vendor(actor: Membership | None, ticket: Ticket | None = None, *, associated: bool = False) -> bool:
    """Only support champions send tickets on (others are told to hand theirs to a champion); once per ticket."""
    if not is_champion(actor):
        return False
    if ticket is None:
        return True
    return ticket.sent_to_vendor_at is None and ticket.is_open and can_view_ticket(actor, ticket, associated=associated)


# --- The vendor's support staff (the support console) ---------------------------------------------------------
# They are not clinic staff: they see, answer and set the status of tickets a clinic's champion sent to the
# vendor, and nothing else of the clinic.

VENDOR_STATUSES = frozenset({Status.IN_PROGRESS, Status.WAITING_STAFF, Status.COMPLETE})


class VendorActor(Protocol):
    """What tickets need of a vendor staff member; the model is ``console.VendorStaff``, an app above this one."""

    pk: int
    is_active: bool

    @property
    def audit_label(self) -> str: ...

    @property
    def display_name(self) -> str: ...


class ConsoleRequest(HttpRequest):
    """A support-console request past the console's sign-in check, for annotations; never instantiated."""

    vendor_staff: VendorActor


def _vendor_active(staff: VendorActor | None) -> bool:
    return staff is not None and staff.is_active


def vendor_can_view(staff: VendorActor | None, ticket: Ticket) -> bool:
    return _vendor_active(staff) and ticket.sent_to_vendor_at is not None


def vendor_can_reply(staff: VendorActor | None, ticket: Ticket) -> bool:
    return vendor_can_view(staff, ticket)


def vendor_allowed_statuses(staff: VendorActor | None, ticket: Ticket) -> frozenset[str]:
    """In progress, Waiting on staff (the clinic's turn) or Complete; a cancelled ticket stays cancelled."""
    if not vendor_can_view(staff, ticket) or ticket.status == Status.CANCELLED:
        return frozenset({ticket.status})
    return VENDOR_STATUSES | {ticket.status}


def vendor_can_change_status(staff: VendorActor | None, ticket: Ticket, status: str) -> bool:
    return status in vendor_allowed_statuses(staff, ticket)
