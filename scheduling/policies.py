"""Who may see and change the calendar. Views, templates (through view context) and the API ask here only.

- Front desk and administrators run everyone's schedule.
- Clinicians (and supervisors, who are clinicians too) see the calendar and book, move and cancel appointments
  on their own calendar.
- Billing coordinators read the calendar (attendance drives charges) but change nothing.
- Client names appear only to those who may see that client's chart (``clients.policies``); everyone else sees
  "Client #number".
"""

from collections.abc import Iterable

from accounts.models import Membership
from accounts.roles import Role
from clients import policies as client_policies

SCHEDULERS = (Role.FRONT_DESK, Role.ADMINISTRATOR)
CLINICAL = (Role.CLINICIAN, Role.SUPERVISOR)
READERS = (*SCHEDULERS, *CLINICAL, Role.BILLING)


def _active(actor: Membership | None) -> bool:
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


def sees_all_client_names(actor: Membership | None) -> bool:
    return client_policies.sees_all_clients(actor)


def can_manage_reminders(actor: Membership | None) -> bool:
    """Whether, when and how clients are reminded is clinic policy (consent, what leaves the clinic): administrators."""
    return _active(actor) and actor.has_role(Role.ADMINISTRATOR)
