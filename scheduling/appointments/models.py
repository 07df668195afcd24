"""The clinic's calendar: rooms, appointment types, appointments and their recurring series, availability.

Times are stored in UTC (``start``/``end``); wall-clock rules (working hours, a series' 10:00) are kept in the
clinic's time zone and turned into UTC only when a concrete occurrence is made, so 10:00 stays 10:00 across
daylight-saving changes.
"""

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from tenancy.models import TenantModel, validate_time_zone

MIN_DURATION = 5


MAX_DURATION = 8 * 60


service_code_validator = RegexValidator(r"^[0-9]{4}[0-9A-Z]$", "Enter a five-character CPT/HCPCS code such as 90834.")


modifier_validator = RegexValidator(r"^([0-9A-Z]{2})?$", "A modifier is two letters or digits, such as 95.")


class Colour(models.TextChoices):
    """Calendar colours. Each is a light background with dark text and a strong border (see calendar.css), all
    checked for WCAG AA contrast by a test, so colour is never the only way an appointment is told apart."""

    BLUE = "blue", "Blue"
    GREEN = "green", "Green"
    PURPLE = "purple", "Purple"
    ORANGE = "orange", "Orange"
    TEAL = "teal", "Teal"
    PINK = "pink", "Pink"
    YELLOW = "yellow", "Yellow"
    GREY = "grey", "Grey"


# Background and text colours of each calendar colour; calendar.css uses the same values (a test compares them).
COLOUR_VALUES = {
    Colour.BLUE: ("#dbeafe", "#1e3a8a"),
    Colour.GREEN: ("#dcfce7", "#14532d"),
    Colour.PURPLE: ("#ede9fe", "#4c1d95"),
    Colour.ORANGE: ("#ffedd5", "#7c2d12"),
    Colour.TEAL: ("#ccfbf1", "#134e4a"),
    Colour.PINK: ("#fce7f3", "#831843"),
    Colour.YELLOW: ("#fef9c3", "#713f12"),
    Colour.GREY: ("#e5e7eb", "#1f2937"),
}


class Room(TenantModel):
    """A bookable room at one of the clinic's physical sites."""

    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=80)
    is_active = models.BooleanField(default=True, help_text="Inactive rooms keep their history but take no bookings.")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["location__name", "name"]
        constraints = [models.UniqueConstraint(fields=["location", "name"], name="room_name_unique_per_location")]

    def __str__(self) -> str:
        return self.name


class AppointmentType(TenantModel):
    """What kind of visit: its default length, calendar colour and the service code it bills."""

    name = models.CharField(max_length=80)
    default_duration = models.PositiveSmallIntegerField(
        "Default length (minutes)", validators=[MinValueValidator(MIN_DURATION), MaxValueValidator(MAX_DURATION)]
    )
    colour = models.CharField(max_length=10, choices=Colour.choices, default=Colour.BLUE)
    service_code = models.CharField(
        "Service code", max_length=5, blank=True, validators=[service_code_validator], help_text="CPT, e.g. 90834."
    )
    modifier = models.CharField(
        max_length=2, blank=True, validators=[modifier_validator], help_text="e.g. 95 for synchronous telehealth."
    )
    is_group = models.BooleanField(default=False, help_text="Several clients attend together.")
    is_telehealth = models.BooleanField(default=False, help_text="Held by video at a telehealth location.")
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="appointment_type_name_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def billing_code(self) -> str:
        return f"{self.service_code}-{self.modifier}" if self.modifier else self.service_code


class Status(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CONFIRMED = "confirmed", "Confirmed"
    ARRIVED = "arrived", "Arrived"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


ACTIVE_STATUSES = (Status.SCHEDULED, Status.CONFIRMED, Status.ARRIVED, Status.COMPLETED)


OPEN_STATUSES = (Status.SCHEDULED, Status.CONFIRMED)


class CancelledBy(models.TextChoices):
    CLIENT = "client", "Client"
    CLINIC = "clinic", "Clinic"


class Frequency(models.TextChoices):
    WEEKLY = "WEEKLY", "Weekly"
    MONTHLY = "MONTHLY", "Monthly"


class MonthlyMode(models.TextChoices):
    DAY_OF_MONTH = "day", "On the same day of the month"
    NTH_WEEKDAY = "weekday", "On the same weekday (e.g. 2nd Tuesday)"


class ClosureHandling(models.TextChoices):
    SKIP = "skip", "Skip occurrences on closure days"
    FLAG = "flag", "Book them anyway and flag them"


class AppointmentSeries(TenantModel):
    """A recurring booking in RFC 5545 terms: the first occurrence's wall-clock start in the clinic's zone
    (DTSTART), a rule (FREQ, INTERVAL, BYDAY/BYMONTHDAY/BYSETPOS, UNTIL or COUNT: never open-ended) and the
    dates it skips (EXDATE). Occurrences are stored as ordinary appointments; an occurrence edited on its own
    keeps ``series`` and its ``original_start`` (RECURRENCE-ID). "This and following" ends this series and
    starts a new one, so the two together still hold every occurrence exactly once.
    """

    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    first_date = models.DateField(help_text="DTSTART's date, in time_zone.")
    start_time = models.TimeField(help_text="DTSTART's wall-clock time, in time_zone.")
    duration = models.PositiveSmallIntegerField()
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    interval = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(12)])
    weekdays = models.JSONField(default=list, blank=True, help_text="BYDAY for weekly series: 0 = Monday.")
    monthly_mode = models.CharField(max_length=8, choices=MonthlyMode.choices, blank=True)
    until = models.DateField(null=True, blank=True)
    count = models.PositiveSmallIntegerField(null=True, blank=True)
    excluded = models.JSONField(default=list, blank=True, help_text="EXDATE: local ISO datetimes skipped.")
    closure_handling = models.CharField(max_length=4, choices=ClosureHandling.choices, default=ClosureHandling.SKIP)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="continuations", help_text="Split from."
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(until__isnull=False) | Q(count__isnull=False), name="series_has_an_end"),
        ]

    def __str__(self) -> str:
        return f"series {self.pk}"


