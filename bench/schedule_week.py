"""Scenario: the calendar of a clinic with 50 clinicians and a year of appointments.

Five appointments per clinician per weekday for 52 weeks (65,000 appointments, each with its client and
clinician links), 600 clients; a second clinic with a smaller calendar makes the tenant filter work. Timed as
the front desk sees it: the week of all 50 clinicians (a table), the day of all 50 side by side (the time grid)
and one clinician's week (the time grid). Each case checks the appointment count the page states.
"""

import datetime

from django.contrib.auth.hashers import make_password

from accounts.roles import Role
from bench.harness import Case, clinic_client
from bench.staff_list import Person, add_staff
from clients.records.models import Client
from scheduling.appointments.models import Appointment, AppointmentClient, AppointmentClinician, AppointmentType, Room
from tenancy.context import tenant_context
from tenancy.models import Location, Organization

CLINICIANS = 50
WEEKS = 52
PER_DAY = 5
CLIENTS = 600
FIRST_MONDAY = datetime.date(2026, 1, 5)
WEEK_SHOWN = datetime.date(2026, 6, 15)  # a Monday in the middle of the year


def load(organization: Organization, clinicians: int, weeks: int, password: str):
    staff = [Person(f"Clinician {i}", f"clin{i}", "Therapist", (Role.CLINICIAN,), True) for i in range(clinicians)]
    desk = Person("Dana Desk", "desk", "Front desk", (Role.FRONT_DESK,), True)
    members = add_staff(organization, [desk, *staff], password)
    with tenant_context(organization):
        site = Location.objects.create(name="Main office")
        rooms = Room.objects.bulk_create([Room(location=site, name=f"Room {i}") for i in range(clinicians)])
        kind = AppointmentType.objects.create(name="Individual therapy 50", default_duration=50, service_code="90834")
        clients = Client.objects.bulk_create(
            [
                Client(
                    number=1001 + i,
                    legal_first_name=f"First{i}",
                    legal_last_name=f"Last{i}",
                    date_of_birth=datetime.date(1980, 1, 1),
                    status="active",
                    primary_clinician=members[1 + i % clinicians],
                )
                for i in range(CLIENTS)
            ]
        )
        appointments, owners = [], []
        for week in range(weeks):
            for weekday in range(5):
                day = FIRST_MONDAY + datetime.timedelta(days=7 * week + weekday)
                for c in range(clinicians):
                    for slot in range(PER_DAY):
                        start = datetime.datetime(day.year, day.month, day.day, 14 + slot, tzinfo=datetime.UTC)
                        appointments.append(
                            Appointment(
                                appointment_type=kind,
                                start=start,
                                end=start + datetime.timedelta(minutes=50),
                                location=site,
                                room=rooms[c],
                            )
                        )
                        owners.append((c, (c * 7 + slot) % CLIENTS))
        made = Appointment.objects.bulk_create(appointments, batch_size=5000)
        AppointmentClinician.objects.bulk_create(
            [
                AppointmentClinician(appointment=a, clinician=members[1 + c])
                for a, (c, _) in zip(made, owners, strict=True)
            ],
            batch_size=5000,
        )
        AppointmentClient.objects.bulk_create(
            [AppointmentClient(appointment=a, client=clients[k]) for a, (_, k) in zip(made, owners, strict=True)],
            batch_size=5000,
        )
    return members


def cases() -> list[Case]:
    password = make_password("Correct-Horse-42!")
    clinic = Organization.objects.create(name="Big Practice", slug="bigpractice", time_zone="America/New_York")
    other = Organization.objects.create(name="Small Practice", slug="smallpractice", time_zone="America/Chicago")
    members = load(clinic, CLINICIANS, WEEKS, password)
    load(other, 5, 10, password)
    client = clinic_client(clinic, members[0].user)
    week = PER_DAY * 5 * CLINICIANS
    date = WEEK_SHOWN.isoformat()
    return [
        Case(
            f"schedule: week of {CLINICIANS} clinicians",
            client,
            "/schedule/",
            {"view": "week", "date": date},
            expect=f"for {CLINICIANS} clinicians: {week} appointments",
        ),
        Case(
            f"schedule: day of {CLINICIANS} side by side",
            client,
            "/schedule/",
            {"view": "day", "date": date},
            expect=f"{CLINICIANS} columns, {PER_DAY * CLINICIANS} appointments",
        ),
        Case(
            "schedule: one clinician's week",
            client,
            "/schedule/",
            {"view": "week", "date": date, "c": str(members[1].pk)},
            expect=f"7 columns, {PER_DAY * 5} appointments",
        ),
    ]
