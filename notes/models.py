"""The notes app's models, re-exported for Django; code imports them from their feature."""

from notes.addenda.models import Addendum
from notes.cosign.models import Review, SupervisionRule
from notes.group.models import GroupSession
from notes.note_templates.models import NoteTemplate, NoteTemplateVersion
from notes.records.models import Note
from notes.setup.models import NoteSettings

__all__ = [
    "Addendum",
    "GroupSession",
    "Note",
    "NoteSettings",
    "NoteTemplate",
    "NoteTemplateVersion",
    "Review",
    "SupervisionRule",
]
