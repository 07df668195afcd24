from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts import policies
from accounts.clinic.forms import ClinicSettingsForm
from accounts.staff import services
from core import registry
from core.authz import require
from core.errors import ConflictError


@login_required
def clinic_settings(request):
    require(request, policies.can_edit_clinic_settings(request.membership), "accounts.edit_clinic_settings")
    organization = request.organization
    form = ClinicSettingsForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name != "version"}
        try:
            services.update_clinic_settings(
                organization,
                actor=request.membership,
                expected_version=form.cleaned_data["version"],
                changes=changes,
                request=request,
            )
        except ConflictError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Clinic settings saved.")
            return redirect("accounts:clinic_settings")
    setup_links = registry.links_for(registry.setup_lists, request.membership)
    return render(request, "accounts/clinic_settings.html", {"form": form, "setup_links": setup_links})
