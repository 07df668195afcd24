"""Writes to a client's diagnoses (clinical): one transaction each, audited with the client's id.

Codes are checked against the ICD-10-CM code set (billable leaf codes only) here as well as in the form, and the
description is copied from the code set, so nothing invented reaches a chart. At most one active primary
diagnosis per client.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.people.models import Membership
from clients.diagnoses import icd
from clients.diagnoses.models import Diagnosis
from clients.events import record_change
from clients.records.models import Client
from core.versioning import lock_version, save_version

DIAGNOSIS_FIELDS = ["code", "onset_date", "resolved_date", "is_primary"]


def _check_primary_free(client: Client, exclude_pk=None) -> None:
    other = client.diagnoses.filter(is_primary=True, resolved_date__isnull=True).exclude(pk=exclude_pk).first()
    if other is not None:
        raise ValidationError(
            {
                "is_primary": f"{other.code} is already this client's primary diagnosis. Unmark or resolve it first "
                "(at most one active primary diagnosis)."
            }
        )


def _apply_code(diagnosis: Diagnosis, raw: str) -> None:
    try:
        found = icd.billable_code(raw)
    except ValidationError as error:
        raise ValidationError({"code": error.messages}) from None
    diagnosis.code, diagnosis.description = found.code, found.description


@transaction.atomic
def add_diagnosis(client: Client, *, actor: Membership, data: dict, request=None) -> Diagnosis:
    Client.objects.select_for_update().filter(pk=client.pk).first()  # serialize primary checks per client
    diagnosis = Diagnosis(client=client, **{k: v for k, v in data.items() if k != "code"})
    _apply_code(diagnosis, data["code"])
    diagnosis.full_clean(exclude=["client", "organization"])
    if diagnosis.is_primary and diagnosis.resolved_date is None:
        _check_primary_free(client)
    diagnosis.save()
    record_change("diagnosis.added", diagnosis, actor=actor, request=request, primary=diagnosis.is_primary)
    return diagnosis


@transaction.atomic
def update_diagnosis(
    diagnosis: Diagnosis, *, actor: Membership, expected_version: int, changes: dict, request=None
) -> Diagnosis:
    """Change code, dates or the primary flag (resolving is setting the resolved date); ConflictError if stale."""
    Client.objects.select_for_update().filter(pk=diagnosis.client_id).first()
    current = lock_version(diagnosis, expected_version=expected_version, noun="diagnosis", verb="saved")
    fields = set(changes)
    for name, value in changes.items():
        if name == "code":
            _apply_code(current, value)
            fields.add("description")
        else:
            setattr(current, name, value)
    current.full_clean(exclude=["client", "organization"])
    if current.is_primary and current.resolved_date is None:
        _check_primary_free(current.client, exclude_pk=current.pk)
    save_version(current, {name: getattr(current, name) for name in sorted(fields)})
    record_change("diagnosis.updated", current, actor=actor, request=request, fields=sorted(changes))
    return current
