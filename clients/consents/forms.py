"""Forms for consents, authorisations, disclosures and the accounting of disclosures.

They check types and required fields; the rules that need the client, the clinic's date or another record live
in ``clients/consents/services.py`` and come back as field errors.
"""

from django import forms
from django.forms.models import fields_for_model

from accounts.people.models import Membership
from clients.consents.models import (
    Authorization,
    Consent,
    LegalBasis,
    RecipientKind,
    ReleaseCategory,
    RevocationMethod,
    category_labels,
)
from clients.consents.services import AUTHORIZATION_FIELDS, CONSENT_FIELDS
from core.forms import DataForm, DateInput, VersionForm


class CategoriesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=ReleaseCategory.choices, required=False, **kwargs)


def _required(form: forms.Form, **messages: str) -> None:
    """Say what is missing, field by field, instead of "This field is required"."""
    for name, message in messages.items():
        form.fields[name].error_messages["required"] = message


class ConsentForm(DataForm):
    """The model's fields, validated by ``consents.record_consent`` (not by the model's constraints), so each rule
    answers with its own message next to its field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                Consent,
                fields=CONSENT_FIELDS,
                widgets={"signed_date": DateInput, "expires_on": DateInput, "signed_by": forms.RadioSelect},
                help_texts={
                    "representative_name": "Only when a guardian or personal representative signed.",
                    "expires_on": "Leave empty if it doesn't expire. The last day it is in force.",
                },
            )
        )
        _required(self, kind="Choose which consent was signed.", signed_date="Enter the date it was signed.")


class AuthorizationForm(DataForm):
    """The model's fields, validated by ``consents.add_authorization`` (see ``ConsentForm``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                Authorization,
                fields=AUTHORIZATION_FIELDS,
                widgets={
                    "signed_date": DateInput,
                    "effective_date": DateInput,
                    "expiry_date": DateInput,
                    "signed_by": forms.RadioSelect,
                    "recipient_address": forms.Textarea(attrs={"rows": 3}),
                    "purpose": forms.Textarea(attrs={"rows": 2}),
                    "information_other": forms.Textarea(attrs={"rows": 2}),
                    "sud_description": forms.Textarea(attrs={"rows": 2}),
                },
                labels={"recipient_name": "Recipient's name", "recipient_organization": "Recipient's organisation"},
                help_texts={
                    "recipient_name": "The person or organisation, by name.",
                    "recipient_address": "Give at least one way to reach the recipient: address, phone, fax or email.",
                    "information_other": "Anything else the client allowed, in their words.",
                    "sud_description": "Required when substance use disorder records are listed, or the client's "
                    "record is flagged 42 CFR Part 2: how much and what kind (for example, dates of treatment and "
                    "attendance).",
                    "expiry_date": "The last day it may be used. Give this or an expiry event.",
                    "expiry_event": 'For example "end of treatment" or "when the court case closes".',
                    "representative_name": "Only when a guardian or personal representative signed.",
                    "representative_authority": "For example parent of a minor, legal guardian, power of attorney.",
                },
            )
        )
        self.fields["categories"] = CategoriesField(label="Information that may be released")
        _required(
            self,
            purpose='State the purpose of the release ("at the request of the client" is enough when the client '
            "asked).",
            recipient_name="Name the person or organisation that will receive the information.",
            recipient_kind="Choose the kind of recipient.",
            signed_date="Enter the date it was signed.",
            effective_date="Enter the date it takes effect.",
        )
        self.fields["recipient_kind"].choices = [("", "Choose the kind of recipient"), *RecipientKind.choices]


class RevokeConsentForm(VersionForm):
    revoked_on = forms.DateField(
        label="Revoked on", widget=DateInput, error_messages={"required": "Enter the date of the revocation."}
    )
    reason = forms.CharField(
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Give the reason for the revocation."},
    )


