from django import forms

from core.forms import NumberCheckboxes
from scheduling.reminders.models import LEAD_CHOICES, ReminderSettings


class ReminderSettingsForm(forms.ModelForm):
    """An administrator's reminder settings; ``version`` is the optimistic lock."""

    lead_hours = NumberCheckboxes(
        label="When",
        choices=LEAD_CHOICES,
        help_text="Before the start; at most three. Only the nearest is sent for an appointment booked late.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ReminderSettings
        fields = ["enabled", "send_email", "send_sms", "lead_hours", "sender_name", "reply_to"]

    def arguments(self) -> dict:
        """What ``reminders.save_settings`` takes (see ``core.forms.submit``): every field, as it audits which
        changed."""
        changes = {name: self.cleaned_data[name] for name in self.Meta.fields}
        return {"expected_version": self.cleaned_data["version"], "changes": changes}
