import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client

from accounts.signin.forms import INVALID_LOGIN
from accounts.signin.signals import SESSION_ORGANIZATION_KEY
from audit.models import AuditEvent
from conftest import PASSWORD, host_of


def _login(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password, **extra})


def _strip_tokens(html: str) -> str:
    """Remove the per-response CSRF tokens (64 characters, masked anew each time) before comparing pages."""
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "TOKEN", html)


def test_staff_sign_in_with_username_and_land_on_home(org, admin, clinic_client):
    client = clinic_client(org)
    response = _login(client, "alice")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_ORGANIZATION_KEY] == org.pk
    home = client.get("/")
    assert "Welcome, Alice Admin" in home.content.decode()


def test_staff_sign_in_with_email_any_case(org, admin, clinic_client):
    response = _login(clinic_client(org), "ALICE@riverside.test")
    assert response.status_code == 302


def test_sign_in_rotates_the_session_id(org, admin, clinic_client):
    client = clinic_client(org)
    client.get("/login/")
    session = client.session
    session["probe"] = 1
    session.save()
    before = client.cookies["sessionid"].value
    _login(client, "alice")
    assert client.cookies["sessionid"].value != before


@pytest.mark.parametrize("case", ["wrong_password", "unknown_user", "inactive", "other_clinic"])
def test_every_failed_sign_in_gets_the_same_answer(case, org, admin, make_member, outsider, clinic_client):
    make_member(org, "gone", "clinician", active=False)
    username, password = {
        "wrong_password": ("alice", "not-the-password"),
        "unknown_user": ("nobody", PASSWORD),
        "inactive": ("gone", PASSWORD),
        "other_clinic": ("oscar", PASSWORD),
    }[case]
    response = _login(clinic_client(org), username, password)
    assert response.status_code == 200
    assert INVALID_LOGIN in response.content.decode()
    assert "_auth_user_id" not in response.client.session


def test_wrong_password_and_unknown_user_bodies_are_identical(org, admin, clinic_client):
    wrong = _login(clinic_client(org), "alice", "nope-nope-nope").content.decode()
    unknown = _login(clinic_client(org), "alicf", "nope-nope-nope").content.decode()
    assert _strip_tokens(wrong).replace("alice", "X") == _strip_tokens(unknown).replace("alicf", "X")


def test_sign_ins_are_audited(org, admin, clinic_client):
    client = clinic_client(org)
    _login(client, "alice", "wrong-password-1")
    _login(client, "alice")
    events = list(AuditEvent.objects.filter(organization=org).order_by("pk"))
    assert [(e.action, e.outcome) for e in events] == [("auth.login_failed", "failure"), ("auth.login", "success")]
    assert events[0].detail == {"username": "alice"}
    assert events[1].actor == admin.user
    assert events[1].ip_address == "127.0.0.1"


def test_next_parameter_cannot_redirect_off_site(org, admin, clinic_client):
    response = _login(clinic_client(org), "alice", next="https://evil.example.com/")
    assert response["Location"] == "/"
    response = _login(clinic_client(org), "alice", next="/staff/")
    assert response["Location"] == "/staff/"


def test_sign_out_ends_the_session_on_the_server(org, admin, clinic_client):
    client = clinic_client(org)
    _login(client, "alice")
    session_key = client.session.session_key
    response = client.post("/logout/")
    assert response.status_code == 302
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=admin.user).exists()


def test_sign_out_requires_post(org, admin, clinic_client):
    assert clinic_client(org, admin).get("/logout/").status_code == 405


def test_a_session_cookie_replayed_on_another_clinic_is_rejected(org, other_org, admin, clinic_client):
    client = clinic_client(org, admin)
    stolen = Client(HTTP_HOST=host_of(other_org))
    stolen.cookies["sessionid"] = client.cookies["sessionid"].value
    response = stolen.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    event = AuditEvent.objects.get(action="auth.session_rejected")
    assert event.organization == other_org
    assert event.outcome == "denied"


def test_deactivated_staff_are_signed_out_on_their_next_request(org, admin, clinician, clinic_client):
    client = clinic_client(org, clinician)
    assert client.get("/").status_code == 200
    type(clinician).all_tenants.filter(pk=clinician.pk).update(is_active=False)
    assert client.get("/").status_code == 302


def test_anonymous_visitors_are_sent_to_the_login_page(org, clinic_client):
    response = clinic_client(org).get("/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/staff/"


def test_login_page_names_the_clinic_and_has_labelled_fields(org, clinic_client):
    body = clinic_client(org).get("/login/").content.decode()
    assert "Sign in to Riverside Counseling" in body
    assert '<label for="id_username">' in body
    assert '<label for="id_password">' in body


class CountingHasher(MD5PasswordHasher):
    """The test hasher, counting how many hashes a request computes (each costs the same time)."""

    computed = 0

    def encode(self, password, salt):
        CountingHasher.computed += 1
        return super().encode(password, salt)


@pytest.mark.parametrize("username", ["alice", "nobody", "gone", "oscar"])
def test_every_failed_sign_in_costs_exactly_one_password_hash(username, org, admin, make_member, outsider, settings):
    """Same work whatever was wrong: an unknown user still pays for one hash, so timing tells nothing."""
    make_member(org, "gone", "clinician", active=False)
    settings.PASSWORD_HASHERS = ["accounts.tests.test_login.CountingHasher"]
    client = Client(HTTP_HOST=host_of(org))
    CountingHasher.computed = 0
    response = _login(client, username, "Definitely-Wrong-9!")
    assert response.status_code == 200
    assert CountingHasher.computed == 1
