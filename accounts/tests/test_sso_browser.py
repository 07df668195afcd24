"""Single sign-on in Debian's headless Chromium: Hearth's live server and a real OpenID Connect provider."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accounts.sso.models import OidcConfiguration
from accounts.tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, OFFLINE, provider_fixture
from audit.models import AuditEvent, Outcome
from conftest import PASSWORD, save_artifact
from hearth.tests.test_accessibility import AXE
from tenancy.context import tenant_context

pytestmark = pytest.mark.browser

oidc_provider = provider_fixture()


@pytest.fixture(autouse=True)
def _loopback_issuer_allowed(settings):
    settings.HEARTH_SSO_ALLOW_INSECURE_ISSUER = True


@pytest.fixture
def loopback_only(page):
    """The provider's development pages import a web font; keep the browser on this machine."""

    def route(route):
        host = urlsplit(route.request.url).hostname or ""
        if host == "127.0.0.1" or host == "localhost" or host.endswith(".localhost"):
            route.continue_()
        else:
            route.abort()

    page.context.route("**/*", route)
    return page


def _enable_sso(org, issuer: str) -> OidcConfiguration:
    with tenant_context(org):
        return OidcConfiguration.objects.create(
            enabled=True,
            display_name="Riverside ID",
            issuer=issuer,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            allowed_email_domain="riverside.test",
        )


@pytest.fixture
def sso_enabled(org, oidc_provider):
    return _enable_sso(org, oidc_provider.issuer)


@pytest.fixture
def sso_enabled_offline(org):
    """SSO switched on with an issuer nobody answers at: for pages that are only rendered."""
    return _enable_sso(org, OFFLINE.issuer)


def _sign_in_at_provider(page, login: str) -> None:
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("anything-the-provider-accepts")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()  # the provider's consent screen


def test_clinician_signs_in_with_the_clinics_provider(
    transactional_db, live_server, org, clinician, sso_enabled, loopback_only, clinic_url, oidc_provider
):
    page = loopback_only
    page.goto(clinic_url(org, "/login/"))
    save_artifact(page, "sso-login-button")
    page.get_by_role("link", name="Sign in with Riverside ID").click()
    expect(page).to_have_url(re.compile("^" + re.escape(oidc_provider.issuer) + "/interaction/"))
    save_artifact(page, "sso-provider-login")
    _sign_in_at_provider(page, "carol@riverside.test")
    expect(page.get_by_role("heading", name="Welcome, Carol Clinician")).to_be_visible()
    assert page.url == clinic_url(org, "/")
    save_artifact(page, "sso-signed-in")
    login = AuditEvent.objects.get(action="auth.sso_login")
    assert (login.actor, login.organization, login.outcome) == (clinician.user, org, Outcome.SUCCESS)
    assert login.detail == {"issuer": oidc_provider.issuer}
    assert AuditEvent.objects.filter(action="auth.login", actor=clinician.user).exists()


def test_someone_who_is_not_staff_here_gets_the_generic_message(
    transactional_db, live_server, org, clinician, sso_enabled, loopback_only, clinic_url
):
    page = loopback_only
    page.goto(clinic_url(org, "/login/"))
    page.get_by_role("link", name="Sign in with Riverside ID").click()
    _sign_in_at_provider(page, "stranger@riverside.test")
    expect(page.get_by_role("heading", name="Sign in to Riverside Counseling")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Single sign-on did not work.")
    assert AuditEvent.objects.get(action="auth.sso_failed").detail["reason"] == "unknown_staff"
    assert not AuditEvent.objects.filter(action="auth.sso_login").exists()


def test_administrator_sets_up_sso_and_the_button_appears(
    transactional_db, live_server, org, admin, loopback_only, clinic_url, oidc_provider
):
    page = loopback_only
    page.goto(clinic_url(org, "/login/"))
    assert page.get_by_role("link", name="Sign in with").count() == 0
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("link", name="Single sign-on").click()
    expect(page.locator("#sso-redirect-uri")).to_have_text(clinic_url(org, "/sso/callback/"))
    page.get_by_label("Allow staff to sign in with single sign-on").check()
    page.get_by_label("Provider name").fill("Riverside ID")
    page.get_by_label("Issuer URL").fill(oidc_provider.issuer)
    page.get_by_label("Client ID").fill(CLIENT_ID)
    page.get_by_label("Client secret").fill(CLIENT_SECRET)
    page.get_by_label("Allowed email domain").fill("riverside.test")
    page.get_by_role("button", name="Save single sign-on settings").click()
    expect(page.get_by_role("status")).to_have_text("Single sign-on settings saved.")
    save_artifact(page, "sso-settings")
    assert AuditEvent.objects.get(action="sso.configured").actor == admin.user

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in with Riverside ID")).to_be_visible()


def test_sso_pages_have_no_wcag_violations(
    browser, transactional_db, live_server, org, admin, sso_enabled_offline, clinic_client, clinic_url
):
    # axe is injected as an inline script, which the app's CSP rightly forbids; this context only audits.
    context = browser.new_context(bypass_csp=True)
    signed_in = clinic_client(org, admin)
    context.add_cookies([{"name": "sessionid", "value": signed_in.cookies["sessionid"].value, "url": clinic_url(org)}])
    page = context.new_page()
    found = {}
    for name, path in [("settings", "/settings/sso/"), ("settings with errors", None), ("sign-in", "/login/")]:
        if path is None:
            page.get_by_label("Allowed email domain").fill("not a domain")
            page.get_by_role("button", name="Save single sign-on settings").click()
        else:
            if path == "/login/":
                context.clear_cookies()
            page.goto(clinic_url(org, path))
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})")
        found[name] = [f"{v['id']}: {v['help']}" for v in result["violations"]]
    context.close()
    assert {name: violations for name, violations in found.items() if violations} == {}
