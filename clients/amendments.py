"""The client's right to amend their record (HIPAA, 45 CFR 164.526): requests, deadlines and decisions.

Rules kept here, whatever screen or API calls them:

- A request is due 60 days after it was received. One extension of 30 days may be taken, with a written reason,
  and only before the 60 days have run out.
- Accepting appends the correction beside the original record; the original (a document, a note) is never
  changed, and both stay visible, linked to each other.
- Denying needs one of the grounds in :class:`DenialGround` and an explanation for the client's letter. After a
  denial the client may file a statement of disagreement, recorded once.
- Only pending requests are decided or extended; every change is audited and version-checked.

Audit details hold ids, sections and the ground of a denial, never the text of the request or the correction.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.models import Membership
from audit.services import record
from clients.models import Client
from clients.models_documents import (
    EXTENSION_DAYS,
    RESPONSE_DAYS,
    AmendmentRequest,
    AmendmentStatus,
    ClientDocument,
    DenialGround,
)
from hearth.errors import ConflictError

CONFLICT = "Someone else changed this request while you were working on it. Reload to see it, then try again."
REQUEST_FIELDS = ["section", "record_description", "document", "requested_change", "client_reason", "received_on"]


def due_date(received_on: datetime.date) -> datetime.date:
    return received_on + datetime.timedelta(days=RESPONSE_DAYS)


@transaction.atomic
def record_request(client: Client, *, actor: Membership, data: dict, today: datetime.date, request=None):
    """Write down a request as received; it is due 60 days after ``received_on``.

    A request about a document belongs to that document's section, whatever was chosen.
    """
    received_on = data["received_on"]
    if received_on > today:
        raise ValidationError({"received_on": "The date received can't be in the future."})
    document: ClientDocument | None = data.get("document")
    if document is not None:
        if document.client_id != client.pk:
            raise ValidationError({"document": "That document is not in this client's chart."})
        data = {**data, "section": document.section}
    amendment = AmendmentRequest.objects.create(client=client, recorded_by=actor, due_on=due_date(received_on), **data)
    record(
        "amendment.requested",
        request=request,
        actor=actor.user,
        target=amendment,
        client_id=client.pk,
        detail={"section": amendment.section, "document_id": amendment.document_id},
    )
    return amendment


def _pending_for_update(amendment: AmendmentRequest, expected_version: int) -> AmendmentRequest:
    current = AmendmentRequest.objects.select_for_update().get(pk=amendment.pk)
    if current.version != expected_version:
        raise ConflictError(CONFLICT)
    if not current.is_pending:
        raise ValidationError(f"This request was already {current.get_status_display().lower()}.")
    return current


def _save(current: AmendmentRequest, fields: list[str], expected_version: int) -> None:
    current.version = expected_version + 1
    current.save(update_fields=[*fields, "version"])


@transaction.atomic
def extend(
    amendment: AmendmentRequest,
    *,
    actor: Membership,
    reason: str,
    today: datetime.date,
    expected_version: int,
    request=None,
) -> AmendmentRequest:
    """Take the one 30-day extension the rule allows; the reason is what the client is told in writing."""
    current = _pending_for_update(amendment, expected_version)
    if current.was_extended:
        raise ValidationError("This request has already been extended once; only one extension is allowed.")
    if today > current.due_on:
        raise ValidationError(
            f"The 60 days ran out on {date_format(current.due_on, 'M j, Y')}. An extension has to be given before "
            "then; decide the request now."
        )
    if not reason.strip():
        raise ValidationError({"extension_reason": "Give the reason for the delay: the client is told it in writing."})
    current.extension_reason = reason.strip()
    current.extended_by = actor
    current.extended_at = timezone.now()
    current.due_on = current.due_on + datetime.timedelta(days=EXTENSION_DAYS)
    _save(current, ["extension_reason", "extended_by", "extended_at", "due_on"], expected_version)
    record(
        "amendment.extended",
        request=request,
        actor=actor.user,
        target=current,
        client_id=current.client_id,
        detail={"section": current.section, "due_on": current.due_on.isoformat()},
    )
    return current


@transaction.atomic
def accept(
    amendment: AmendmentRequest,
    *,
    actor: Membership,
    correction: str,
    today: datetime.date,
    expected_version: int,
    request=None,
) -> AmendmentRequest:
    """Accept the request: the correction is appended to the record; the original stays exactly as it was."""
    current = _pending_for_update(amendment, expected_version)
    if not correction.strip():
        raise ValidationError({"correction": "Write the correction that will be appended to the record."})
    current.status = AmendmentStatus.ACCEPTED
    current.correction = correction.strip()
    current.decided_on = today
    current.decided_by = actor
    _save(current, ["status", "correction", "decided_on", "decided_by"], expected_version)
    record(
        "amendment.accepted",
        request=request,
        actor=actor.user,
        target=current,
        client_id=current.client_id,
        detail={"section": current.section, "document_id": current.document_id},
    )
    return current


@transaction.atomic
def deny(
    amendment: AmendmentRequest,
    *,
    actor: Membership,
    ground: str,
    explanation: str,
    today: datetime.date,
    expected_version: int,
    request=None,
) -> AmendmentRequest:
    """Deny on one of the grounds the rule allows, with the explanation the client's letter will give."""
    current = _pending_for_update(amendment, expected_version)
    errors = {}
    if ground not in DenialGround.values:
        errors["denial_ground"] = "Choose one of the grounds HIPAA allows for a denial."
    if not explanation.strip():
        errors["denial_explanation"] = "Explain the denial in plain words: the client receives this explanation."
    if errors:
        raise ValidationError(errors)
    current.status = AmendmentStatus.DENIED
    current.denial_ground = ground
    current.denial_explanation = explanation.strip()
    current.decided_on = today
    current.decided_by = actor
    _save(current, ["status", "denial_ground", "denial_explanation", "decided_on", "decided_by"], expected_version)
    record(
        "amendment.denied",
        request=request,
        actor=actor.user,
        target=current,
        client_id=current.client_id,
        detail={"section": current.section, "ground": ground},
    )
    return current


