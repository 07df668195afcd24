"""Enforcing policy answers in views: refuse, audit, and never reveal another clinic's rows."""

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest

from audit import probes
from audit.models import Outcome
from audit.services import record, record_denied

M = TypeVar("M", bound=models.Model)


def require(request: HttpRequest, allowed: bool, permission: str, target: models.Model | None = None) -> None:
    """Raise 403 (and audit the attempt) unless the policy said yes."""
    if not allowed:
        record_denied(request, permission, target)
        raise PermissionDenied(permission)


def get_for_clinic_or_404(request: HttpRequest, queryset: models.QuerySet[M], permission: str, pk: object) -> M:
    """Fetch a row of the request's clinic by id, or 404.

    A miss is audited here, and a background task records it also in the clinic that owns the id, if another one
    does (``audit.probes``): the response never waits for that look-up, so it cannot tell whether the id exists
    elsewhere. Guessing ids shows up in both clinics' logs.
    """
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        object_type = queryset.model._meta.label_lower
        object_id = str(pk)[:64]
        reference = probes.new_reference()
        record(
            "access.not_found",
            request=request,
            object_type=object_type,
            object_id=object_id,
            outcome=Outcome.DENIED,
            detail={"permission": permission, "reference": reference},
        )
        organization = getattr(request, "organization", None)
        probes.queue_owner_check(
            reference=reference,
            object_type=object_type,
            object_id=object_id,
            asking_organization_id=organization.pk if organization is not None else None,
        )
        raise Http404 from None
