"""Security keys as a second step, through the real endpoints, answered by a small software authenticator.

The authenticator below only *produces* WebAuthn data (with ``cryptography`` and ``cbor2``); every check of it is
py_webauthn's, as in production. The browser test (test_webauthn_browser.py) uses Chromium's own authenticator.
"""

import hashlib
import json
import os
import struct
from base64 import urlsafe_b64decode, urlsafe_b64encode

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from accounts.mfa import services as mfa
from accounts.mfa.models import SecurityKey
from audit.models import AuditEvent
from conftest import PASSWORD

ORIGIN = "http://riverside.localhost"
RP_ID = "riverside.localhost"


def b64url(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    """One credential on a pretend USB key: ES256, 'none' attestation, a signature counter."""

    def __init__(self, origin: str = ORIGIN):
        self.origin = origin
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter = 0

    def _client_data(self, kind: str, options: dict) -> bytes:
        return json.dumps({"type": kind, "challenge": options["challenge"], "origin": self.origin}).encode()

    def _cose_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def create(self, options: dict) -> dict:
        rp_hash = hashlib.sha256(options["rp"]["id"].encode()).digest()
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose_key()
        auth_data = rp_hash + bytes([0x45]) + struct.pack(">I", self.counter) + attested
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(self._client_data("webauthn.create", options)),
                "attestationObject": b64url(attestation),
                "transports": ["usb"],
            },
        }

    def get(self, options: dict, *, counter: int | None = None) -> dict:
        self.counter = self.counter + 1 if counter is None else counter
        auth_data = hashlib.sha256(options["rpId"].encode()).digest() + bytes([0x05]) + struct.pack(">I", self.counter)
        client_data = self._client_data("webauthn.get", options)
        signature = self.private_key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
            },
        }


def _post_json(client, url: str, body=None, raw: bytes | None = None):
    data = raw if raw is not None else json.dumps(body or {})
    return client.post(url, data=data, content_type="application/json")


def _login(client, username="alice"):
    assert client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302


def _register(client, authenticator: SoftAuthenticator, name: str = "YubiKey"):
    options = _post_json(client, "/mfa/keys/register/options/").json()
    return _post_json(client, "/mfa/keys/register/", {"name": name, "credential": authenticator.create(options)})


@pytest.fixture
def signed_in(org, admin, clinic_client):
    client = clinic_client(org)
    _login(client)
    return client


@pytest.fixture
def key(signed_in):
    authenticator = SoftAuthenticator()
    response = _register(signed_in, authenticator)
    assert response.status_code == 200, response.content
    return authenticator


def test_registration_options_name_this_clinic_and_keep_the_challenge(signed_in):
    options = _post_json(signed_in, "/mfa/keys/register/options/").json()
    assert options["rp"] == {"id": RP_ID, "name": "Hearth"}
    assert options["user"]["name"] == "alice@riverside.test"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["attestation"] == "none"
    assert len(unb64url(options["challenge"])) >= 16
    assert unb64url(options["user"]["id"]) != b"1"  # an opaque handle, not the database id
    assert signed_in.session["hearth_webauthn_registration"] == options["challenge"]


def test_registering_a_first_key_turns_mfa_on_with_recovery_codes(signed_in, admin):
    response = _register(signed_in, SoftAuthenticator(), name="  This laptop ")
    assert response.json() == {"redirect": "/mfa/keys/recovery-codes/"}
    saved = SecurityKey.objects.get()
    assert (saved.name, saved.user, saved.rp_id, saved.transports) == ("This laptop", admin.user, RP_ID, ["usb"])
    assert mfa.has_mfa(admin.user)
    page = signed_in.get("/mfa/keys/recovery-codes/")
    assert len(page.context["codes"]) == 10
    assert signed_in.get("/mfa/keys/recovery-codes/").url == "/mfa/"  # shown once
    event = AuditEvent.objects.get(action="auth.mfa_enrolled")
    assert event.detail == {"method": "webauthn"}
    assert event.actor == admin.user
    manage = signed_in.get("/mfa/").content.decode()
    assert "This laptop" in manage and "Remove" in manage


def test_a_second_key_lists_the_first_as_excluded(signed_in, key):
    options = _post_json(signed_in, "/mfa/keys/register/options/").json()
    assert [c["id"] for c in options["excludeCredentials"]] == [b64url(key.credential_id)]
    response = _register(signed_in, SoftAuthenticator(), name="Spare")
    assert response.json() == {"redirect": "/mfa/"}
    assert SecurityKey.objects.count() == 2


