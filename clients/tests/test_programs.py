"""Programs: the clinic's list kept by administrators, and a client's program and default location."""

from html import unescape

import pytest

from audit.models import AuditEvent
from clients.programs.models import Program
from clients.records.models import Client
from conftest import rls_queries
from tenancy.context import tenant_context
from tenancy.models import Location


def _text(response) -> str:
    return unescape(response.content.decode())


def test_an_administrator_adds_edits_and_deactivates_a_program(org, admin, clinic_client):
    client = clinic_client(org, admin)
    assert client.post("/clients/programs/new/", {"name": "Adult outpatient"}).status_code == 302
    duplicate = client.post("/clients/programs/new/", {"name": "adult OUTPATIENT"})
    assert "already has a program with this name" in _text(duplicate)
    assert "This field is required." in _text(client.post("/clients/programs/new/", {"name": ""}))
    program = Program.all_tenants.get()
    data = {"name": "Adult outpatient", "description": "Weekly therapy", "version": 1}
    assert client.post(f"/clients/programs/{program.pk}/edit/", data).status_code == 302
    stale = client.post(f"/clients/programs/{program.pk}/edit/", {**data, "description": "Other"})
    assert "Someone else saved this program" in _text(stale)
    assert client.post(f"/clients/programs/{program.pk}/active/", {"version": 2, "active": "0"}).status_code == 302
    program.refresh_from_db()
    assert not program.is_active and program.description == "Weekly therapy"
    actions = list(AuditEvent.objects.filter(object_id=str(program.pk)).order_by("pk").values_list("action"))
    assert actions == [("program.created",), ("program.updated",), ("program.deactivated",)]


@pytest.mark.parametrize("role", ["front_desk", "billing", "clinician", "supervisor"])
def test_only_administrators_manage_programs(role, request, org, clinic_client):
    member = request.getfixturevalue(role)
    assert clinic_client(org, member).get("/clients/programs/").status_code == 403
    assert AuditEvent.objects.get(action="access.denied").detail["permission"] == "clients.programs"


def test_another_clinics_program_is_a_404_and_audited(org, other_org, admin, clinic_client):
    with tenant_context(other_org):
        foreign = Program.objects.create(name="Theirs")
    client = clinic_client(org, admin)
    assert client.get(f"/clients/programs/{foreign.pk}/edit/").status_code == 404
    assert client.post(f"/clients/programs/{foreign.pk}/active/", {"version": 1, "active": "0"}).status_code == 404
    assert AuditEvent.objects.filter(action="access.not_found", object_id=str(foreign.pk)).count() == 2


def test_a_client_gets_a_program_and_location_and_inactive_ones_are_not_offered(
    org, front_desk, make_chart_client, clinic_client
):
    with tenant_context(org):
        adult = Program.objects.create(name="Adult outpatient")
        closed = Program.objects.create(name="Closed program", is_active=False)
        office = Location.objects.create(
            name="Main office", address_line1="1 Main", city="X", state="IL", postal_code="62701"
        )
    record = make_chart_client(org)
    client = clinic_client(org, front_desk)
    form = _text(client.get(f"/clients/{record.pk}/edit/"))
    assert "Adult outpatient" in form and "Closed program" not in form and "Main office" in form
    data = {
        "legal_first_name": "Jordan",
        "legal_last_name": "Rivers",
        "date_of_birth": "1990-04-12",
        "preferred_language": "English",
        "program": adult.pk,
        "default_location": office.pk,
        "version": 1,
    }
    assert client.post(f"/clients/{record.pk}/edit/", data).status_code == 302
    overview = _text(client.get(f"/clients/{record.pk}/"))
    assert "Adult outpatient" in overview and "Main office" in overview
    refused = client.post(f"/clients/{record.pk}/edit/", {**data, "program": closed.pk, "version": 2})
    assert "Select a valid choice" in _text(refused)
    assert Client.all_tenants.get(pk=record.pk).program == adult


def test_program_list_query_count_is_fixed(org, admin, clinic_client, django_assert_max_num_queries):
    with tenant_context(org):
        Program.objects.bulk_create(Program(name=f"Program {i}") for i in range(20))
    client = clinic_client(org, admin)
    client.get("/")
    with django_assert_max_num_queries(7 + rls_queries()):
        assert client.get("/clients/programs/").status_code == 200
