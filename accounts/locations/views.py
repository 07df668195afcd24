"""Clinic settings → Locations: administrators list, add, edit (optimistic locking) and deactivate sites."""

from accounts import policies
from accounts.locations.forms import LocationForm
from accounts.locations.services import LOCATIONS
from core.clinic_lists.views import ClinicListViews

location_list, location_add, location_edit, location_set_active = ClinicListViews(
    LOCATIONS, LocationForm, policies.can_manage_locations, "accounts.manage_locations", app="accounts"
).views()
