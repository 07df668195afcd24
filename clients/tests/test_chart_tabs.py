import datetime
import re
from html import unescape

import pytest
from django.http import HttpResponse
from django.urls import reverse

from audit.models import AuditEvent
from clients import policies, tabs
from clients.tests.conftest import years_before
from conftest import rls_queries
from core.clinic_time import clinic_today


def _text(response) -> str:
    return unescape(response.content.decode())


def _tab_labels(response) -> list[str]:
    nav = re.search(r'<nav class="chart-tabs".*?</nav>', response.content.decode(), re.S).group(0)
    return re.findall(r">([^<>]+)</a>", nav)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("front_desk", ["Overview", "Demographics", "Schedule", "Insurance", "Consents", "Documents", "Amendments"]),
        ("billing", ["Overview", "Demographics", "Schedule", "Insurance", "Consents", "Documents", "Amendments"]),
        ("admin", ["Overview", "Demographics", "Schedule", "Insurance", "Consents", "Documents", "Amendments"]),
        (
            "clinician",
            [
                "Overview",
                "Demographics",
                "Schedule",
                "Insurance",
                "Diagnoses",
                "Notes",
                "Measures",
                "Consents",
                "Documents",
                "Amendments",
            ],
        ),
    ],
)
def test_the_tab_bar_shows_only_tabs_the_person_may_see(
    role, expected, request, org, clinician, make_chart_client, clinic_client
):
    member = request.getfixturevalue(role)
    record = make_chart_client(org, primary=clinician)
    response = clinic_client(org, member).get(f"/clients/{record.pk}/")
    assert response.status_code == 200
    assert _tab_labels(response) == expected
    assert 'aria-current="page">Overview<' in response.content.decode()


def test_each_tab_link_is_the_tabs_own_url(org, clinician, make_chart_client, clinic_client):
    """The tab bar builds its links from one reversed prefix: each must still be ``clients:tab`` for its key."""
    record = make_chart_client(org, primary=clinician)
    response = clinic_client(org, clinician).get(f"/clients/{record.pk}/diagnoses/")
    nav = re.search(r'<nav class="chart-tabs".*?</nav>', response.content.decode(), re.S).group(0)
    links = re.findall(r'<a href="([^"]+)"', nav)
    keys = [tab.key for tab in tabs.all_tabs() if tab.label in _tab_labels(response)]
    assert links == [reverse("clients:tab", args=[record.pk, key]) for key in keys]
    assert len(links) == len(tabs.all_tabs())  # a clinician on the caseload sees every tab
    assert all(clinic_client(org, clinician).get(link).status_code == 200 for link in links[:2])


def test_front_desk_is_refused_the_diagnoses_tab_and_it_is_audited(
    org, front_desk, clinician, make_chart_client, clinic_client
):
    record = make_chart_client(org, primary=clinician)
    client = clinic_client(org, front_desk)
    assert client.get(f"/clients/{record.pk}/insurance/").status_code == 200
    assert client.get(f"/clients/{record.pk}/diagnoses/").status_code == 403
    assert client.get(f"/clients/{record.pk}/diagnoses/new/").status_code == 403
    denied = AuditEvent.objects.filter(action="access.denied").first()
    assert denied.detail["permission"] == "clients.view.clinical"


def test_each_tab_read_is_audited_with_its_section(org, clinician, make_chart_client, clinic_client):
    record = make_chart_client(org, primary=clinician)
    client = clinic_client(org, clinician)
    for tab in ("overview", "demographics", "insurance", "diagnoses"):
        assert client.get(f"/clients/{record.pk}/{tab}/").status_code == 200
    sections = list(AuditEvent.objects.filter(action="client.viewed").order_by("pk").values_list("detail", flat=True))
    assert [s["section"] for s in sections] == ["demographics", "demographics", "insurance", "clinical"]
    assert set(AuditEvent.objects.filter(action="client.viewed").values_list("client_id", flat=True)) == {record.pk}


def test_an_unknown_tab_is_a_404(org, front_desk, make_chart_client, clinic_client):
    record = make_chart_client(org)
    assert clinic_client(org, front_desk).get(f"/clients/{record.pk}/nonsense/").status_code == 404


@pytest.mark.dated
def test_the_header_shows_age_on_the_clinics_date_and_status(org, front_desk, make_chart_client, clinic_client):
    today = clinic_today(org)
    record = make_chart_client(org, born=years_before(today, 30))
    text = _text(clinic_client(org, front_desk).get(f"/clients/{record.pk}/"))
    assert "Age 30" in text and "client 1001" in text and "Active" in text


def test_another_app_can_plug_in_a_tab(org, front_desk, clinician, make_chart_client, clinic_client):
    def letters(request, client, chart):
        return HttpResponse(f"letters of client {client.number}")

    tabs.register_tab("letters", "Letters", policies.DEMOGRAPHICS, letters, order=15)
    tabs.register_tab("journal", "Journal", policies.CLINICAL, "clients/tab_overview.html", order=40)
    try:
        record = make_chart_client(org, primary=clinician)
        desk = clinic_client(org, front_desk)
        labels = ["Overview", "Demographics", "Letters", "Schedule", "Insurance", "Consents", "Documents", "Amendments"]
        assert _tab_labels(desk.get(f"/clients/{record.pk}/")) == labels
        assert _text(desk.get(f"/clients/{record.pk}/letters/")) == "letters of client 1001"
        assert desk.get(f"/clients/{record.pk}/journal/").status_code == 403
        assert clinic_client(org, clinician).get(f"/clients/{record.pk}/journal/").status_code == 200
    finally:
        tabs.unregister_tab("letters")
        tabs.unregister_tab("journal")
    with pytest.raises(ValueError, match="slug"):
        tabs.register_tab("edit", "Edit", policies.DEMOGRAPHICS, "x.html")


@pytest.mark.parametrize(
    ("tab", "budget"), [("overview", 11), ("demographics", 11), ("insurance", 10), ("diagnoses", 10)]
)
def test_each_tab_has_a_fixed_query_count(
    tab, budget, org, clinician, make_chart_client, make_payer, clinic_client, django_assert_max_num_queries
):
    from clients.diagnoses import services as diagnoses
    from clients.insurance import services as insurance

    record = make_chart_client(org, primary=clinician)
    payer = make_payer(org)
    from tenancy.context import tenant_context

    with tenant_context(org):
        for order in (1, 2, 3):
            insurance.add_policy(
                record,
                actor=clinician,
                data={
                    "payer": payer,
                    "order": order,
                    "member_id": f"M{order}",
                    "effective_date": datetime.date(2026, 1, 1),
                },
            )
        for code in ("F41.1", "F32.A", "F43.10"):
            diagnoses.add_diagnosis(record, actor=clinician, data={"code": code, "is_primary": code == "F41.1"})
    client = clinic_client(org, clinician)
    client.get("/")
    # Budgets include the chart banners' one query for a clinician (measures: critical answers awaiting a response).
    with django_assert_max_num_queries(budget + rls_queries()):
        assert client.get(f"/clients/{record.pk}/{tab}/").status_code == 200


def test_another_clinics_client_tabs_are_404_and_audited(org, other_org, admin, make_chart_client, clinic_client):
    foreign = make_chart_client(other_org)
    client = clinic_client(org, admin)
    for path in ("insurance/", "diagnoses/", "insurance/new/"):
        assert client.get(f"/clients/{foreign.pk}/{path}").status_code == 404
    misses = AuditEvent.objects.filter(action="access.not_found", object_id=str(foreign.pk), organization=org)
    assert misses.count() == 3
