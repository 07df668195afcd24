"""The client's right to amend their record (HIPAA, 45 CFR 164.526): requests, deadlines and decisions.

Rules kept here, whatever screen or API calls them:

- A request is due 60 days after it was received. One extension of 30 days may be taken, with a written reason,
  and only before the 60 days have run out.
- Accepting appends the correction beside the original record; the original (a document, a note) is never
  changed, and both stay visible, linked to each other.
- Denying needs one of the grounds in :class:`DenialGround` and an explanation for the client's letter. After a
  denial the client may file a statement of disagreement, recorded once.
- Only pending requests are decided or extended; every change is audited and version-checked.
- After an acceptance (164.526(c)(2)-(3)) the clinic tells the client, asks whether it may tell others, and
  with their agreement lists the people to notify (named by the client, or business associates known to hold
  the record), each ending "notified" on a date or "could not be reached" with a note. Without the agreement no
  one is listed. Suggestions come from the disclosures log.

Audit details hold ids, sections and the ground of a denial, never the text of the request or the correction.
"""

import datetime
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.dateformat import format as date_format

from accounts.people.models import Membership
from audit.services import record
from clients import policies
from clients.amendments.models import (
    AmendmentNotification,
    AmendmentRequest,
    AmendmentStatus,
    DenialGround,
    NotificationAgreement,
    NotificationMethod,
    NotificationStatus,
    RecipientKind,
)
from clients.consents.models import Disclosure, ReleaseCategory
from clients.documents.models import EXTENSION_DAYS, RESPONSE_DAYS, ClientDocument
from clients.events import record_change
from clients.records.models import Client
from core.versioning import lock_version, save_version

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
    record_change(
        "amendment.requested",
        amendment,
        actor=actor,
        request=request,
        section=amendment.section,
        document_id=amendment.document_id,
    )
    return amendment


def _pending_for_update(amendment: AmendmentRequest, expected_version: int) -> AmendmentRequest:
    current = lock_version(amendment, expected_version=expected_version, noun="request")
    if not current.is_pending:
        raise ValidationError(f"This request was already {current.get_status_display().lower()}.")
    return current


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
    due_on = current.due_on + datetime.timedelta(days=EXTENSION_DAYS)
    changes = {"extension_reason": reason.strip(), "extended_by": actor, "extended_at": timezone.now()}
    save_version(current, {**changes, "due_on": due_on})
    record_change(
        "amendment.extended",
        current,
        actor=actor,
        request=request,
        section=current.section,
        due_on=current.due_on.isoformat(),
    )
    return current


def _notice_errors(
    current: AmendmentRequest,
    *,
    informed_on: datetime.date | None,
    agreement: str,
    decided_on: datetime.date,
    today: datetime.date,
) -> dict[str, str]:
    """What is wrong with the client's answer to the acceptance: when they were told, and whether others may be."""
    errors = {}
    if informed_on is not None:
        if informed_on > today:
            errors["client_informed_on"] = "The date the client was told can't be in the future."
        elif informed_on < decided_on:
            errors["client_informed_on"] = "The client can't have been told before the request was accepted."
    if agreement and agreement not in NotificationAgreement.values:
        errors["notification_agreement"] = "Choose whether the client agreed that others be notified."
    elif agreement == NotificationAgreement.DECLINED and current.pk and current.notifications.exists():
        errors["notification_agreement"] = (
            "People are already listed to be notified with the client's agreement; it can't be changed to declined."
        )
    return errors


@transaction.atomic
def accept(
    amendment: AmendmentRequest,
    *,
    actor: Membership,
    correction: str,
    today: datetime.date,
    expected_version: int,
    client_informed_on: datetime.date | None = None,
    notification_agreement: str = "",
    request=None,
) -> AmendmentRequest:
    """Accept the request: the correction is appended to the record; the original stays exactly as it was.

    When the client was told and whether they agreed that others be notified may be recorded now or later.
    """
    current = _pending_for_update(amendment, expected_version)
    errors = _notice_errors(
        current, informed_on=client_informed_on, agreement=notification_agreement, decided_on=today, today=today
    )
    if not correction.strip():
        errors["correction"] = "Write the correction that will be appended to the record."
    if errors:
        raise ValidationError(errors)
    decision = {"status": AmendmentStatus.ACCEPTED, "correction": correction.strip(), "decided_on": today}
    notice = {"client_informed_on": client_informed_on, "notification_agreement": notification_agreement}
    save_version(current, {**decision, "decided_by": actor, **notice})
    record_change(
        "amendment.accepted",
        current,
        actor=actor,
        request=request,
        section=current.section,
        document_id=current.document_id,
        client_informed=client_informed_on is not None,
        notification_agreement=notification_agreement,
    )
    return current


