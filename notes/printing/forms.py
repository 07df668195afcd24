from django import forms

from clients.consents.models import Authorization, LegalBasis
from core.forms import DateInput


class PrintForm(forms.Form):
    first = forms.DateField(label="From", widget=DateInput)
    last = forms.DateField(label="To", widget=DateInput)
    purpose_kind = forms.ChoiceField(
        label="This copy is",
        choices=[("internal", "For the clinic's own use"), ("release", "Released outside the clinic")],
        widget=forms.RadioSelect,
        initial="internal",
    )
    legal_basis = forms.ChoiceField(choices=LegalBasis.choices, required=False)
    authorization = forms.ModelChoiceField(queryset=Authorization.objects.none(), required=False)
    recipient_name = forms.CharField(max_length=200, required=False, help_text="Not needed under an authorisation.")
    purpose = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authorization"].queryset = Authorization.objects.filter(client=client)

    def clean(self):
        data = super().clean()
        if data.get("first") and data.get("last") and data["last"] < data["first"]:
            self.add_error("last", "The end of the range must not be before its start.")
        if data.get("purpose_kind") == "release" and not data.get("legal_basis"):
            self.add_error("legal_basis", "Say on what basis the copy is released.")
        return data

    def release(self) -> dict | None:
        data = self.cleaned_data
        if data["purpose_kind"] != "release":
            return None
        return {key: data[key] for key in ("legal_basis", "authorization", "recipient_name", "purpose")}
