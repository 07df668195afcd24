"""The clinic's programs (service lines a client is enrolled in): administrators keep the list, audited."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.people.models import Membership
from audit.services import record
from clients.programs.models import Program
from core.errors import ConflictError

PROGRAM_FIELDS = ["name", "description"]
CONFLICT = (
    "Someone else saved this program while you were editing. Your changes were not saved; "
    "reload to see theirs, then make yours again."
)


def _check_name_free(name: str, exclude_pk=None) -> None:
    if Program.objects.filter(name__iexact=name.strip()).exclude(pk=exclude_pk).exists():
        raise ValidationError({"name": "The clinic already has a program with this name."})


@transaction.atomic
def create_program(*, actor: Membership, data: dict, request=None) -> Program:
    _check_name_free(data["name"])
    program = Program.objects.create(**data)
    record("program.created", request=request, actor=actor.user, target=program)
    return program


@transaction.atomic
def update_program(
    program: Program, *, actor: Membership, expected_version: int, changes: dict, request=None
) -> Program:
    current = Program.objects.select_for_update().get(pk=program.pk)
    if current.version != expected_version:
        raise ConflictError(CONFLICT)
    if "name" in changes:
        _check_name_free(changes["name"], exclude_pk=current.pk)
    for name, value in changes.items():
        setattr(current, name, value)
    current.version = expected_version + 1
    current.save(update_fields=[*changes, "version"])
    record("program.updated", request=request, actor=actor.user, target=current, detail={"fields": sorted(changes)})
    return current


@transaction.atomic
def set_program_active(
    program: Program, *, actor: Membership, expected_version: int, active: bool, request=None
) -> Program:
    """Deactivate (or reactivate) a program: its clients keep it, but it is no longer offered."""
    current = Program.objects.select_for_update().get(pk=program.pk)
    if current.version != expected_version:
        raise ConflictError(CONFLICT)
    if current.is_active != active:
        current.is_active, current.version = active, current.version + 1
        current.save(update_fields=["is_active", "version"])
        record(
            "program.reactivated" if active else "program.deactivated",
            request=request,
            actor=actor.user,
            target=current,
        )
    return current
