"""The clinic's locations (sites and telehealth), kept by administrators under Clinic settings; audited.

``tenancy.Location`` is the model (tenancy owns the clinic and its places); the rules for changing it live here,
beside the rest of the clinic settings. Locations are deactivated, never deleted: clients and, later,
appointments and claims keep pointing at them.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.people.models import Membership
from audit.services import record
from core.errors import ConflictError
from tenancy.models import Location

LOCATION_FIELDS = [
    "name",
    "is_telehealth",
    "place_of_service",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "phone",
]
CONFLICT = (
    "Someone else saved this location while you were editing. Your changes were not saved; "
    "reload to see theirs, then make yours again."
)


def _check_name_free(name: str, exclude_pk=None) -> None:
    if Location.objects.filter(name__iexact=name.strip()).exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": "The clinic already has a location with this name."})


@transaction.atomic
def create_location(*, actor: Membership, data: dict, request=None) -> Location:
    _check_name_free(data["name"])
    location = Location(**data)
    location.full_clean(exclude=["organization"])
    location.save()
    record("location.created", request=request, actor=actor.user, target=location)
    return location


@transaction.atomic
def update_location(
    location: Location, *, actor: Membership, expected_version: int, changes: dict, request=None
) -> Location:
    """Save changed fields unless someone saved the location since ``expected_version`` (ConflictError)."""
    current = Location.objects.select_for_update().get(pk=location.pk)
    if current.version != expected_version:
        raise ConflictError(CONFLICT)
    if "name" in changes:
        _check_name_free(changes["name"], exclude_pk=current.pk)
    for name, value in changes.items():
        setattr(current, name, value)
    current.full_clean(exclude=["organization"])
    current.version = expected_version + 1
    current.save(update_fields=[*changes, "version"])
    record("location.updated", request=request, actor=actor.user, target=current, detail={"fields": sorted(changes)})
    return current


@transaction.atomic
def set_location_active(
    location: Location, *, actor: Membership, expected_version: int, active: bool, request=None
) -> Location:
    """Deactivate (or reactivate) a location: it keeps its history and its clients but is no longer offered."""
    current = Location.objects.select_for_update().get(pk=location.pk)
    if current.version != expected_version:
        raise ConflictError(CONFLICT)
    if current.is_active != active:
        current.is_active, current.version = active, current.version + 1
        current.save(update_fields=["is_active", "version"])
        record(
            "location.reactivated" if active else "location.deactivated",
            request=request,
            actor=actor.user,
            target=current,
        )
    return current
