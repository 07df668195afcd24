from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts import policies
from accounts.clinic.forms import ClinicSettingsForm
from accounts.staff import services
from core import registry
from core.authz import require
from core.forms import submit


@login_required
def clinic_settings(request):
    require(request, policies.can_edit_clinic_settings(request.membership), "accounts.edit_clinic_settings")
    organization = request.organization
    form = ClinicSettingsForm(request.POST or None, instance=organization)
    if submit(request, form, services.update_clinic_settings, organization):
        messages.success(request, "Clinic settings saved.")
        return redirect("accounts:clinic_settings")
    setup_links = registry.links_for(registry.setup_lists, request.membership)
    return render(request, "accounts/clinic_settings.html", {"form": form, "setup_links": setup_links})
