from html import unescape

import pyotp
import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa import services as mfa
from accounts.roles import Role
from audit.models import AuditEvent
from conftest import PASSWORD


def _login(client, username="alice"):
    assert client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302


def _enrol(client) -> tuple[pyotp.TOTP, list[str]]:
    """Enrol through the real pages; the code is computed by pyotp from the key shown to the person."""
    page = client.get("/mfa/setup/").content.decode()
    assert "data:image/svg+xml" in page
    device = TOTPDevice.objects.get(confirmed=False)
    totp = pyotp.TOTP(_b32(device))
    response = client.post("/mfa/setup/", {"code": totp.now()})
    codes = response.context["codes"]
    assert len(codes) == 10
    return totp, codes


def _b32(device) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode()


def test_enrolment_then_sign_in_needs_a_code(org, admin, clinic_client):
    client = clinic_client(org)
    _login(client)
    totp, _ = _enrol(client)
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.mfa_enrolled").exists()

    fresh = clinic_client(org)
    _login(fresh)
    assert fresh.get("/").url == "/mfa/verify/"
    assert fresh.get("/staff/").url == "/mfa/verify/"
    wrong = fresh.post("/mfa/verify/", {"code": "000000"})
    assert "That code didn't work" in unescape(wrong.content.decode())
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    device = TOTPDevice.objects.get()
    device.last_t = -1
    device.save()
    assert fresh.post("/mfa/verify/", {"code": totp.now()}).status_code == 302
    assert fresh.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.mfa_verified", detail__method="totp").exists()
    assert AuditEvent.objects.filter(action="auth.mfa_failed").count() == 1


def test_a_recovery_code_works_once(org, admin, clinic_client):
    client = clinic_client(org)
    _login(client)
    _, codes = _enrol(client)
    first = clinic_client(org)
    _login(first)
    assert first.post("/mfa/verify/", {"code": codes[0]}).status_code == 302
    assert mfa.remaining_recovery_codes(admin.user) == 9
    second = clinic_client(org)
    _login(second)
    assert second.post("/mfa/verify/", {"code": codes[0]}).status_code == 200


def test_the_wrong_setup_code_is_refused(org, admin, clinic_client):
    client = clinic_client(org)
    _login(client)
    client.get("/mfa/setup/")
    response = client.post("/mfa/setup/", {"code": "123456"})
    assert "That code didn't match" in unescape(response.content.decode())
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


@pytest.mark.parametrize("policy", ["everyone", "role"])
def test_clinic_policy_leads_staff_without_mfa_to_enrol(policy, org, clinician, clinic_client):
    if policy == "everyone":
        org.mfa_required = True
    else:
        org.mfa_required_roles = [Role.CLINICIAN]
    org.save()
    client = clinic_client(org)
    _login(client, "carol")
    assert client.get("/").url == "/mfa/setup/"
    assert "Your clinic requires a second step" in client.get("/mfa/setup/").content.decode()


def test_a_role_the_policy_does_not_name_is_not_forced(org, front_desk, clinic_client):
    org.mfa_required_roles = [Role.CLINICIAN]
    org.save()
    client = clinic_client(org)
    _login(client, "frank")
    assert client.get("/").status_code == 200


def test_administrator_resets_a_lost_phone(org, admin, clinician, clinic_client):
    carol = clinic_client(org)
    _login(carol, "carol")
    _enrol(carol)
    clinic_client(org, admin).post(f"/staff/{clinician.pk}/reset-mfa/")
    assert not mfa.has_mfa(clinician.user)
    assert AuditEvent.objects.get(action="staff.mfa_reset").actor == admin.user
    again = clinic_client(org)
    _login(again, "carol")
    assert again.get("/").status_code == 200


def test_only_administrators_reset_mfa(org, clinician, front_desk, clinic_client):
    assert clinic_client(org, front_desk).post(f"/staff/{clinician.pk}/reset-mfa/").status_code == 403


def test_people_turn_mfa_off_only_when_the_clinic_allows(org, admin, clinic_client):
    client = clinic_client(org)
    _login(client)
    _enrol(client)
    org.mfa_required = True
    org.save()
    client.post("/mfa/turn-off/")
    assert mfa.has_mfa(admin.user)
    org.mfa_required = False
    org.save()
    client.post("/mfa/turn-off/")
    assert not mfa.has_mfa(admin.user)


def test_pages_after_sign_in_cost_no_extra_queries_for_mfa(org, admin, clinic_client, django_assert_max_num_queries):
    from conftest import rls_queries

    client = clinic_client(org)
    _login(client)
    client.get("/")
    with django_assert_max_num_queries(6 + rls_queries()):
        assert client.get("/").status_code == 200
