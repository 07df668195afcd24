"""Forms of the console's ticket pages."""

from django import forms

from tickets import policies, selectors
from tickets.forms import AttachmentsField
from tickets.models import Priority, Status


class ConsoleFilterForm(forms.Form):
    """The console list's filters, in the query string (ticket titles and clinic names hold no PHI)."""

    status = forms.ChoiceField(
        required=False,
        choices=[("open", "Open"), ("", "Any status"), ("closed", "Complete or cancelled"), *Status.choices],
    )
    priority = forms.ChoiceField(required=False, choices=[("", "Any priority"), *reversed(Priority.choices)])
    clinic = forms.ChoiceField(required=False)
    overdue = forms.BooleanField(required=False, label="Overdue only")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["clinic"].choices = [("", "Every clinic"), *selectors.vendor_clinic_choices()]

    def filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {"status": "open"}


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply to the clinic",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The clinic's staff on this ticket are told there is a reply, not what it says.",
    )
    attachments = AttachmentsField()

    def clean(self):
        data = super().clean()
        if not (data.get("body") or "").strip() and not data.get("attachments") and not self.has_error("attachments"):
            self.add_error("body", "Write a reply or attach a file first.")
        return data


class StatusForm(forms.Form):
    """Every status is a valid value, so a forged one reaches the policy (403, audited); the list offers only the
    statuses vendor staff may give."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=Status.choices, label="Status")

    def __init__(self, *args, staff, ticket, **kwargs):
        kwargs.setdefault("initial", {"version": ticket.version, "status": ticket.status})
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        allowed = policies.vendor_allowed_statuses(staff, ticket)
        self.fields["status"].widget.choices = [(v, label) for v, label in Status.choices if v in allowed]
        self.can_change = len(allowed) > 1
