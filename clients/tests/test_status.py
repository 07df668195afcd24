"""The status flow: waitlist → active → discharged → re-admitted, and "entered in error"; services and views."""

import datetime
from datetime import timedelta
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from clients import access, policies
from clients.records import status
from clients.records.models import Client, ClientStatusChange
from core.clinic_time import clinic_today
from core.errors import ConflictError
from tenancy.context import tenant_context


def _text(response) -> str:
    return unescape(response.content.decode())


def _today(org) -> datetime.date:
    with tenant_context(org):
        return clinic_today()


@pytest.fixture
def waiting(org, clinician, make_chart_client):
    record = make_chart_client(org, primary=clinician)
    Client.all_tenants.filter(pk=record.pk).update(status="waitlist")
    record.refresh_from_db()
    return record


# --- Services ------------------------------------------------------------------------------------------------


def test_a_client_goes_from_waitlist_to_active_to_discharged_and_back_with_history(in_clinic, waiting, front_desk):
    today = clinic_today()
    intake = today - timedelta(days=30)
    client = status.admit(waiting, actor=front_desk, expected_version=waiting.version, intake_date=intake)
    assert (client.status, client.intake_date) == ("active", intake)
    client = status.discharge(
        client,
        actor=front_desk,
        expected_version=client.version,
        discharge_date=today - timedelta(days=2),
        reason="Treatment completed",
    )
    assert (client.status, client.discharge_date, client.discharge_reason) == (
        "discharged",
        today - timedelta(days=2),
        "Treatment completed",
    )
    client = status.admit(client, actor=front_desk, expected_version=client.version, intake_date=today)
    assert (client.status, client.intake_date, client.discharge_date, client.discharge_reason) == (
        "active",
        today,
        None,
        "",
    )
    steps = list(client.status_changes.order_by("changed_at", "pk").values_list("from_status", "to_status", "reason"))
    assert steps == [
        ("waitlist", "active", ""),
        ("active", "discharged", "Treatment completed"),
        ("discharged", "active", "Re-admitted"),
    ]
    actions = list(AuditEvent.objects.filter(client_id=client.pk).order_by("pk").values_list("action", flat=True))
    assert actions == ["client.admitted", "client.discharged", "client.readmitted"]


@pytest.mark.parametrize(
    ("days_before_today", "reason", "field", "message"),
    [
        (40, "Moved away", "discharge_date", "Discharge can't be before intake"),
        (-1, "Moved away", "discharge_date", "The discharge date can't be in the future."),
        (0, "   ", "reason", "Give the reason for the discharge."),
        (0, "x" * 201, "reason", "Keep the reason under 200 characters."),
    ],
)
@pytest.mark.dated
def test_discharge_rules(in_clinic, make_chart_client, org, front_desk, days_before_today, reason, field, message):
    today = clinic_today()
    record = make_chart_client(org, intake_date=today - timedelta(days=30))
    with pytest.raises(ValidationError) as caught:
        status.discharge(
            record,
            actor=front_desk,
            expected_version=record.version,
            discharge_date=today - timedelta(days=days_before_today),
            reason=reason,
        )
    assert message in caught.value.message_dict[field][0]
    record.refresh_from_db()
    assert record.status == "active" and record.version == 1
    assert not ClientStatusChange.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.dated
def test_discharge_on_the_intake_day_and_on_today_are_allowed(in_clinic, make_chart_client, org, front_desk):
    today = clinic_today()
    record = make_chart_client(org, intake_date=today)
    discharged = status.discharge(
        record, actor=front_desk, expected_version=1, discharge_date=today, reason="Referred elsewhere"
    )
    assert discharged.discharge_date == today


def test_only_active_clients_are_discharged_and_only_waiting_or_discharged_admitted(in_clinic, waiting, front_desk):
    today = clinic_today()
    with pytest.raises(ValidationError, match="Only an active client"):
        status.discharge(waiting, actor=front_desk, expected_version=1, discharge_date=today, reason="x")
    active = status.admit(waiting, actor=front_desk, expected_version=1, intake_date=today)
    with pytest.raises(ValidationError, match="can't be admitted"):
        status.admit(active, actor=front_desk, expected_version=active.version, intake_date=today)


