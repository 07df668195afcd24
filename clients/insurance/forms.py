from django import forms

from clients.insurance.models import InsurancePolicy, Payer
from clients.insurance.services import PAYER_FIELDS, POLICY_FIELDS
from core.forms import DateInput, VersionedForm, VersionForm


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


class EndPolicyForm(VersionForm):
    end_date = forms.DateField(widget=DateInput, help_text="The last day the policy covers.")


class SelfPayForm(forms.Form):
    self_pay = forms.BooleanField(required=False, label="Self-pay (the client pays for their own care)")
