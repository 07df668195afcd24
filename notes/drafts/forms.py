from django import forms

from core.forms import DateInput
from notes.note_templates.models import NoteTemplate, NoteType
from notes.records.models import Attendance, ContactKind
from tenancy.models import PlaceOfService

ANSWER_PREFIX = "a-"


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class SessionForm(forms.Form):
    """The facts of the session; the service checks the rules that span fields (future date, end before start)."""

    service_date = forms.DateField(label="Date of service", widget=DateInput)
    start_time = forms.TimeField(required=False, widget=TimeInput)
    end_time = forms.TimeField(required=False, widget=TimeInput)
    duration_minutes = forms.IntegerField(label="Duration (minutes)", required=False, min_value=1, max_value=720)
    place_of_service = forms.ChoiceField(choices=[("", "—"), *PlaceOfService.choices], required=False)
    telehealth = forms.BooleanField(required=False)
    attendance = forms.ChoiceField(choices=Attendance.choices, initial=Attendance.ATTENDED)
    contact_kind = forms.ChoiceField(label="Kind of contact", choices=[("", "—"), *ContactKind.choices], required=False)

    def session(self):
        from notes.drafts.services import SESSION_FIELDS, Session

        data = {name: self.cleaned_data[name] for name in SESSION_FIELDS}
        return Session(**{**data, "duration_minutes": data["duration_minutes"] or None})


class NewNoteForm(SessionForm):
    note_type = forms.ChoiceField(label="Kind of note")
    template = forms.ModelChoiceField(queryset=NoteTemplate.objects.none(), required=False)
    field_order = ["note_type", "template", "attendance"]

    def __init__(self, *args, enabled_types: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note_type"].choices = [(v, label) for v, label in NoteType.choices if v in enabled_types]
        self.fields["template"].queryset = NoteTemplate.objects.filter(is_active=True)
        self.fields["template"].help_text = "Not needed to record a no-show or late cancellation."


def raw_answers(schema: dict, post) -> dict:
    """The answers a note form posted, by field key (lists for multiple-choice fields)."""
    from notes.note_templates.schema import fields_of

    answers = {}
    for field in fields_of(schema):
        name = ANSWER_PREFIX + field["key"]
        answers[field["key"]] = post.getlist(name) if field["type"] == "multiple" else post.get(name, "")
    return answers


class SignForm(forms.Form):
    password = forms.CharField(
        required=False, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    code = forms.CharField(
        label="Code from your authenticator app",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, uses_mfa: bool, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["password" if uses_mfa else "code"]

    def credentials(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("password", "code") if name in self.cleaned_data}


class AddendumForm(SignForm):
    text = forms.CharField(label="Addendum", widget=forms.Textarea(attrs={"rows": 4}))
    field_order = ["text"]


class ReviewForm(SignForm):
    decision = forms.ChoiceField(choices=[("cosign", "Co-sign"), ("return", "Return with a comment")])
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["decision", "comment"]
