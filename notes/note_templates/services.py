"""Writing templates: the shipped set, copies, and new versions (a version is never changed once saved)."""

import copy

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.people.models import Membership
from audit.services import record
from core.versioning import lock_version, save_version
from notes.note_templates import shipped
from notes.note_templates.models import NoteTemplate, NoteTemplateVersion, NoteType
from notes.note_templates.schema import SchemaError, validate_schema


@transaction.atomic
def install_shipped() -> None:
    """Give the clinic in context every shipped template it lacks (safe to run again)."""
    have = set(NoteTemplate.objects.exclude(shipped_key="").values_list("shipped_key", flat=True))
    for key, spec in shipped.SHIPPED.items():
        if key in have:
            continue
        template = NoteTemplate.objects.create(
            name=spec["name"], description=spec["description"], note_types=spec["note_types"], shipped_key=key
        )
        NoteTemplateVersion.objects.create(template=template, number=1, schema=copy.deepcopy(spec["schema"]))


def _check_types(note_types: list[str]) -> list[str]:
    if not note_types or set(note_types) - set(NoteType.values):
        raise ValidationError({"note_types": "Choose at least one note type from the list."})
    return [t for t in NoteType.values if t in note_types]


def _check_schema(schema: object) -> dict:
    try:
        validate_schema(schema)
    except SchemaError as error:
        raise ValidationError({"schema": error.problems}) from None
    assert isinstance(schema, dict)
    return schema


@transaction.atomic
def copy_template(source: NoteTemplate, *, actor: Membership, name: str, request=None) -> NoteTemplate:
    """A new template starting from ``source``'s current version, for the clinic to change."""
    current = source.versions.get(number=source.current_number)
    try:
        with transaction.atomic():
            template = NoteTemplate.objects.create(
                name=name.strip(), description=source.description, note_types=source.note_types, copied_from=source
            )
    except IntegrityError:
        raise ValidationError({"name": "Another template already has this name."}) from None
    NoteTemplateVersion.objects.create(template=template, number=1, schema=current.schema, created_by=actor)
    record("note_template.copied", request=request, target=template, detail={"from": source.pk})
    return template


@transaction.atomic
def save_template(
    template: NoteTemplate,
    *,
    actor: Membership,
    expected_version: int,
    name: str,
    description: str,
    note_types: list[str],
    is_active: bool,
    schema: object,
    request=None,
) -> NoteTemplate:
    """Change a template; a changed schema becomes a new version, and notes already written keep theirs."""
    note_types = _check_types(note_types)
    schema = _check_schema(schema)
    current = lock_version(template, expected_version=expected_version, noun="template")
    changes: dict = {
        "name": name.strip(),
        "description": description.strip(),
        "note_types": note_types,
        "is_active": is_active,
    }
    latest = current.versions.get(number=current.current_number)
    if latest.schema != schema:
        number = current.current_number + 1
        NoteTemplateVersion.objects.create(template=current, number=number, schema=schema, created_by=actor)
        changes["current_number"] = number
    if NoteTemplate.objects.filter(name=changes["name"]).exclude(pk=current.pk).exists():
        raise ValidationError({"name": "Another template already has this name."})
    save_version(current, changes)
    record(
        "note_template.changed",
        request=request,
        target=current,
        detail={"version": current.current_number, "fields": sorted(changes)},
    )
    return current