def test_the_registration_challenge_works_once(signed_in):
    authenticator = SoftAuthenticator()
    options = _post_json(signed_in, "/mfa/keys/register/options/").json()
    credential = authenticator.create(options)
    assert _post_json(signed_in, "/mfa/keys/register/", {"name": "A", "credential": credential}).status_code == 200
    again = _post_json(signed_in, "/mfa/keys/register/", {"name": "B", "credential": credential})
    assert again.status_code == 400
    assert "expired or was already used" in again.json()["error"]
    assert SecurityKey.objects.count() == 1


@pytest.mark.parametrize("origin", ["http://lakeside.localhost", "https://riverside.localhost"])
def test_an_answer_from_another_origin_is_refused(signed_in, origin):
    response = _register(signed_in, SoftAuthenticator(origin=origin))
    assert response.status_code == 400
    assert not SecurityKey.objects.exists()
    event = AuditEvent.objects.get(action="auth.mfa_failed")
    assert event.detail == {"stage": "enrol", "method": "webauthn"}


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b'{"credential": "x"}',
        b'{"credential": {}}',
        b'{"credential": {"id": "AA", "rawId": "AA", "type": "public-key", "response": {"clientDataJSON": "!!", '
        b'"attestationObject": "%%"}}}',
        b'{"credential": {"id": "AA", "rawId": "AA", "type": "public-key", "response": {"clientDataJSON": "e30", '
        b'"attestationObject": "oA"}}, "name": 7}',
        b"\xff\xfe",
    ],
)
def test_malformed_registrations_are_a_400_with_a_message(signed_in, raw):
    _post_json(signed_in, "/mfa/keys/register/options/")
    response = _post_json(signed_in, "/mfa/keys/register/", raw=raw)
    assert response.status_code == 400
    assert response.json()["error"]
    assert not SecurityKey.objects.exists()


def test_sign_in_with_a_key(org, admin, clinic_client, key):
    client = clinic_client(org)
    _login(client)
    assert client.get("/").url == "/mfa/verify/"
    verify_page = client.get("/mfa/verify/").content.decode()
    assert "Use your security key" in verify_page and "hearth/webauthn" in verify_page
    options = _post_json(client, "/mfa/keys/sign-in/options/").json()
    assert options["rpId"] == RP_ID
    assert options["userVerification"] == "preferred"
    assert [c["id"] for c in options["allowCredentials"]] == [b64url(key.credential_id)]
    response = _post_json(client, "/mfa/keys/sign-in/?next=/staff/", {"credential": key.get(options)})
    assert response.json() == {"redirect": "/staff/"}
    assert client.get("/").status_code == 200
    saved = SecurityKey.objects.get()
    assert saved.sign_count == 1 and saved.last_used_at is not None
    assert AuditEvent.objects.filter(action="auth.mfa_verified", detail={"method": "webauthn"}).count() == 1


def test_the_sign_in_challenge_works_once_and_failures_are_audited(org, clinic_client, key):
    client = clinic_client(org)
    _login(client)
    options = _post_json(client, "/mfa/keys/sign-in/options/").json()
    credential = key.get(options)
    assert _post_json(client, "/mfa/keys/sign-in/", {"credential": credential}).status_code == 200
    replay = clinic_client(org)
    _login(replay)
    _post_json(replay, "/mfa/keys/sign-in/options/")  # a fresh challenge the old answer does not match
    refused = _post_json(replay, "/mfa/keys/sign-in/", {"credential": credential})
    assert refused.status_code == 400
    again = _post_json(replay, "/mfa/keys/sign-in/", {"credential": credential})
    assert "expired or was already used" in again.json()["error"]
    assert replay.get("/").url == "/mfa/verify/"
    failures = AuditEvent.objects.filter(action="auth.mfa_failed", detail={"stage": "sign_in", "method": "webauthn"})
    assert failures.count() == 2


def test_a_signature_counter_that_goes_back_is_refused(org, clinic_client, key):
    client = clinic_client(org)
    _login(client)
    first = _post_json(client, "/mfa/keys/sign-in/options/").json()
    _post_json(client, "/mfa/keys/sign-in/", {"credential": key.get(first, counter=5)})
    cloned = clinic_client(org)
    _login(cloned)
    options = _post_json(cloned, "/mfa/keys/sign-in/options/").json()
    response = _post_json(cloned, "/mfa/keys/sign-in/", {"credential": key.get(options, counter=3)})
    assert response.status_code == 400
    assert SecurityKey.objects.get().sign_count == 5


def test_a_key_of_someone_else_is_refused(org, clinician, clinic_client, key):
    carol = clinic_client(org)
    _login(carol, "carol")
    other = SoftAuthenticator()
    assert _register(carol, other).status_code == 200
    alice = clinic_client(org)
    _login(alice)
    options = _post_json(alice, "/mfa/keys/sign-in/options/").json()
    response = _post_json(alice, "/mfa/keys/sign-in/", {"credential": other.get(options)})
    assert response.status_code == 400
    assert "isn't registered to your account" in response.json()["error"]


