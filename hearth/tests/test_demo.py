import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD, DEMO_STAFF
from accounts.people.models import Membership, User
from accounts.roles import Role
from clients.demo import DEMO_PROGRAMS
from clients.programs.models import Program
from scheduling.demo import WAITING
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
