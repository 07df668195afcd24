"""Care team and primary clinician: only active clinical staff of the clinic; audited; policy decides who."""

from html import unescape

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from audit.models import AuditEvent
from clients.care_team import services as care_team
from clients.care_team.models import CareTeamMember
from clients.records.models import Client
from core.errors import ConflictError
from tenancy.context import tenant_context


def _text(response) -> str:
    return unescape(response.content.decode())


# --- Services ------------------------------------------------------------------------------------------------


def test_adding_and_removing_a_member_changes_the_caseload_and_keeps_history(
    org, clinician, supervisor, admin, make_chart_client, clinic_client
):
    record = make_chart_client(org, primary=supervisor)
    carol = clinic_client(org, clinician)
    assert carol.get(f"/clients/{record.pk}/").status_code == 403
    with tenant_context(org):
        member = care_team.add_member(record, actor=admin, membership=clinician)
    assert carol.get(f"/clients/{record.pk}/").status_code == 200
    assert "Jordan Rivers" in _text(carol.get("/clients/"))
    with tenant_context(org):
        care_team.remove_member(member, actor=admin)
        with pytest.raises(ValidationError, match="already removed"):
            care_team.remove_member(member, actor=admin)
        again = care_team.add_member(record, actor=admin, membership=clinician)  # re-adding is allowed
        care_team.remove_member(again, actor=admin)
    assert carol.get(f"/clients/{record.pk}/").status_code == 403
    assert "Jordan Rivers" not in _text(carol.get("/clients/"))
    rows = CareTeamMember.all_tenants.filter(client=record)
    assert rows.count() == 2 and all(row.removed_by == admin for row in rows)
    actions = list(
        AuditEvent.objects.filter(client_id=record.pk, action__startswith="client.care_team").values_list(
            "action", "detail"
        )
    )
    assert ("client.care_team_added", {"membership_id": clinician.pk}) in actions
    assert ("client.care_team_removed", {"membership_id": clinician.pk}) in actions


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("deactivated", "is deactivated and can't work with clients"),
        ("front_desk", "isn't a clinician or supervisor"),
        ("foreign", "isn't on this clinic's staff"),
        ("primary", "is already the primary clinician"),
        ("twice", "is already on the care team"),
    ],
)
def test_only_active_clinical_staff_of_the_clinic_join(
    who, message, org, other_org, admin, clinician, supervisor, front_desk, make_member, make_chart_client
):
    record = make_chart_client(org, primary=supervisor)
    target = {
        "deactivated": lambda: make_member(org, "gone", Role.CLINICIAN, active=False),
        "front_desk": lambda: front_desk,
        "foreign": lambda: make_member(other_org, "faraway", Role.CLINICIAN),
        "primary": lambda: supervisor,
        "twice": lambda: clinician,
    }[who]()
    with tenant_context(org):
        if who == "twice":
            care_team.add_member(record, actor=admin, membership=clinician)
        with pytest.raises(ValidationError, match=message):
            care_team.add_member(record, actor=admin, membership=target)
    assert CareTeamMember.all_tenants.filter(client=record).count() == (1 if who == "twice" else 0)


def test_changing_the_primary_clinician_can_keep_the_previous_one_on_the_team(
    org, admin, clinician, supervisor, make_chart_client
):
    record = make_chart_client(org, primary=supervisor)
    with tenant_context(org):
        care_team.add_member(record, actor=admin, membership=clinician)
        changed = care_team.set_primary_clinician(
            record, actor=admin, expected_version=1, membership=clinician, keep_previous_on_team=True
        )
        team = [m.membership for m in care_team.current_team(changed)]
        with pytest.raises(ConflictError):
            care_team.set_primary_clinician(record, actor=admin, expected_version=1, membership=None)
    assert changed.primary_clinician == clinician and team == [supervisor]
    event = AuditEvent.objects.get(action="client.primary_clinician_changed")
    assert event.detail == {"from_membership_id": supervisor.pk, "to_membership_id": clinician.pk}


def test_a_deactivated_primary_clinician_is_refused(org, admin, make_member, make_chart_client):
    gone = make_member(org, "gone", Role.CLINICIAN, active=False)
    record = make_chart_client(org)
    with tenant_context(org), pytest.raises(ValidationError, match="deactivated"):
        care_team.set_primary_clinician(record, actor=admin, expected_version=1, membership=gone)


def test_the_overviews_team_names_are_the_current_team_in_order(org, admin, clinician, supervisor, make_chart_client):
    record = make_chart_client(org)
    with tenant_context(org):
        care_team.add_member(record, actor=admin, membership=supervisor)
        added = care_team.add_member(record, actor=admin, membership=clinician)
        both = care_team.team_names(record)
        expected = [member.membership.user.full_name for member in care_team.current_team(record)]
        care_team.remove_member(added, actor=admin)
        after_removal = care_team.team_names(record)
    assert both == expected == ["Carol Clinician", "Sue Supervisor"]
    assert after_removal == ["Sue Supervisor"]


