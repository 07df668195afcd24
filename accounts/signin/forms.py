from django import forms
from django.contrib.auth.forms import AuthenticationForm

INVALID_LOGIN = "Invalid username or password."


class ClinicAuthenticationForm(AuthenticationForm):
    """One message for every failed sign-in, so the form never tells who has an account."""

    username = forms.CharField(
        label="Username or email",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    error_messages = {"invalid_login": INVALID_LOGIN, "inactive": INVALID_LOGIN}