@pytest.mark.parametrize(
    ("intake", "message"),
    [
        (None, "Give the intake date."),
        ("tomorrow", "The intake date can't be in the future."),
        ("before birth", "Intake can't be before the date of birth."),
    ],
)
@pytest.mark.dated
def test_admission_needs_a_sensible_intake_date(in_clinic, waiting, front_desk, intake, message):
    today = clinic_today()
    day = {"tomorrow": today + timedelta(days=1), "before birth": waiting.date_of_birth - timedelta(days=1)}.get(intake)
    with pytest.raises(ValidationError) as caught:
        status.admit(waiting, actor=front_desk, expected_version=1, intake_date=day)
    assert caught.value.message_dict["intake_date"] == [message]


def test_a_readmission_cannot_start_before_the_last_discharge(in_clinic, make_chart_client, org, front_desk):
    today = clinic_today()
    record = make_chart_client(org, intake_date=today - timedelta(days=60))
    record = status.discharge(
        record, actor=front_desk, expected_version=1, discharge_date=today - timedelta(days=10), reason="Moved"
    )
    with pytest.raises(ValidationError, match="can't start before the last discharge"):
        status.admit(record, actor=front_desk, expected_version=record.version, intake_date=today - timedelta(days=11))


def test_a_stale_status_change_is_refused(in_clinic, make_chart_client, org, front_desk, admin):
    today = clinic_today()
    record = make_chart_client(org, intake_date=today - timedelta(days=5))
    status.discharge(record, actor=admin, expected_version=1, discharge_date=today, reason="Completed")
    with pytest.raises(ConflictError):
        status.mark_entered_in_error(record, actor=admin, expected_version=1, reason="Duplicate chart")
    assert ClientStatusChange.objects.count() == 1


def test_entered_in_error_hides_the_client_and_an_administrator_restores_the_previous_status(
    in_clinic, make_chart_client, org, admin
):
    today = clinic_today()
    record = make_chart_client(org, intake_date=today)
    with pytest.raises(ValidationError, match="Give the reason"):
        status.mark_entered_in_error(record, actor=admin, expected_version=1, reason="")
    marked = status.mark_entered_in_error(record, actor=admin, expected_version=1, reason="Duplicate of 1002")
    assert marked.status == "entered_in_error"
    assert not access.visible_clients(admin).filter(pk=record.pk).exists()
    restored = status.restore_from_error(marked, actor=admin, expected_version=marked.version, reason="Not a dup")
    assert restored.status == "active" and restored.intake_date == today
    assert access.visible_clients(admin).filter(pk=record.pk).exists()
    actions = list(AuditEvent.objects.filter(client_id=record.pk).order_by("pk").values_list("action", flat=True))
    assert actions == ["client.entered_in_error", "client.restored_from_error"]


def test_who_may_mark_entered_in_error(org, make_chart_client, admin, front_desk, make_member):
    other_desk = make_member(org, "fiona", "front_desk")
    record = make_chart_client(org, registered_by=front_desk)
    now = timezone.now()
    assert policies.can_mark_entered_in_error(admin, record, now)
    assert policies.can_mark_entered_in_error(front_desk, record, now)
    assert not policies.can_mark_entered_in_error(other_desk, record, now)
    assert not policies.can_mark_entered_in_error(front_desk, record, now + timedelta(hours=25))
    assert policies.can_mark_entered_in_error(admin, record, now + timedelta(days=400))
    assert policies.can_restore_from_error(admin) and not policies.can_restore_from_error(front_desk)


# --- Views ---------------------------------------------------------------------------------------------------


def test_front_desk_discharges_through_the_status_page(org, front_desk, make_chart_client, clinic_client):
    today = _today(org)
    record = make_chart_client(org, intake_date=today - timedelta(days=20))
    client = clinic_client(org, front_desk)
    page = _text(client.get(f"/clients/{record.pk}/status/"))
    assert "Discharge client" in page and "Mark entered in error" not in page  # front desk did not register it
    url = f"/clients/{record.pk}/status/discharge/"
    early = client.post(url, {"version": 1, "discharge_date": str(today - timedelta(days=21)), "reason": "Moved"})
    assert early.status_code == 200 and "Discharge can't be before intake" in _text(early)
    missing = client.post(url, {"version": 1, "discharge_date": str(today), "reason": ""})
    assert "This field is required." in _text(missing)
    done = client.post(url, {"version": 1, "discharge_date": str(today), "reason": "Treatment completed"})
    assert done.status_code == 302
    history = _text(client.get(f"/clients/{record.pk}/status/"))
    assert "Treatment completed" in history and "Frank Frontdesk" in history and "Re-admit client" in history
    stale = client.post(url, {"version": 1, "discharge_date": str(today), "reason": "Again"})
    assert "Someone else changed this client" in _text(stale)


