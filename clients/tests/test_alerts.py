"""Header alerts: who sees which kinds, who adds and resolves them, and the audit trail."""

from html import unescape

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from clients.alerts import services as alerts
from clients.alerts.models import ClientAlert
from tenancy.context import tenant_context


def _text(response) -> str:
    return unescape(response.content.decode())


def _header(response) -> str:
    text = _text(response)
    return text[text.index('<header class="chart-header') : text.index("</header>", text.index("chart-header"))]


@pytest.fixture
def alerted(org, clinician, make_chart_client):
    record = make_chart_client(org, primary=clinician)
    with tenant_context(org):
        for kind, text in [
            ("risk", "Safety plan on file; check in about self-harm"),
            ("allergy", "Penicillin"),
            ("communication", "Needs a Spanish interpreter"),
            ("legal", "Custody order: father may not collect"),
        ]:
            alerts.add_alert(record, actor=clinician, kind=kind, severity="high", text=text)
    return record


@pytest.mark.parametrize(
    ("role", "sees_clinical"),
    [("clinician", True), ("front_desk", False), ("billing", False), ("admin", False)],
)
def test_every_tab_header_shows_the_alerts_the_person_may_see(
    role, sees_clinical, request, org, alerted, clinic_client
):
    member = request.getfixturevalue(role)
    client = clinic_client(org, member)
    for tab in ("overview", "demographics", "insurance"):
        header = _header(client.get(f"/clients/{alerted.pk}/{tab}/"))
        assert "Needs a Spanish interpreter" in header and "Custody order" in header
        assert ("Safety plan on file" in header) is sees_clinical
        assert ("Penicillin" in header) is sees_clinical


def test_clinical_alerts_in_the_header_are_audited_as_a_clinical_read(
    org, clinician, front_desk, alerted, clinic_client
):
    clinic_client(org, clinician).get(f"/clients/{alerted.pk}/demographics/")
    clinic_client(org, front_desk).get(f"/clients/{alerted.pk}/demographics/")
    reads = list(AuditEvent.objects.filter(action="client.viewed").order_by("pk").values_list("actor", "detail"))
    assert reads == [
        (clinician.user_id, {"section": "demographics"}),
        (clinician.user_id, {"section": "clinical", "part": "alerts"}),
        (front_desk.user_id, {"section": "demographics"}),
    ]


def test_front_desk_adds_an_interpreter_alert_but_not_a_risk_alert(org, front_desk, make_chart_client, clinic_client):
    record = make_chart_client(org)
    client = clinic_client(org, front_desk)
    form = _text(client.get(f"/clients/{record.pk}/alerts/new/"))
    assert '<option value="communication"' in form and '<option value="risk"' not in form
    url = f"/clients/{record.pk}/alerts/new/"
    empty = client.post(url, {"kind": "communication", "severity": "moderate", "text": ""})
    assert "This field is required." in _text(empty)
    done = client.post(url, {"kind": "communication", "severity": "moderate", "text": "Needs an ASL interpreter"})
    assert done.status_code == 302
    refused = client.post(url, {"kind": "risk", "severity": "high", "text": "Suicide risk"})
    assert refused.status_code == 403
    assert AuditEvent.objects.get(action="access.denied").detail["permission"] == "clients.alerts.add"
    assert list(ClientAlert.all_tenants.values_list("kind", flat=True)) == ["communication"]
    added = AuditEvent.objects.get(action="client.alert_added")
    assert added.detail == {"kind": "communication", "severity": "moderate"} and added.client_id == record.pk


def test_resolving_an_alert_takes_it_off_the_header_and_keeps_it_on_file(
    org, clinician, front_desk, alerted, clinic_client
):
    interpreter = ClientAlert.all_tenants.get(kind="communication")
    risk = ClientAlert.all_tenants.get(kind="risk")
    desk = clinic_client(org, front_desk)
    # Front desk cannot even find a clinical alert to resolve: it is not among the kinds they see.
    assert desk.post(f"/clients/{alerted.pk}/alerts/{risk.pk}/resolve/").status_code == 404
    assert (
        desk.post(f"/clients/{alerted.pk}/alerts/{interpreter.pk}/resolve/", {"note": "No longer"}).status_code == 302
    )
    assert "Spanish interpreter" not in _header(desk.get(f"/clients/{alerted.pk}/"))
    interpreter.refresh_from_db()
    assert not interpreter.is_active and interpreter.resolved_by == front_desk and interpreter.resolution_note
    with tenant_context(interpreter.organization), pytest.raises(ValidationError, match="already resolved"):
        alerts.resolve_alert(interpreter, actor=front_desk)
    assert clinic_client(org, clinician).post(f"/clients/{alerted.pk}/alerts/{risk.pk}/resolve/").status_code == 302


def test_administrators_with_clinical_read_access_see_but_cannot_add_clinical_alerts(
    org, admin, alerted, clinic_client
):
    org.admins_read_clinical = True
    org.save()
    client = clinic_client(org, admin)
    assert "Safety plan on file" in _header(client.get(f"/clients/{alerted.pk}/"))
    form = _text(client.get(f"/clients/{alerted.pk}/alerts/new/"))
    assert '<option value="communication"' in form and '<option value="risk"' not in form
    risk = ClientAlert.all_tenants.get(kind="risk")
    assert client.post(f"/clients/{alerted.pk}/alerts/{risk.pk}/resolve/").status_code == 403


def test_alert_service_refuses_bad_input(in_clinic, org, clinician, make_chart_client):
    record = make_chart_client(org, primary=clinician)
    for kind, severity, text, field in [
        ("weather", "high", "x", "kind"),
        ("risk", "extreme", "x", "severity"),
        ("risk", "high", "   ", "text"),
        ("risk", "high", "x" * 301, "text"),
    ]:
        with pytest.raises(ValidationError) as caught:
            alerts.add_alert(record, actor=clinician, kind=kind, severity=severity, text=text)
        assert field in caught.value.message_dict
    assert not ClientAlert.objects.exists()
