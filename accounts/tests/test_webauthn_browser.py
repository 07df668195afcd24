"""Security keys in headless Chromium, with the browser's own virtual authenticator doing the real ceremony."""

import re

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.mfa.models import SecurityKey
from audit.models import AuditEvent
from conftest import save_artifact, sign_in

pytestmark = pytest.mark.browser


def _virtual_authenticator(page) -> tuple:
    """A USB security key with a PIN, simulated by Chromium (Chrome DevTools Protocol, WebAuthn domain)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "usb",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
    }
    return cdp, cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})["authenticatorId"]


def test_register_a_security_key_and_sign_in_with_it(page, demo, clinic_url):
    cdp, authenticator = _virtual_authenticator(page)
    login = clinic_url(demo["demo"], "/login/")
    sign_in(page, login, "supervisor", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Sam Supervisor")).to_be_visible()

    page.goto(clinic_url(demo["demo"], "/mfa/"))
    page.get_by_label("Name for this key").fill("YubiKey")
    page.get_by_role("button", name="Add a security key").click()
    expect(page.get_by_role("heading", name="Two-step sign-in is on")).to_be_visible()
    assert len(page.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()) == 10
    page.get_by_role("link", name="I've saved them — continue").click()
    page.goto(clinic_url(demo["demo"], "/mfa/"))
    expect(page.get_by_role("table", name="Your security keys")).to_contain_text("YubiKey")
    save_artifact(page, "mfa-security-keys")
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]) == 1
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, login, "supervisor", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    expect(page.get_by_label(re.compile(r"^Code"))).to_be_visible()  # codes still work here
    page.get_by_role("button", name="Use your security key").click()
    expect(page.get_by_role("heading", name="Welcome, Sam Supervisor")).to_be_visible()
    key = SecurityKey.objects.get()
    assert key.name == "YubiKey" and key.last_used_at is not None
    assert AuditEvent.objects.filter(action="auth.mfa_verified", detail={"method": "webauthn"}).exists()


def test_a_cancelled_key_shows_a_message_and_codes_still_work(page, demo, clinic_url):
    cdp, authenticator = _virtual_authenticator(page)
    login = clinic_url(demo["demo"], "/login/")
    sign_in(page, login, "supervisor", DEMO_PASSWORD)
    page.goto(clinic_url(demo["demo"], "/mfa/setup/"))
    page.get_by_label("Name for this key").fill("This laptop")
    page.get_by_role("button", name="Use a security key instead").click()
    expect(page.get_by_role("heading", name="Two-step sign-in is on")).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()
    page.get_by_role("link", name="I've saved them — continue").click()
    page.get_by_role("button", name="Sign out").click()

    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": authenticator})  # the key is at home
    sign_in(page, login, "supervisor", DEMO_PASSWORD)
    page.evaluate(
        "() => { navigator.credentials.get = () => Promise.reject(new DOMException('no', 'NotAllowedError')); }"
    )
    page.get_by_role("button", name="Use your security key").click()
    expect(page.get_by_role("alert")).to_contain_text("cancelled or timed out")
    save_artifact(page, "mfa-security-key-cancelled")
    page.get_by_label(re.compile(r"^Code")).fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Welcome, Sam Supervisor")).to_be_visible()
