"""The clinic's locations (sites and telehealth), kept by administrators under Clinic settings; audited.

``tenancy.Location`` is the model (tenancy owns the clinic and its places); the rules for changing it live here,
beside the rest of the clinic settings. Locations are a clinic list (``core.clinic_lists``): deactivated, never
deleted, since clients and, later, appointments and claims keep pointing at them.
"""

from core.clinic_lists.services import ClinicList
from tenancy.models import Location

LOCATION_FIELDS = (
    "name",
    "is_telehealth",
    "place_of_service",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "phone",
)
LOCATIONS = ClinicList(Location, "location", LOCATION_FIELDS)
