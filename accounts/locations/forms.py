from accounts.locations.services import LOCATION_FIELDS
from core.forms import VersionedForm
from tenancy.models import Location


class LocationForm(VersionedForm):
    class Meta:
        model = Location
        fields = LOCATION_FIELDS
        labels = {"is_telehealth": "Telehealth (virtual, no address)", "place_of_service": "Place of service"}
        help_texts = {
            "place_of_service": "The code claims use for visits here: 11 for an office, 02 or 10 for telehealth."
        }