@transaction.atomic
def record_disagreement(
    amendment: AmendmentRequest,
    *,
    actor: Membership,
    statement: str,
    received_on: datetime.date,
    today: datetime.date,
    expected_version: int,
    request=None,
) -> AmendmentRequest:
    """File the client's statement of disagreement with a denial; it then goes with the record it concerns."""
    current = AmendmentRequest.objects.select_for_update().get(pk=amendment.pk)
    if current.version != expected_version:
        raise ConflictError(CONFLICT)
    if current.status != AmendmentStatus.DENIED:
        raise ValidationError("A statement of disagreement can only follow a denial.")
    if current.disagreement:
        raise ValidationError("The client's statement of disagreement is already on file.")
    errors = {}
    if not statement.strip():
        errors["disagreement"] = "Enter the client's statement as they gave it."
    if received_on > today:
        errors["disagreement_received_on"] = "The date received can't be in the future."
    elif current.decided_on and received_on < current.decided_on:
        errors["disagreement_received_on"] = "The statement can't have been received before the denial."
    if errors:
        raise ValidationError(errors)
    current.disagreement = statement.strip()
    current.disagreement_received_on = received_on
    current.disagreement_recorded_by = actor
    _save(current, ["disagreement", "disagreement_received_on", "disagreement_recorded_by"], expected_version)
    record(
        "amendment.disagreement_recorded",
        request=request,
        actor=actor.user,
        target=current,
        client_id=current.client_id,
        detail={"section": current.section},
    )
    return current


def chart_amendments(client: Client, sections: frozenset[str]) -> QuerySet:
    """The client's requests in sections the person may see: pending first (soonest due), then the decided."""
    return (
        client.amendment_requests.filter(section__in=sections)
        .select_related("document", "recorded_by__user", "decided_by__user")
        .annotate(
            pending_first=Case(
                When(status=AmendmentStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("pending_first", F("decided_on").desc(nulls_last=True), "due_on", "-pk")
    )
