from django import forms

from clients.amendments.models import (
    AmendmentRequest,
    DenialGround,
    NotificationAgreement,
    NotificationMethod,
    NotificationStatus,
    RecipientKind,
)
from clients.documents.forms import section_choices
from core.forms import DateInput, VersionForm


def _choose(message: str) -> dict[str, str]:
    """The same message for a choice left empty and for one that isn't offered."""
    return {"required": message, "invalid_choice": message}


class AmendmentRequestForm(forms.ModelForm):
    class Meta:
        model = AmendmentRequest
        fields = ["section", "record_description", "document", "requested_change", "client_reason", "received_on"]
        widgets = {
            "received_on": DateInput,
            "requested_change": forms.Textarea(attrs={"rows": 4}),
            "client_reason": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"received_on": "Date received"}
        help_texts = {
            "received_on": "The day the clinic received the written request: the 60 days run from it.",
            "section": "The part of the chart the record is in. A request about a document takes its section.",
        }

    def __init__(self, *args, allowed_sections: frozenset[str], documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", "Choose a part of the chart"), *section_choices(allowed_sections)]
        self.fields["section"].error_messages["required"] = "Choose the part of the chart the record is in."
        self.fields["document"].queryset = documents
        self.fields["document"].empty_label = "None (describe the record above)"
        self.fields["document"].label_from_instance = lambda d: f"{d.title} ({d.uploaded_at:%b %d, %Y})"
        self.fields["record_description"].error_messages["required"] = "Say which record the client wants amended."
        self.fields["requested_change"].error_messages["required"] = "Enter the change as the client stated it."
        self.fields["received_on"].error_messages["required"] = "Enter the date the request was received."

    def arguments(self) -> dict:
        """The request's fields, as ``amendments.record_request`` takes them (``submit``)."""
        return {"data": dict(self.cleaned_data)}


class ExtendForm(VersionForm):
    extension_reason = forms.CharField(
        label="Reason for the delay",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The client must be told in writing, within the first 60 days, why and by when.",
        error_messages={"required": "Give the reason for the delay: the client is told it in writing."},
    )


class ClientResponseFields(forms.Form):
    """When the client was told of the acceptance, and whether they agreed that others be notified."""

    client_informed_on = forms.DateField(
        label="Client told of the acceptance on",
        widget=DateInput,
        required=False,
        help_text="Leave empty if the client has not been told yet; you can add it later.",
        error_messages={"invalid": "Enter the date as YYYY-MM-DD."},
    )
    notification_agreement = forms.ChoiceField(
        label="May the clinic tell others of the amendment?",
        choices=[("", "Not asked yet"), *NotificationAgreement.choices],
        required=False,
        help_text="Ask the client who received the record and needs the correction, and whether the clinic may "
        "tell them and any business associate that relies on it.",
        error_messages={"invalid_choice": "Choose whether the client agreed that others be notified."},
    )


class AcceptForm(VersionForm, ClientResponseFields):
    correction = forms.CharField(
        label="Correction to append",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Appended to the record and shown beside the original, which is kept unchanged.",
        error_messages={"required": "Write the correction that will be appended to the record."},
    )
    field_order = ["version", "correction", "client_informed_on", "notification_agreement"]


class ClientResponseForm(VersionForm, ClientResponseFields):
    pass


class NotificationForm(forms.Form):
    """Someone to tell of an accepted amendment: a name, an organisation and how. Nothing else about the client."""

    recipient_name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="The person or office, e.g. “Dr. Lee” or “Records department”.",
        error_messages={"required": "Enter the name of the person or office to notify."},
    )
    recipient_organization = forms.CharField(label="Organisation", max_length=200, required=False)
    kind = forms.ChoiceField(
        label="Why they are told",
        choices=RecipientKind.choices,
        widget=forms.RadioSelect,
        error_messages=_choose("Choose why they are told."),
    )
    method = forms.ChoiceField(
        label="How they will be told",
        choices=[("", "Choose how"), *NotificationMethod.choices],
        error_messages=_choose("Choose how they will be told: mail, fax, phone or secure email."),
    )
    disclosure = forms.IntegerField(widget=forms.HiddenInput, required=False)


class NotificationOutcomeForm(VersionForm):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[
            (NotificationStatus.NOTIFIED, "Notified"),
            (NotificationStatus.UNREACHABLE, "Could not be reached"),
        ],
        widget=forms.RadioSelect,
        error_messages=_choose("Choose whether they were notified or could not be reached."),
    )
    on = forms.DateField(
        label="On", widget=DateInput, error_messages={"required": "Enter the date.", "invalid": "Enter a date."}
    )
    note = forms.CharField(
        label="What was tried (if not reached)",
        max_length=300,
        required=False,
        help_text="No details about the client: e.g. “letter returned, no forwarding address”.",
    )


class DenyForm(VersionForm):
    denial_ground = forms.ChoiceField(
        label="Ground for denial",
        choices=DenialGround.choices,
        widget=forms.RadioSelect,
        error_messages=_choose("Choose one of the grounds HIPAA allows for a denial."),
    )
    denial_explanation = forms.CharField(
        label="Explanation for the client",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Explain the denial in plain words: the client receives this explanation."},
    )


class DisagreementForm(VersionForm):
    disagreement = forms.CharField(
        label="Client's statement of disagreement",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the client's statement as they gave it."},
    )
    disagreement_received_on = forms.DateField(
        label="Date received", widget=DateInput, error_messages={"required": "Enter the date it was received."}
    )
