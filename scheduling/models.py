"""Every model of the scheduling app, for Django's model registry; code imports them from their feature."""

from scheduling.appointments.models import (
    Appointment,
    AppointmentClient,
    AppointmentClinician,
    AppointmentSeries,
    AppointmentType,
    CalendarPreference,
    ClinicClosure,
    Room,
)
from scheduling.availability.models import BlockedTime, WorkingHours
from scheduling.feeds.models import CalendarFeed
from scheduling.reminders.models import AppointmentReminder, ReminderSettings
from scheduling.waitlist.models import WaitlistEntry, WaitlistOffer

__all__ = [
    "Appointment",
    "AppointmentClient",
    "AppointmentClinician",
    "AppointmentReminder",
    "AppointmentSeries",
    "AppointmentType",
    "BlockedTime",
    "CalendarFeed",
    "CalendarPreference",
    "ClinicClosure",
    "ReminderSettings",
    "Room",
    "WaitlistEntry",
    "WaitlistOffer",
    "WorkingHours",
]
