import base64
import datetime as dt
import re
from html import unescape

import pyotp
import time_machine
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.signin.lockout import MAX_CONSECUTIVE_FAILURES
from audit.models import AuditEvent
from conftest import PASSWORD, host_of
from core.clinic_time import clinic_zone

LOCKED_MESSAGE = "Too many failed sign-in attempts for this account."
WRONG = "Wrong-Password-1!"
START = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)  # 10:00 in Riverside (America/New_York)


def _fail(client, username: str, times: int, **extra):
    for _ in range(times):
        response = client.post("/login/", {"username": username, "password": WRONG}, **extra)
    return response


def _alert(response) -> str:
    return re.search(r'role="alert"[^>]*>(.*?)</div>', response.content.decode(), re.S).group(1)


def _sign_in(client, username="carol", **extra):
    return client.post("/login/", {"username": username, "password": PASSWORD}, **extra)


def test_the_threshold_brings_a_timed_lock_that_says_when_to_try_again(org, admin, clinician, clinic_client):
    client = clinic_client(org)
    with time_machine.travel(START, tick=False) as clock:
        fourth = _fail(client, "carol", 4)
        assert "Invalid username or password." in fourth.content.decode()
        fifth = _fail(client, "carol", 1)
        assert fifth.status_code == 403
        page = fifth.content.decode()
        assert LOCKED_MESSAGE in page and "Try again after 10:01" in page
        assert _sign_in(client).status_code == 403  # the right password waits too
        assert "_auth_user_id" not in client.session
        clock.shift(dt.timedelta(seconds=59))
        assert _sign_in(client).status_code == 403
        clock.shift(dt.timedelta(seconds=2))
        assert _sign_in(client).status_code == 302
    assert AuditEvent.objects.filter(action="auth.locked_out", organization=org).exists()


def test_each_failure_past_the_threshold_locks_twice_as_long_up_to_an_hour(org, clinician, clinic_client, settings):
    settings.HEARTH_AUTH_ACCOUNT_FAILURE_RATE = "1000/10m"  # this test is about the account, not the address
    client = clinic_client(org)
    with time_machine.travel(START, tick=False) as clock:
        _fail(client, "carol", 5)
        for minutes in [1, 2, 4, 8, 16, 32, 60, 60]:
            clock.shift(dt.timedelta(minutes=minutes) - dt.timedelta(seconds=1))
            assert _sign_in(client).status_code == 403, minutes  # still locked: refused, and not counted
            clock.shift(dt.timedelta(seconds=2))
            now = dt.datetime.now(clinic_zone(org)).replace(second=0) + dt.timedelta(minutes=1)  # rounded up
            longer = {1: 2, 2: 4, 4: 8, 8: 16, 16: 32, 32: 60, 60: 60}[minutes]
            page = _fail(client, "carol", 1).content.decode()  # a real attempt, wrong: locked again, longer
            assert f"Try again after {now + dt.timedelta(minutes=longer):%H:%M}" in page, minutes
        clock.shift(dt.timedelta(hours=1, seconds=1))
        assert _sign_in(client).status_code == 302


def test_a_hundred_consecutive_failures_lock_until_an_administrator_unlocks(org, admin, clinician, clinic_client):
    org.lockout_threshold = 20
    org.save()
    client = clinic_client(org)
    with time_machine.travel(START, tick=False) as clock:
        for attempt in range(1, MAX_CONSECUTIVE_FAILURES + 1):
            # From many addresses, as a botnet would: the per-address limits never see enough to stop it.
            response = _fail(client, "carol", 1, REMOTE_ADDR=f"203.0.113.{attempt}")
            assert response.status_code == (200 if attempt < 20 else 403), attempt
            clock.shift(dt.timedelta(hours=1, seconds=1))
        clock.shift(dt.timedelta(days=30))
        response = _sign_in(client)
        assert response.status_code == 403
        assert "It is locked until your clinic's administrator unlocks it." in unescape(response.content.decode())
        admin_client = clinic_client(org, admin)
        assert "Locked" in admin_client.get("/staff/").content.decode()
        admin_client.post(f"/staff/{clinician.pk}/unlock/")
        assert _sign_in(clinic_client(org)).status_code == 302


def test_clinic_settings_explain_the_threshold(org, admin, clinic_client):
    page = unescape(clinic_client(org, admin).get("/settings/clinic/").content.decode())
    assert "Failed sign-ins in a row before a pause" in page
    assert "each further failure pauses it twice as long, up to an hour" in page


def test_email_and_username_count_toward_the_same_lock(org, clinician, clinic_client):
    client = clinic_client(org)
    _fail(client, "carol", 3)
    response = _fail(client, "CAROL@riverside.test", 2)
    assert LOCKED_MESSAGE in response.content.decode()


def test_unknown_usernames_are_throttled_the_same_way(org, clinician, clinic_client):
    with time_machine.travel(START, tick=False):
        known = _fail(clinic_client(org), "carol", 5)
        unknown = _fail(clinic_client(org), "nobody", 5)
    assert known.status_code == unknown.status_code == 403
    assert _alert(known) == _alert(unknown)
    assert "Try again after" in _alert(known)


def test_the_threshold_is_per_clinic_and_locks_are_per_clinic(org, other_org, clinician, make_member, clinic_client):
    org.lockout_threshold = 3
    org.save()
    make_member(other_org, "carol", "clinician")
    assert LOCKED_MESSAGE in _fail(clinic_client(org), "carol", 3).content.decode()
    elsewhere = Client(HTTP_HOST=host_of(other_org))
    assert _sign_in(elsewhere).status_code == 302


