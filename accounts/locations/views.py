"""Clinic settings → Locations: administrators list, add, edit (optimistic locking) and deactivate sites."""

from accounts import policies
from accounts.locations.forms import LocationForm
from accounts.locations.services import LOCATIONS
from core.clinic_lists.views import ClinicListViews

location_list, location_add, location_edit, location_set_active = ClinicListViews(
    kind=LOCATIONS,
    form_class=LocationForm,
    allowed=policies.can_manage_locations,
    permission="accounts.manage_locations",
    list_url="accounts:locations",
    plural="locations",
    list_template="accounts/locations.html",
    form_template="accounts/location_form.html",
).views()
