"""Single sign-on with OpenID Connect, against a real provider (`oidc-provider`, run by Node on loopback)."""

import json
import socket
import time
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from django.utils.html import escape
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from accounts.people.models import User
from accounts.roles import Role
from accounts.signin.signals import SESSION_ORGANIZATION_KEY
from accounts.sso import protocol as sso
from accounts.sso.models import OidcConfiguration
from accounts.sso.views import GENERIC_FAILURE
from accounts.tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, OFFLINE, provider_fixture
from audit.models import AuditEvent, Outcome
from tenancy.context import tenant_context

oidc_provider = provider_fixture()


@pytest.fixture(autouse=True)
def _loopback_issuer_allowed(settings):
    settings.HEARTH_SSO_ALLOW_INSECURE_ISSUER = True


@pytest.fixture
def configure_sso(org, request):
    """``configure_sso(**overrides)``; the issuer is the running provider's unless given (only then is it started)."""

    def configure(**overrides) -> OidcConfiguration:
        if "issuer" not in overrides:
            overrides["issuer"] = request.getfixturevalue("oidc_provider").issuer
        values = {
            "enabled": True,
            "display_name": "Riverside ID",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "allowed_email_domain": "riverside.test",
            **overrides,
        }
        with tenant_context(org):
            return OidcConfiguration.objects.create(**values)

    return configure


def _start(client, next_url: str = ""):
    response = client.get("/sso/start/" + (f"?next={quote(next_url, safe='')}" if next_url else ""))
    assert response.status_code == 302
    return response["Location"]


def _callback_path(url: str) -> str:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("http", "riverside.localhost", "/sso/callback/")
    return f"{parts.path}?{parts.query}"


def _sso_sign_in(client, oidc_provider, login: str, next_url: str = ""):
    back = oidc_provider.sign_in(_start(client, next_url), login)
    return client.get(_callback_path(back))


def _signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def _assert_generic_failure(client, response, reason: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert _signed_in_user_id(client) is None
    page = client.get("/login/").content.decode()
    assert escape(GENERIC_FAILURE) in page
    event = AuditEvent.objects.get(action="auth.sso_failed")
    assert event.outcome == Outcome.FAILURE
    assert event.detail["reason"] == reason
    assert event.actor is None
    assert not AuditEvent.objects.filter(action__in=["auth.sso_login", "auth.login"]).exists()


# --- Signing in --------------------------------------------------------------------------------------------


def test_staff_member_signs_in_through_the_clinics_provider(
    org, clinician, clinic_client, configure_sso, oidc_provider
):
    configure_sso()
    client = clinic_client(org)
    response = _sso_sign_in(client, oidc_provider, "carol@riverside.test")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _signed_in_user_id(client) == str(clinician.user.pk)
    assert client.session[SESSION_ORGANIZATION_KEY] == org.pk
    assert "Welcome, Carol Clinician" in client.get("/").content.decode()
    event = AuditEvent.objects.get(action="auth.sso_login")
    assert event.actor == clinician.user
    assert event.organization == org
    assert event.detail == {"issuer": oidc_provider.issuer}
    assert AuditEvent.objects.filter(action="auth.login", actor=clinician.user).exists()


def test_the_email_is_matched_whatever_its_case(org, clinician, clinic_client, configure_sso, oidc_provider):
    configure_sso()
    client = clinic_client(org)
    _sso_sign_in(client, oidc_provider, "Carol@Riverside.TEST")
    assert _signed_in_user_id(client) == str(clinician.user.pk)


def test_sign_in_returns_to_the_requested_page_on_this_host_only(
    org, admin, clinic_client, configure_sso, oidc_provider
):
    configure_sso()
    response = _sso_sign_in(clinic_client(org), oidc_provider, "alice@riverside.test", next_url="/staff/?q=x")
    assert response["Location"] == "/staff/?q=x"
    for hostile in ["https://evil.example/", "//evil.example/", "http://lakeside.localhost/", "/sso/start/"]:
        response = _sso_sign_in(clinic_client(org), oidc_provider, "alice@riverside.test", next_url=hostile)
        assert response["Location"] == "/", hostile


def test_the_authorization_request_carries_state_nonce_and_pkce(org, clinic_client, configure_sso, oidc_provider):
    configure_sso()
    client = clinic_client(org)
    query = parse_qs(urlsplit(_start(client)).query)
    pending = client.session["hearth_sso_pending"]
    assert query["state"] == [pending["state"]]
    assert query["nonce"] == [pending["nonce"]]
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"] != [pending["code_verifier"]]
    assert query["redirect_uri"] == ["http://riverside.localhost/sso/callback/"]
    assert query["scope"] == ["openid email"]


# --- Every failure looks the same --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "login", "reason"),
    [
        ("unknown email", "nobody@riverside.test", "unknown_staff"),
        ("email outside the allowed domain", "dora@personal.test", "domain_not_allowed"),
        ("inactive staff member", "gone@riverside.test", "inactive_staff"),
        ("person no longer active anywhere", "ivan@riverside.test", "inactive_staff"),
        ("email not verified by the provider", "unverified:carol@riverside.test", "email_unverified"),
        ("staff member of another clinic", "oscar@lakeside.test", "unknown_staff"),
    ],
)
def test_every_failed_sso_sign_in_gets_the_same_answer(
    case, login, reason, org, clinician, outsider, make_member, clinic_client, configure_sso, oidc_provider
):
    make_member(org, "gone", Role.CLINICIAN, active=False)
    ivan = make_member(org, "ivan", Role.CLINICIAN)
    User.objects.filter(pk=ivan.user_id).update(is_active=False)
    dora = make_member(org, "dora", Role.CLINICIAN)
    User.objects.filter(pk=dora.user_id).update(email="dora@personal.test")
    # The other clinic's domain is allowed here, so only the tenancy of the staff lookup can refuse Oscar.
    configure_sso(allowed_email_domain="lakeside.test" if login.endswith("@lakeside.test") else "riverside.test")
    client = clinic_client(org)
    response = _sso_sign_in(client, oidc_provider, login)
    _assert_generic_failure(client, response, reason)
    assert login.split(":")[-1].lower() not in json.dumps(AuditEvent.objects.get(action="auth.sso_failed").detail)


