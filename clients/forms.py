from django import forms
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from accounts.roles import Role
from clients import icd
from clients.diagnoses import DIAGNOSIS_FIELDS
from clients.insurance import PAYER_FIELDS, POLICY_FIELDS
from clients.models import Client, Diagnosis, InsurancePolicy, Payer
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


class VersionedForm(forms.ModelForm):
    """A model form that sends back the version it was rendered with (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "version"}


class PayerForm(VersionedForm):
    class Meta:
        model = Payer
        fields = PAYER_FIELDS


class InsurancePolicyForm(VersionedForm):
    class Meta:
        model = InsurancePolicy
        fields = POLICY_FIELDS
        widgets = {
            "subscriber_date_of_birth": DateInput,
            "effective_date": DateInput,
            "end_date": DateInput,
        }
        labels = {"copay": "Copay ($)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = Payer.objects.order_by("name")
        self.fields["payer"].empty_label = "Choose a payer"
        self.fields["member_id"].error_messages["required"] = "Enter the member ID from the insurance card."
        for name in ("subscriber_first_name", "subscriber_last_name", "subscriber_date_of_birth"):
            self.fields[name].help_text = "Needed when the client is not the subscriber."


class EndPolicyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    end_date = forms.DateField(widget=DateInput, help_text="The last day the policy covers.")


class SelfPayForm(forms.Form):
    self_pay = forms.BooleanField(required=False, label="Self-pay (the client pays for their own care)")


class DiagnosisForm(VersionedForm):
    class Meta:
        model = Diagnosis
        fields = DIAGNOSIS_FIELDS
        widgets = {"onset_date": DateInput, "resolved_date": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        code.help_text = "Type a code (F41.1) or words (generalized anxiety) and pick a billable code from the list."
        code.widget.attrs.update(
            {
                "list": "icd-codes",
                "autocomplete": "off",
                "spellcheck": "false",
                "hx-get": reverse("clients:icd_search"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#icd-codes",
                "hx-swap": "innerHTML",
            }
        )

    def clean_code(self):
        return icd.billable_code(self.cleaned_data["code"]).code
