import zoneinfo

from django import forms

from accounts.people.models import Membership
from accounts.roles import Role
from core.forms import VersionedForm
from tenancy.models import Organization

TIME_ZONE_CHOICES = [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class ClinicSettingsForm(VersionedForm):
    version = forms.IntegerField(widget=forms.HiddenInput)  # required: the settings page always sends it
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES)
    mfa_required_roles = forms.MultipleChoiceField(
        choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False, label="…or for these roles"
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "time_zone",
            "billing_coordinator",
            "lockout_threshold",
            "idle_timeout_minutes",
            "password_min_length",
            "password_require_mixed",
            "password_history_count",
            "password_expiry_days",
            "mfa_required",
            "mfa_required_roles",
            "admins_read_clinical",
        ]
        labels = {
            "name": "Clinic name",
            "lockout_threshold": "Failed sign-ins in a row before a pause",
            "mfa_required": "Require two-step sign-in for everyone",
            "mfa_required_roles": "…or for these roles",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["billing_coordinator"].queryset = (
            Membership.objects.filter(is_active=True).select_related("user").order_by("user__full_name")
        )
        self.fields["billing_coordinator"].empty_label = "None — route to administrators"

    def clean_lockout_threshold(self) -> int:
        return _bounded(self.cleaned_data["lockout_threshold"], 3, 20, "attempts")

    def clean_idle_timeout_minutes(self) -> int:
        return _bounded(self.cleaned_data["idle_timeout_minutes"], 5, 240, "minutes")

    def clean_password_min_length(self) -> int:
        return _bounded(self.cleaned_data["password_min_length"], 12, 128, "characters")

    def clean_password_history_count(self) -> int:
        return _bounded(self.cleaned_data["password_history_count"], 0, 24, "passwords")

    def clean_password_expiry_days(self) -> int:
        value = self.cleaned_data["password_expiry_days"]
        return value if value == 0 else _bounded(value, 30, 730, "days (or 0 for no expiry)")


def _bounded(value: int, low: int, high: int, unit: str) -> int:
    if not low <= value <= high:
        raise forms.ValidationError(f"Enter between {low} and {high} {unit}.")
    return value