def test_a_tampered_state_is_refused_and_the_answer_cannot_be_replayed(
    org, clinician, clinic_client, configure_sso, oidc_provider
):
    configure_sso()
    client = clinic_client(org)
    back = _callback_path(oidc_provider.sign_in(_start(client), "carol@riverside.test"))
    params = parse_qs(urlsplit(back).query)
    params["state"] = ["forged-" + params["state"][0]]
    response = client.get("/sso/callback/?" + urlencode(params, doseq=True))
    _assert_generic_failure(client, response, "state_mismatch")
    client.get(back)
    assert _signed_in_user_id(client) is None
    reasons = sorted(e.detail["reason"] for e in AuditEvent.objects.filter(action="auth.sso_failed"))
    assert reasons == ["no_pending_flow", "state_mismatch"]


def test_a_missing_state_is_refused(org, clinician, clinic_client, configure_sso, oidc_provider):
    configure_sso()
    client = clinic_client(org)
    back = _callback_path(oidc_provider.sign_in(_start(client), "carol@riverside.test"))
    params = {key: value for key, value in parse_qs(urlsplit(back).query).items() if key != "state"}
    response = client.get("/sso/callback/?" + urlencode(params, doseq=True))
    _assert_generic_failure(client, response, "state_mismatch")


def test_an_answer_meant_for_another_browser_is_refused(org, clinician, clinic_client, configure_sso, oidc_provider):
    """Login CSRF: an attacker's own valid answer, planted in a victim's browser, signs nobody in."""
    configure_sso()
    attacker = clinic_client(org)
    back = _callback_path(oidc_provider.sign_in(_start(attacker), "carol@riverside.test"))
    victim = clinic_client(org)
    response = victim.get(back)
    _assert_generic_failure(victim, response, "no_pending_flow")


def test_an_error_from_the_provider_fails_generically(org, clinic_client, configure_sso, oidc_provider):
    configure_sso()
    client = clinic_client(org)
    state = parse_qs(urlsplit(_start(client)).query)["state"][0]
    response = client.get("/sso/callback/?" + urlencode({"error": "access_denied", "state": state}))
    _assert_generic_failure(client, response, "provider_error")


def test_an_unreachable_provider_fails_generically(org, clinic_client, configure_sso):
    configure_sso(issuer=f"http://127.0.0.1:{_closed_port()}")
    client = clinic_client(org)
    response = client.get("/sso/start/")
    _assert_generic_failure(client, response, "discovery_failed")


def test_a_surprise_during_the_exchange_still_fails_generically(
    org, clinician, clinic_client, configure_sso, oidc_provider, monkeypatch
):
    configure_sso()
    client = clinic_client(org)
    back = _callback_path(oidc_provider.sign_in(_start(client), "carol@riverside.test"))

    def broken(*args, **kwargs):
        raise RuntimeError("a library bug")

    monkeypatch.setattr(sso, "validate_id_token", broken)
    _assert_generic_failure(client, client.get(back), "unexpected_error")


def test_sso_switched_off_refuses_to_start(org, clinic_client, configure_sso):
    configure_sso(enabled=False, issuer=OFFLINE.issuer)
    client = clinic_client(org)
    _assert_generic_failure(client, client.get("/sso/start/"), "not_configured")