class Appointment(TenantModel):
    """One visit. Clients and clinicians are linked through ``AppointmentClient``/``AppointmentClinician`` (a
    group session has several clients; co-therapy several clinicians). Cancelled and no-show appointments are
    kept, never deleted. Later features (reminders, waitlist offers) add their own fields or rows here.
    """

    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField()
    end = models.DateTimeField()
    location = models.ForeignKey("tenancy.Location", on_delete=models.PROTECT, related_name="appointments")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments")
    clients = models.ManyToManyField("clients.Client", through="AppointmentClient", related_name="appointments")
    clinicians = models.ManyToManyField(
        "accounts.Membership", through="AppointmentClinician", related_name="appointments"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancelled_by = models.CharField(max_length=6, choices=CancelledBy.choices, blank=True)
    late_cancellation = models.BooleanField(default=False)
    cancel_reason = models.CharField(max_length=200, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    staff_notes = models.TextField(blank=True)
    series = models.ForeignKey(
        AppointmentSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="occurrences"
    )
    original_start = models.DateTimeField(null=True, blank=True, help_text="RECURRENCE-ID: where the rule put it.")
    is_exception = models.BooleanField(default=False, help_text="Edited apart from its series.")
    double_booked = models.BooleanField(default=False, help_text="Booked over the clinician's other appointment.")
    created_by = models.ForeignKey(
        "accounts.Membership", null=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["start", "pk"]
        indexes = [
            models.Index(fields=["organization", "start"]),
            models.Index(fields=["organization", "end"]),
            models.Index(fields=["series", "start"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appointment_ends_after_start"),
            # The calendar's range scan starts MAX_DURATION before the range (selectors._in_range): a longer
            # appointment would silently drop off the calendar, so the database refuses one, whoever writes it.
            models.CheckConstraint(
                condition=Q(end__lte=F("start") + datetime.timedelta(minutes=MAX_DURATION)),
                name="appointment_at_most_max_duration",
            ),
        ]

    def __str__(self) -> str:
        return f"appointment {self.pk}"

    @property
    def duration(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def is_cancelled(self) -> bool:
        return self.status == Status.CANCELLED

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AppointmentClient(TenantModel):
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="client_links")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="appointment_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appointment", "client"], name="appointment_client_once")]
        # The calendar reads the links of a range's appointments; the tenant filter comes first in every query.
        indexes = [models.Index(fields=["organization", "appointment"])]

    def __str__(self) -> str:
        return f"{self.client_id} at {self.appointment_id}"


class AppointmentClinician(TenantModel):
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="clinician_links")
    clinician = models.ForeignKey("accounts.Membership", on_delete=models.PROTECT, related_name="appointment_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appointment", "clinician"], name="appointment_clinician_once")]
        indexes = [
            models.Index(fields=["clinician", "appointment"]),
            models.Index(fields=["organization", "appointment"]),
        ]

    def __str__(self) -> str:
        return f"{self.clinician_id} at {self.appointment_id}"


class ClinicClosure(TenantModel):
    """Days a site (or the whole clinic, when ``location`` is empty) is closed: holidays, training days."""

    name = models.CharField(max_length=100, help_text="Shown on the calendar, e.g. Thanksgiving.")
    start_date = models.DateField()
    end_date = models.DateField(help_text="The last closed day (same as the first for a single day).")
    location = models.ForeignKey(
        "tenancy.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="closures"
    )

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="closure_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.name

    def covers(self, day: datetime.date, location_id: int | None) -> bool:
        return self.start_date <= day <= self.end_date and (self.location_id is None or self.location_id == location_id)


class CalendarPreference(TenantModel):
    """A staff member's own calendar settings: the time zone they read the calendar in."""

    membership = models.OneToOneField("accounts.Membership", on_delete=models.CASCADE, related_name="calendar_pref")
    time_zone = models.CharField(
        max_length=64, blank=True, validators=[validate_time_zone], help_text="Empty: the clinic's time zone."
    )

    def __str__(self) -> str:
        return f"calendar preferences of {self.membership_id}"
