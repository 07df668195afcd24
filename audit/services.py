"""The one API for writing the audit log: ``record(...)``, which appends; ``audit.sealer`` chains and seals."""

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from audit.chain import chain_key_for
from audit.models import AuditEvent, Outcome
from audit.request_info import client_ip
from tenancy.context import current_organization


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor=None,
    actor_label: str = "",
    organization=None,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    client_id: int | None = None,
    outcome: str = Outcome.SUCCESS,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event for its clinic's chain: a single INSERT, inside the caller's transaction when there is one.

    No lock is taken, so audited requests never wait for each other; the sealer (``audit.sealer``) links the event
    into the chain and seals it within seconds, and an event rolled back with its transaction never existed.

    ``detail`` must never hold PHI: ids and field names, not values. Who and where come from ``request`` when
    given; the clinic defaults to the one in context. ``actor_label`` names, PHI-free, an actor who is not a clinic
    person (the vendor's support staff, or "client via reminder link") for the report's user column; a person's
    email takes its place when there is one.
    """
    ip_address = user_agent = None
    if request is not None:
        user = getattr(request, "user", None)
        if actor is None and user is not None and user.is_authenticated:
            actor = user
        organization = organization or getattr(request, "organization", None)
        ip_address = client_ip(request)
        user_agent = request.META.get("HTTP_USER_AGENT", "")[:400]
    organization = organization or current_organization()
    if target is not None:
        object_type = target._meta.label_lower
        object_id = str(target.pk)
    return AuditEvent.objects.create(
        organization=organization,
        chain_key=chain_key_for(organization.pk if organization else None),
        occurred_at=timezone.now(),
        actor=actor,
        actor_label=actor.email if actor is not None else actor_label[:254],
        action=action,
        object_type=object_type,
        object_id=object_id,
        client_id=client_id,
        outcome=outcome,
        ip_address=ip_address,
        user_agent=user_agent or "",
        detail=detail or {},
    )


def record_denied(request: HttpRequest, permission: str, target: models.Model | None = None) -> AuditEvent:
    """An out-of-role or cross-tenant attempt: always audited, whatever the response says."""
    return record(
        "access.denied",
        request=request,
        target=target,
        outcome=Outcome.DENIED,
        detail={"permission": permission, "path": request.path},
    )
