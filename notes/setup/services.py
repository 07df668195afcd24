"""The clinic's documentation rules: read with defaults, changed by administrators (versioned, audited)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.people.models import Membership
from audit.services import record
from core.versioning import versioned_update
from notes.note_templates.models import NoteType
from notes.setup.models import NoteSettings

MAX_UNLOCK_HOURS = 24 * 7


def settings_for_clinic() -> NoteSettings:
    """The clinic's settings, made with the defaults on first use."""
    found = NoteSettings.objects.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return NoteSettings.objects.create()
    except IntegrityError:  # made by a concurrent request
        return NoteSettings.objects.get()


@transaction.atomic
def save_settings(
    settings: NoteSettings,
    *,
    actor: Membership,
    expected_version: int,
    enabled_types: list[str],
    unlock_hours: int | None,
    overdue_hours: int,
    request=None,
) -> NoteSettings:
    errors = {}
    if not enabled_types or set(enabled_types) - set(NoteType.values):
        errors["enabled_types"] = "Choose at least one note type from the list."
    if unlock_hours is not None and not 1 <= unlock_hours <= MAX_UNLOCK_HOURS:
        errors["unlock_hours"] = f"Enter 1 to {MAX_UNLOCK_HOURS} hours, or leave it empty for never."
    if not 1 <= overdue_hours <= 24 * 30:
        errors["overdue_hours"] = "Enter 1 to 720 hours."
    if errors:
        raise ValidationError(errors)
    changes = {
        "enabled_types": [t for t in NoteType.values if t in enabled_types],
        "unlock_hours": unlock_hours,
        "overdue_hours": overdue_hours,
    }
    current = versioned_update(settings, expected_version=expected_version, changes=changes, noun="note settings")
    record("note_settings.changed", request=request, target=current, detail={"fields": sorted(changes)})
    return current
