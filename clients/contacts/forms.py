from django import forms

from clients.contacts.models import ClientContact, FamilyRelationship
from clients.contacts.services import CONTACT_FIELDS
from core.forms import VersionedForm


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
