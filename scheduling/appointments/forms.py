import datetime
import zoneinfo

from django import forms

from accounts.people.models import Membership
from clients.access import visible_clients
from clients.records import search
from clients.records.models import Client
from core.clinic_time import clinic_today
from core.forms import DateInput, ModelMultipleChoiceField, NumberCheckboxes, VersionForm
from core.params import whole_number
from scheduling.appointments import recurrence, selectors
from scheduling.appointments.models import (
    MAX_DURATION,
    AppointmentType,
    CalendarPreference,
    CancelledBy,
    ClinicClosure,
    ClosureHandling,
    Frequency,
    MonthlyMode,
    Room,
    Status,
)
from scheduling.appointments.services import FOLLOWING, ONE
from tenancy.models import Location

NOTES_HELP = (
    "For staff only, e.g. “needs interpreter” or “parking validation”. No clinical content: "
    "it shows on the calendar and in reminders' audit trail; clinical notes belong in the chart."
)


REPEAT_CHOICES = [("", "Does not repeat"), (Frequency.WEEKLY, "Weekly"), (Frequency.MONTHLY, "Monthly")]


WEEKDAY_CHOICES = [(i, name) for i, name in enumerate(recurrence.DAY_NAMES)]


class TimeInput(forms.TimeInput):
    input_type = "time"


# How many matches the client picker offers at a time: a few to choose from, never the clinic's whole list.
PICKER_RESULTS = 8


class ClientPicker(forms.SelectMultiple):
    """Chosen clients as removable chips (checked boxes named ``clients``) and a search box.

    With JavaScript the box searches as the person types (htmx POST to ``scheduling:client_search``) and a match
    is chosen with the arrow keys and Enter (``scheduling/booking.js``). Without it, "Find" submits the form to
    itself and the matches come back as check boxes. Never lists every client: only the chosen ones and the
    matches of a search are loaded.
    """

    template_name = "scheduling/widgets/client_picker.html"
    query = ""
    results: list[Client] | None = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen_ids = [pk for pk in (whole_number(str(v)) for v in value or []) if pk is not None]
        chosen = self.choices.queryset.filter(pk__in=chosen_ids) if chosen_ids else []
        context["widget"].update(
            chosen=list(chosen),
            query=self.query,
            results=[c for c in self.results or [] if c.pk not in chosen_ids],
            searched=self.results is not None,
            describedby=context["widget"]["attrs"].get("aria-describedby", ""),
            invalid=context["widget"]["attrs"].get("aria-invalid", ""),
        )
        return context

    def optgroups(self, name, value, attrs=None):
        return []  # the options are never all rendered (see get_context)


def client_matches(actor: Membership, text: str) -> list[Client]:
    """The best few clients ``actor`` may book that match ``text``, as the client list's search finds them."""
    query = search.parse_query(text.strip()[: search.MAX_QUERY_LENGTH], today=clinic_today())
    if not query or query.problem:
        return []
    found = search.find_clients(actor, query).clients[: PICKER_RESULTS * 2]
    return [client for client in found if client.status != "discharged"][:PICKER_RESULTS]


def clinician_field(**kwargs) -> ModelMultipleChoiceField:
    field = ModelMultipleChoiceField(Membership.objects.none(), **kwargs)
    field.label_from_instance = lambda m: m.user.full_name
    return field