@transaction.atomic
def record_client_response(
    amendment: AmendmentRequest,
    *,
    actor: Membership,
    informed_on: datetime.date | None,
    agreement: str,
    today: datetime.date,
    expected_version: int,
    request=None,
) -> AmendmentRequest:
    """Record, after an acceptance, when the client was told of it and whether others may be notified."""
    current = lock_version(amendment, expected_version=expected_version, noun="request")
    if current.status != AmendmentStatus.ACCEPTED:
        raise ValidationError("Only an accepted amendment is followed by telling the client and others.")
    errors = _notice_errors(
        current,
        informed_on=informed_on,
        agreement=agreement,
        decided_on=cast(datetime.date, current.decided_on),
        today=today,
    )
    if errors:
        raise ValidationError(errors)
    save_version(current, {"client_informed_on": informed_on, "notification_agreement": agreement})
    record_change(
        "amendment.client_response_recorded",
        current,
        actor=actor,
        request=request,
        section=current.section,
        client_informed=informed_on is not None,
        agreement=agreement,
    )
    return current


NOTIFICATION_FIELDS = ["recipient_name", "recipient_organization", "kind", "method"]


@transaction.atomic
def add_notification(
    amendment: AmendmentRequest,
    *,
    actor: Membership,
    data: dict,
    disclosure: Disclosure | None = None,
    request=None,
) -> AmendmentNotification:
    """List someone to tell of an accepted amendment; only with the client's agreement, and each once."""
    current = AmendmentRequest.objects.select_for_update().get(pk=amendment.pk)
    if current.status != AmendmentStatus.ACCEPTED:
        raise ValidationError("Only an accepted amendment is sent to others.")
    if current.notification_agreement != NotificationAgreement.AGREED:
        raise ValidationError(
            "Record first that the client agreed that others be notified: without it, no one is told."
        )
    if disclosure is not None and disclosure.client_id != current.client_id:
        raise ValidationError("That disclosure is not in this client's log.")
    name = data["recipient_name"].strip()
    organization = data.get("recipient_organization", "").strip()
    errors = {}
    if not name:
        errors["recipient_name"] = "Enter the name of the person or office to notify."
    elif len(name) > 200:
        errors["recipient_name"] = "Shorten the name to 200 characters or fewer."
    if len(organization) > 200:
        errors["recipient_organization"] = "Shorten the organisation to 200 characters or fewer."
    if data.get("kind") not in RecipientKind.values:
        errors["kind"] = "Choose why they are told."
    if data.get("method") not in NotificationMethod.values:
        errors["method"] = "Choose how they will be told: mail, fax, phone or secure email."
    if errors:
        raise ValidationError(errors)
    if current.notifications.filter(recipient_name__iexact=name, recipient_organization__iexact=organization).exists():
        raise ValidationError({"recipient_name": f"{name} is already on the list for this amendment."})
    notification = AmendmentNotification.objects.create(
        amendment=current,
        recipient_name=name,
        recipient_organization=organization,
        kind=data["kind"],
        method=data["method"],
        disclosure=disclosure,
        added_by=actor,
    )
    record(
        "amendment.notification_added",
        request=request,
        actor=actor.user,
        target=notification,
        client_id=current.client_id,
        detail={
            "amendment_id": current.pk,
            "section": current.section,
            "kind": notification.kind,
            "method": notification.method,
            "disclosure_id": notification.disclosure_id,
        },
    )
    return notification


