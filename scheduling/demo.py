"""Demo calendar for `make run` and the browser tests: sites, rooms, appointment types, working hours, a few
clients, the current week's appointments and a full day today for both clinical logins, in clinic time.
Safe to run again: nothing is duplicated, and loading in a later week or on a later day adds that week's and that
day's appointments (`make run` loads the demo at every start).

Demo clients are numbered from 9001 without using the clinic's number sequence, so the first client a person
registers in the demo is still 1001. The four below are on Sam Supervisor's caseload, so Casey Clinician sees them
on the calendar only as "Client #number"; Casey's own caseload comes from ``clients.demo``.
"""

import datetime
import functools
import zoneinfo

from django.utils import timezone

from accounts.people.models import Membership
from clients.demo import CASELOAD
from clients.records.models import Client
from core.clinic_time import clinic_today, clinic_zone
from scheduling.appointments import services
from scheduling.appointments.models import Appointment, AppointmentType, Room
from scheduling.availability.models import WorkingHours
from scheduling.reminders.models import ReminderSettings
from scheduling.waitlist import services as waitlist
from scheduling.waitlist.models import WaitlistEntry
from tenancy.models import Location, Organization

TYPES = [
    # name, minutes, colour, CPT, modifier, group, telehealth
    ("Intake assessment", 60, "green", "90791", "", False, False),
    ("Individual therapy 30", 30, "blue", "90832", "", False, False),
    ("Individual therapy 45", 45, "blue", "90834", "", False, False),
    ("Individual therapy 60", 60, "blue", "90837", "", False, False),
    ("Family therapy without client", 50, "orange", "90846", "", False, False),
    ("Family therapy", 50, "orange", "90847", "", False, False),
    ("Group therapy", 90, "purple", "90853", "", True, False),
    ("Individual therapy 45 (video)", 45, "teal", "90834", "95", False, True),
    ("Intake assessment (video)", 60, "teal", "90791", "95", False, True),
]
CLIENTS = [
    (9001, "Jamie", "Brooks", datetime.date(1990, 4, 12)),
    (9002, "Maya", "Okafor", datetime.date(1985, 9, 3)),
    (9003, "Eli", "Novak", datetime.date(2001, 1, 27)),
    (9004, "Rosa", "Delgado", datetime.date(1978, 6, 30)),
]
# Waiting for a first appointment: number, first and last name, birth date, type, clinician username or None, days,
# parts of the day.
WAITING = [
    (9005, "Noah", "Kim", datetime.date(1996, 11, 2), "Intake assessment", "clinician", [0, 3], ["morning"]),
    (9006, "Priya", "Shah", datetime.date(1988, 2, 19), "Intake assessment (video)", None, [], ["afternoon"]),
]
# Two demo clients agreed to reminders, so `make run` shows them (mail goes to the console there).
REMINDER_CONTACTS = {
    9001: {"email": "jamie.brooks@example.test", "consent_to_email": True},
    9004: {"phone": "(555) 010-4477", "consent_to_text": True, "email": "rosa@example.test", "consent_to_email": True},
}
# weekday, hour, minute, client index, type name, clinician username, room name (None: telehealth)
WEEK = [
    (0, 9, 0, 0, "Individual therapy 45", "supervisor", "Room 1"),
    (0, 10, 0, 1, "Intake assessment", "clinician", "Room 2"),
    (1, 11, 0, 2, "Individual therapy 60", "supervisor", "Room 1"),
    (2, 14, 0, 3, "Individual therapy 45 (video)", "clinician", None),
    (3, 9, 0, 0, "Family therapy", "supervisor", "Room 2"),
    (3, 15, 0, 1, "Individual therapy 30", "clinician", "Room 1"),
    (4, 10, 0, 2, "Individual therapy 45", "supervisor", "Room 1"),
]
# Today, whatever the weekday: hour, minute, type name, clinician username, room name (None: telehealth). Each
# goes to the next client of that clinician's caseload. Chosen to clash with no WEEK appointment on any weekday.
TODAY = [
    (9, 0, "Individual therapy 45 (video)", "clinician", None),
    (11, 30, "Individual therapy 45", "clinician", "Room 2"),
    (16, 0, "Individual therapy 60", "clinician", "Room 2"),
    (13, 0, "Individual therapy 45", "supervisor", "Room 1"),
    (15, 45, "Individual therapy 45", "supervisor", "Room 1"),
]
CASELOAD_NUMBERS = [number for number, *_ in CASELOAD]


