"""Demo clinics, staff and locations for `make run` and the test-suite: two clinics, one person per role in each.

Other apps add their own demo data through ``core.registry.demo_data``."""

from dataclasses import dataclass

from django.db import transaction

from accounts.people.models import Membership, RoleAssignment, User
from accounts.roles import Role
from core import registry
from tenancy.context import tenant_context
from tenancy.models import Location, Organization, PlaceOfService
from tenancy.resolver import clinic_url

DEMO_PASSWORD = "Hearth-demo-2026!"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    full_name: str
    roles: tuple[str, ...]
    title: str = ""


DEMO_CLINICS = {
    "demo": ("Riverside Counseling (demo)", "America/New_York"),
    "lakeside": ("Lakeside Family Therapy (demo)", "America/Chicago"),
}
DEMO_STAFF = [
    DemoPerson("admin", "Alex Admin", (Role.ADMINISTRATOR,), "Practice manager"),
    DemoPerson("clinician", "Casey Clinician", (Role.CLINICIAN,), "Licensed clinical social worker"),
    DemoPerson("supervisor", "Sam Supervisor", (Role.SUPERVISOR, Role.CLINICIAN), "Clinical director"),
    DemoPerson("frontdesk", "Frankie Frontdesk", (Role.FRONT_DESK,), "Front desk"),
    DemoPerson("billing", "Bailey Billing", (Role.BILLING,), "Billing coordinator"),
    DemoPerson("champion", "Charlie Champion", (Role.SUPPORT_CHAMPION, Role.FRONT_DESK), "Office lead"),
]


DEMO_LOCATIONS = {
    "demo": [
        {
            "name": "Main office",
            "address_line1": "120 River Street",
            "address_line2": "Suite 200",
            "city": "Springfield",
            "state": "IL",
            "postal_code": "62701",
            "phone": "(217) 555-0140",
            "place_of_service": PlaceOfService.OFFICE,
        },
        {"name": "Telehealth", "is_telehealth": True, "place_of_service": PlaceOfService.TELEHEALTH_HOME},
    ],
    "lakeside": [
        {
            "name": "Lakeside office",
            "address_line1": "8 Harbor Road",
            "city": "Madison",
            "state": "WI",
            "postal_code": "53703",
            "phone": "(608) 555-0111",
            "place_of_service": PlaceOfService.OFFICE,
        },
        {"name": "Telehealth", "is_telehealth": True, "place_of_service": PlaceOfService.TELEHEALTH_HOME},
    ],
}


def _load_locations(slug: str) -> None:
    for data in DEMO_LOCATIONS[slug]:
        Location.objects.update_or_create(name=data["name"], defaults={**data, "is_active": True})


def demo_email(slug: str, username: str) -> str:
    return f"{username}@{slug}.example.org"


@transaction.atomic
def load_demo() -> list[Organization]:
    """Create or refresh the demo clinics, then every app's registered demo data (``core.registry.demo_data``);
    safe to run any number of times."""
    parts = registry.demo_data.entries()
    clinics = []
    for slug, (name, time_zone) in DEMO_CLINICS.items():
        organization, _ = Organization.objects.update_or_create(
            slug=slug, defaults={"name": name, "time_zone": time_zone, "is_active": True}
        )
        with tenant_context(organization):
            billing = None
            staff = {}
            for person in DEMO_STAFF:
                user, created = User.objects.get_or_create(
                    email=demo_email(slug, person.username), defaults={"full_name": person.full_name}
                )
                if created or not user.has_usable_password():
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                membership, _ = Membership.objects.update_or_create(
                    user=user, defaults={"username": person.username, "title": person.title, "is_active": True}
                )
                for role in person.roles:
                    RoleAssignment.objects.get_or_create(membership=membership, role=role)
                if Role.BILLING in person.roles:
                    billing = membership
                staff[person.username] = membership
            Organization.objects.filter(pk=organization.pk).update(billing_coordinator=billing)
            organization.billing_coordinator = billing
            _load_locations(slug)
            for part in parts:
                if part.load:
                    part.load(organization, staff)
        clinics.append(organization)
    for part in parts:
        if part.load_shared:
            part.load_shared()
    return clinics


@dataclass(frozen=True)
class DemoSummary:
    """What `make run` prints and the bare domain shows: the demo clinics' sign-in addresses and the logins."""

    clinics: list[tuple[str, str]]
    password: str
    logins: list[tuple[str, str]]
    other_lines: list[str]


def demo_summary() -> DemoSummary:
    """The loaded demo clinics (none before ``load_demo``), with every login and the lines other apps add."""
    organizations = Organization.objects.filter(slug__in=DEMO_CLINICS, is_active=True).order_by("slug")
    return DemoSummary(
        clinics=[(organization.name, clinic_url(organization, "/login/")) for organization in organizations],
        password=DEMO_PASSWORD,
        logins=[(person.username, ", ".join(role.label for role in person.roles)) for person in DEMO_STAFF],
        other_lines=[line for part in registry.demo_data.entries() if part.logins for line in part.logins()],
    )
