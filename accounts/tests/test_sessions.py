import time

import pytest
from django.core import mail

from accounts.sessions.models import UserSession
from accounts.sessions.services import LAST_ACTIVITY, LOGIN_AT, describe_device
from audit.models import AuditEvent
from conftest import PASSWORD, rls_queries

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0 Safari/537.36"
)
FIREFOX_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:140.0) Gecko/20100101 Firefox/140.0"


def _login(client, username="alice", agent=CHROME_WINDOWS):
    response = client.post("/login/", {"username": username, "password": PASSWORD}, HTTP_USER_AGENT=agent)
    assert response.status_code == 302
    return response


def _age_session(client, **seconds_ago):
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def test_devices_are_described_plainly():
    assert describe_device(CHROME_WINDOWS) == "Chrome on Windows"
    assert describe_device(FIREFOX_MAC) == "Firefox on macOS"
    assert describe_device("") == "Unknown browser on unknown system"


@pytest.mark.dated
def test_idle_sessions_end_after_the_clinics_timeout(org, admin, clinic_client):
    client = clinic_client(org)
    _login(client)
    _age_session(client, **{LAST_ACTIVITY: 14 * 60})
    assert client.get("/").status_code == 200  # 14 minutes idle: still fine, and the clock restarts
    _age_session(client, **{LAST_ACTIVITY: 16 * 60})
    response = client.get("/staff/")
    assert response.url == "/login/?expired=idle"
    assert "signed out after a period without activity" in client.get(response.url).content.decode()
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.session_expired", detail__reason="idle").exists()


def test_htmx_requests_of_an_expired_session_get_401(org, admin, clinic_client):
    client = clinic_client(org)
    _login(client)
    _age_session(client, **{LAST_ACTIVITY: 16 * 60})
    assert client.get("/staff/", HTTP_HX_REQUEST="true").status_code == 401


@pytest.mark.dated
def test_sessions_end_after_the_absolute_lifetime_even_when_active(org, admin, clinic_client):
    client = clinic_client(org)
    _login(client)
    _age_session(client, **{LOGIN_AT: 12 * 3600 + 5})
    assert client.get("/").url == "/login/?expired=lifetime"


@pytest.mark.dated
def test_keepalive_restarts_the_idle_clock(org, admin, clinic_client):
    client = clinic_client(org)
    _login(client)
    _age_session(client, **{LAST_ACTIVITY: 14 * 60})
    assert client.post("/session/keepalive/").status_code == 204
    assert time.time() - client.session[LAST_ACTIVITY] < 5
    assert clinic_client(org).post("/session/keepalive/").status_code == 302  # anonymous: to the login page


def test_sessions_page_lists_and_signs_out_everywhere_else(org, other_org, admin, outsider, clinic_client):
    from accounts.people.models import Membership
    from tenancy.context import tenant_context

    with tenant_context(other_org):
        Membership.objects.create(user=admin.user, username="alice")
    laptop, phone, elsewhere = clinic_client(org), clinic_client(org), clinic_client(other_org)
    _login(laptop)
    _login(phone, agent=FIREFOX_MAC)
    _login(elsewhere)
    page = laptop.get("/account/sessions/").content.decode()
    assert "Chrome on Windows" in page and "Firefox on macOS" in page and "This browser" in page
    laptop.post("/account/sessions/end-others/")
    assert phone.get("/").status_code == 302
    assert elsewhere.get("/").status_code == 302
    assert laptop.get("/").status_code == 200
    assert UserSession.objects.filter(user=admin.user, ended_at=None).count() == 1
    assert AuditEvent.objects.get(action="auth.signed_out_everywhere").detail == {"sessions": 2}


def test_a_new_browser_triggers_an_alert_without_phi(org, admin, clinic_client, monkeypatch):
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())
    first = clinic_client(org)
    _login(first)
    assert mail.outbox == []  # the very first sign-in is not "new"
    again = clinic_client(org)
    again.cookies["hearth_device"] = first.cookies["hearth_device"].value
    _login(again)
    assert mail.outbox == []  # same browser
    _login(clinic_client(org), agent=FIREFOX_MAC)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "New sign-in to your Hearth account"
    assert "Firefox on macOS" in message.body and "127.0.0.1" in message.body


def test_a_forged_device_cookie_counts_as_a_new_browser(org, admin, clinic_client, monkeypatch):
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())
    _login(clinic_client(org))
    forged = clinic_client(org)
    forged.cookies["hearth_device"] = "not-signed"
    _login(forged)
    assert len(mail.outbox) == 1


def test_people_see_their_own_sign_ins_and_administrators_the_clinics(org, admin, clinician, clinic_client):
    client = clinic_client(org)
    client.post("/login/", {"username": "carol", "password": "wrong-one-1A!"})
    _login(client, "carol")
    mine = client.get("/account/sign-ins/").content.decode()
    assert "Failed sign-in" in mine and "Signed in" in mine
    assert clinic_client(org, clinician).get("/staff/sign-ins/").status_code == 403
    admin_view = clinic_client(org, admin).get("/staff/sign-ins/", {"outcome": "failure"}).content.decode()
    assert "carol@riverside.test" in admin_view


def test_sign_in_history_query_count_is_fixed(org, admin, clinic_client, django_assert_max_num_queries):
    client = clinic_client(org)
    for _ in range(3):
        _login(client)
    with django_assert_max_num_queries(7 + rls_queries()):
        assert client.get("/staff/sign-ins/").status_code == 200