def load(organization: Organization, staff: dict[str, Membership]) -> None:
    """Create or refresh the demo calendar of ``organization`` (call inside its tenant context)."""
    # The clinic's sites come from the accounts demo; the calendar uses its first office and its telehealth service.
    office = Location.objects.filter(is_telehealth=False, is_active=True).order_by("pk").first()
    video = Location.objects.filter(is_telehealth=True, is_active=True).order_by("pk").first()
    rooms = {}
    for name in ("Room 1", "Room 2", "Group room"):
        rooms[name], _ = Room.objects.get_or_create(location=office, name=name)
    types = {}
    for name, minutes, colour, code, modifier, group, tele in TYPES:
        types[name], _ = AppointmentType.objects.get_or_create(
            name=name,
            defaults={
                "default_duration": minutes,
                "colour": colour,
                "service_code": code,
                "modifier": modifier,
                "is_group": group,
                "is_telehealth": tele,
            },
        )
    for username in ("clinician", "supervisor"):
        clinician = staff[username]
        if not WorkingHours.objects.filter(clinician=clinician).exists():
            WorkingHours.objects.bulk_create(
                [
                    WorkingHours(
                        clinician=clinician,
                        weekday=day,
                        location=video if day == 2 else office,
                        start_time=datetime.time(9),
                        end_time=datetime.time(17),
                    )
                    for day in range(5)
                ]
            )
    clients = []
    for number, first, last, born in CLIENTS:
        client, _ = Client.objects.get_or_create(
            number=number,
            defaults={
                "legal_first_name": first,
                "legal_last_name": last,
                "date_of_birth": born,
                "status": "active",
                "primary_clinician": staff["supervisor"],
                **REMINDER_CONTACTS.get(number, {}),
            },
        )
        clients.append(client)
    if not WaitlistEntry.objects.exists():
        for number, first, last, born, kind, username, days, windows in WAITING:
            client, _ = Client.objects.get_or_create(
                number=number,
                defaults={
                    "legal_first_name": first,
                    "legal_last_name": last,
                    "date_of_birth": born,
                    "status": "waitlist",
                },
            )
            data = waitlist.EntryData(
                appointment_type=types[kind], clinician=staff.get(username), weekdays=days, windows=windows
            )
            waitlist.add_entry(client, actor=staff["frontdesk"], data=data)
    ReminderSettings.objects.get_or_create(
        defaults={"enabled": True, "send_email": True, "send_sms": True, "lead_hours": [48, 2]}
    )
    zone = clinic_zone(organization)
    today = clinic_today(organization)
    monday = today - datetime.timedelta(days=today.weekday())
    week = (_at(monday, 0, 0, zone), _at(monday + datetime.timedelta(days=7), 0, 0, zone))
    places = {None: (video, None), **{name: (office, room) for name, room in rooms.items()}}
    book = functools.partial(_book, staff=staff, places=places)
    if not Appointment.objects.filter(start__gte=week[0], start__lt=week[1]).exists():
        for weekday, hour, minute, who, kind, username, room in WEEK:
            day = monday + datetime.timedelta(days=weekday)
            book(types[kind], clients[who], username, _at(day, hour, minute, zone), room)
    today_span = (_at(today, 0, 0, zone), _at(today + datetime.timedelta(days=1), 0, 0, zone))
    for username in ("clinician", "supervisor"):
        caseload = Client.objects.filter(primary_clinician=staff[username], number__in=CASELOAD_NUMBERS)
        booked = Appointment.objects.filter(start__gte=today_span[0], start__lt=today_span[1])
        if booked.filter(client_links__client__in=caseload).exists():
            continue
        clients_in_turn = iter(caseload.order_by("number"))
        for hour, minute, kind, who, room in TODAY:
            if who == username:
                book(types[kind], next(clients_in_turn), username, _at(today, hour, minute, zone), room)


def _at(day: datetime.date, hour: int, minute: int, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    """A wall-clock time in the clinic (the demo's times are all far from a daylight-saving change)."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)


def _book(kind, client, username, start, room_name, *, staff, places) -> None:
    """Book one demo appointment as the front desk; marked completed once it is over."""
    location, room = places[room_name]
    details = services.Details(
        appointment_type=kind, clients=[client], clinicians=[staff[username]], location=location, room=room
    )
    booking = services.book(actor=staff["frontdesk"], details=details, start=start, duration=kind.default_duration)
    if booking.appointments[0].end < timezone.now():
        Appointment.objects.filter(pk=booking.appointments[0].pk).update(status="completed")
