"""A client's status flow, and the only code that changes it.

    waitlist ──admit──► active ──discharge──► discharged ──admit (re-admission)──► active
         any status ──mark entered in error──► entered in error ──restore (administrators)──► the status before

Each change checks its dates against the clinic's today, locks the client row and refuses a stale form
(``expected_version``; a ``ConflictError`` like every other edit of the client), bumps the client's version,
appends a ``ClientStatusChange`` (who, when, from, to, date, reason) and writes an audit event, all in one
transaction. Earlier episodes' dates and reasons live on in that history when a re-admission clears them from
the client.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from accounts.people.models import Membership
from clients.events import record_change
from clients.records.models import Client, ClientStatus, ClientStatusChange
from core.clinic_time import clinic_today
from core.versioning import lock_version, save_version

REGISTRATION_STATUSES = (ClientStatus.WAITLIST, ClientStatus.ACTIVE)
ADMITTABLE = (ClientStatus.WAITLIST, ClientStatus.DISCHARGED)
REASON_MAX = 200


def _day(day: datetime.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def check_initial_status(status: str, intake_date, date_of_birth, today: datetime.date) -> dict[str, str]:
    """Field errors for a new client's status and intake date (registration form and service share this)."""
    errors = {}
    if status not in REGISTRATION_STATUSES:
        errors["status"] = "A new client starts on the waitlist or active."
    elif status == ClientStatus.ACTIVE and intake_date is None:
        errors["intake_date"] = "Give the intake date for an active client."
    if intake_date is not None:
        if intake_date > today:
            errors["intake_date"] = "The intake date can't be in the future."
        elif date_of_birth and intake_date < date_of_birth:
            errors["intake_date"] = "Intake can't be before the date of birth."
    return errors


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": f"Give the reason for {what}."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX} characters."})
    return reason


def _apply(
    current: Client,
    *,
    actor: Membership,
    to_status: str,
    effective_date,
    reason: str,
    fields: dict,
    action: str,
    request,
) -> Client:
    from_status = current.status
    ClientStatusChange.objects.create(
        client=current,
        from_status=from_status,
        to_status=to_status,
        effective_date=effective_date,
        reason=reason,
        changed_by=actor,
    )
    save_version(current, {"status": to_status, **fields})
    record_change(action, current, actor=actor, request=request, **{"from": from_status, "to": to_status})
    return current


def record_registration(client: Client, *, actor: Membership) -> ClientStatusChange:
    """The first line of a new client's history (called by ``services.register_client``)."""
    return ClientStatusChange.objects.create(
        client=client,
        from_status="",
        to_status=client.status,
        effective_date=client.intake_date,
        changed_by=actor,
    )


@transaction.atomic
def admit(client: Client, *, actor: Membership, expected_version: int, intake_date, request=None) -> Client:
    """Waitlist → active, or a re-admission of a discharged client with a new intake date.

    The intake date is required, not in the future, not before birth, and for a re-admission not before the
    last discharge.
    """
    current = lock_version(client, expected_version=expected_version, noun="client")
    if current.status not in ADMITTABLE:
        raise ValidationError(f"A client who is {current.get_status_display().lower()} can't be admitted.")
    if intake_date is None:
        raise ValidationError({"intake_date": "Give the intake date."})
    if intake_date > clinic_today():
        raise ValidationError({"intake_date": "The intake date can't be in the future."})
    if intake_date < current.date_of_birth:
        raise ValidationError({"intake_date": "Intake can't be before the date of birth."})
    readmission = current.status == ClientStatus.DISCHARGED
    if readmission and current.discharge_date and intake_date < current.discharge_date:
        raise ValidationError(
            {"intake_date": f"A re-admission can't start before the last discharge ({_day(current.discharge_date)})."}
        )
    return _apply(
        current,
        actor=actor,
        to_status=ClientStatus.ACTIVE,
        effective_date=intake_date,
        reason="Re-admitted" if readmission else "",
        fields={"intake_date": intake_date, "discharge_date": None, "discharge_reason": ""},
        action="client.readmitted" if readmission else "client.admitted",
        request=request,
    )


@transaction.atomic
def discharge(
    client: Client, *, actor: Membership, expected_version: int, discharge_date, reason: str, request=None
) -> Client:
    """Active → discharged, on a date between intake and today, with a reason."""
    current = lock_version(client, expected_version=expected_version, noun="client")
    if current.status != ClientStatus.ACTIVE:
        raise ValidationError(
            f"Only an active client can be discharged; this client is {current.get_status_display().lower()}."
        )
    if discharge_date is None:
        raise ValidationError({"discharge_date": "Give the discharge date."})
    if discharge_date > clinic_today():
        raise ValidationError({"discharge_date": "The discharge date can't be in the future."})
    if current.intake_date and discharge_date < current.intake_date:
        raise ValidationError({"discharge_date": f"Discharge can't be before intake ({_day(current.intake_date)})."})
    reason = _reason(reason, "the discharge")
    return _apply(
        current,
        actor=actor,
        to_status=ClientStatus.DISCHARGED,
        effective_date=discharge_date,
        reason=reason,
        fields={"discharge_date": discharge_date, "discharge_reason": reason},
        action="client.discharged",
        request=request,
    )


@transaction.atomic
def mark_entered_in_error(
    client: Client, *, actor: Membership, expected_version: int, reason: str, request=None
) -> Client:
    """Mark a chart created by mistake (a duplicate, the wrong person). Nothing is deleted: the chart stays,
    with a banner, out of lists and search. Who may is ``policies.can_mark_entered_in_error``."""
    current = lock_version(client, expected_version=expected_version, noun="client")
    if current.status == ClientStatus.ENTERED_IN_ERROR:
        raise ValidationError("This client is already marked entered in error.")
    reason = _reason(reason, "marking the client entered in error")
    return _apply(
        current,
        actor=actor,
        to_status=ClientStatus.ENTERED_IN_ERROR,
        effective_date=clinic_today(),
        reason=reason,
        fields={},
        action="client.entered_in_error",
        request=request,
    )


def status_before_error(client: Client) -> str:
    last = client.status_changes.filter(to_status=ClientStatus.ENTERED_IN_ERROR).order_by("-changed_at", "-pk").first()
    return (last.from_status if last else "") or ClientStatus.WAITLIST


@transaction.atomic
def restore_from_error(
    client: Client, *, actor: Membership, expected_version: int, reason: str, request=None
) -> Client:
    """Undo "entered in error": the client returns to the status they had before, with the reason recorded."""
    current = lock_version(client, expected_version=expected_version, noun="client")
    if current.status != ClientStatus.ENTERED_IN_ERROR:
        raise ValidationError("This client isn't marked entered in error.")
    reason = _reason(reason, "restoring the client")
    return _apply(
        current,
        actor=actor,
        to_status=status_before_error(current),
        effective_date=clinic_today(),
        reason=reason,
        fields={},
        action="client.restored_from_error",
        request=request,
    )


def history(client: Client) -> QuerySet[ClientStatusChange]:
    """The client's status changes, newest first, with who made them: page it (``core.paging``), one query a page."""
    return client.status_changes.select_related("changed_by__user").order_by("-changed_at", "-pk")
