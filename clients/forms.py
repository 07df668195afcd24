from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from clients import care_team, icd, status
from clients.contacts import CONTACT_FIELDS
from clients.diagnoses import DIAGNOSIS_FIELDS
from clients.insurance import PAYER_FIELDS, POLICY_FIELDS
from clients.models import (
    AlertKind,
    AlertSeverity,
    Client,
    ClientContact,
    ClientStatus,
    Diagnosis,
    FamilyRelationship,
    InsurancePolicy,
    Payer,
    Program,
)
from clients.programs import PROGRAM_FIELDS
from clients.services import DEMOGRAPHIC_FIELDS, REGISTRATION_FIELDS
from tenancy.models import Location

CARE_TEAM_CHOICE_ERROR = (
    "Choose an active clinician or supervisor of this clinic; deactivated staff and staff of other clinics "
    "can't work with clients here."
)


class DateInput(forms.DateInput):
    input_type = "date"


def _active_or_current(queryset, current_pk):
    """Active rows to choose from, plus the one already chosen (so editing never silently drops it)."""
    return queryset.filter(Q(is_active=True) | Q(pk=current_pk)).order_by("name")


class ClientForm(forms.ModelForm):
    """Demographics. Status, intake/discharge and clinicians are not here: they change through their own screens
    (``clients.status``, ``clients.care_team``), which enforce the status flow and who may work with the client."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

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
        clinician = self.fields["primary_clinician"]
        clinician.queryset = care_team.eligible_staff()
        clinician.label_from_instance = lambda m: m.user.full_name
        clinician.error_messages["invalid_choice"] = CARE_TEAM_CHOICE_ERROR

    def clean(self):
        data = super().clean()
        errors = status.check_initial_status(
            data.get("status"), data.get("intake_date"), data.get("date_of_birth"), status.clinic_today()
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


# --- Record details --------------------------------------------------------------------------------------------


class ProgramForm(VersionedForm):
    class Meta:
        model = Program
        fields = PROGRAM_FIELDS


class VersionOnlyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class AdmitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    intake_date = forms.DateField(widget=DateInput, help_text="The day care starts (today or earlier).")


class DischargeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    discharge_date = forms.DateField(widget=DateInput, help_text="Not before intake, and not after today.")
    reason = forms.CharField(
        label="Reason for discharge",
        max_length=status.REASON_MAX,
        help_text="For example: treatment completed, moved away, transferred, stopped attending.",
    )


class StatusReasonForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=status.REASON_MAX)


class CareTeamAddForm(forms.Form):
    membership = forms.ModelChoiceField(
        queryset=None, label="Add to the care team", empty_label="Choose a clinician or supervisor"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        field.queryset = care_team.eligible_staff()
        field.label_from_instance = lambda m: m.user.full_name
        field.error_messages["invalid_choice"] = CARE_TEAM_CHOICE_ERROR


class PrimaryClinicianForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    membership = forms.ModelChoiceField(
        queryset=None, label="Primary clinician", required=False, empty_label="No primary clinician"
    )
    keep_previous_on_team = forms.BooleanField(
        required=False, label="Keep the previous primary clinician on the care team"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        field.queryset = care_team.eligible_staff()
        field.label_from_instance = lambda m: m.user.full_name
        field.error_messages["invalid_choice"] = CARE_TEAM_CHOICE_ERROR


class ContactForm(VersionedForm):
    class Meta:
        model = ClientContact
        fields = CONTACT_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "is_legal_guardian": "Can consent for the client (a minor's parent or guardian, or a court-appointed "
            "representative).",
        }


class FamilyLinkForm(forms.Form):
    """Link another client of the clinic, found by client number (names never travel in the request)."""

    related_number = forms.IntegerField(
        label="Their client number", min_value=1, help_text="The family member's own client number in this clinic."
    )
    relationship = forms.ChoiceField(label="What they are to this client", choices=FamilyRelationship.choices)

    def __init__(self, *args, visible=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.visible = visible

    def clean_related_number(self):
        number = self.cleaned_data["related_number"]
        related = self.visible.filter(number=number).first() if self.visible is not None else None
        if related is None:
            raise forms.ValidationError("No client with that number that you may see.")
        self.related_client = related
        return number


class AlertForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of alert")
    severity = forms.ChoiceField(choices=AlertSeverity.choices, initial=AlertSeverity.MODERATE)
    text = forms.CharField(
        label="What staff need to know",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Short and factual; it shows at the top of every tab of the chart.",
    )

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, AlertKind(k).label) for k in kinds]


class ResolveAlertForm(forms.Form):
    note = forms.CharField(label="Note (optional)", max_length=300, required=False)
