from django import forms

from accounts.locations.services import LOCATION_FIELDS
from tenancy.models import Location


class LocationForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Location
        fields = LOCATION_FIELDS
        labels = {"is_telehealth": "Telehealth (virtual, no address)", "place_of_service": "Place of service"}
        help_texts = {
            "place_of_service": "The code claims use for visits here: 11 for an office, 02 or 10 for telehealth."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data if name != "version"}
