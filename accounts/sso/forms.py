import re

from django import forms

from accounts.sso import protocol as sso
from accounts.sso.models import OidcConfiguration

DOMAIN_PATTERN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")


class OidcConfigurationForm(forms.ModelForm):
    """The administrator's single sign-on settings. Saving reads the provider's discovery document first."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    issuer = forms.URLField(
        label="Issuer URL",
        max_length=300,
        assume_scheme="https",
        help_text=OidcConfiguration._meta.get_field("issuer").help_text,
        widget=forms.TextInput(attrs={"inputmode": "url", "placeholder": "https://login.example.org"}),
    )
    client_secret = forms.CharField(
        label="Client secret",
        max_length=512,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = OidcConfiguration
        fields = ["enabled", "display_name", "issuer", "client_id", "client_secret", "allowed_email_domain"]
        labels = {
            "enabled": "Allow staff to sign in with single sign-on",
            "display_name": "Provider name",
            "client_id": "Client ID",
            "allowed_email_domain": "Allowed email domain",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0
        if self.instance.pk:
            self.fields["client_secret"].help_text = "Leave empty to keep the secret already saved."
        else:
            self.fields["client_secret"].required = True
            self.fields["client_secret"].help_text = "Issued by the provider with the client ID."

    def clean_issuer(self) -> str:
        issuer = self.cleaned_data["issuer"].strip()
        if not sso.url_is_acceptable(issuer):
            raise forms.ValidationError("Use the provider's https:// address.")
        if "?" in issuer or "#" in issuer:
            raise forms.ValidationError("The issuer address cannot contain “?” or “#”.")
        return issuer

    def clean_client_id(self) -> str:
        return self.cleaned_data["client_id"].strip()

    def clean_allowed_email_domain(self) -> str:
        domain = self.cleaned_data["allowed_email_domain"].strip().lower().removeprefix("@")
        if not DOMAIN_PATTERN.match(domain):
            raise forms.ValidationError("Enter a domain such as riverside-counseling.org (without a name before @).")
        return domain

    def clean(self) -> dict:
        cleaned = super().clean()
        issuer = cleaned.get("issuer")
        if issuer and "issuer" not in self.errors:
            try:
                sso.fetch_discovery(issuer)
            except sso.ProviderConfigurationError as error:
                self.add_error(
                    "issuer", f"Could not read the provider's configuration at {sso.discovery_url(issuer)}: {error}."
                )
        return cleaned