@pytest.mark.parametrize("raw", [b"{", b"null", b'{"credential": []}', b'{"credential": {"id": 5}}'])
def test_malformed_sign_ins_are_a_400(org, clinic_client, key, raw):
    client = clinic_client(org)
    _login(client)
    _post_json(client, "/mfa/keys/sign-in/options/")
    response = _post_json(client, "/mfa/keys/sign-in/", raw=raw)
    assert response.status_code == 400
    assert response.json()["error"]


def test_sign_in_options_need_a_key_at_this_address(signed_in):
    response = _post_json(signed_in, "/mfa/keys/sign-in/options/")
    assert response.status_code == 400
    assert "no security key" in response.json()["error"]


def test_endpoints_need_post_and_a_signed_in_person(org, clinic_client):
    anonymous = clinic_client(org)
    assert _post_json(anonymous, "/mfa/keys/register/options/").status_code == 302
    assert _post_json(anonymous, "/mfa/keys/sign-in/options/").status_code == 302


def test_keys_are_not_changed_before_the_second_step(org, admin, clinic_client, key):
    client = clinic_client(org)
    _login(client)
    assert _post_json(client, "/mfa/keys/register/options/").status_code == 403
    assert client.post(f"/mfa/keys/{SecurityKey.objects.get().pk}/remove/").url == "/mfa/verify/"
    assert client.post("/mfa/turn-off/").url == "/mfa/verify/"
    assert client.get("/mfa/setup/").url == "/mfa/verify/"
    assert SecurityKey.objects.exists() and mfa.has_mfa(admin.user)


def test_removing_keys(org, admin, signed_in, key):
    _register(signed_in, SoftAuthenticator(), name="Spare")
    first, spare = SecurityKey.objects.order_by("id")
    signed_in.post(f"/mfa/keys/{first.pk}/remove/")
    assert list(SecurityKey.objects.all()) == [spare]
    assert mfa.has_mfa(admin.user)
    signed_in.post(f"/mfa/keys/{spare.pk}/remove/")
    assert not mfa.has_mfa(admin.user)  # the recovery codes went with the only factor
    assert AuditEvent.objects.filter(action="auth.mfa_key_removed", detail={"method": "webauthn"}).count() == 2


def test_the_last_key_stays_when_the_clinic_requires_mfa(org, admin, signed_in, key):
    org.mfa_required = True
    org.save()
    response = signed_in.post(f"/mfa/keys/{SecurityKey.objects.get().pk}/remove/", follow=True)
    assert "add another key or an app" in response.content.decode()
    assert SecurityKey.objects.exists()


def test_nobody_removes_another_persons_key(org, clinician, clinic_client, key):
    carol = clinic_client(org, clinician)
    carol.post(f"/mfa/keys/{SecurityKey.objects.get().pk}/remove/")
    assert SecurityKey.objects.exists()
    assert not AuditEvent.objects.filter(action="auth.mfa_key_removed").exists()


def test_a_required_policy_is_met_by_enrolling_a_key(org, clinician, clinic_client):
    org.mfa_required = True
    org.save()
    client = clinic_client(org)
    _login(client, "carol")
    assert client.get("/").url == "/mfa/setup/"
    assert "Use a security key instead" in client.get("/mfa/setup/").content.decode()
    assert _register(client, SoftAuthenticator(), name="Carol's key").status_code == 200
    assert client.get("/").status_code == 200


def test_administrator_reset_removes_keys(org, admin, clinician, clinic_client):
    carol = clinic_client(org)
    _login(carol, "carol")
    _register(carol, SoftAuthenticator())
    clinic_client(org, admin).post(f"/staff/{clinician.pk}/reset-mfa/")
    assert not SecurityKey.objects.filter(user=clinician.user).exists()
    assert not mfa.has_mfa(clinician.user)


def test_a_key_from_another_clinic_address_is_not_offered(org, other_org, admin, clinic_client, key, make_member):
    from accounts.people.models import Membership
    from tenancy.context import tenant_context

    with tenant_context(other_org):
        Membership.objects.create(user=admin.user, username="alice")
    client = clinic_client(other_org)
    _login(client)
    assert client.get("/").url == "/mfa/verify/"
    page = client.get("/mfa/verify/").content.decode()
    assert "registered at another clinic" in page and "Use your security key" not in page
    assert _post_json(client, "/mfa/keys/sign-in/options/").status_code == 400


def test_a_form_post_to_the_security_key_endpoints_is_refused_with_a_message(org, clinician, clinic_client):
    client = clinic_client(org, clinician)
    for url in ("/mfa/keys/register/", "/mfa/keys/sign-in/"):
        response = client.post(url, {"credential": "x", "csrfmiddlewaretoken": "x"})
        assert response.status_code == 400, url
        assert response.json() == {"error": "The request wasn't valid JSON."}
