import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.passwords.models import PasswordResetRequest
from accounts.people.models import User
from audit.models import AuditEvent
from conftest import PASSWORD

NEW = "Fresh-Garden-Path-31"


@pytest.fixture(autouse=True)
def _send_mail_on_commit(monkeypatch):
    """Tests run inside a transaction that never commits; run on-commit work (the email tasks) at once."""
    monkeypatch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def mails():
    return mail.outbox


def _ask(client, identifier: str):
    return client.post("/password/reset/", {"identifier": identifier})


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/password/reset/\S+/)", message.body).group(1)


def _reset(client, link: str, password: str = NEW):
    landing = client.get(link)
    assert landing.url == "/password/reset/set/"
    return client.post("/password/reset/set/", {"new_password1": password, "new_password2": password})


def test_the_answer_is_the_same_whether_or_not_the_account_exists(org, admin, outsider, clinic_client, mails):
    answers = [_ask(clinic_client(org), who) for who in ("alice", "ALICE@riverside.test", "nobody", "oscar")]
    assert {(a.status_code, a.url) for a in answers} == {(302, "/password/reset/sent/")}
    assert [m.to for m in mails] == [["alice@riverside.test"], ["alice@riverside.test"]]
    message = mails[0]
    assert message.subject == "Reset your Hearth password"
    assert "60 minutes" in message.body
    assert AuditEvent.objects.filter(action="auth.password_reset_requested", outcome="failure").count() == 2


def test_a_reset_link_sets_a_new_password_once_and_ends_other_sessions(org, admin, clinic_client, mails):
    signed_in = clinic_client(org, admin)
    assert signed_in.get("/").status_code == 200
    _ask(clinic_client(org), "alice")
    link = _link(mails[0])
    resetter = clinic_client(org)
    done = _reset(resetter, link)
    assert done.url == "/login/"
    user = User.objects.get(pk=admin.user_id)
    assert user.check_password(NEW)
    assert signed_in.get("/").status_code == 302  # the old session no longer authenticates
    assert mails[-1].subject == "Your Hearth password was changed"
    assert AuditEvent.objects.filter(action="auth.password_reset", actor=user).exists()
    again = clinic_client(org)
    again.get(link)
    assert "can't be used" in again.get("/password/reset/set/").content.decode()


def test_the_token_never_stays_in_the_address(org, admin, clinic_client, mails):
    _ask(clinic_client(org), "alice")
    client = clinic_client(org)
    response = client.get(_link(mails[0]))
    assert response.status_code == 302
    assert response.url == "/password/reset/set/"


def test_a_newer_link_cancels_the_older_one(org, admin, clinic_client, mails):
    _ask(clinic_client(org), "alice")
    _ask(clinic_client(org), "alice")
    old, new = _link(mails[0]), _link(mails[1])
    stale = clinic_client(org)
    stale.get(old)
    assert "can't be used" in stale.get("/password/reset/set/").content.decode()
    assert _reset(clinic_client(org), new).url == "/login/"


def test_signing_in_cancels_an_outstanding_link(org, admin, clinic_client, mails):
    _ask(clinic_client(org), "alice")
    clinic_client(org).post("/login/", {"username": "alice", "password": PASSWORD})
    client = clinic_client(org)
    client.get(_link(mails[0]))
    assert "can't be used" in client.get("/password/reset/set/").content.decode()


@pytest.mark.dated
def test_links_expire_after_an_hour(org, admin, clinic_client, mails):
    _ask(clinic_client(org), "alice")
    PasswordResetRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    client = clinic_client(org)
    client.get(_link(mails[0]))
    assert "can't be used" in client.get("/password/reset/set/").content.decode()


def test_a_link_from_one_clinic_does_not_work_at_another(org, other_org, admin, clinic_client, mails):
    _ask(clinic_client(org), "alice")
    client = clinic_client(other_org)
    client.get(_link(mails[0]))
    assert "can't be used" in client.get("/password/reset/set/").content.decode()


def test_the_new_password_must_meet_the_policy(org, admin, clinic_client, mails):
    _ask(clinic_client(org), "alice")
    response = _reset(clinic_client(org), _link(mails[0]), "weak")
    assert response.status_code == 200
    assert "Use at least 12 characters." in response.content.decode()
    assert User.objects.get(pk=admin.user_id).check_password(PASSWORD)


def test_emails_carry_no_client_information_and_no_password(org, admin, clinic_client, mails):
    _ask(clinic_client(org), "alice")
    _reset(clinic_client(org), _link(mails[0]))
    for message in mails:
        assert NEW not in message.body and PASSWORD not in message.body
        assert "client" not in message.subject.lower()
