from django import forms
from django.db.models import Q
from django.utils import timezone

from clients.care_team.forms import offer_clinical_staff
from clients.programs.models import Program
from clients.records import status
from clients.records.models import Client, ClientStatus
from clients.records.services import DEMOGRAPHIC_FIELDS, REGISTRATION_FIELDS
from core.clinic_time import clinic_today
from core.forms import DateInput, VersionedForm, VersionForm
from tenancy.models import Location


def _active_or_current(queryset, current_pk):
    """Active rows to choose from, plus the one already chosen (so editing never silently drops it)."""
    return queryset.filter(Q(is_active=True) | Q(pk=current_pk)).order_by("name")


class ClientForm(VersionedForm):
    """Demographics. Status, intake/discharge and clinicians are not here: they change through their own screens
    (``clients.status``, ``clients.care_team``), which enforce the status flow and who may work with the client."""

    class Meta:
        model = Client
        fields = DEMOGRAPHIC_FIELDS
        widgets = {"date_of_birth": DateInput, "intake_date": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = _active_or_current(Program.objects.all(), self.instance.program_id)
        self.fields["program"].empty_label = "No program"
        self.fields["default_location"].queryset = _active_or_current(
            Location.objects.all(), self.instance.default_location_id
        )
        self.fields["default_location"].empty_label = "No default location"

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError("Date of birth can't be in the future.")
        if born.year < today.year - 130:
            raise forms.ValidationError("Check the year: that would make the client over 130.")
        return born


class RegisterClientForm(ClientForm):
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in status.REGISTRATION_STATUSES],
        initial=ClientStatus.WAITLIST,
        help_text="Active clients need an intake date. Discharge later from the chart.",
    )
    confirm_not_duplicate = forms.BooleanField(
        required=False, label="This is a different person from the possible duplicate shown above"
    )

    class Meta(ClientForm.Meta):
        fields = REGISTRATION_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_clinical_staff(self.fields["primary_clinician"])

    def clean(self):
        data = super().clean()
        errors = status.check_initial_status(
            data.get("status"), data.get("intake_date"), data.get("date_of_birth"), clinic_today()
        )
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        help_text="Why you need this chart now. Your clinic's administrators are told, and it is recorded.",
    )


class AdmitForm(VersionForm):
    intake_date = forms.DateField(widget=DateInput, help_text="The day care starts (today or earlier).")


class DischargeForm(VersionForm):
    discharge_date = forms.DateField(widget=DateInput, help_text="Not before intake, and not after today.")
    reason = forms.CharField(
        label="Reason for discharge",
        max_length=status.REASON_MAX,
        help_text="For example: treatment completed, moved away, transferred, stopped attending.",
    )


class StatusReasonForm(VersionForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=status.REASON_MAX)
