"""Forms for chart documents. Checking a file's real type happens in ``core.uploads``."""

from django import forms
from django.template.defaultfilters import filesizeformat

from clients.documents.models import CATEGORY_SECTIONS, SECTION_CHOICES, DocumentCategory
from clients.documents.services import section_for
from core import uploads
from core.forms import VersionForm


def section_choices(allowed: frozenset[str]) -> list[tuple[str, str]]:
    """The chart sections in ``allowed``, as choices (documents are filed in one; amendments concern one)."""
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
        self.fields["section"].choices = [("", "Usual for the category"), *section_choices(allowed_sections)]
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
            section = section_for(category, data.get("section"))
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


class EnteredInErrorForm(VersionForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=5,
        max_length=1000,
        help_text="For example “scanned into the wrong client's chart”. The document stays on record, marked.",
        error_messages={"required": "Say why the document was entered in error."},
    )
