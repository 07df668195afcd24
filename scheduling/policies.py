"""Who may see and change the calendar. Views, templates (through view context) and the API ask here only.

- Front desk and administrators run everyone's schedule.
- Clinicians (and supervisors, who are clinicians too) see the calendar and book, move and cancel appointments
  on their own calendar.
- Billing coordinators read the calendar (attendance drives charges) but change nothing.
- Client names appear only to those who may see that client's chart (``clients.policies``); everyone else sees
  "Client #number".
"""

from collections.abc import Iterable
from typing import TypeGuard

from accounts.people.models import Membership
from accounts.roles import Role
from clients import policies as client_policies

SCHEDULERS = (Role.FRONT_DESK, Role.ADMINISTRATOR)
CLINICAL = (Role.CLINICIAN, Role.SUPERVISOR)
READERS = (*SCHEDULERS, *CLINICAL, Role.BILLING)


def _active(actor: Membership | None) -> TypeGuard[Membership]:
    return actor is not None and actor.is_active


def can_view_calendar(actor: Membership | None) -> bool:
    return _active(actor) and actor.has_role(*READERS)


def can_view_appointment(actor: Membership | None) -> bool:
    """The appointment page shows staff notes; the same people who read the calendar may open it."""
    return can_view_calendar(actor)


def can_book(actor: Membership | None, clinician_ids: Iterable[int]) -> bool:
    """Front desk and administrators book anyone; a clinician only appointments they take part in."""
    if not _active(actor):
        return False
    if actor.has_role(*SCHEDULERS):
        return True
    return actor.has_role(*CLINICAL) and actor.pk in set(clinician_ids)


def can_open_booking(actor: Membership | None) -> bool:
    """Whether to offer the booking form at all (the clinicians chosen are checked with ``can_book``)."""
    return _active(actor) and actor.has_role(*SCHEDULERS, *CLINICAL)


def can_change(actor: Membership | None, clinician_ids: Iterable[int]) -> bool:
    """Move, edit, cancel or mark attendance: schedulers, or a clinician of the appointment."""
    return can_book(actor, clinician_ids)


def can_override_double_booking(actor: Membership | None, clinician_ids: Iterable[int]) -> bool:
    """Only the clinician whose calendar it is may knowingly double-book themselves (and an administrator,
    who answers for the clinic's calendar). The front desk may not put two clients on one clinician."""
    if not _active(actor):
        return False
    return actor.has_role(Role.ADMINISTRATOR) or (actor.has_role(*CLINICAL) and set(clinician_ids) == {actor.pk})


def can_manage_settings(actor: Membership | None) -> bool:
    """Appointment types, rooms and clinic closures."""
    return _active(actor) and actor.has_role(Role.ADMINISTRATOR)


def can_manage_closures(actor: Membership | None) -> bool:
    return _active(actor) and actor.has_role(*SCHEDULERS)


def can_manage_availability(actor: Membership | None, clinician: Membership) -> bool:
    """Working hours and blocked time: schedulers for anyone, clinicians for themselves."""
    if not _active(actor):
        return False
    return actor.has_role(*SCHEDULERS) or (actor.has_role(*CLINICAL) and actor.pk == clinician.pk)


# --- Waitlist ------------------------------------------------------------------------------------------------
# Front desk and administrators keep the waitlist; clinicians see and manage the entries of clients on their
# caseload (``clients.access.visible_clients``) and the requests naming them, with names only where
# ``selectors.visible_client_ids`` allows. Billing has no need for it.


def can_view_waitlist(actor: Membership | None) -> TypeGuard[Membership]:
    return _active(actor) and actor.has_role(*SCHEDULERS, *CLINICAL)


def sees_whole_waitlist(actor: Membership | None) -> bool:
    return _active(actor) and actor.has_role(*SCHEDULERS)


def can_manage_waitlist_entry(
    actor: Membership | None, *, on_caseload: bool, requested_clinician_id: int | None
) -> bool:
    """Add, edit, offer, remove: schedulers for anyone; a clinician for a client on their caseload or a request
    naming them."""
    if not can_view_waitlist(actor):
        return False
    return actor.has_role(*SCHEDULERS) or on_caseload or requested_clinician_id == actor.pk


# --- Calendar subscriptions (iCal feeds) -----------------------------------------------------------------------
# A feed leaves the building (it sits in a phone's calendar app), so it is minimum necessary: clinicians subscribe
# to their own appointments; the front desk and administrators may also subscribe to one clinician's or one room's
# calendar, which they run anyway. Fetches re-check this, so a feed dies with its owner's role or membership.


def can_use_feeds(actor: Membership | None) -> bool:
    return _active(actor) and actor.has_role(*SCHEDULERS, *CLINICAL)


def can_subscribe_own(actor: Membership | None) -> bool:
    return _active(actor) and actor.has_role(*CLINICAL)


def can_subscribe_others(actor: Membership | None) -> bool:
    """Another clinician's or a room's calendar."""
    return _active(actor) and actor.has_role(*SCHEDULERS)


def sees_all_client_names(actor: Membership | None) -> bool:
    return client_policies.sees_all_clients(actor)


def can_manage_reminders(actor: Membership | None) -> bool:
    """Whether, when and how clients are reminded is clinic policy (consent, what leaves the clinic): administrators."""
    return _active(actor) and actor.has_role(Role.ADMINISTRATOR)
