import zoneinfo

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models.functions import Lower

from accounts.locations import LOCATION_FIELDS
from accounts.models import Membership, username_validator
from accounts.roles import ROLE_DESCRIPTIONS, Role
from tenancy.models import Location, Organization

INVALID_LOGIN = "Invalid username or password."


class ClinicAuthenticationForm(AuthenticationForm):
    """One message for every failed sign-in, so the form never tells who has an account."""

    username = forms.CharField(
        label="Username or email",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    error_messages = {"invalid_login": INVALID_LOGIN, "inactive": INVALID_LOGIN}


class RoleChoiceField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=Role.choices, **kwargs)
        self.error_messages["required"] = "Choose at least one role."
        self.help_text = " ".join(f"{Role(v).label}: {d}" for v, d in ROLE_DESCRIPTIONS.items())


class StaffDetailsForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    username = forms.CharField(
        max_length=40,
        validators=[username_validator],
        help_text="What they type to sign in here; unique within the clinic.",
    )
    title = forms.CharField(label="Job title", max_length=100, required=False)
    roles = RoleChoiceField()

    def __init__(self, *args, membership: Membership | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        taken = Membership.objects.alias(lower=Lower("username")).filter(lower=username.lower())
        if self.membership is not None:
            taken = taken.exclude(pk=self.membership.pk)
        if taken.exists():
            raise forms.ValidationError("Another staff member already uses this username.")
        return username


class InviteStaffForm(StaffDetailsForm):
    email = forms.EmailField(help_text="The invitation with a link to set a password goes here.")
    field_order = ["full_name", "email", "username", "title", "roles"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(user__email=email).exists():
            raise forms.ValidationError("This person is already on the clinic's staff list.")
        return email


class EditStaffForm(StaffDetailsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


TIME_ZONE_CHOICES = [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class ClinicSettingsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
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
            "mfa_required": "Require two-step sign-in for everyone",
            "mfa_required_roles": "…or for these roles",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["billing_coordinator"].queryset = (
            Membership.objects.filter(is_active=True).select_related("user").order_by("user__full_name")
        )
        self.fields["billing_coordinator"].empty_label = "None — route to administrators"
        self.fields["version"].initial = self.instance.version

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


class PasswordResetRequestForm(forms.Form):
    identifier = forms.CharField(
        label="Username or email",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}),
    )


class TemporaryPasswordForm(forms.Form):
    password = forms.CharField(
        label="Temporary password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Give it to them in person or by phone; they must change it when they first sign in.",
    )


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
