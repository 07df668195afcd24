"""The audit report's filters: every value is checked here, so bad input becomes a message, never a 500."""

import datetime as dt

from django import forms

from accounts.people.models import Membership
from audit.models import AuditEvent, Outcome
from reports.audit_log.selectors import client_id_for_number

SORT_CHOICES = [
    ("newest", "Newest first"),
    ("oldest", "Oldest first"),
    ("user", "User"),
    ("action", "Action"),
]


class AuditFilterForm(forms.Form):
    """Bound to the query string. Choice lists (staff, actions) come from the clinic, so a user id or action
    that is not the clinic's is refused like any other bad value."""

    user = forms.TypedChoiceField(label="User", required=False, coerce=int, empty_value=None)
    client = forms.IntegerField(
        label="Client number", required=False, min_value=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    action = forms.ChoiceField(label="Action", required=False)
    outcome = forms.ChoiceField(label="Outcome", required=False, choices=[("", "Any"), *Outcome.choices])
    start = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    def __init__(self, data, *, organization):
        super().__init__(data)
        self.organization = organization
        staff = Membership.objects.select_related("user").order_by("user__full_name", "username")
        self.fields["user"].choices = [("", "Anyone")] + [
            (m.user_id, f"{m.user.full_name} ({m.username})") for m in staff
        ]
        actions = (
            AuditEvent.objects.filter(organization=organization)
            .order_by("action")
            .values_list("action", flat=True)
            .distinct()
        )
        self.fields["action"].choices = [("", "Any")] + [(a, a) for a in actions]
        self.fields["user"].error_messages["invalid_choice"] = "Choose a staff member of this clinic."
        self.fields["action"].error_messages["invalid_choice"] = "Choose an action from the list."
        self.fields["start"].error_messages["invalid"] = "Enter the start date as YYYY-MM-DD."
        self.fields["end"].error_messages["invalid"] = "Enter the end date as YYYY-MM-DD."
        self.fields["client"].error_messages["invalid"] = "Enter a client number (digits only)."

    def clean_client(self):
        number = self.cleaned_data.get("client")
        if number is None:
            return None
        client_id = client_id_for_number(number)
        if client_id is None:
            raise forms.ValidationError(f"No client has number {number} in this clinic.")
        return client_id

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date is before the start date.")
        cleaned["sort"] = cleaned.get("sort") or "newest"
        return cleaned

    def audit_detail(self) -> dict:
        """The filters used, for the audit event: ids, codes and dates only, never names."""
        if not self.is_valid():
            return {"invalid": sorted(self.errors)}
        detail = {}
        for name, value in self.cleaned_data.items():
            if value in (None, ""):
                continue
            detail["client_id" if name == "client" else name] = (
                value.isoformat() if isinstance(value, dt.date) else value
            )
        return detail
