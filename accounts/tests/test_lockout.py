from django.test import Client

from audit.models import AuditEvent
from conftest import PASSWORD, host_of

LOCKED_MESSAGE = "This account is locked after too many failed sign-in attempts."


def _fail(client, username: str, times: int):
    for _ in range(times):
        response = client.post("/login/", {"username": username, "password": "Wrong-Password-1!"})
    return response


def test_an_account_locks_after_the_clinics_threshold(org, admin, clinician, clinic_client):
    client = clinic_client(org)
    fourth = _fail(client, "carol", 4)
    assert "Invalid username or password." in fourth.content.decode()
    fifth = _fail(client, "carol", 1)
    assert fifth.status_code == 403
    assert LOCKED_MESSAGE in fifth.content.decode()
    right_password = client.post("/login/", {"username": "carol", "password": PASSWORD})
    assert right_password.status_code == 403
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.locked_out", organization=org).exists()


def test_email_and_username_count_toward_the_same_lock(org, clinician, clinic_client):
    client = clinic_client(org)
    _fail(client, "carol", 3)
    response = _fail(client, "CAROL@riverside.test", 2)
    assert LOCKED_MESSAGE in response.content.decode()


def test_unknown_usernames_lock_the_same_way(org, clinic_client):
    response = _fail(clinic_client(org), "nobody", 5)
    assert response.status_code == 403
    assert LOCKED_MESSAGE in response.content.decode()


def test_the_threshold_is_per_clinic_and_locks_are_per_clinic(org, other_org, clinician, make_member, clinic_client):
    org.lockout_threshold = 3
    org.save()
    make_member(other_org, "carol", "clinician")
    assert LOCKED_MESSAGE in _fail(clinic_client(org), "carol", 3).content.decode()
    elsewhere = Client(HTTP_HOST=host_of(other_org))
    assert elsewhere.post("/login/", {"username": "carol", "password": PASSWORD}).status_code == 302


def test_administrator_sees_and_unlocks_a_locked_account(org, admin, clinician, clinic_client):
    _fail(clinic_client(org), "carol", 5)
    admin_client = clinic_client(org, admin)
    assert "Locked" in admin_client.get("/staff/").content.decode()
    page = admin_client.get(f"/staff/{clinician.pk}/").content.decode()
    assert "Unlock Carol Clinician" in page
    admin_client.post(f"/staff/{clinician.pk}/unlock/")
    assert "Locked" not in admin_client.get("/staff/").content.decode()
    assert clinic_client(org).post("/login/", {"username": "carol", "password": PASSWORD}).status_code == 302
    event = AuditEvent.objects.get(action="staff.unlocked")
    assert event.actor == admin.user and event.object_id == str(clinician.pk)


def test_only_administrators_unlock(org, clinician, front_desk, clinic_client):
    assert clinic_client(org, front_desk).post(f"/staff/{clinician.pk}/unlock/").status_code == 403


def test_a_successful_sign_in_resets_the_count(org, clinician, clinic_client):
    client = clinic_client(org)
    _fail(client, "carol", 4)
    assert client.post("/login/", {"username": "carol", "password": PASSWORD}).status_code == 302
    assert "Invalid username" in _fail(clinic_client(org), "carol", 4).content.decode()


def test_one_address_spraying_many_usernames_is_throttled(org, settings, clinic_client):
    settings.HEARTH_AUTH_RATE = "5/10m"
    client = clinic_client(org)
    codes = [
        client.post(
            "/login/", {"username": f"user{i}", "password": "Spring2026!"}, REMOTE_ADDR="198.51.100.7"
        ).status_code
        for i in range(7)
    ]
    assert codes[:5] == [200] * 5
    assert codes[5:] == [429, 429]
    assert AuditEvent.objects.filter(action="security.rate_limited").count() == 2
    other_address = client.post("/login/", {"username": "x", "password": "y"}, REMOTE_ADDR="198.51.100.8")
    assert other_address.status_code == 200


def test_forgot_password_is_throttled_too(org, settings, clinic_client):
    settings.HEARTH_AUTH_RATE = "2/10m"
    client = clinic_client(org)
    codes = [client.post("/password/reset/", {"identifier": f"u{i}"}).status_code for i in range(3)]
    assert codes == [302, 302, 429]


def test_every_sign_in_endpoint_is_throttled(org, admin, settings, clinic_client):
    settings.HEARTH_AUTH_RATE = "1/10m"
    settings.HEARTH_SSO_RATE = "1/10m"
    posts = ["/login/", "/password/reset/", "/password/reset/set/", "/invitation/MQ/set-password/"]
    for path in posts:
        client = clinic_client(org)
        client.post(path, {})
        assert client.post(path, {}).status_code == 429, path
    signed_in = clinic_client(org, admin)
    signed_in.post("/password/change/", {})
    assert signed_in.post("/password/change/", {}).status_code == 429
    for path in ["/sso/start/", "/sso/callback/"]:
        client = clinic_client(org)
        client.get(path)
        assert client.get(path).status_code == 429, path
