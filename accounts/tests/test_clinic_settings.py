import pytest

from accounts.tests.factories import clinic_settings_payload
from audit.models import AuditEvent


def test_administrator_changes_clinic_settings(org, admin, billing, clinic_client):
    response = clinic_client(org, admin).post(
        "/settings/clinic/",
        clinic_settings_payload(org, time_zone="America/Denver", billing_coordinator=billing.pk, mfa_required="on"),
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.time_zone == "America/Denver"
    assert org.billing_coordinator_id == billing.pk
    assert org.mfa_required
    event = AuditEvent.objects.get(action="clinic.settings_updated")
    assert event.detail["fields"] == ["billing_coordinator", "mfa_required", "time_zone"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus", "Select a valid choice"),
        ("lockout_threshold", 1, "Enter between 3 and 20 attempts."),
        ("password_min_length", 6, "Enter between 12 and 128 characters."),
        ("password_expiry_days", 5, "Enter between 30 and 730 days (or 0 for no expiry)."),
        ("idle_timeout_minutes", "abc", "Enter a whole number."),
    ],
)
def test_bad_settings_get_specific_messages(field, value, message, org, admin, clinic_client):
    response = clinic_client(org, admin).post("/settings/clinic/", clinic_settings_payload(org, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()


def test_billing_coordinator_must_be_staff_of_this_clinic(org, admin, outsider, clinic_client):
    response = clinic_client(org, admin).post(
        "/settings/clinic/", clinic_settings_payload(org, billing_coordinator=outsider.pk)
    )
    assert "Select a valid choice" in response.content.decode()
    org.refresh_from_db()
    assert org.billing_coordinator_id is None


def test_stale_settings_form_is_refused(org, admin, clinic_client):
    client = clinic_client(org, admin)
    stale = clinic_settings_payload(org)
    client.post("/settings/clinic/", {**stale, "name": "First name"})
    response = client.post("/settings/clinic/", {**stale, "name": "Second name"})
    assert "Someone else changed this record" in response.content.decode()
    org.refresh_from_db()
    assert org.name == "First name"


def test_non_administrators_cannot_open_settings(org, clinician, clinic_client):
    assert clinic_client(org, clinician).get("/settings/clinic/").status_code == 403
