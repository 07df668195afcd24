import datetime

from django import forms

from accounts.people.models import Membership
from core.forms import DateInput
from scheduling.appointments import selectors
from scheduling.appointments.forms import WEEKDAY_CHOICES, TimeInput
from scheduling.appointments.models import (
    MAX_DURATION,
    AppointmentType,
)
from tenancy.models import Location


class WorkingHoursForm(forms.Form):
    weekday = forms.TypedChoiceField(choices=WEEKDAY_CHOICES, coerce=int)
    location = forms.ModelChoiceField(Location.objects.none())
    start_time = forms.TimeField(widget=TimeInput)
    end_time = forms.TimeField(widget=TimeInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(is_active=True).order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("start_time") and data.get("end_time") and data["end_time"] <= data["start_time"]:
            self.add_error("end_time", "Working hours must end after they start.")
        return data


class BlockTimeForm(forms.Form):
    start_date = forms.DateField(widget=DateInput)
    start_time = forms.TimeField(widget=TimeInput, initial=datetime.time(9))
    end_date = forms.DateField(widget=DateInput)
    end_time = forms.TimeField(widget=TimeInput, initial=datetime.time(17))
    reason = forms.CharField(max_length=100, required=False, help_text="e.g. Vacation, training. No client names.")


class OpenSlotsForm(forms.Form):
    clinician = forms.ModelChoiceField(Membership.objects.none(), required=False, empty_label="Any clinician")
    appointment_type = forms.ModelChoiceField(AppointmentType.objects.none(), required=False, empty_label="Any type")
    start = forms.DateField(label="From", widget=DateInput, required=False)
    duration = forms.IntegerField(label="Length (minutes)", required=False, min_value=5, max_value=MAX_DURATION)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = (
            Membership.objects.filter(pk__in=[m.pk for m in selectors.clinicians()])
            .select_related("user")
            .order_by("user__full_name")
        )
        self.fields["clinician"].label_from_instance = lambda m: m.user.full_name
        self.fields["appointment_type"].queryset = AppointmentType.objects.filter(is_active=True).order_by("name")

    def clean(self):
        data = super().clean()
        if not data.get("appointment_type") and not data.get("duration"):
            self.add_error("duration", "Give a length, or choose an appointment type.")
        return data


WorkingHoursFormSet = forms.formset_factory(WorkingHoursForm, extra=2, can_delete=True, max_num=30)
