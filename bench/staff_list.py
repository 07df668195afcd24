"""Scenario: the staff list (``/staff/``) of a large clinic, as its administrator sees it.

2,000 staff is a big group practice; a second clinic with the same surnames makes the tenant filter do real
work, and makes a leak visible: every case checks the staff count that the page prints.
"""

from typing import NamedTuple

from django.contrib.auth.hashers import make_password

from accounts.people.models import Membership, RoleAssignment, User
from accounts.roles import Role
from bench.harness import Case, clinic_client
from tenancy.context import tenant_context
from tenancy.models import Organization

STAFF = 2_000
OTHER_CLINIC_STAFF = 300
SEARCH = "smith"

FIRST_NAMES = ("Ada", "Ben", "Carla", "Dev", "Elena", "Farid", "Grace", "Hiro", "Imani", "Jon")
LAST_NAMES = ("Smith", "Garcia", "Nguyen", "Okafor", "Kowalski", "Haddad", "Silva", "Patel", "Cohen", "Tanaka")
TITLES = ("Therapist", "Psychiatrist", "Case manager", "Front desk lead", "Billing specialist", "")
ROLE_SETS = (
    (Role.CLINICIAN,),
    (Role.CLINICIAN, Role.SUPERVISOR),
    (Role.FRONT_DESK,),
    (Role.BILLING,),
    (Role.CLINICIAN,),
    (Role.SUPPORT_CHAMPION, Role.FRONT_DESK),
)


class Person(NamedTuple):
    """One staff member to load; the same shape serves both clinics."""

    full_name: str
    username: str
    title: str
    roles: tuple[str, ...]
    active: bool


def people(count: int) -> list[Person]:
    """Deterministic staff: every surname equally common, one in ten deactivated, one or two roles each."""
    result = []
    for i in range(count):
        first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[(i // len(FIRST_NAMES)) % len(LAST_NAMES)]
        username = f"{first[0]}{last}{i}".lower()
        result.append(
            Person(f"{first} {last}", username, TITLES[i % len(TITLES)], ROLE_SETS[i % len(ROLE_SETS)], i % 10 != 9)
        )
    return result


def add_staff(organization: Organization, staff: list[Person], password: str) -> list[Membership]:
    """Bulk-insert users, memberships and role assignments (three INSERT batches instead of thousands of saves)."""
    users = User.objects.bulk_create(
        User(email=f"{p.username}@{organization.slug}.test", full_name=p.full_name, password=password) for p in staff
    )
    with tenant_context(organization):
        # Lists, not generators: TenantQuerySet.bulk_create loops over its argument before passing it on, so a
        # generator would arrive empty and nothing would be inserted.
        memberships = Membership.objects.bulk_create(
            [
                Membership(user=u, username=p.username, title=p.title, is_active=p.active)
                for u, p in zip(users, staff, strict=True)
            ]
        )
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(membership=m, role=r) for m, p in zip(memberships, staff, strict=True) for r in p.roles]
        )
    return memberships


def cases() -> list[Case]:
    """Load two clinics, sign in as the big one's administrator, and return the requests to time."""
    password = make_password("Correct-Horse-42!")  # hashed once: hashing per user would dominate loading
    clinic = Organization.objects.create(name="Riverside Counseling", slug="riverside", time_zone="America/New_York")
    other = Organization.objects.create(name="Lakeside Therapy", slug="lakeside", time_zone="America/Chicago")
    admin = Person("Avery Admin", "admin", "Clinic director", (Role.ADMINISTRATOR,), True)
    staff = [admin, *people(STAFF - 1)]
    memberships = add_staff(clinic, staff, password)
    add_staff(other, people(OTHER_CLINIC_STAFF), password)

    client = clinic_client(clinic, memberships[0].user)
    active = sum(p.active for p in staff)
    found = sum(p.active and SEARCH in f"{p.full_name} {p.username}".lower() for p in staff)
    return [
        Case("staff list: page 1", client, "/staff/", expect=f"{active} staff members"),
        Case(f"staff list: search ?q={SEARCH}", client, "/staff/", {"q": SEARCH}, expect=f"{found} staff members"),
        Case(
            f"staff list: search ?q={SEARCH} (htmx)",
            client,
            "/staff/",
            {"q": SEARCH},
            {"HX-Request": "true"},
            expect=f"{found} staff members",
        ),
    ]