def test_switching_sso_off_mid_sign_in_stops_it(org, clinician, clinic_client, configure_sso, oidc_provider):
    configuration = configure_sso()
    client = clinic_client(org)
    back = _callback_path(oidc_provider.sign_in(_start(client), "carol@riverside.test"))
    OidcConfiguration.all_tenants.filter(pk=configuration.pk).update(enabled=False)
    _assert_generic_failure(client, client.get(back), "not_configured")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- ID token checks (the provider never sends a bad token, so these sign their own) -------------------------

ISSUER = "https://id.example.org"


@pytest.fixture(scope="module")
def signing_key():
    return RSAKey.generate_key(2048, parameters={"kid": "good"})


def _id_token(key, **overrides) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": "hearth",
        "sub": "u-1",
        "iat": now,
        "exp": now + 300,
        "nonce": "n-1",
        "email": "carol@riverside.test",
        "email_verified": True,
        **overrides,
    }
    alg = "HS256" if isinstance(key, OctKey) else "RS256"
    return jwt.encode({"alg": alg, "kid": key.kid or "x"}, claims, key)


def _validate(token: str, key) -> dict:
    jwks = {"keys": [key.as_dict(private=False)]}
    return sso.validate_id_token(
        token, jwks=jwks, issuer=ISSUER, client_id="hearth", nonce="n-1", algorithms=["RS256", "HS256"]
    )


def test_a_well_formed_id_token_is_accepted(signing_key):
    assert _validate(_id_token(signing_key), signing_key)["email"] == "carol@riverside.test"


@pytest.mark.parametrize(
    "overrides",
    [{"iss": "https://evil.example"}, {"aud": "someone-else"}, {"nonce": "n-2"}, {"exp": int(time.time()) - 3600}],
    ids=["issuer", "audience", "nonce", "expired"],
)
def test_id_tokens_with_wrong_claims_are_refused(overrides, signing_key):
    with pytest.raises(sso.SsoFailure, match="invalid_id_token"):
        _validate(_id_token(signing_key, **overrides), signing_key)


def test_an_id_token_signed_by_another_key_is_refused(signing_key):
    impostor = RSAKey.generate_key(2048, parameters={"kid": "good"})
    with pytest.raises(sso.SsoFailure, match="invalid_id_token"):
        _validate(_id_token(impostor), signing_key)


def test_an_id_token_signed_with_a_shared_secret_is_refused(signing_key):
    """Only the provider's published public keys count; a token "signed" with a symmetric key does not."""
    secret = OctKey.import_key("x" * 32, parameters={"kid": "good"})
    token = _id_token(secret)
    with pytest.raises(sso.SsoFailure, match="invalid_id_token"):
        sso.validate_id_token(
            token,
            jwks={"keys": [signing_key.as_dict(private=False)]},
            issuer=ISSUER,
            client_id="hearth",
            nonce="n-1",
            algorithms=sso.ID_TOKEN_ALGORITHMS,
        )


@pytest.mark.parametrize(
    ("claims", "reason"),
    [({}, "email_missing"), ({"email": "carol@x.test", "email_verified": False}, "email_unverified")],
)
def test_an_email_must_be_present_and_verified(claims, reason):
    with pytest.raises(sso.SsoFailure, match=reason):
        sso.verified_email(claims)


# --- The administrator's settings screen ------------------------------------------------------------------