# --- Views ---------------------------------------------------------------------------------------------------


def test_front_desk_manages_the_care_team_page(
    org, front_desk, clinician, supervisor, make_chart_client, clinic_client
):
    record = make_chart_client(org, primary=supervisor)
    client = clinic_client(org, front_desk)
    page = _text(client.get(f"/clients/{record.pk}/care-team/"))
    assert f'value="{clinician.pk}">Carol Clinician</option>' in page
    assert ">Frank Frontdesk</option>" not in page  # only clinical staff are offered
    assert client.post(f"/clients/{record.pk}/care-team/add/", {"membership": clinician.pk}).status_code == 302
    overview = _text(client.get(f"/clients/{record.pk}/"))
    assert "Carol Clinician" in overview and "Sue Supervisor" in overview
    member = CareTeamMember.all_tenants.get(client=record, removed_at__isnull=True)
    assert client.post(f"/clients/{record.pk}/care-team/{member.pk}/remove/").status_code == 302
    assert client.post(f"/clients/{record.pk}/care-team/{member.pk}/remove/").status_code == 404


@pytest.mark.parametrize("who", ["deactivated", "foreign"])
def test_deactivated_or_other_clinic_staff_are_refused_with_a_message(
    who, org, other_org, front_desk, make_member, make_chart_client, clinic_client
):
    target = (
        make_member(org, "gone", Role.CLINICIAN, active=False)
        if who == "deactivated"
        else make_member(other_org, "faraway", Role.CLINICIAN)
    )
    record = make_chart_client(org)
    client = clinic_client(org, front_desk)
    added = client.post(f"/clients/{record.pk}/care-team/add/", {"membership": target.pk})
    assert added.status_code == 200
    assert "deactivated staff and staff of other clinics can't work with clients here" in _text(added)
    primary = client.post(f"/clients/{record.pk}/care-team/primary/", {"version": 1, "membership": target.pk})
    assert "deactivated staff and staff of other clinics" in _text(primary)
    assert not CareTeamMember.all_tenants.exists()
    assert Client.all_tenants.get(pk=record.pk).primary_clinician is None


def test_registration_refuses_a_deactivated_primary_clinician(org, front_desk, make_member, clinic_client):
    gone = make_member(org, "gone", Role.CLINICIAN, active=False)
    response = clinic_client(org, front_desk).post(
        "/clients/new/",
        {
            "legal_first_name": "Jordan",
            "legal_last_name": "Rivers",
            "date_of_birth": "1990-04-12",
            "status": "waitlist",
            "primary_clinician": gone.pk,
        },
    )
    assert "deactivated staff and staff of other clinics" in _text(response)
    assert not Client.all_tenants.exists()


def test_primary_clinician_change_through_the_page_refuses_a_stale_form(
    org, front_desk, admin, clinician, supervisor, make_chart_client, clinic_client
):
    record = make_chart_client(org, primary=supervisor)
    url = f"/clients/{record.pk}/care-team/primary/"
    first = clinic_client(org, front_desk).post(url, {"version": 1, "membership": clinician.pk})
    assert first.status_code == 302
    second = clinic_client(org, admin).post(url, {"version": 1, "membership": supervisor.pk})
    assert "Someone else changed this client" in _text(second)
    assert Client.all_tenants.get(pk=record.pk).primary_clinician == clinician


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin", True), ("front_desk", True), ("supervisor", True), ("clinician", True), ("billing", False)],
)
def test_who_manages_the_care_team(role, allowed, request, org, clinician, make_chart_client, clinic_client):
    member = request.getfixturevalue(role)
    supervisor = request.getfixturevalue("supervisor")
    record = make_chart_client(org, primary=clinician)
    with tenant_context(org):
        CareTeamMember.objects.create(client=record, membership=supervisor)
    response = clinic_client(org, member).get(f"/clients/{record.pk}/care-team/")
    assert response.status_code == (200 if allowed else 403)
    if not allowed:
        assert AuditEvent.objects.get(action="access.denied").detail["permission"] == "clients.care_team.manage"


def test_a_care_team_clinician_who_is_not_primary_cannot_manage_it(
    org, clinician, make_member, make_chart_client, clinic_client
):
    colleague = make_member(org, "dana", Role.CLINICIAN)
    record = make_chart_client(org, primary=colleague)
    with tenant_context(org):
        CareTeamMember.objects.create(client=record, membership=clinician)
    client = clinic_client(org, clinician)
    assert client.get(f"/clients/{record.pk}/").status_code == 200
    assert client.post(f"/clients/{record.pk}/care-team/add/", {"membership": colleague.pk}).status_code == 403
