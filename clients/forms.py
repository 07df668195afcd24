from django import forms
from django.utils import timezone

from accounts.models import Membership
from accounts.roles import Role
from clients.models import Client
from clients.services import DEMOGRAPHIC_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"


class ClientForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Client
        fields = DEMOGRAPHIC_FIELDS
        widgets = {"date_of_birth": DateInput, "intake_date": DateInput, "discharge_date": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["primary_clinician"].queryset = (
            Membership.objects.filter(is_active=True, role_assignments__role=Role.CLINICIAN)
            .select_related("user")
            .order_by("user__full_name")
        )
        self.fields["primary_clinician"].label_from_instance = lambda m: m.user.full_name
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError("Date of birth can't be in the future.")
        if born.year < today.year - 130:
            raise forms.ValidationError("Check the year: that would make the client over 130.")
        return born

    def clean(self):
        data = super().clean()
        intake, discharge = data.get("intake_date"), data.get("discharge_date")
        if intake and discharge and discharge < intake:
            self.add_error("discharge_date", "Discharge can't be before intake.")
        if data.get("status") == "discharged" and not discharge:
            self.add_error("discharge_date", "Give the discharge date for a discharged client.")
        born = data.get("date_of_birth")
        if born and intake and intake < born:
            self.add_error("intake_date", "Intake can't be before the date of birth.")
        return data


class RegisterClientForm(ClientForm):
    confirm_not_duplicate = forms.BooleanField(
        required=False, label="This is a different person from the possible duplicate shown above"
    )


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        help_text="Why you need this chart now. Your clinic's administrators are told, and it is recorded.",
    )
