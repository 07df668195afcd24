from django import forms

from core.forms import VersionForm
from notes.signing.services import REASON_MAX


class UnlockForm(VersionForm):
    reason = forms.CharField(
        label="Reason for unlocking",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=REASON_MAX,
        help_text="Kept in the note's history and the audit log: what needs correcting.",
        error_messages={
            "required": "Give the reason for unlocking this note.",
            "max_length": f"Keep the reason under {REASON_MAX} characters.",
        },
    )