def test_administrator_sees_and_unlocks_a_locked_account(org, admin, clinician, clinic_client):
    with time_machine.travel(START, tick=False) as clock:
        _fail(clinic_client(org), "carol", 5)
        admin_client = clinic_client(org, admin)
        assert "Locked" in admin_client.get("/staff/").content.decode()
        page = admin_client.get(f"/staff/{clinician.pk}/").content.decode()
        assert "Unlock Carol Clinician" in page
        admin_client.post(f"/staff/{clinician.pk}/unlock/")
        assert "Locked" not in admin_client.get("/staff/").content.decode()
        assert _sign_in(clinic_client(org)).status_code == 302
        event = AuditEvent.objects.get(action="staff.unlocked")
        assert event.actor == admin.user and event.object_id == str(clinician.pk)
        clock.shift(dt.timedelta(minutes=5))


def test_the_staff_list_shows_a_timed_lock_only_while_it_lasts(org, admin, clinician, clinic_client):
    admin_client = clinic_client(org, admin)
    with time_machine.travel(START, tick=False) as clock:
        _fail(clinic_client(org), "carol", 5)
        assert "Locked" in admin_client.get("/staff/").content.decode()
        clock.shift(dt.timedelta(minutes=1, seconds=1))
        assert "Locked" not in admin_client.get("/staff/").content.decode()


def test_only_administrators_unlock(org, clinician, front_desk, clinic_client):
    assert clinic_client(org, front_desk).post(f"/staff/{clinician.pk}/unlock/").status_code == 403


def test_a_successful_sign_in_resets_the_count(org, clinician, clinic_client):
    client = clinic_client(org)
    _fail(client, "carol", 4)
    assert _sign_in(client).status_code == 302
    assert "Invalid username" in _fail(clinic_client(org), "carol", 4).content.decode()


def _b32(device) -> str:
    return base64.b32encode(bytes.fromhex(device.key)).decode()


def test_an_office_of_twenty_behind_one_address_is_not_blocked(org, make_member, clinic_client):
    """Everyone signs in from the office's one address, one typo each, and sets up two-step sign-in."""
    org.mfa_required = True
    org.save()
    people = [make_member(org, f"staff{i}", "clinician") for i in range(20)]
    office = {"REMOTE_ADDR": "198.51.100.20"}
    with time_machine.travel(START, tick=True) as clock:
        for person in people:
            client = clinic_client(org)
            assert _fail(client, person.username, 1, **office).status_code == 200
            assert _sign_in(client, person.username, **office).status_code == 302
            assert client.get("/mfa/setup/", **office).status_code == 200
            device = TOTPDevice.objects.get(user=person.user, confirmed=False)
            assert client.post("/mfa/setup/", {"code": "000000"}, **office).status_code == 200  # a typo
            clock.shift(dt.timedelta(seconds=2))  # django-otp's own wait after a wrong code
            code = pyotp.TOTP(_b32(device)).now()
            done = client.post("/mfa/setup/", {"code": code}, **office)
            assert done.status_code == 200 and len(done.context["codes"]) == 10
            assert client.get("/", **office).status_code == 200
    assert not AuditEvent.objects.filter(action="security.rate_limited").exists()
    assert TOTPDevice.objects.filter(confirmed=True).count() == 20


def test_an_address_spraying_passwords_is_blocked(org, clinic_client, settings):
    client = clinic_client(org)
    sprayer = {"REMOTE_ADDR": "198.51.100.7"}
    limit = int(settings.HEARTH_AUTH_FAILURE_RATE.split("/")[0])
    with time_machine.travel(START, tick=False):  # a rate window ending mid-test would restart the count
        codes = [_fail(client, f"user{i}", 1, **sprayer).status_code for i in range(limit + 2)]
        assert codes[:limit] == [200] * limit
        assert codes[limit:] == [429, 429]
        assert AuditEvent.objects.filter(action="security.rate_limited").count() == 2
        assert _fail(client, "someone", 1, REMOTE_ADDR="198.51.100.8").status_code == 200


def test_one_address_hammering_one_account_is_blocked_before_the_address_is(org, clinician, clinic_client, settings):
    client = clinic_client(org)
    limit = int(settings.HEARTH_AUTH_ACCOUNT_FAILURE_RATE.split("/")[0])
    with time_machine.travel(START, tick=False):
        codes = [_fail(client, "carol", 1).status_code for _ in range(limit + 1)]
        assert codes[-1] == 429 and 429 not in codes[:limit]
        assert _fail(client, "dave", 1).status_code == 200  # the address itself may still sign others in


def test_failure_limits_pass_with_their_window(org, clinic_client, settings):
    settings.HEARTH_AUTH_FAILURE_RATE = "3/10m"
    client = clinic_client(org)
    with time_machine.travel(START, tick=False) as clock:
        assert [_fail(client, f"u{i}", 1).status_code for i in range(4)] == [200, 200, 200, 429]
        clock.shift(dt.timedelta(minutes=11))
        assert _fail(client, "u9", 1).status_code == 200


def test_reset_emails_to_one_person_are_limited_per_address(
    org, clinician, clinic_client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    client = clinic_client(org)
    limit = int(settings.HEARTH_AUTH_ACCOUNT_FAILURE_RATE.split("/")[0])
    with django_capture_on_commit_callbacks(execute=True):  # the email tasks
        codes = [client.post("/password/reset/", {"identifier": "carol"}).status_code for _ in range(limit + 1)]
    assert codes == [302] * limit + [429]
    assert len(mailoutbox) == limit
    assert client.post("/password/reset/", {"identifier": "dave"}).status_code == 302


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
