"""Fixtures for the scheduling tests: a clinic site with rooms, a telehealth location, appointment types, and a
booking helper. Times are built in the clinic's zone (America/New_York for ``org``)."""

import datetime
import zoneinfo

import pytest

from clients.tests.conftest import make_chart_client  # noqa: F401  (fixture re-exported)
from scheduling.appointments import services
from scheduling.appointments.models import AppointmentType, Room
from tenancy.context import tenant_context
from tenancy.models import Location

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def local(year, month, day, hour=10, minute=0, zone=NEW_YORK) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=zone)


@pytest.fixture
def site(org):
    with tenant_context(org):
        location = Location.objects.create(name="Main Street")
        Room.objects.create(location=location, name="Room 1")
        Room.objects.create(location=location, name="Room 2")
        return location


@pytest.fixture
def telehealth(org):
    with tenant_context(org):
        return Location.objects.create(name="Telehealth", is_telehealth=True, place_of_service="10")


@pytest.fixture
def rooms(site, org):
    with tenant_context(org):
        return list(Room.objects.filter(location=site).order_by("name"))


@pytest.fixture
def types(org):
    with tenant_context(org):
        return {
            "individual": AppointmentType.objects.create(
                name="Individual therapy 50", default_duration=50, service_code="90834", colour="blue"
            ),
            "intake": AppointmentType.objects.create(
                name="Intake assessment", default_duration=60, service_code="90791", colour="green"
            ),
            "group": AppointmentType.objects.create(
                name="Group therapy", default_duration=90, service_code="90853", is_group=True, colour="purple"
            ),
            "video": AppointmentType.objects.create(
                name="Individual therapy 50 (video)",
                default_duration=50,
                service_code="90834",
                modifier="95",
                is_telehealth=True,
                colour="teal",
            ),
        }


@pytest.fixture
def book(org, types, site):
    """``book(actor, start, client=..., clinician=..., room=None, rule=None, kind="individual", **extra)``."""

    def make(actor, start, *, clients, clinicians, room=None, rule=None, kind="individual", location=None, **extra):
        with tenant_context(org):
            details = services.Details(
                appointment_type=types[kind],
                clients=clients,
                clinicians=clinicians,
                location=location or site,
                room=room,
            )
            duration = extra.pop("duration", types[kind].default_duration)
            return services.book(actor=actor, details=details, start=start, duration=duration, rule=rule, **extra)

    return make