@transaction.atomic
def record_notification_outcome(
    notification: AmendmentNotification,
    *,
    actor: Membership,
    outcome: str,
    on: datetime.date,
    note: str,
    today: datetime.date,
    expected_version: int,
    request=None,
) -> AmendmentNotification:
    """Mark a listed recipient notified (on a date) or not reachable (with a note on what was tried)."""
    current = lock_version(
        AmendmentNotification.objects.select_related("amendment").filter(pk=notification.pk),
        expected_version=expected_version,
        noun="notification",
        verb="recorded",
    )
    if not current.is_outstanding:
        raise ValidationError(f"This was already recorded: {current.get_status_display().lower()}.")
    errors = {}
    if outcome not in (NotificationStatus.NOTIFIED, NotificationStatus.UNREACHABLE):
        errors["outcome"] = "Choose whether they were notified or could not be reached."
    if on > today:
        errors["on"] = "The date can't be in the future."
    elif on < current.amendment.decided_on:
        errors["on"] = "The date can't be before the amendment was accepted."
    if outcome == NotificationStatus.UNREACHABLE and not note.strip():
        errors["note"] = "Say what was tried, e.g. “fax number out of service; letter returned”."
    if errors:
        raise ValidationError(errors)
    note = note.strip() if outcome == NotificationStatus.UNREACHABLE else ""
    save_version(current, {"status": outcome, "done_on": on, "done_by": actor, "note": note})
    record(
        f"amendment.notification_{outcome}",
        request=request,
        actor=actor.user,
        target=current,
        client_id=current.amendment.client_id,
        detail={"amendment_id": current.amendment_id, "section": current.amendment.section, "on": on.isoformat()},
    )
    return current


# Which disclosures carried the part of the chart an amendment concerns (by the categories released).
SECTION_RELEASES = {
    policies.DEMOGRAPHICS: {ReleaseCategory.DEMOGRAPHICS},
    policies.INSURANCE: {ReleaseCategory.BILLING, ReleaseCategory.DEMOGRAPHICS},
    policies.BILLING: {ReleaseCategory.BILLING},
    policies.CLINICAL: {
        ReleaseCategory.DIAGNOSES,
        ReleaseCategory.TREATMENT_SUMMARY,
        ReleaseCategory.PROGRESS_NOTES,
        ReleaseCategory.ATTENDANCE,
        ReleaseCategory.SUD,
    },
}


def suggested_recipients(
    amendment: AmendmentRequest, notifications: list[AmendmentNotification] | None = None
) -> list[Disclosure]:
    """Recipients in the disclosures log who were sent this part of the chart before the acceptance, once each,
    leaving out those already listed. Matched on the released categories in Python: SQLite has no JSON contains."""
    released = SECTION_RELEASES.get(amendment.section, set())
    if notifications is None:
        notifications = list(amendment.notifications.all())
    listed = {(n.recipient_name.lower(), n.recipient_organization.lower()) for n in notifications}
    disclosures = (
        Disclosure.objects.filter(client_id=amendment.client_id, disclosed_on__lte=amendment.decided_on)
        .only("recipient_name", "recipient_organization", "categories", "disclosed_on", "client_id")
        .order_by("-disclosed_on", "-pk")
    )
    suggestions = []
    for disclosure in disclosures:
        key = (disclosure.recipient_name.lower(), disclosure.recipient_organization.lower())
        if key not in listed and released.intersection(disclosure.categories or []):
            listed.add(key)
            suggestions.append(disclosure)
    return suggestions


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
    denial = {"status": AmendmentStatus.DENIED, "denial_ground": ground, "denial_explanation": explanation.strip()}
    save_version(current, {**denial, "decided_on": today, "decided_by": actor})
    record_change("amendment.denied", current, actor=actor, request=request, section=current.section, ground=ground)
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
    current = lock_version(amendment, expected_version=expected_version, noun="request")
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
    disagreement = {"disagreement": statement.strip(), "disagreement_received_on": received_on}
    save_version(current, {**disagreement, "disagreement_recorded_by": actor})
    record_change("amendment.disagreement_recorded", current, actor=actor, request=request, section=current.section)
    return current


def chart_amendments(client: Client, sections: frozenset[str]) -> QuerySet:
    """The client's requests in sections the person may see: pending first (soonest due), then the decided."""
    return (
        client.amendment_requests.filter(section__in=sections)
        .select_related("document", "recorded_by__user", "decided_by__user")
        .annotate(
            outstanding=Count("notifications", filter=Q(notifications__status=NotificationStatus.TO_NOTIFY)),
            pending_first=Case(
                When(status=AmendmentStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .order_by("pending_first", F("decided_on").desc(nulls_last=True), "due_on", "-pk")
    )


def chart_amendment_counts(client: Client, sections: frozenset[str], today: datetime.date) -> dict[str, int]:
    """Over all the requests ``chart_amendments`` lists, not just the page shown: how many are overdue and how
    many people are still to be told of accepted ones (one query)."""
    return client.amendment_requests.filter(section__in=sections).aggregate(
        overdue=Count("pk", filter=Q(status=AmendmentStatus.PENDING, due_on__lt=today), distinct=True),
        outstanding=Count("notifications", filter=Q(notifications__status=NotificationStatus.TO_NOTIFY)),
    )
