"""Working hours, blocked time and finding the next open slots."""

import datetime

import pytest

from scheduling.appointments.models import ClinicClosure
from scheduling.availability import services as availability
from scheduling.availability.models import BlockedTime, WorkingHours
from scheduling.tests.conftest import local
from tenancy.context import tenant_context


@pytest.fixture
def hours(org, clinician, supervisor, site, telehealth):
    with tenant_context(org):
        for member in (clinician, supervisor):
            for day in range(5):
                WorkingHours.objects.create(
                    clinician=member,
                    weekday=day,
                    location=site,
                    start_time=datetime.time(9),
                    end_time=datetime.time(12),
                )
        WorkingHours.objects.create(
            clinician=clinician,
            weekday=5,
            location=telehealth,
            start_time=datetime.time(10),
            end_time=datetime.time(11),
        )


def _slots(org, **kwargs):
    with tenant_context(org):
        return [
            (
                s.start.astimezone(local(2026, 1, 1).tzinfo).strftime("%a %m-%d %H:%M"),
                s.clinician.username,
                s.room.name if s.room else None,
            )
            for s in availability.find_open_slots(**kwargs)
        ]


def test_open_slots_follow_working_hours_appointments_blocked_time_and_closures(
    org, hours, book, clinician, front_desk, make_chart_client, types
):
    jordan = make_chart_client(org, primary=clinician)
    book(front_desk, local(2026, 3, 9, 9), clients=[jordan], clinicians=[clinician], duration=60)
    with tenant_context(org):
        BlockedTime.objects.create(
            clinician=clinician, start=local(2026, 3, 9, 10, 30), end=local(2026, 3, 9, 12), reason="Supervision"
        )
        ClinicClosure.objects.create(
            name="Snow day", start_date=datetime.date(2026, 3, 10), end_date=datetime.date(2026, 3, 10)
        )
    got = _slots(org, start=local(2026, 3, 9, 8), clinicians=[clinician], duration=50, limit=4, step_minutes=30)
    # Monday: 09:00 to 10:00 booked, 10:30 to 12:00 blocked, so 50 minutes never fit; Tuesday closed.
    assert got == [
        ("Wed 03-11 09:00", "carol", "Room 1"),
        ("Wed 03-11 09:30", "carol", "Room 1"),
        ("Wed 03-11 10:00", "carol", "Room 1"),
        ("Wed 03-11 10:30", "carol", "Room 1"),
    ]


def test_any_clinician_for_a_telehealth_type_uses_telehealth_hours_only(org, hours, clinician, types):
    got = _slots(org, start=local(2026, 3, 9, 8), appointment_type=types["video"], limit=2)
    assert got == [("Sat 03-14 10:00", "carol", None), ("Sat 03-21 10:00", "carol", None)]  # once a week


def test_any_clinician_in_person_gives_the_earliest_first_with_a_free_room(org, hours, clinician, supervisor, types):
    got = _slots(org, start=local(2026, 3, 9, 11), appointment_type=types["individual"], limit=3)
    assert got == [
        ("Mon 03-09 11:00", "carol", "Room 1"),
        ("Mon 03-09 11:00", "sue", "Room 1"),
        ("Tue 03-10 09:00", "carol", "Room 1"),
    ]


def test_open_slots_keep_wall_clock_hours_across_dst(org, hours, clinician, types):
    got = _slots(
        org,
        start=local(2026, 3, 6, 11, 30),
        clinicians=[clinician],
        appointment_type=types["individual"],
        duration=30,
        limit=2,
        step_minutes=30,
    )
    assert got == [("Fri 03-06 11:30", "carol", "Room 1"), ("Mon 03-09 09:00", "carol", "Room 1")]