class AppointmentForm(forms.Form):
    """Book or change an appointment. Times are read in ``zone`` (the person's display zone).

    A POST with ``find_clients`` is the client picker's search without JavaScript: the form shows the matches
    and keeps what was typed, with no errors (``searching``); the view books nothing.
    """

    appointment_type = forms.ModelChoiceField(AppointmentType.objects.none(), empty_label="Choose a type")
    clients = ModelMultipleChoiceField(
        Client.objects.none(),
        widget=ClientPicker,
        help_text="Search by name, client number or birth date. One client; several for a group appointment type.",
    )
    clinicians = clinician_field(help_text="Usually one; add a co-therapist if there is one.")
    date = forms.DateField(widget=DateInput)
    start_time = forms.TimeField(label="Start time", widget=TimeInput)
    duration = forms.IntegerField(
        label="Length (minutes)",
        required=False,
        help_text="Leave empty for the appointment type's usual length.",
        widget=forms.NumberInput(attrs={"min": 5, "max": MAX_DURATION, "step": 5}),
    )
    location = forms.ModelChoiceField(Location.objects.none(), empty_label="Choose a location")
    room = forms.ModelChoiceField(Room.objects.none(), required=False, empty_label="No room")
    staff_notes = forms.CharField(
        label="Notes for staff",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=NOTES_HELP,
    )
    override = forms.BooleanField(
        label="Double-book anyway (I know this clinician already has an appointment then)", required=False
    )
    repeat_fields: tuple[str, ...] = ()

    def __init__(self, *args, actor: Membership, zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["appointment_type"].queryset = AppointmentType.objects.filter(is_active=True).order_by("name")
        self.fields["clients"].queryset = (
            visible_clients(actor).exclude(status="discharged").order_by("legal_last_name", "legal_first_name")
        )
        self.fields["clients"].label_from_instance = lambda c: f"{c.display_name} (#{c.number})"
        self.fields["clinicians"].queryset = (
            Membership.objects.filter(pk__in=[m.pk for m in selectors.clinicians()])
            .select_related("user")
            .order_by("user__full_name")
        )
        self.fields["location"].queryset = Location.objects.filter(is_active=True).order_by("name")
        self.fields["room"].queryset = Room.objects.filter(is_active=True).select_related("location")
        self.fields["room"].label_from_instance = lambda r: f"{r.name} ({r.location.name})"
        self.fields["date"].help_text = f"Times are in {zone}."
        self.searching = self.is_bound and "find_clients" in self.data
        picker = self.fields["clients"].widget
        picker.query = self.data.get("client_query", "") if self.searching else ""
        picker.results = client_matches(actor, picker.query) if self.searching else None

    def full_clean(self):
        if self.searching:
            self._errors, self.cleaned_data = forms.utils.ErrorDict(), {}
            return
        super().full_clean()

    def clean_duration(self):
        value = self.cleaned_data.get("duration")
        if value is not None and value <= 0:
            raise forms.ValidationError("Give the appointment a length: at least 5 minutes.")
        if value is not None and value > MAX_DURATION:
            raise forms.ValidationError(f"An appointment lasts at most {MAX_DURATION // 60} hours.")
        return value

    def start(self) -> datetime.datetime:
        local = datetime.datetime.combine(self.cleaned_data["date"], self.cleaned_data["start_time"])
        return local.replace(tzinfo=zoneinfo.ZoneInfo(self.zone))

    def length(self) -> int:
        return self.cleaned_data.get("duration") or self.cleaned_data["appointment_type"].default_duration


class BookForm(AppointmentForm):
    """Booking adds the repeat rule: weekly on chosen days every N weeks, or monthly; until a date or N times."""

    repeat = forms.ChoiceField(choices=REPEAT_CHOICES, required=False)
    interval = forms.IntegerField(
        label="Every", min_value=1, max_value=12, initial=1, required=False, help_text="weeks or months"
    )
    weekdays = NumberCheckboxes(
        label="On", choices=WEEKDAY_CHOICES, help_text="Weekly only; the first date's day if none is chosen."
    )
    monthly_mode = forms.ChoiceField(label="Monthly", choices=MonthlyMode.choices, required=False)
    ends_after = forms.IntegerField(label="Number of appointments", min_value=1, required=False)
    until = forms.DateField(label="…or until", required=False, widget=DateInput)
    closure_handling = forms.ChoiceField(
        label="Closed days", choices=ClosureHandling.choices, initial=ClosureHandling.SKIP, required=False
    )

    repeat_fields = ("interval", "weekdays", "monthly_mode", "ends_after", "until", "closure_handling")
    field_order = [
        "appointment_type",
        "clients",
        "clinicians",
        "date",
        "start_time",
        "duration",
        "location",
        "room",
        "repeat",
        "interval",
        "weekdays",
        "monthly_mode",
        "ends_after",
        "until",
        "closure_handling",
        "staff_notes",
        "override",
    ]

    def clean(self):
        data = super().clean()
        if data.get("repeat"):
            if not data.get("ends_after") and not data.get("until"):
                self.add_error("ends_after", "A series must end: give a number of appointments or an end date.")
            if data.get("ends_after") and data.get("until"):
                self.add_error("until", "Give a number of appointments or an end date, not both.")
            if data.get("repeat") == Frequency.MONTHLY and not data.get("monthly_mode"):
                self.add_error("monthly_mode", "Choose the same date or the same weekday each month.")
        return data

    def rule(self) -> recurrence.Rule | None:
        data = self.cleaned_data
        if not data.get("repeat"):
            return None
        return recurrence.Rule(
            frequency=data["repeat"],
            interval=data.get("interval") or 1,
            weekdays=tuple(data.get("weekdays") or ()),
            monthly_mode=data.get("monthly_mode") or "",
            until=data.get("until"),
            count=data.get("ends_after"),
        )


def _scope_field(label: str) -> forms.ChoiceField:
    """Which occurrences of a series a change applies to; views drop it for an appointment outside a series."""
    return forms.ChoiceField(
        label=label,
        choices=[(ONE, "This appointment only"), (FOLLOWING, "This and all following in the series")],
        initial=ONE,
        widget=forms.RadioSelect,
        required=False,
    )


class EditForm(AppointmentForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    scope = _scope_field("Apply to")


class CancelForm(VersionForm):
    cancelled_by = forms.ChoiceField(label="Cancelled by", choices=CancelledBy.choices, widget=forms.RadioSelect)
    reason = forms.CharField(max_length=200, help_text="Short and non-clinical, e.g. “car trouble” or “clinician ill”.")
    scope = _scope_field("Cancel")

    def clean_scope(self) -> str:
        return self.cleaned_data["scope"] or ONE


class StatusForm(VersionForm):
    status = forms.ChoiceField(choices=[(s, s.label) for s in Status if s != Status.CANCELLED])


class AppointmentTypeForm(forms.ModelForm):
    class Meta:
        model = AppointmentType
        fields = [
            "name",
            "default_duration",
            "colour",
            "service_code",
            "modifier",
            "is_group",
            "is_telehealth",
            "is_active",
        ]


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["location", "name", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(is_telehealth=False).order_by("name")


class ClosureForm(forms.ModelForm):
    class Meta:
        model = ClinicClosure
        fields = ["name", "start_date", "end_date", "location"]
        widgets = {"start_date": DateInput, "end_date": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.order_by("name")
        self.fields["location"].empty_label = "All locations"
        self.fields["location"].required = False

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", "The last closed day can't be before the first.")
        return data


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = CalendarPreference
        fields = ["time_zone"]
        labels = {"time_zone": "Show the calendar in this time zone"}

    def __init__(self, *args, clinic_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/"))
        self.fields["time_zone"].widget = forms.Select(
            choices=[("", f"The clinic's time zone ({clinic_zone})"), *((z, z.replace("_", " ")) for z in zones)]
        )
