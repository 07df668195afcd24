"""The audit event of a person's write, in one line: every service records one inside its transaction."""

from typing import Any

from django.db import models
from django.http import HttpRequest

from audit.models import AuditEvent
from audit.services import record


def record_change(
    action: str,
    target: models.Model,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
    client_id: int | None = None,
) -> AuditEvent:
    """Audit ``actor``'s (a clinic membership's) write to ``target``, under their user.

    The event is tied to the chart the write touches, so the client's access report lists it: ``client_id`` when
    given (a write to the client's own row), else the row's own ``client_id`` when it has one. ``detail`` names
    fields and ids, never PHI.
    """
    if client_id is None:
        client_id = getattr(target, "client_id", None)
    return record(action, request=request, actor=actor.user, target=target, client_id=client_id, detail=detail)
