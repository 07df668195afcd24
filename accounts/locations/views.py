"""Clinic settings → Locations: administrators list, add, edit (optimistic locking) and deactivate sites."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import policies
from accounts.locations import services as locations
from accounts.locations.forms import LocationForm
from accounts.staff.forms import VersionForm
from core.authz import get_for_clinic_or_404, require
from core.errors import ConflictError
from core.forms import add_validation_errors, call_service
from tenancy.models import Location


def _require_manager(request) -> None:
    require(request, policies.can_manage_locations(request.membership), "accounts.manage_locations")


@login_required
def location_list(request):
    _require_manager(request)
    rows = Location.objects.order_by("-is_active", "name")
    return render(request, "accounts/locations.html", {"locations": rows})


@login_required
def location_add(request):
    _require_manager(request)
    form = LocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in locations.LOCATION_FIELDS}
        try:
            location = locations.create_location(actor=request.membership, data=data, request=request)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Location {location.name} added.")
            return redirect("accounts:locations")
    return render(request, "accounts/location_form.html", {"form": form, "heading": "Add a location"})


@login_required
def location_edit(request, pk: int):
    _require_manager(request)
    location = get_for_clinic_or_404(request, Location.objects.all(), "accounts.manage_locations", pk)
    form = LocationForm(request.POST or None, instance=location)
    if (
        request.method == "POST"
        and form.is_valid()
        and call_service(
            form,
            locations.update_location,
            location,
            actor=request.membership,
            expected_version=form.cleaned_data.get("version") or 0,
            changes=form.changes(),
            request=request,
        )
    ):
        messages.success(request, "Location saved.")
        return redirect("accounts:locations")
    context = {"form": form, "location": location, "heading": f"Edit {location.name}"}
    return render(request, "accounts/location_form.html", context)


@login_required
@require_POST
def location_set_active(request, pk: int):
    _require_manager(request)
    location = get_for_clinic_or_404(request, Location.objects.all(), "accounts.manage_locations", pk)
    form = VersionForm(request.POST)
    active = request.POST.get("active") == "1"
    if not form.is_valid():
        messages.error(request, "The form was incomplete; please try again.")
        return redirect("accounts:locations")
    try:
        locations.set_location_active(
            location,
            actor=request.membership,
            expected_version=form.cleaned_data["version"],
            active=active,
            request=request,
        )
    except ConflictError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Location {location.name} {'reactivated' if active else 'deactivated'}.")
    return redirect("accounts:locations")
