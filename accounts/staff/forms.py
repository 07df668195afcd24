from django import forms
from django.db.models.functions import Lower

from accounts.people.models import Membership, username_validator
from accounts.roles import ROLE_DESCRIPTIONS, Role


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
    credentials = forms.CharField(
        max_length=60, required=False, help_text="Shown after the name on signed notes, e.g. LCSW or PhD."
    )
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
    field_order = ["full_name", "email", "username", "title", "credentials", "roles"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(user__email=email).exists():
            raise forms.ValidationError("This person is already on the clinic's staff list.")
        return email


class EditStaffForm(StaffDetailsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class TemporaryPasswordForm(forms.Form):
    password = forms.CharField(
        label="Temporary password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Give it to them in person or by phone; they must change it when they first sign in.",
    )
