"""The vendor's support console: its own host and sign-in, its accounts, and the wall between vendor staff and
clinic staff (each refusal audited)."""

import base64
import io
from html import unescape

import pyotp
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from conftest import PASSWORD, host_of
from console.signin.models import VendorStaff
from console.tests.conftest import SUPPORT_HOST, enrolled_key


def _text(response) -> str:
    return unescape(response.content.decode())


def _sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post("/login/", {"email": email, "password": password})


# --- The host and sign-in ------------------------------------------------------------------------------------


def test_the_support_host_serves_only_the_console(db, console_client):
    client = console_client()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/"
    assert "Vendor support sign-in" in _text(client.get("/login/"))
    for clinic_path in ("/clients/", "/tickets/", "/staff/", "/audit/", "/schedule/"):
        assert client.get(clinic_path).status_code == 404


def test_a_clinic_host_has_no_console_pages(org, admin, clinic_client, sent_ticket):
    client = clinic_client(org, admin)
    assert client.get(f"/tickets/{sent_ticket.pk}/status/").status_code == 404
    assert client.post(f"/tickets/{sent_ticket.pk}/reply/", {"body": "x"}).status_code == 404


def test_vendor_staff_sign_in_and_out_is_audited_outside_any_clinic(vendor_staff, console_client):
    totp = pyotp.TOTP(base64.b32encode(bytes.fromhex(enrolled_key(vendor_staff).key)).decode())
    client = console_client()
    response = _sign_in(client, "SAM@vendor.test")
    assert response.status_code == 302 and response["Location"] == "/two-step/?next=%2F"  # the second step next
    assert not AuditEvent.objects.filter(action="vendor.login").exists()
    response = client.post(response["Location"], {"code": totp.now()})
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200 and "Sam Support" in _text(page)
    event = AuditEvent.objects.get(action="vendor.login")
    assert event.chain_key == "system" and event.actor is None
    assert event.actor_label == "vendor support: sam@vendor.test"
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="vendor.logout").exists()


def test_wrong_password_and_clinic_staff_are_refused_with_one_message(vendor_staff, admin, console_client):
    client = console_client()
    wrong = _sign_in(client, "sam@vendor.test", "not-it")
    clinic = _sign_in(client, admin.user.email)  # a clinic person's real email and password
    for response in (wrong, clinic):
        assert response.status_code == 400
        assert "don't match an active vendor support account" in _text(response)
    assert client.get("/").status_code == 302
    failures = AuditEvent.objects.filter(action="vendor.login_failed", outcome="failure")
    assert {e.detail["email"] for e in failures} == {"sam@vendor.test", admin.user.email}


def test_deactivated_vendor_staff_cannot_sign_in_and_their_session_ends(vendor_staff, console_client):
    signed_in = console_client(vendor_staff)
    VendorStaff.objects.filter(pk=vendor_staff.pk).update(is_active=False)
    assert signed_in.get("/").status_code == 302
    assert _sign_in(console_client(), "sam@vendor.test").status_code == 400


def test_changing_the_password_ends_other_sessions(vendor_staff, console_client):
    client = console_client(vendor_staff)
    vendor_staff.set_password("Another-Horse-43!")
    vendor_staff.save()
    assert client.get("/").status_code == 302


def test_an_idle_session_ends(vendor_staff, console_client, settings):
    client = console_client(vendor_staff)
    session = client.session
    session["hearth_vendor_seen"] = timezone.now().timestamp() - 31 * 60
    session.save()
    assert client.get("/").status_code == 302


def test_repeated_failures_lock_the_account_even_for_unknown_addresses(vendor_staff, console_client):
    client = console_client()
    for _ in range(5):
        _sign_in(client, "sam@vendor.test", "wrong")
    locked = _sign_in(client, "sam@vendor.test")  # the right password no longer helps
    assert locked.status_code == 403 and "locked" in _text(locked)
    assert AuditEvent.objects.filter(action="vendor.locked_out").exists()
    for _ in range(5):
        _sign_in(client, "nobody@vendor.test", "wrong")
    assert _sign_in(client, "nobody@vendor.test").status_code == 403
    call_command("axes_reset_username", "vendor:sam@vendor.test", stdout=io.StringIO())  # the operator unlocks
    assert _sign_in(client, "sam@vendor.test").status_code == 302


def test_sign_in_is_rate_limited_per_address(vendor_staff, console_client, settings):
    settings.HEARTH_AUTH_RATE = "2/m"
    client = console_client()
    _sign_in(client, "a@vendor.test", "x")
    _sign_in(client, "b@vendor.test", "x")
    assert _sign_in(client, "sam@vendor.test").status_code == 429


def test_sign_in_needs_a_csrf_token(vendor_staff):
    client = Client(HTTP_HOST=SUPPORT_HOST, enforce_csrf_checks=True)
    assert _sign_in(client, "sam@vendor.test").status_code == 403


def test_a_clinic_session_on_the_support_host_is_ended_and_audited(org, admin, sent_ticket):
    client = Client(HTTP_HOST=SUPPORT_HOST)
    client.force_login(admin.user)  # a copied or forged clinic session cookie
    response = client.get(f"/tickets/{sent_ticket.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    event = AuditEvent.objects.get(action="access.denied", detail__permission="console.clinic_session")
    assert event.actor == admin.user and event.chain_key == "system"


def test_vendor_credentials_and_sessions_do_not_open_a_clinic(org, vendor_staff, clinic_client, console_client):
    clinic = clinic_client(org)
    refused = clinic.post("/login/", {"username": "sam@vendor.test", "password": PASSWORD})
    assert refused.status_code == 200 and "_auth_user_id" not in clinic.session
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.organization == org and failed.detail == {"username": "sam@vendor.test"}

    # A vendor console session cookie replayed on the clinic's host: ended, audited in that clinic's chain.
    vendor_cookie = console_client(vendor_staff).cookies["sessionid"].value
    clinic.cookies["sessionid"] = vendor_cookie
    response = clinic.get("/tickets/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    event = AuditEvent.objects.get(action="access.denied", detail__permission="clinic.vendor_session")
    assert event.organization == org and event.actor_label == f"vendor staff {vendor_staff.pk}"


# --- Creating vendor staff -----------------------------------------------------------------------------------


def test_create_vendor_staff_command(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Correct-Horse-42!\n"))
    out = io.StringIO()
    call_command("create_vendor_staff", "Pat@Vendor.test", "--name", "Pat Vendor", "--password-stdin", stdout=out)
    staff = VendorStaff.objects.get()
    assert staff.email == "pat@vendor.test" and staff.check_password("Correct-Horse-42!")
    assert "Correct-Horse" not in staff.password and staff.password.split("$")[0] in ("argon2", "md5")
    assert "Created vendor staff Pat Vendor" in out.getvalue()
    assert AuditEvent.objects.get(action="vendor.staff_created").detail == {"vendor_staff_id": staff.pk}
    monkeypatch.setattr("sys.stdin", io.StringIO("Correct-Horse-42!\n"))
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_vendor_staff", "pat@vendor.test", "--name", "Pat", "--password-stdin")
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="at least"):
        call_command("create_vendor_staff", "lee@vendor.test", "--name", "Lee", "--password-stdin")
    call_command("create_vendor_staff", "pat@vendor.test", "--name", "Pat", "--deactivate", stdout=out)
    assert not VendorStaff.objects.get().is_active


def test_vendor_staff_are_not_clinic_people(vendor_staff, org, admin):
    from accounts.people.models import User

    assert not User.objects.filter(email="sam@vendor.test").exists()
    assert host_of(org) != SUPPORT_HOST