def test_the_demographics_form_no_longer_changes_status_or_dates(org, front_desk, make_chart_client, clinic_client):
    record = make_chart_client(org, intake_date=datetime.date(2026, 1, 5))
    response = clinic_client(org, front_desk).post(
        f"/clients/{record.pk}/edit/",
        {
            "legal_first_name": "Jordan",
            "legal_last_name": "Rivers",
            "date_of_birth": "1990-04-12",
            "preferred_language": "English",
            "status": "discharged",
            "intake_date": "2026-02-01",
            "discharge_date": "2026-02-02",
            "primary_clinician": "",
            "version": 1,
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.intake_date, record.discharge_date) == ("active", datetime.date(2026, 1, 5), None)


def test_the_registrar_marks_their_own_new_chart_entered_in_error(org, front_desk, clinic_client):
    client = clinic_client(org, front_desk)
    client.post(
        "/clients/new/",
        {
            "legal_first_name": "Jordan",
            "legal_last_name": "Rivers",
            "date_of_birth": "1990-04-12",
            "preferred_language": "English",
            "status": "waitlist",
        },
    )
    record = Client.all_tenants.get()
    assert record.registered_by == front_desk
    steps = ClientStatusChange.all_tenants.filter(client=record).values_list("from_status", "to_status")
    assert list(steps) == [("", "waitlist")]
    url = f"/clients/{record.pk}/status/entered-in-error/"
    assert "required" in _text(client.post(url, {"error-version": 1, "error-reason": ""}))
    assert client.post(url, {"error-version": 1, "error-reason": "Registered twice by mistake"}).status_code == 302
    chart = _text(client.get(f"/clients/{record.pk}/"))
    assert "Entered in error." in chart
    assert "Jordan Rivers" not in _text(client.get("/clients/"))
    refused = client.post(f"/clients/{record.pk}/status/restore/", {"restore-version": 3, "restore-reason": "Oops"})
    assert refused.status_code == 403
    denied = AuditEvent.objects.get(action="access.denied")
    assert denied.detail["permission"] == "clients.status.restore"


@pytest.mark.dated
def test_a_day_later_only_an_administrator_may_mark_it(org, front_desk, admin, make_chart_client, clinic_client):
    record = make_chart_client(org, registered_by=front_desk)
    Client.all_tenants.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(hours=25))
    url = f"/clients/{record.pk}/status/entered-in-error/"
    data = {"error-version": 1, "error-reason": "Duplicate of another chart"}
    assert clinic_client(org, front_desk).post(url, data).status_code == 403
    assert clinic_client(org, admin).post(url, data).status_code == 302
    restore = clinic_client(org, admin).post(
        f"/clients/{record.pk}/status/restore/", {"restore-version": 2, "restore-reason": "It was not a duplicate"}
    )
    assert restore.status_code == 302
    record.refresh_from_db()
    assert record.status == "active"


def test_billing_cannot_change_status_and_it_is_audited(org, billing, make_chart_client, clinic_client):
    record = make_chart_client(org, intake_date=datetime.date(2026, 1, 5))
    client = clinic_client(org, billing)
    assert "You can't change this client's status." in _text(client.get(f"/clients/{record.pk}/status/"))
    response = client.post(
        f"/clients/{record.pk}/status/discharge/", {"version": 1, "discharge_date": "2026-01-06", "reason": "x"}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.get(action="access.denied").detail["permission"] == "clients.status.discharge"


def test_an_unknown_status_action_is_a_404(org, admin, make_chart_client, clinic_client):
    record = make_chart_client(org)
    assert clinic_client(org, admin).post(f"/clients/{record.pk}/status/delete/", {}).status_code == 404
