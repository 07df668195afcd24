"""The console's sign-in form (the second step's code form is the clinics' ``accounts.mfa.views.CodeForm``)."""

from django import forms


class SignInForm(forms.Form):
    email = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
