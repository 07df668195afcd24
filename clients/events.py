"""The audit event of a write to a client's chart, in one line: services record one inside their transaction."""

from typing import Any

from django.db import models
from django.http import HttpRequest

from accounts.people.models import Membership
from audit.models import AuditEvent
from audit.services import record
from clients.records.models import Client


def record_change(
    action: str, row: models.Model, *, actor: Membership, request: HttpRequest | None = None, **detail: Any
) -> AuditEvent:
    """Audit ``actor``'s write to ``row``: the client itself, or a row of their chart or about them (one with a
    ``client``, possibly empty, like a ticket's).

    The event carries the client's id, so the client's access report lists it; ``detail`` names fields and ids,
    never PHI.
    """
    client_id = row.pk if isinstance(row, Client) else row.client_id  # type: ignore[attr-defined]
    return record(action, request=request, actor=actor.user, target=row, client_id=client_id, detail=detail)