class RevokeAuthorizationForm(VersionForm):
    revoked_on = forms.DateField(
        label="Revocation received on",
        widget=DateInput,
        help_text="Releases from this day on are refused.",
        error_messages={"required": "Enter the day the revocation was received."},
    )
    method = forms.ChoiceField(
        label="How the revocation was received",
        choices=[("", "Choose"), *RevocationMethod.choices],
        error_messages={"required": "Say how the revocation was received."},
    )
    note = forms.CharField(max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ExpiryEventForm(VersionForm):
    occurred_on = forms.DateField(
        label="The event happened on", widget=DateInput, error_messages={"required": "Enter the day it happened."}
    )


class Part2Form(forms.Form):
    part2 = forms.BooleanField(
        required=False, label="This record holds substance use disorder treatment records (42 CFR Part 2)"
    )


def authorization_label(authorization: Authorization) -> str:
    """How an authorisation is offered in the disclosure form: recipient, what it covers and its dates."""
    until = authorization.expiry_date.isoformat() if authorization.expiry_date else authorization.expiry_event
    revoked = f", revoked {authorization.revoked_on.isoformat()}" if authorization.revoked_on else ""
    covers = ", ".join(category_labels(authorization.categories)) or "other information"
    return (
        f"{authorization.recipient_name} — {covers} — from {authorization.effective_date.isoformat()} until "
        f"{until}{revoked}"
    )


class DisclosureForm(forms.Form):
    field_order = [
        "disclosed_on",
        "disclosed_time",
        "legal_basis",
        "authorization",
        "legal_basis_detail",
        "emergency_nature",
    ]

    disclosed_on = forms.DateField(
        label="Date released", widget=DateInput, error_messages={"required": "Enter the date of the release."}
    )
    legal_basis = forms.ChoiceField(
        label="Released under", choices=LegalBasis.choices, initial=LegalBasis.AUTHORIZATION
    )
    authorization = forms.ModelChoiceField(
        label="Authorisation relied on",
        queryset=Authorization.objects.none(),
        required=False,
        empty_label="None (a legal basis that needs no authorisation)",
    )
    legal_basis_detail = forms.CharField(
        label="Details of the legal basis",
        max_length=300,
        required=False,
        help_text="For example the court and case number, or the agency the report went to.",
    )
    recipient_name = forms.CharField(
        label="Recipient's name",
        max_length=200,
        required=False,
        help_text="Only without an authorisation; otherwise the authorisation's recipient is used. In a medical "
        "emergency, the medical personnel who received it.",
    )
    recipient_organization = forms.CharField(
        label="Recipient's organisation",
        max_length=200,
        required=False,
        help_text="In a medical emergency, the medical personnel's facility.",
    )
    recipient_address = forms.CharField(
        label="Recipient's address", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    categories = CategoriesField(label="Information released")
    information_description = forms.CharField(
        label="Description of what was released",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: intake assessment and progress notes from March to May.",
    )
    purpose = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Leave empty to use the authorisation's purpose.",
    )
    disclosed_time = forms.TimeField(
        label="Time released",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Required for a medical emergency.",
    )
    emergency_nature = forms.CharField(
        label="Nature of the medical emergency",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only for a medical emergency (42 CFR 2.51): what the emergency was.",
    )
    released_by = forms.ModelChoiceField(
        label="Released by",
        queryset=Membership.objects.none(),
        error_messages={"required": "Choose who released the information."},
    )

    def __init__(self, *args, client, actor, **kwargs):
        super().__init__(*args, **kwargs)
        authorization = self.fields["authorization"]
        authorization.queryset = client.authorizations.order_by("-effective_date", "-pk")
        authorization.label_from_instance = authorization_label
        released_by = self.fields["released_by"]
        released_by.queryset = (
            Membership.objects.filter(is_active=True).select_related("user").order_by("user__full_name")
        )
        released_by.label_from_instance = lambda m: m.user.full_name
        released_by.initial = actor.pk


class DisclosureInErrorForm(VersionForm):
    reason = forms.CharField(
        label="Why the entry is wrong",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: logged on the wrong client, or the release never went out.",
        error_messages={"required": "Give the reason the entry is wrong."},
    )


class AccountingForm(forms.Form):
    start = forms.DateField(
        label="From", widget=DateInput, error_messages={"required": "Enter the first day of the period."}
    )
    end = forms.DateField(
        label="To", widget=DateInput, error_messages={"required": "Enter the last day of the period."}
    )
    include_authorized = forms.BooleanField(
        label="Include releases the client authorised",
        required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "id_include_authorized_helptext"}),
        help_text="HIPAA does not require them in an accounting; leave ticked to show every release.",
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end of the period can't be before its start.")
        return data
