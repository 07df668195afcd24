"""Required two-step sign-in at the vendor's support console: enrolment with a QR code, codes from the app
(computed here independently with pyotp), replay and drift, single-use recovery codes, the shared lockout, pages
closed before the second step, and the operator's reset — each step audited in the system chain."""

import base64
import io
import re
import time
from html import unescape

import pyotp
import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from conftest import PASSWORD
from console.mfa.models import VendorRecoveryCode, VendorTotpKey
from console.tests.conftest import enrolled_key


def _text(response) -> str:
    return unescape(response.content.decode())


def _password(client, email="sam@vendor.test", password=PASSWORD, next_url=""):
    return client.post(f"/login/{'?next=' + next_url if next_url else ''}", {"email": email, "password": password})


def _totp(staff) -> pyotp.TOTP:
    return pyotp.TOTP(base64.b32encode(bytes.fromhex(enrolled_key(staff).key)).decode())


def _enrol(client) -> tuple[pyotp.TOTP, list[str]]:
    """Enrol through the real page: the 'phone' is pyotp fed the key shown for manual entry."""
    page = _text(client.get("/two-step/setup/?next=/"))
    assert "data:image/svg+xml" in page and "QR code to add Hearth vendor support" in page
    key = re.search(r'data-testid="manual-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    totp = pyotp.TOTP(key)
    response = client.post("/two-step/setup/?next=/", {"code": totp.now()})
    assert response.status_code == 200 and "Two-step sign-in is on" in _text(response)
    return totp, response.context["codes"]


def _failures(**detail):
    return AuditEvent.objects.filter(action="vendor.mfa_failed", outcome="failure", **detail)


def test_first_sign_in_enrols_with_a_qr_code_and_shows_ten_recovery_codes_once(vendor_staff, console_client):
    client = console_client()
    response = _password(client)
    assert response["Location"] == "/two-step/setup/?next=%2F"
    wrong = client.post("/two-step/setup/?next=/", {"code": "123456"})
    assert wrong.status_code == 400 and "That code didn't match" in _text(wrong)
    assert _failures(detail__stage="enrol").count() == 1
    totp, codes = _enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/").status_code == 200
    key = VendorTotpKey.objects.get(staff=vendor_staff)
    assert key.confirmed and base64.b32encode(bytes.fromhex(key.key)).decode() == totp.secret
    stored = set(VendorRecoveryCode.objects.filter(staff=vendor_staff).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not stored & {c.replace("-", "") for c in codes} and not stored & set(codes)
    enrolled = AuditEvent.objects.get(action="vendor.mfa_enrolled")
    assert enrolled.chain_key == "system" and enrolled.actor_label == "vendor support: sam@vendor.test"
    assert AuditEvent.objects.get(action="vendor.login").detail["second_step"] == "totp"
    # Enrolled now: the setup page no longer offers a new key, even to a session past the password only.
    other = console_client()
    assert _password(other)["Location"] == "/two-step/?next=%2F"
    assert other.get("/two-step/setup/")["Location"] == "/two-step/?next=%2F"
    assert VendorTotpKey.objects.count() == 1


def test_the_setup_page_keeps_its_key_across_reloads(vendor_staff, console_client):
    client = console_client(vendor_staff, second_step=False)
    VendorTotpKey.objects.all().delete()
    first = re.search(r'manual-key">([A-Z2-7 ]+)<', _text(client.get("/two-step/setup/"))).group(1)
    again = re.search(r'manual-key">([A-Z2-7 ]+)<', _text(client.get("/two-step/setup/"))).group(1)
    assert first == again


def test_a_code_from_the_app_signs_in_and_keeps_the_next_page(vendor_staff, console_client, sent_ticket):
    totp = _totp(vendor_staff)
    client = console_client()
    target = f"/tickets/{sent_ticket.pk}/"
    assert client.get(target)["Location"] == f"/login/?next={target}"
    response = _password(client, next_url=target)
    assert response["Location"] == f"/two-step/?next=%2Ftickets%2F{sent_ticket.pk}%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Enter your code" in _text(page)
    done = client.post(response["Location"], {"code": totp.now()})
    assert done.status_code == 302 and done["Location"] == target
    assert client.get(target).status_code == 200
    assert AuditEvent.objects.get(action="vendor.mfa_verified").detail == {
        "vendor_staff_id": vendor_staff.pk,
        "method": "totp",
    }


def test_a_wrong_code_is_refused_and_audited(vendor_staff, console_client):
    enrolled_key(vendor_staff)
    client = console_client()
    _password(client)
    for code in ("000000", "12345", "abc"):
        response = client.post("/two-step/", {"code": code})
        assert response.status_code == 400 and "That code didn't work" in _text(response)
    assert client.get("/")["Location"].startswith("/two-step/")
    assert _failures(detail__stage="sign_in").count() == 3
    assert not any("000000" in str(e.detail) for e in AuditEvent.objects.all())


def test_a_code_cannot_be_used_twice(vendor_staff, console_client):
    totp = _totp(vendor_staff)
    code = totp.now()
    first = console_client()
    _password(first)
    assert first.post("/two-step/", {"code": code}).status_code == 302
    second = console_client()  # someone who saw the code over the shoulder, with the password
    _password(second)
    replayed = second.post("/two-step/", {"code": code})
    assert replayed.status_code == 400 and second.get("/").status_code == 302
    assert _failures(detail__reason="replayed").count() == 1
    # An older code (the previous step) is refused too once a newer step was used.
    assert second.post("/two-step/", {"code": totp.at(time.time() - 30)}).status_code == 400


@pytest.mark.dated
def test_one_step_of_clock_drift_is_tolerated_two_are_not(vendor_staff, console_client):
    totp = _totp(vendor_staff)
    client = console_client()
    _password(client)
    assert client.post("/two-step/", {"code": totp.at(time.time() + 60)}).status_code == 400
    assert client.post("/two-step/", {"code": totp.at(time.time() - 30)}).status_code == 302


def test_a_recovery_code_works_once(vendor_staff, console_client):
    enrol_client = console_client()
    _password(enrol_client)
    _, codes = _enrol(enrol_client)
    client = console_client()
    _password(client)
    response = client.post("/two-step/", {"code": f"  {codes[0].upper()} "})
    assert response.status_code == 302 and client.get("/").status_code == 200
    used = AuditEvent.objects.get(action="vendor.recovery_code_used")
    assert used.detail == {"vendor_staff_id": vendor_staff.pk, "remaining": 9}
    again = console_client()
    _password(again)
    assert again.post("/two-step/", {"code": codes[0]}).status_code == 400
    assert _failures(detail__reason="recovery_code_reused").count() == 1
    assert again.post("/two-step/", {"code": codes[1].replace("-", "")}).status_code == 302


def test_few_recovery_codes_left_warns(vendor_staff, console_client):
    enrol_client = console_client()
    _password(enrol_client)
    _, codes = _enrol(enrol_client)
    VendorRecoveryCode.objects.exclude(pk__in=VendorRecoveryCode.objects.order_by("pk")[:3]).update(
        used_at="2026-01-01T00:00Z"
    )
    client = console_client()
    _password(client)
    assert client.post("/two-step/", {"code": codes[0]}).status_code == 302  # the first three are unused
    assert "You have 2 recovery codes left" in _text(client.get("/"))


def test_wrong_codes_lock_the_account_with_wrong_passwords(vendor_staff, console_client):
    totp = _totp(vendor_staff)
    client = console_client()
    for _ in range(2):
        _password(client, password="wrong")
    _password(client)
    for _ in range(2):
        assert client.post("/two-step/", {"code": "000000"}).status_code == 400
    locked = client.post("/two-step/", {"code": "000000"})  # the fifth failure of either kind
    assert locked.status_code == 403 and "locked" in _text(locked)
    assert client.get("/two-step/")["Location"] == "/login/"  # the half-signed-in session ended
    fresh = console_client()
    assert _password(fresh).status_code == 403  # the right password no longer helps
    assert AuditEvent.objects.filter(action="vendor.locked_out").exists()
    call_command("axes_reset_username", "vendor:sam@vendor.test", stdout=io.StringIO())
    _password(fresh)
    assert fresh.post("/two-step/", {"code": totp.now()}).status_code == 302


def test_a_right_password_alone_does_not_reset_the_failure_count(vendor_staff, console_client):
    enrolled_key(vendor_staff)
    client = console_client()
    for _ in range(4):
        _password(client)
        client.post("/two-step/", {"code": "000000"})
    _password(client)
    assert client.post("/two-step/", {"code": "000000"}).status_code == 403


def test_code_attempts_are_rate_limited_per_address(vendor_staff, console_client, settings):
    enrolled_key(vendor_staff)
    client = console_client(vendor_staff, second_step=False)
    settings.HEARTH_AUTH_RATE = "2/m"
    client.post("/two-step/", {"code": "000000"})
    client.post("/two-step/", {"code": "000001"})
    assert client.post("/two-step/", {"code": "000002"}).status_code == 429


def test_console_pages_are_closed_before_the_second_step(vendor_staff, console_client, sent_ticket):
    enrolled_key(vendor_staff)
    client = console_client(vendor_staff, second_step=False)
    pk = sent_ticket.pk
    for response in (
        client.get("/"),
        client.get(f"/tickets/{pk}/"),
        client.post(f"/tickets/{pk}/reply/", {"body": "hello"}),
        client.post(f"/tickets/{pk}/status/", {"status": "complete", "version": sent_ticket.version}),
        client.get(f"/tickets/{pk}/attachments/1/"),
    ):
        assert response.status_code == 302 and response["Location"].startswith("/two-step/?next=")
        assert "Jordan Rivers" not in _text(response)
    assert not AuditEvent.objects.filter(action="ticket.viewed").exists()
    sent_ticket.refresh_from_db()
    assert sent_ticket.status == "waiting_vendor"
    # Without a factor yet, the same pages send the person to enrolment instead.
    VendorTotpKey.objects.all().delete()
    assert client.get("/")["Location"] == "/two-step/setup/?next=%2F"


def test_two_step_pages_need_the_password_first_and_are_skipped_once_signed_in(vendor_staff, console_client):
    anonymous = console_client()
    assert anonymous.get("/two-step/")["Location"] == "/login/"
    assert anonymous.post("/two-step/setup/", {"code": "123456"})["Location"] == "/login/"
    assert console_client(vendor_staff).get("/two-step/")["Location"] == "/"


def test_the_operator_resets_a_lost_phone(vendor_staff, console_client):
    signed_in = console_client(vendor_staff)
    VendorRecoveryCode.objects.create(staff=vendor_staff, code_hash="x" * 64)
    out = io.StringIO()
    call_command("create_vendor_staff", "Sam@Vendor.test", "--reset-mfa", stdout=out)
    assert "Two-step sign-in of sam@vendor.test reset" in out.getvalue()
    assert not VendorTotpKey.objects.exists() and not VendorRecoveryCode.objects.exists()
    event = AuditEvent.objects.get(action="vendor.mfa_reset")
    assert event.chain_key == "system" and event.actor_label == "manage.py"
    assert event.detail == {"vendor_staff_id": vendor_staff.pk, "email": "sam@vendor.test", "had_factor": True}
    assert signed_in.get("/")["Location"] == "/login/?next=/"  # every session of theirs ended
    client = console_client()
    assert _password(client)["Location"] == "/two-step/setup/?next=%2F"
    _enrol(client)
    with pytest.raises(CommandError, match="No vendor staff account"):
        call_command("create_vendor_staff", "nobody@vendor.test", "--reset-mfa")
