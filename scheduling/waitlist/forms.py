"""Forms of the waitlist and of calendar subscriptions."""

from django import forms

from accounts.people.models import Membership
from clients.access import visible_clients
from core.forms import NumberCheckboxes, VersionForm
from scheduling.appointments.forms import WEEKDAY_CHOICES
from scheduling.appointments.models import AppointmentType, Room
from scheduling.appointments.selectors import clinician_queryset
from scheduling.waitlist.models import Priority, TimeWindow, WaitlistStatus
from scheduling.waitlist.services import NOTES_MAX, REASON_MAX, WAITLISTABLE, EntryData
from tenancy.models import Location

NOTES_HELP = "For staff, e.g. “prefers phone calls after 3pm” or “needs Spanish”. No clinical content."


class EntryForm(forms.Form):
    """What a client is waiting for. ``client`` appears only when adding from the waitlist page."""

    client = forms.ModelChoiceField(None, empty_label="Choose a client")
    appointment_type = forms.ModelChoiceField(None, empty_label="Choose a type")
    clinician = forms.ModelChoiceField(None, required=False, empty_label="Any clinician", label="Clinician")
    clinician_title = forms.CharField(
        label="…or a kind of clinician",
        required=False,
        max_length=100,
        help_text="Matched against staff job titles, e.g. “LCSW” or “Psychologist”.",
    )
    weekdays = NumberCheckboxes(label="Days that suit", choices=WEEKDAY_CHOICES, help_text="None ticked: any day.")
    windows = forms.MultipleChoiceField(
        label="Times that suit",
        choices=TimeWindow.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: any time. In the clinic's time zone.",
    )
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.ROUTINE)
    notes = forms.CharField(
        label="Notes for staff",
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=NOTES_HELP,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, actor: Membership, with_client: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if with_client:
            self.fields["client"].queryset = (
                visible_clients(actor).filter(status__in=WAITLISTABLE).order_by("legal_last_name", "legal_first_name")
            )
            self.fields["client"].label_from_instance = lambda c: f"{c.display_name} (#{c.number})"
        else:
            del self.fields["client"]
        self.fields["appointment_type"].queryset = AppointmentType.objects.filter(
            is_active=True, is_group=False
        ).order_by("name")
        self.fields["clinician"].queryset = clinician_queryset().order_by("user__full_name")
        self.fields["clinician"].label_from_instance = lambda m: m.user.full_name

    def arguments(self) -> dict:
        """What ``waitlist.update_entry`` takes besides the entry (see ``core.forms.submit``); a form without a
        version never matches the entry's."""
        version = self.cleaned_data.get("version")
        return {"expected_version": version if version is not None else -1, "data": self.data_for_service()}

    def data_for_service(self) -> EntryData:
        data = self.cleaned_data
        return EntryData(
            appointment_type=data["appointment_type"],
            clinician=data.get("clinician"),
            clinician_title=data.get("clinician_title", ""),
            weekdays=list(data.get("weekdays") or []),
            windows=list(data.get("windows") or []),
            priority=data["priority"],
            notes=data.get("notes", ""),
        )


class ReasonForm(VersionForm):
    reason = forms.CharField(
        max_length=REASON_MAX,
        required=False,
        help_text="Short and non-clinical, e.g. “found care elsewhere” or “times don't suit”.",
    )


class OfferForm(forms.Form):
    """A slot offered from the matches page or the entry page (hidden fields: the slot as the page found it)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    start = forms.DateTimeField(widget=forms.HiddenInput)
    clinician = forms.ModelChoiceField(None, widget=forms.HiddenInput)
    location = forms.ModelChoiceField(Location.objects.none(), widget=forms.HiddenInput)
    room = forms.ModelChoiceField(Room.objects.none(), required=False, widget=forms.HiddenInput)
    minutes = forms.IntegerField(min_value=5, max_value=480, widget=forms.HiddenInput)
    freed_by = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = clinician_queryset()
        self.fields["location"].queryset = Location.objects.filter(is_active=True)
        self.fields["room"].queryset = Room.objects.filter(is_active=True)


class ListFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("open", "Waiting or offered"), *WaitlistStatus.choices, ("all", "All")], required=False
    )
    appointment_type = forms.ModelChoiceField(None, required=False, empty_label="Any type", label="Type")
    clinician = forms.ModelChoiceField(None, required=False, empty_label="Any", label="Requested clinician")
    priority = forms.ChoiceField(choices=[("", "Any"), *Priority.choices], required=False)
    sort = forms.ChoiceField(
        choices=[
            ("added", "Date added, oldest first"),
            ("-added", "Date added, newest first"),
            ("priority", "Priority, then date added"),
        ],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment_type"].queryset = AppointmentType.objects.order_by("name")
        self.fields["clinician"].queryset = clinician_queryset().order_by("user__full_name")
        self.fields["clinician"].label_from_instance = lambda m: m.user.full_name
