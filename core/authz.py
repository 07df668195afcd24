"""Enforcing policy answers in views: refuse, audit, and never reveal another clinic's rows."""

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest

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

    A miss is audited without checking whether the id exists in another clinic: that check would itself cross
    the tenant boundary (and row-level security hides the row anyway). Guessing ids shows up in the log.
    """
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        record(
            "access.not_found",
            request=request,
            object_type=queryset.model._meta.label_lower,
            object_id=str(pk)[:64],
            outcome=Outcome.DENIED,
            detail={"permission": permission},
        )
        raise Http404 from None
