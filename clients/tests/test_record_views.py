"""Every record-details page by role (403 + audit out of role), another clinic's client (404 + audit), and the
query budgets of the chart header and overview with many alerts, contacts and care team members."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from audit.models import AuditEvent
from clients.alerts import services as alerts
from clients.alerts.models import ClientAlert
from clients.care_team.models import CareTeamMember
from clients.contacts import services as contacts
from clients.contacts.models import ClientContact, ClientLink
from conftest import rls_queries
from tenancy.context import tenant_context

ROLES = ["admin", "front_desk", "billing", "clinician", "supervisor"]
# (path under /clients/<pk>/, roles allowed). The client's primary clinician is `clinician`; `supervisor` is not
# on the caseload, so every page of the chart refuses them.
PAGES = [
    ("status/", {"admin", "front_desk", "billing", "clinician"}),
    ("care-team/", {"admin", "front_desk", "clinician"}),
    ("contacts/new/", {"admin", "front_desk", "clinician"}),
    ("contacts/{contact}/edit/", {"admin", "front_desk", "clinician"}),
    ("family/new/", {"admin", "front_desk", "clinician"}),
    ("alerts/new/", {"admin", "front_desk", "clinician"}),
]
POSTS = [
    ("status/discharge/", {"admin", "front_desk", "clinician"}),
    ("status/entered-in-error/", {"admin"}),
    ("care-team/add/", {"admin", "front_desk", "clinician"}),
    ("care-team/primary/", {"admin", "front_desk", "clinician"}),
    ("contacts/new/", {"admin", "front_desk", "clinician"}),
    ("contacts/{contact}/remove/", {"admin", "front_desk", "clinician"}),
    ("contacts/{contact}/move/", {"admin", "front_desk", "clinician"}),
    ("family/new/", {"admin", "front_desk", "clinician"}),
    ("family/{link}/end/", {"admin", "front_desk", "clinician"}),
    ("alerts/new/", {"admin", "front_desk", "clinician"}),
    ("alerts/{alert}/resolve/", {"admin", "front_desk", "clinician"}),
]


@pytest.fixture
def chart(org, clinician, front_desk, make_chart_client):
    record = make_chart_client(org, primary=clinician)
    relative = make_chart_client(org, "Sam", "Rivers")
    with tenant_context(org):
        contact = contacts.add_contact(record, actor=front_desk, data={"name": "Ann", "relationship": "friend"})
        link = contacts.link_clients(record, actor=front_desk, related_client=relative, relationship="sibling")
        alert = alerts.add_alert(record, actor=front_desk, kind="communication", severity="low", text="Interpreter")
    return {"record": record, "ids": {"contact": contact.pk, "link": link.pk, "alert": alert.pk}}


def _url(chart, path: str) -> str:
    return f"/clients/{chart['record'].pk}/" + path.format(**chart["ids"])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "allowed"), PAGES)
def test_pages_by_role(role, path, allowed, request, org, chart, clinic_client):
    member = request.getfixturevalue(role)
    response = clinic_client(org, member).get(_url(chart, path))
    assert response.status_code == (200 if role in allowed else 403)
    if role not in allowed:
        assert AuditEvent.objects.filter(action="access.denied", actor=member.user).exists()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "allowed"), POSTS)
def test_changes_by_role(role, path, allowed, request, org, chart, clinic_client):
    """Out-of-role posts are refused before anything changes; allowed ones get through (to a message or redirect)."""
    member = request.getfixturevalue(role)
    before = _snapshot()
    response = clinic_client(org, member).post(_url(chart, path), {})
    if role in allowed:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403
        assert AuditEvent.objects.filter(action="access.denied", actor=member.user).exists()
        assert _snapshot() == before


def _snapshot():
    return (
        list(ClientContact.all_tenants.values_list("pk", "is_active", "position", "version")),
        list(ClientLink.all_tenants.values_list("pk", "ended_at")),
        list(ClientAlert.all_tenants.values_list("pk", "is_active")),
        list(CareTeamMember.all_tenants.values_list("pk", "removed_at")),
    )


def test_another_clinics_chart_is_a_404_everywhere_and_audited(
    org, other_org, admin, make_member, make_chart_client, clinic_client
):
    foreign_desk = make_member(other_org, "fd", Role.FRONT_DESK)
    foreign = make_chart_client(other_org)
    with tenant_context(other_org):
        contact = contacts.add_contact(foreign, actor=foreign_desk, data={"name": "Ann", "relationship": "friend"})
        alert = alerts.add_alert(foreign, actor=foreign_desk, kind="other", severity="low", text="x")
    chart = {"record": foreign, "ids": {"contact": contact.pk, "link": 1, "alert": alert.pk}}
    client = clinic_client(org, admin)
    paths = [path for path, _ in PAGES]
    for path in paths:
        assert client.get(_url(chart, path)).status_code == 404, path
    for path, _ in POSTS:
        assert client.post(_url(chart, path), {}).status_code == 404, path
    misses = AuditEvent.objects.filter(action="access.not_found", organization=org, object_id=str(foreign.pk))
    assert misses.count() == len(PAGES) + len(POSTS)
    assert ClientContact.all_tenants.get(pk=contact.pk).is_active


def test_a_foreign_contact_id_on_an_own_chart_is_a_404(
    org, other_org, admin, make_member, make_chart_client, clinic_client
):
    mine = make_chart_client(org)
    foreign_desk = make_member(other_org, "fd", Role.FRONT_DESK)
    foreign = make_chart_client(other_org)
    with tenant_context(other_org):
        contact = contacts.add_contact(foreign, actor=foreign_desk, data={"name": "Ann", "relationship": "friend"})
    client = clinic_client(org, admin)
    assert client.get(f"/clients/{mine.pk}/contacts/{contact.pk}/edit/").status_code == 404
    assert AuditEvent.objects.filter(action="access.not_found", object_id=str(contact.pk)).exists()


# --- Query budgets: constant in the number of alerts, contacts, links and care team members -----------------


def _populate(org, record, clinician, front_desk, make_member, make_chart_client, n: int, start: int):
    with tenant_context(org):
        for i in range(start, start + n):
            for kind in ("risk", "communication", "legal"):
                alerts.add_alert(record, actor=clinician, kind=kind, severity="high", text=f"Alert {kind} {i}")
            contacts.add_contact(
                record,
                actor=front_desk,
                data={
                    "name": f"Contact {i}",
                    "relationship": "parent",
                    "phone": "555-123-4567",
                    "is_emergency_contact": True,
                    "is_legal_guardian": i % 2 == 0,
                },
            )
            relative = make_chart_client(org, "Relative", f"N{i}")
            contacts.link_clients(record, actor=front_desk, related_client=relative, relationship="sibling")
    for i in range(start, start + n):
        colleague = make_member(org, f"colleague{i}", Role.CLINICIAN)
        with tenant_context(org):
            CareTeamMember.objects.create(client=record, membership=colleague)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("role", "tab", "budget"),
    [
        ("clinician", "overview", 21),
        ("front_desk", "overview", 17),
        ("clinician", "demographics", 22),
        ("front_desk", "demographics", 18),
        ("clinician", "insurance", 21),
        ("clinician", "diagnoses", 15),
        ("clinician", "status", 21),
        ("front_desk", "care-team", 19),
    ],
)
def test_chart_pages_have_a_fixed_query_count(
    role, tab, budget, request, org, clinician, front_desk, make_member, make_chart_client, clinic_client
):
    """A minor, so the guardian check runs too. Clinicians' pages audit the clinical alerts they show (one more
    event); the count must not grow with the rows."""
    member = request.getfixturevalue(role)
    record = make_chart_client(org, primary=clinician, born=datetime.date(2015, 1, 1))
    client = clinic_client(org, member)
    client.get("/")
    url = f"/clients/{record.pk}/{tab}/"
    _populate(org, record, clinician, front_desk, make_member, make_chart_client, 1, 0)
    few = _count(client, url)
    _populate(org, record, clinician, front_desk, make_member, make_chart_client, 8, 1)
    many = _count(client, url)
    assert many == few
    assert many <= budget + rls_queries()
