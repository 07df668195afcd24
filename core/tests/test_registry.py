"""The registries: the shared screens show what each app registered, and a new app joins them without editing
another app (here the "app" is this module: a page of its own, registered from a fixture, then unregistered)."""

import io
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.urls import include, path

from accounts.demo import DEMO_STAFF
from accounts.roles import Role
from core import registry
from tenancy.context import current_organization


def rounds(request):
    return HttpResponse("Rounds")


urlpatterns = [path("rounds/", rounds, name="rounds"), path("", include("hearth.urls"))]


def clinicians_only(membership) -> bool:
    return Role.CLINICIAN in membership.roles


@dataclass
class DemoCalls:
    clinics: list
    shared: int = 0


@pytest.fixture
def rounds_app(settings):
    """A new app's registrations, as its ``AppConfig.ready()`` would make them; removed afterwards."""
    settings.ROOT_URLCONF = __name__
    calls = DemoCalls(clinics=[])

    def load(organization, staff) -> None:
        calls.clinics.append((organization.slug, current_organization(), sorted(staff)))

    def load_shared() -> None:
        calls.shared += 1

    registry.navigation.register(registry.Link("rounds", "Rounds", "rounds", clinicians_only, order=25))
    registry.setup_lists.register(registry.Link("rounds", "Rounds", "rounds", registry.every_member, order=25))
    registry.demo_data.register(
        registry.DemoData("rounds", order=25, load=load, load_shared=load_shared, logins=lambda: ["Rounds: none"])
    )
    yield calls
    registry.navigation.unregister("rounds")
    registry.setup_lists.unregister("rounds")
    registry.demo_data.unregister("rounds")


def _labels(response, key: str = "nav_items") -> list[str]:
    return [item["label"] for item in response.context[key]]


def test_entries_are_listed_by_order_then_key_and_a_key_registered_again_is_replaced():
    links = registry.Registry[registry.Link]()
    links.register(registry.Link("b", "B", "home", registry.every_member, order=10))
    links.register(registry.Link("a", "A", "home", registry.every_member, order=10))
    links.register(registry.Link("z", "Z", "home", registry.every_member, order=0))
    links.register(registry.Link("b", "B again", "home", registry.every_member, order=-1))
    assert [link.label for link in links.entries()] == ["B again", "Z", "A"]
    links.unregister("b")
    links.unregister("b")  # unregistering twice is harmless
    assert [link.key for link in links.entries()] == ["z", "a"]


def test_the_menu_lists_every_apps_entries_in_their_order(org, admin, clinician, champion, clinic_client):
    assert _labels(clinic_client(org, admin).get("/")) == [
        "Home",
        "Clients",
        "Schedule",
        "Tickets",
        "Staff",
        "Clinic settings",
        "Sign-ins",
        "Single sign-on",
        "Audit log",
    ]
    assert _labels(clinic_client(org, clinician).get("/")) == ["Home", "Clients", "Schedule", "Notes", "Tickets"]
    assert _labels(clinic_client(org, champion).get("/")) == ["Home", "Clients", "Tickets"]


def test_the_set_up_lists_show_every_apps_links_the_administrator_may_use(org, admin, clinic_client):
    response = clinic_client(org, admin).get("/settings/clinic/")
    assert [link.label for link in response.context["setup_links"]] == [
        "Locations",
        "Appointment reminders",
        "Programs",
        "Note settings",
        "Note templates",
        "Co-signature",
    ]


def test_a_new_app_adds_a_menu_entry_its_own_policy_decides(rounds_app, org, admin, clinician, clinic_client):
    response = clinic_client(org, clinician).get("/")
    assert _labels(response) == ["Home", "Clients", "Schedule", "Notes", "Rounds", "Tickets"]
    assert '<a href="/rounds/">Rounds</a>' in response.content.decode()
    assert "/rounds/" not in clinic_client(org, admin).get("/").content.decode()


def test_a_new_app_adds_a_set_up_list(rounds_app, org, admin, clinic_client):
    response = clinic_client(org, admin).get("/settings/clinic/")
    assert [link.label for link in response.context["setup_links"]] == [
        "Locations",
        "Appointment reminders",
        "Rounds",
        "Programs",
        "Note settings",
        "Note templates",
        "Co-signature",
    ]
    assert '<a href="/rounds/">Rounds</a>' in response.content.decode()


def test_a_new_app_adds_demo_data_for_each_clinic_and_its_logins(rounds_app, db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    usernames = sorted(person.username for person in DEMO_STAFF)
    assert [(slug, staff) for slug, _, staff in rounds_app.clinics] == [("demo", usernames), ("lakeside", usernames)]
    assert all(in_context.slug == slug for slug, in_context, _ in rounds_app.clinics)  # ran in the clinic's context
    assert rounds_app.shared == 1
    lines = out.getvalue().splitlines()
    vendor = next(i for i, line in enumerate(lines) if line.startswith("Vendor support console:"))
    assert lines.index("Rounds: none") < vendor


def test_an_unregistered_entry_is_gone(rounds_app, org, clinician, clinic_client):
    registry.navigation.unregister("rounds")
    assert "/rounds/" not in clinic_client(org, clinician).get("/").content.decode()