def _settings_payload(oidc_provider, **changes) -> dict:
    data = {
        "enabled": "on",
        "display_name": "Riverside ID",
        "issuer": oidc_provider.issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "allowed_email_domain": "riverside.test",
        "version": 0,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _configuration(org) -> OidcConfiguration | None:
    return OidcConfiguration.all_tenants.filter(organization=org).first()


def test_administrator_sets_up_sso(org, admin, clinic_client, oidc_provider):
    client = clinic_client(org, admin)
    page = client.get("/settings/sso/").content.decode()
    assert "http://riverside.localhost/sso/callback/" in page
    response = client.post("/settings/sso/", _settings_payload(oidc_provider, allowed_email_domain="@Riverside.TEST"))
    assert response.status_code == 302
    configuration = _configuration(org)
    assert configuration.enabled
    assert configuration.allowed_email_domain == "riverside.test"
    assert configuration.client_secret == CLIENT_SECRET
    event = AuditEvent.objects.get(action="sso.configured")
    assert event.actor == admin.user
    assert event.detail == {
        "fields": ["allowed_email_domain", "client_id", "client_secret", "display_name", "enabled", "issuer"],
        "enabled": True,
    }
    assert CLIENT_SECRET not in json.dumps(event.detail)
    assert CLIENT_SECRET not in client.get("/settings/sso/").content.decode()


def test_an_empty_secret_keeps_the_saved_one(org, admin, clinic_client, configure_sso, oidc_provider):
    configure_sso()
    client = clinic_client(org, admin)
    response = client.post(
        "/settings/sso/", _settings_payload(oidc_provider, client_secret="", display_name="Okta", version=1)
    )
    assert response.status_code == 302
    configuration = _configuration(org)
    assert (configuration.display_name, configuration.client_secret, configuration.version) == (
        "Okta",
        CLIENT_SECRET,
        2,
    )
    assert AuditEvent.objects.get(action="sso.configured").detail["fields"] == ["display_name"]


def test_a_stale_settings_form_is_refused(org, admin, clinic_client, configure_sso, oidc_provider):
    configure_sso()
    client = clinic_client(org, admin)
    client.post("/settings/sso/", _settings_payload(oidc_provider, display_name="First", version=1))
    response = client.post("/settings/sso/", _settings_payload(oidc_provider, display_name="Second", version=1))
    assert "Someone else changed this record" in response.content.decode()
    assert _configuration(org).display_name == "First"


def test_two_administrators_creating_at_once_do_not_both_win(org, admin, clinic_client, configure_sso, oidc_provider):
    configure_sso(display_name="Created first")
    response = clinic_client(org, admin).post("/settings/sso/", _settings_payload(oidc_provider, version=0))
    assert "Someone else changed this record" in response.content.decode()
    assert _configuration(org).display_name == "Created first"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"issuer": "http://login.example.org"}, "Use the provider&#x27;s https:// address."),
        ({"issuer": "not a url"}, "Enter a valid URL."),
        ({"allowed_email_domain": "not a domain"}, "Enter a domain such as"),
        ({"allowed_email_domain": "someone@riverside.test"}, "Enter a domain such as"),
        ({"client_secret": ""}, "This field is required."),
        ({"display_name": ""}, "This field is required."),
    ],
)
def test_bad_settings_get_specific_messages(changes, message, org, admin, clinic_client):
    response = clinic_client(org, admin).post("/settings/sso/", _settings_payload(OFFLINE, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _configuration(org) is None
    assert not AuditEvent.objects.filter(action="sso.configured").exists()


def test_an_unreadable_provider_is_refused_with_the_reason(org, admin, clinic_client, oidc_provider):
    client = clinic_client(org, admin)
    issuer = f"http://127.0.0.1:{_closed_port()}"
    page = client.post("/settings/sso/", _settings_payload(oidc_provider, issuer=issuer)).content.decode()
    assert (
        f"Could not read the provider&#x27;s configuration at {issuer}/.well-known/openid-configuration: "
        "the provider could not be reached." in page
    )
    page = client.post("/settings/sso/", _settings_payload(oidc_provider, issuer=oidc_provider.issuer + "/"))
    assert "enter exactly that address" in page.content.decode()
    assert _configuration(org) is None


def test_loopback_providers_are_refused_in_production(settings, org, admin, clinic_client):
    settings.HEARTH_SSO_ALLOW_INSECURE_ISSUER = False
    response = clinic_client(org, admin).post("/settings/sso/", _settings_payload(OFFLINE))
    assert "Use the provider&#x27;s https:// address." in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_only_administrators_configure_sso(method, org, clinician, clinic_client):
    response = getattr(clinic_client(org, clinician), method)("/settings/sso/", _settings_payload(OFFLINE))
    assert response.status_code == 403
    denied = AuditEvent.objects.get(action="access.denied")
    assert denied.detail["permission"] == "accounts.configure_sso"
    assert _configuration(org) is None


def test_another_clinics_administrator_cannot_configure_sso_here(org, outsider, clinic_client):
    client = clinic_client(org, outsider)
    response = client.post("/settings/sso/", _settings_payload(OFFLINE))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert _configuration(org) is None


def test_the_menu_offers_sso_settings_to_administrators_only(org, admin, clinician, clinic_client):
    assert 'href="/settings/sso/"' in clinic_client(org, admin).get("/").content.decode()
    assert 'href="/settings/sso/"' not in clinic_client(org, clinician).get("/").content.decode()


# --- The sign-in page --------------------------------------------------------------------------------------


def test_the_sign_in_page_offers_sso_only_when_switched_on(org, other_org, clinic_client, configure_sso):
    client = clinic_client(org)
    assert "Sign in with" not in client.get("/login/").content.decode()
    configuration = configure_sso(enabled=False, issuer=OFFLINE.issuer)
    assert "Sign in with" not in client.get("/login/").content.decode()
    OidcConfiguration.all_tenants.filter(pk=configuration.pk).update(enabled=True)
    page = client.get("/login/?next=/staff/").content.decode()
    assert '<a class="button sso-button" href="/sso/start/?next=/staff/">Sign in with Riverside ID</a>' in page
    assert "Sign in with" not in clinic_client(other_org).get("/login/").content.decode()
