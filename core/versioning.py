"""Optimistic locking: an edit applies only if nobody saved the row since the form showing it was rendered.

A versioned row carries ``version``; a form sends back the version it was rendered with, and the service passes
it as ``expected_version``. ``versioned_update`` locks the row (SELECT … FOR UPDATE, inside the caller's
transaction, so two concurrent saves queue up and the second sees the first's version), compares the version,
applies the changes, bumps the version and saves only the changed fields; a stale version raises
``ConflictError`` and writes nothing. Services whose edit depends on the locked row (a status flow, a booking)
use its two halves, ``lock_version`` and ``save_version``, with their checks in between. Audit events stay in
the services.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models

from core.errors import ConflictError

M = TypeVar("M", bound=models.Model)


class VersionedModel(models.Model):
    """Abstract base giving a model the ``version`` column the helpers below compare and bump."""

    version = models.PositiveIntegerField(default=1, help_text="Optimistic lock: bumped by every change.")

    class Meta:
        abstract = True


def _version_of(row: models.Model) -> int:
    versioned: Any = row
    return int(versioned.version)


def lock_version(
    target: M | models.QuerySet[M],
    *,
    expected_version: int,
    noun: str = "record",
    verb: str = "changed",
    changes_since: Callable[[M, int], list[str]] | None = None,
) -> M:
    """Lock ``target``'s row and return a fresh copy of it, or raise ConflictError if its version moved on.

    ``target`` is an instance (locked through its model's default manager, so a clinic's rows only) or a
    queryset of that one row (to add ``select_related``). ``noun`` and ``verb`` word the message; a record that
    keeps its history passes ``changes_since(current, expected_version)`` to list what changed.
    """
    queryset = target if isinstance(target, models.QuerySet) else type(target)._default_manager.filter(pk=target.pk)
    current = queryset.select_for_update(of=("self",)).get()
    if _version_of(current) != expected_version:
        changes = changes_since(current, expected_version) if changes_since is not None else None
        raise ConflictError(noun, verb=verb, changes=changes)
    return current


def save_version(current: M, changes: dict) -> M:
    """Apply ``changes`` to a locked row (``lock_version``, or a plain lock for a change that no form version
    guards), bump its version and save those fields only."""
    for name, value in changes.items():
        setattr(current, name, value)
    versioned: Any = current  # every versioned model has the column; M is any model
    versioned.version += 1
    current.save(update_fields=[*changes, "version"])
    return current


def versioned_update(
    target: M | models.QuerySet[M],
    *,
    expected_version: int,
    changes: dict,
    noun: str = "record",
    verb: str = "changed",
    check: Callable[[M], None] | None = None,
) -> M:
    """Save ``changes`` to ``target`` unless someone saved it since ``expected_version`` (ConflictError).

    ``check`` sees the locked row with the changes applied and may raise ValidationError; then nothing is saved.
    """
    current = lock_version(target, expected_version=expected_version, noun=noun, verb=verb)
    for name, value in changes.items():
        setattr(current, name, value)
    if check is not None:
        check(current)
    return save_version(current, changes)
