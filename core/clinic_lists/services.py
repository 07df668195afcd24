"""Clinic-wide lists of named items that administrators keep: the clinic's locations and its programs.

Items are added, edited (optimistic locking) and deactivated or reactivated, never deleted: clients and their
records keep pointing at them. Names are unique in the clinic whatever their case. Every write is audited as
``<noun>.created``, ``<noun>.updated`` (with the changed fields), ``<noun>.deactivated`` or ``<noun>.reactivated``.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import record
from core.versioning import lock_version, save_version, versioned_update


@dataclass(frozen=True)
class ClinicList:
    """One such list: its model (with ``name``, ``is_active`` and ``version``), its noun and its form's fields."""

    model: Any  # a model class with ``name``, ``is_active`` and ``version`` (Location, Program)
    noun: str
    fields: tuple[str, ...]


def _check_name_free(kind: ClinicList, name: str, exclude_pk: int | None = None) -> None:
    if kind.model.objects.filter(name__iexact=name.strip()).exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": f"The clinic already has a {kind.noun} with this name."})


@transaction.atomic
def create_item(kind: ClinicList, *, actor: Any, data: dict, request: Any = None) -> Any:
    _check_name_free(kind, data["name"])
    item = kind.model(**data)
    item.full_clean(exclude=["organization"])
    item.save()
    record(f"{kind.noun}.created", request=request, actor=actor.user, target=item)
    return item


@transaction.atomic
def update_item(
    kind: ClinicList, item: Any, *, actor: Any, expected_version: int, changes: dict, request: Any = None
) -> Any:
    """Save changed fields unless someone saved the item since ``expected_version`` (ConflictError)."""

    def check(current: Any) -> None:
        if "name" in changes:
            _check_name_free(kind, current.name, exclude_pk=current.pk)
        current.full_clean(exclude=["organization"])

    current = versioned_update(
        item, expected_version=expected_version, changes=changes, noun=kind.noun, verb="saved", check=check
    )
    record(
        f"{kind.noun}.updated", request=request, actor=actor.user, target=current, detail={"fields": sorted(changes)}
    )
    return current


@transaction.atomic
def set_item_active(
    kind: ClinicList, item: Any, *, actor: Any, expected_version: int, active: bool, request: Any = None
) -> Any:
    """Deactivate (or reactivate) an item: it keeps its history and the records using it, but is no longer
    offered for new ones."""
    current = lock_version(item, expected_version=expected_version, noun=kind.noun, verb="saved")
    if current.is_active != active:
        save_version(current, {"is_active": active})
        record(
            f"{kind.noun}.reactivated" if active else f"{kind.noun}.deactivated",
            request=request,
            actor=actor.user,
            target=current,
        )
    return current
