"""Forms for chart documents and amendment requests. Checking a file's real type happens in ``hearth.uploads``."""

from django import forms
from django.template.defaultfilters import filesizeformat

from clients.models_documents import (
    CATEGORY_SECTIONS,
    SECTION_CHOICES,
    AmendmentRequest,
    DenialGround,
    DocumentCategory,
    NotificationAgreement,
    NotificationMethod,
    NotificationStatus,
    RecipientKind,
)
from hearth import uploads


class DateInput(forms.DateInput):
    input_type = "date"


def _section_choices(allowed: frozenset[str]) -> list[tuple[str, str]]:
    return [(value, label) for value, label in SECTION_CHOICES if value in allowed]


def _usual_sections_text() -> str:
    labels = dict(SECTION_CHOICES)
    return "; ".join(
        f"{DocumentCategory(category).label.lower()}: {labels[section].lower()}"
        for category, section in CATEGORY_SECTIONS.items()
    )


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        error_messages={"required": "Choose a file to upload."},
    )
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="What it is, e.g. “Signed intake packet”. Leave empty to use the file name.",
    )
    category = forms.ChoiceField(choices=[("", "Choose a category"), *DocumentCategory.choices])
    section = forms.ChoiceField(
        label="Chart section",
        required=False,
        help_text="Decides who may open it. Usually: " + _usual_sections_text() + ".",
    )

    def __init__(self, *args, allowed_sections: frozenset[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed_sections = allowed_sections
        self.fields["section"].choices = [("", "Usual for the category"), *_section_choices(allowed_sections)]
        self.fields["category"].error_messages["required"] = "Choose what kind of document this is."
        limit = uploads.max_upload_bytes()
        self.fields[
            "file"
        ].help_text = f"{uploads.allowed_types_text()}; up to {filesizeformat(limit)}. Scans and phone photos are fine."
        self.fields["file"].widget.attrs.update({"accept": uploads.accept_attribute(), "data-max-bytes": str(limit)})
        self.checked: uploads.CheckedUpload | None = None

    def clean_file(self):
        self.checked = uploads.check_upload(self.cleaned_data.get("file"))
        return self.cleaned_data["file"]

    def clean(self):
        data = super().clean()
        category = data.get("category")
        if category:
            section = data.get("section") or CATEGORY_SECTIONS[category]
            if section not in self.allowed_sections:
                self.add_error(
                    "section",
                    f"You can't file {DocumentCategory(category).label.lower()} in the {section} section, where it "
                    "usually goes. Choose a section from the list.",
                )
            data["section"] = section
        if not data.get("title") and self.checked is not None:
            data["title"] = self.checked.display_name
        return data


class DocumentFilterForm(forms.Form):
    category = forms.ChoiceField(
        required=False, label="Category", choices=[("", "All categories"), *DocumentCategory.choices]
    )


class EnteredInErrorForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=5,
        max_length=1000,
        help_text="For example “scanned into the wrong client's chart”. The document stays on record, marked.",
        error_messages={"required": "Say why the document was entered in error."},
    )


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
        self.fields["section"].choices = [("", "Choose a part of the chart"), *_section_choices(allowed_sections)]
        self.fields["section"].error_messages["required"] = "Choose the part of the chart the record is in."
        self.fields["document"].queryset = documents
        self.fields["document"].empty_label = "None (describe the record above)"
        self.fields["document"].label_from_instance = lambda d: f"{d.title} ({d.uploaded_at:%b %d, %Y})"
        self.fields["record_description"].error_messages["required"] = "Say which record the client wants amended."
        self.fields["requested_change"].error_messages["required"] = "Enter the change as the client stated it."
        self.fields["received_on"].error_messages["required"] = "Enter the date the request was received."


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


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
        error_messages={
            "required": "Choose why they are told.",
            "invalid_choice": "Choose why they are told.",
        },
    )
    method = forms.ChoiceField(
        label="How they will be told",
        choices=[("", "Choose how"), *NotificationMethod.choices],
        error_messages={
            "required": "Choose how they will be told: mail, fax, phone or secure email.",
            "invalid_choice": "Choose how they will be told: mail, fax, phone or secure email.",
        },
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
        error_messages={
            "required": "Choose whether they were notified or could not be reached.",
            "invalid_choice": "Choose whether they were notified or could not be reached.",
        },
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
        error_messages={
            "required": "Choose one of the grounds HIPAA allows for a denial.",
            "invalid_choice": "Choose one of the grounds HIPAA allows for a denial.",
        },
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
