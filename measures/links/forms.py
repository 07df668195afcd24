from django import forms

from core.forms import DateInput
from measures.instruments.models import Instrument
from measures.links.models import Channel, Rule


def _instruments():
    return Instrument.objects.filter(is_active=True).order_by("name")


class SendLinkForm(forms.Form):
    prefix = "send"
    instrument = forms.ModelChoiceField(
        queryset=_instruments(), to_field_name="key", empty_label=None, label="Questionnaire to send"
    )
    channel = forms.ChoiceField(choices=[(Channel.EMAIL, "Email"), (Channel.SMS, "Text message")], label="Send by")

    def arguments(self) -> dict:
        return {"instrument": self.cleaned_data["instrument"], "channel": self.cleaned_data["channel"]}


class KioskForm(forms.Form):
    prefix = "tablet"
    instrument = forms.ModelChoiceField(
        queryset=_instruments(), to_field_name="key", empty_label=None, label="Questionnaire for the tablet"
    )

    def arguments(self) -> dict:
        return {"instrument": self.cleaned_data["instrument"]}


class ScheduleForm(forms.Form):
    prefix = "schedule"
    instrument = forms.ModelChoiceField(
        queryset=_instruments(), to_field_name="key", empty_label=None, label="Questionnaire to schedule"
    )
    rule = forms.ChoiceField(choices=[("", "No schedule"), *Rule.choices], required=False, label="How often")
    every = forms.IntegerField(min_value=1, max_value=52, initial=1, label="N (sessions or weeks)")

    def arguments(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("instrument", "rule", "every")}


class BirthDateForm(forms.Form):
    date_of_birth = forms.DateField(
        label="Your date of birth",
        widget=DateInput,
        error_messages={"invalid": "Enter your date of birth as a date, for example 1990-04-12."},
    )
