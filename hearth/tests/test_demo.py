import datetime

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD, DEMO_STAFF
from accounts.people.models import Membership, User
from accounts.roles import Role
from clients.demo import DEMO_PROGRAMS
from clients.programs.models import Program
from scheduling.demo import TODAY, WAITING
from scheduling.reminders.models import ReminderSettings
from scheduling.waitlist.models import WaitlistEntry
from tenancy.context import tenant_context
from tenancy.models import Location, Organization


@pytest.mark.dated
def test_load_demo_creates_two_clinics_with_every_role_and_is_idempotent(db, clinic_client):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    clinics = Organization.objects.order_by("slug")
    assert [c.slug for c in clinics] == ["demo", "lakeside"]
    assert User.objects.count() == 2 * len(DEMO_STAFF)
    for clinic in clinics:
        with tenant_context(clinic):
            roles = {role for m in Membership.objects.all() for role in m.roles}
            assert roles == set(Role.values)
        assert clinic.billing_coordinator is not None
        with tenant_context(clinic):
            locations = {loc.name: loc for loc in Location.objects.all()}
            assert len(locations) == 2 and locations["Telehealth"].is_telehealth
            for location in locations.values():
                location.full_clean()  # the demo's own data passes the rules administrators face
            assert Program.objects.filter(is_active=True).count() == len(DEMO_PROGRAMS)
            assert WaitlistEntry.objects.filter(status="waiting").count() == len(WAITING)
            assert ReminderSettings.objects.get().enabled
    response = clinic_client(clinics[0]).post("/login/", {"username": "admin", "password": DEMO_PASSWORD})
    assert response.status_code == 302


@pytest.mark.dated
def test_the_demo_gives_each_clinical_login_a_caseload_and_a_day_of_appointments_today(db, clinic_client):
    """Whatever the day and hour (see --at), Casey and Sam open Hearth to their own clients and today's sessions,
    some already over and some ahead once the day has started; the week has others, and the waitlist and tickets
    are there for the front desk."""
    from clients.demo import CASELOAD
    from core.clinic_time import clinic_today, clinic_zone
    from scheduling.appointments.models import Appointment
    from tickets.models import Ticket

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115  (a second start adds nothing)
    clinic = Organization.objects.get(slug="demo")
    with tenant_context(clinic):
        today = clinic_today(clinic)
        start = datetime.datetime.combine(today, datetime.time(0), tzinfo=clinic_zone(clinic))
        todays = Appointment.objects.filter(start__gte=start, start__lt=start + datetime.timedelta(days=1))
        members = {m.username: m for m in Membership.objects.filter(username__in=["clinician", "supervisor"])}
        assert WaitlistEntry.objects.filter(status="waiting").exists()
        assert Ticket.objects.exists()
    for username, member in members.items():
        own = [f"{first} {last}" for _, first, last, _, who in CASELOAD if who == username]
        numbers = [number for number, *_, who in CASELOAD if who == username]
        clients_page = clinic_client(clinic, member).get("/clients/").content.decode()
        assert all(name in clients_page for name in own), username
        with tenant_context(clinic):
            own_today = todays.filter(clinician_links__clinician=member, client_links__client__number__in=numbers)
            assert own_today.count() == len([row for row in TODAY if row[3] == username])
        day = clinic_client(clinic, member).get(f"/schedule/?view=day&date={today.isoformat()}").content.decode()
        assert sum(name in day for name in own) >= 2, username
