import json

from django import forms

from core.forms import VersionForm
from notes.note_templates.models import NoteType


class NoteSettingsForm(VersionForm):
    enabled_types = forms.MultipleChoiceField(
        label="Kinds of note your clinic writes", choices=NoteType.choices, widget=forms.CheckboxSelectMultiple
    )
    unlock_hours = forms.IntegerField(
        label="Let authors unlock a signed note within (hours)",
        required=False,
        min_value=1,
        help_text="Empty: never. Each unlock is recorded in the audit log.",
    )
    overdue_hours = forms.IntegerField(label="A note is overdue this many hours after the session", min_value=1)


class TemplateForm(VersionForm):
    name = forms.CharField(max_length=120)
    description = forms.CharField(max_length=300, required=False)
    note_types = forms.MultipleChoiceField(choices=NoteType.choices, widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label="Offered for new notes", required=False)
    schema = forms.CharField(
        label="Sections and fields (JSON)",
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
        help_text="Each change is saved as a new version; notes already written keep the version they used.",
    )

    def clean_schema(self):
        try:
            return json.loads(self.cleaned_data["schema"])
        except json.JSONDecodeError as error:
            raise forms.ValidationError(f"This is not valid JSON (line {error.lineno}: {error.msg}).") from None


class CopyTemplateForm(forms.Form):
    name = forms.CharField(label="Name of the copy", max_length=120)
