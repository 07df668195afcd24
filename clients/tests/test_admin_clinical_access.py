"""The clinic setting "Administrators may read clinical content", both ways, and its audit trail."""

import pytest

from accounts.roles import Role
from accounts.tests.factories import clinic_settings_payload
from audit.models import AuditEvent
from clients import policies
from clients.care_team.models import CareTeamMember
from tenancy.context import tenant_context


def test_the_setting_is_off_by_default(org):
    assert org.admins_read_clinical is False


@pytest.mark.parametrize(("allowed", "expected"), [(False, 403), (True, 200)])
def test_administrators_read_clinical_sections_only_when_the_clinic_allows(
    allowed, expected, org, admin, clinician, make_chart_client, clinic_client
):
    org.admins_read_clinical = allowed
    org.save()
    record = make_chart_client(org, primary=clinician)
    client = clinic_client(org, admin)
    assert client.get(f"/clients/{record.pk}/diagnoses/").status_code == expected
    overview = client.get(f"/clients/{record.pk}/").content.decode()
    assert (f'href="/clients/{record.pk}/diagnoses/"' in overview) is allowed
    for section in ("demographics", "insurance"):
        assert client.get(f"/clients/{record.pk}/{section}/").status_code == 200
    # Read, never write: adding a diagnosis stays with clinical staff either way.
    assert client.get(f"/clients/{record.pk}/diagnoses/new/").status_code == 403
    if not allowed:
        denied = AuditEvent.objects.filter(action="access.denied").order_by("pk").first()
        assert denied.detail["permission"] == "clients.view.clinical"


def test_an_administrator_who_is_also_a_clinician_sees_their_caseload_when_restricted(
    org, make_member, clinician, make_chart_client, clinic_client
):
    both = make_member(org, "max", Role.ADMINISTRATOR, Role.CLINICIAN)
    mine = make_chart_client(org, primary=clinician)
    theirs = make_chart_client(org, "Other", "Person", primary=clinician)
    with tenant_context(org):
        CareTeamMember.objects.create(client=mine, membership=both)
    client = clinic_client(org, both)
    assert client.get(f"/clients/{mine.pk}/diagnoses/").status_code == 200
    assert client.get(f"/clients/{theirs.pk}/diagnoses/").status_code == 403


def test_sections_for_administrators_both_ways(org, admin):
    assert policies.CLINICAL not in policies.sections_for(admin, on_caseload=False, emergency=False)
    admin.organization.admins_read_clinical = True
    assert policies.sections_for(admin, on_caseload=False, emergency=False) == policies.ALL_SECTIONS


def test_changing_the_setting_is_audited_on_its_own(org, admin, clinic_client):
    client = clinic_client(org, admin)
    page = client.get("/settings/clinic/").content.decode()
    assert "Administrators may read clinical content" in page
    assert client.post("/settings/clinic/", clinic_settings_payload(org, admins_read_clinical="on")).status_code == 302
    org.refresh_from_db()
    assert org.admins_read_clinical
    assert client.post("/settings/clinic/", clinic_settings_payload(org)).status_code == 302
    org.refresh_from_db()
    assert not org.admins_read_clinical
    changes = AuditEvent.objects.filter(action="clinic.admin_clinical_access_changed").order_by("pk")
    assert [e.detail for e in changes] == [{"admins_read_clinical": True}, {"admins_read_clinical": False}]
    assert all(e.actor == admin.user for e in changes)
