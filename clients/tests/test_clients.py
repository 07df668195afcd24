import datetime
from html import unescape

import pytest
from django.core import mail

from audit.models import AuditEvent
from clients.care_team.models import CareTeamMember
from clients.records.models import Client
from clients.tests.factories import create_client
from tenancy.context import tenant_context


@pytest.fixture
def make_client(db):
    return create_client


def _form(**changes) -> dict:
    data = {
        "legal_first_name": "Jordan",
        "legal_last_name": "Rivers",
        "date_of_birth": "1990-04-12",
        "preferred_language": "English",
        "status": "active",
        "intake_date": "2026-11-01",
    }
    data.update(changes)
    return data


def _text(response) -> str:
    return unescape(response.content.decode())


def test_front_desk_registers_clients_with_numbers_in_sequence(org, front_desk, clinic_client):
    client = clinic_client(org, front_desk)
    first = client.post("/clients/new/", _form())
    second = client.post("/clients/new/", _form(legal_first_name="Sam"))
    assert first.status_code == second.status_code == 302
    numbers = sorted(Client.all_tenants.values_list("number", flat=True))
    assert numbers == [1001, 1002]
    event = AuditEvent.objects.filter(action="client.created").first()
    assert event.client_id is not None and event.actor == front_desk.user


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date_of_birth": "2999-01-01"}, "Date of birth can't be in the future."),
        ({"date_of_birth": "not a date"}, "Enter a valid date."),
        ({"status": "discharged"}, "Select a valid choice."),
        ({"intake_date": ""}, "Give the intake date for an active client."),
        ({"intake_date": "2999-01-01"}, "The intake date can't be in the future."),
        ({"intake_date": "1980-01-01"}, "Intake can't be before the date of birth."),
        ({"legal_last_name": ""}, "This field is required."),
        ({"phone": "call me"}, "Enter a phone number"),
    ],
)
def test_registration_rejects_bad_input_clearly(changes, message, org, front_desk, clinic_client):
    response = clinic_client(org, front_desk).post("/clients/new/", _form(**changes))
    assert response.status_code == 200
    assert message in _text(response)
    assert Client.all_tenants.count() == 0


def test_a_possible_duplicate_is_shown_and_must_be_confirmed(org, front_desk, make_client, clinic_client):
    existing = make_client(org)
    client = clinic_client(org, front_desk)
    warned = client.post("/clients/new/", _form())
    assert "already exists" in _text(warned)
    assert f"Client {existing.number}" in _text(warned)
    assert Client.all_tenants.count() == 1
    confirmed = client.post("/clients/new/", _form(confirm_not_duplicate="on"))
    assert confirmed.status_code == 302
    assert Client.all_tenants.count() == 2


def test_clinicians_see_their_caseload_and_front_desk_sees_everyone(
    org, clinician, supervisor, front_desk, make_client, clinic_client
):
    mine = make_client(org, "Avery", "Stone", primary=clinician)
    shared = make_client(org, "Blake", "Moss", primary=supervisor)
    with tenant_context(org):
        CareTeamMember.objects.create(client=shared, membership=clinician)
    make_client(org, "Casey", "Other", primary=supervisor)
    carol = _text(clinic_client(org, clinician).get("/clients/"))
    assert "Avery Stone" in carol and "Blake Moss" in carol and "Casey Other" not in carol
    desk = _text(clinic_client(org, front_desk).get("/clients/"))
    assert all(name in desk for name in ("Avery Stone", "Blake Moss", "Casey Other"))
    assert mine.number


def test_chart_reads_are_audited_with_the_client(org, clinician, make_client, clinic_client):
    record = make_client(org, primary=clinician)
    response = clinic_client(org, clinician).get(f"/clients/{record.pk}/")
    assert response.status_code == 200
    assert "Jordan Rivers" in _text(response)
    event = AuditEvent.objects.get(action="client.viewed")
    assert event.client_id == record.pk and event.detail == {"section": "demographics"}


def test_clinician_outside_the_caseload_must_break_the_glass(
    org, admin, clinician, supervisor, make_client, clinic_client, monkeypatch
):
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())
    record = make_client(org, primary=supervisor)
    client = clinic_client(org, clinician)
    refused = client.get(f"/clients/{record.pk}/")
    assert refused.status_code == 403
    assert "isn't on your caseload" in _text(refused)
    assert "Jordan" not in _text(refused)
    assert AuditEvent.objects.filter(action="access.denied", client_id=None).exists()

    short = client.post(f"/clients/{record.pk}/emergency-access/", {"reason": "need it"})
    assert "at least 10 characters" in _text(short)
    client.post(f"/clients/{record.pk}/emergency-access/", {"reason": "Client called in crisis; covering for Sue"})
    opened = client.get(f"/clients/{record.pk}/")
    assert opened.status_code == 200
    assert "Emergency access until" in _text(opened)
    assert AuditEvent.objects.filter(action="client.emergency_access", client_id=record.pk).exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [admin.user.email]
    assert str(record.number) in message.subject and "Jordan" not in message.subject + message.body


def test_front_desk_cannot_break_the_glass_and_sees_demographics_anyway(
    org, front_desk, supervisor, make_client, clinic_client
):
    record = make_client(org, primary=supervisor)
    client = clinic_client(org, front_desk)
    assert client.get(f"/clients/{record.pk}/").status_code == 200
    assert client.post(f"/clients/{record.pk}/emergency-access/", {"reason": "x" * 20}).status_code == 403


def test_another_clinics_client_is_a_404_and_audited(org, other_org, admin, outsider, make_client, clinic_client):
    foreign = make_client(other_org)
    response = clinic_client(org, admin).get(f"/clients/{foreign.pk}/")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.not_found", object_id=str(foreign.pk), organization=org).exists()


def test_concurrent_demographic_edits_do_not_overwrite_each_other(org, front_desk, admin, make_client, clinic_client):
    record = make_client(org, intake_date=datetime.date(2026, 11, 1))
    stale = _form(version=record.version)
    first = clinic_client(org, front_desk).post(f"/clients/{record.pk}/edit/", {**stale, "phone": "555-123-4567"})
    assert first.status_code == 302
    second = clinic_client(org, admin).post(f"/clients/{record.pk}/edit/", {**stale, "phone": "555-999-0000"})
    assert "Someone else saved this client" in _text(second)
    assert Client.all_tenants.get(pk=record.pk).phone == "555-123-4567"
    assert AuditEvent.objects.get(action="client.updated").detail == {"fields": ["phone"]}


def test_billing_cannot_edit_demographics(org, billing, make_client, clinic_client):
    record = make_client(org)
    response = clinic_client(org, billing).post(f"/clients/{record.pk}/edit/", _form(version=1))
    assert response.status_code == 403
