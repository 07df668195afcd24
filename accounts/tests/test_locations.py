"""Clinic settings → Locations: administrators only; validation; optimistic locking; deactivation; audit."""

from html import unescape

import pytest

from audit.models import AuditEvent
from conftest import rls_queries
from tenancy.context import tenant_context
from tenancy.models import Location


def _text(response) -> str:
    return unescape(response.content.decode())


def _office(**changes) -> dict:
    data = {
        "name": "Main office",
        "place_of_service": "11",
        "address_line1": "120 River Street",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701",
        "phone": "(217) 555-0140",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_administrator_adds_edits_and_deactivates_a_location(org, admin, clinic_client):
    client = clinic_client(org, admin)
    assert "Locations" in _text(client.get("/settings/clinic/"))
    assert client.post("/settings/locations/new/", _office()).status_code == 302
    assert (
        client.post(
            "/settings/locations/new/", {"name": "Telehealth", "is_telehealth": "on", "place_of_service": "10"}
        ).status_code
        == 302
    )
    listed = _text(client.get("/settings/locations/"))
    assert "120 River Street" in listed and "10 Telehealth in the client's home" in listed
    office = Location.all_tenants.get(name="Main office")
    assert (
        client.post(f"/settings/locations/{office.pk}/edit/", {**_office(city="Peoria"), "version": 1}).status_code
        == 302
    )
    stale = client.post(f"/settings/locations/{office.pk}/edit/", {**_office(city="Joliet"), "version": 1})
    assert "Someone else saved this location" in _text(stale)
    deactivate = client.post(f"/settings/locations/{office.pk}/active/", {"version": 2, "active": "0"})
    assert deactivate.status_code == 302
    office.refresh_from_db()
    assert (office.city, office.is_active, office.version) == ("Peoria", False, 3)
    stale_toggle = client.post(f"/settings/locations/{office.pk}/active/", {"version": 2, "active": "1"}, follow=True)
    assert "Someone else saved this location" in _text(stale_toggle)
    actions = list(AuditEvent.objects.filter(object_id=str(office.pk)).order_by("pk").values_list("action"))
    assert actions == [("location.created",), ("location.updated",), ("location.deactivated",)]
    assert AuditEvent.objects.get(action="location.updated").detail == {"fields": ["city"]}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"address_line1": ""}, "Required for a location clients visit"),
        ({"place_of_service": "02"}, "Places of service 02 and 10 are for telehealth locations."),
        ({"is_telehealth": "on", "place_of_service": "11"}, "A telehealth location uses place of service 02 or 10."),
        ({"phone": "ring ring"}, "Enter a phone number"),
        ({"name": ""}, "This field is required."),
        ({"name": "main OFFICE"}, "already has a location with this name"),
    ],
)
def test_bad_locations_get_specific_messages(changes, message, org, admin, clinic_client):
    client = clinic_client(org, admin)
    if changes.get("name"):
        client.post("/settings/locations/new/", _office())
    response = client.post("/settings/locations/new/", _office(**changes))
    assert response.status_code == 200
    assert message in _text(response)
    assert Location.all_tenants.count() == (1 if changes.get("name") else 0)


@pytest.mark.parametrize("role", ["front_desk", "billing", "clinician", "supervisor", "champion"])
def test_only_administrators_manage_locations(role, request, org, clinic_client):
    member = request.getfixturevalue(role)
    client = clinic_client(org, member)
    assert client.get("/settings/locations/").status_code == 403
    assert client.post("/settings/locations/new/", _office()).status_code == 403
    assert not Location.all_tenants.exists()
    assert AuditEvent.objects.filter(action="access.denied").first().detail["permission"] == "accounts.manage_locations"


def test_another_clinics_location_is_a_404_and_audited(org, other_org, admin, clinic_client):
    with tenant_context(other_org):
        foreign = Location.objects.create(name="Their office", is_telehealth=True, place_of_service="02")
    client = clinic_client(org, admin)
    assert client.get(f"/settings/locations/{foreign.pk}/edit/").status_code == 404
    assert client.post(f"/settings/locations/{foreign.pk}/active/", {"version": 1, "active": "0"}).status_code == 404
    assert (
        AuditEvent.objects.filter(action="access.not_found", object_id=str(foreign.pk), organization=org).count() == 2
    )
    assert Location.all_tenants.get(pk=foreign.pk).is_active


def test_location_list_query_count_is_fixed(org, admin, clinic_client, django_assert_max_num_queries):
    with tenant_context(org):
        Location.objects.bulk_create(
            Location(name=f"Telehealth {i}", is_telehealth=True, place_of_service="02") for i in range(20)
        )
    client = clinic_client(org, admin)
    client.get("/")
    with django_assert_max_num_queries(7 + rls_queries()):
        assert client.get("/settings/locations/").status_code == 200
