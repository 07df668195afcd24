"""The login portal in headless Chromium: first sign-in, forgot password over real SMTP, lockout and unlock."""

import re
import socket
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from conftest import save_artifact, sign_in

pytestmark = pytest.mark.browser


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls this name
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback; the app sends through Django's SMTP backend to it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield inbox
    controller.stop()


def test_first_sign_in_with_a_temporary_password_forces_a_change(page, demo, clinic_url):
    login = clinic_url(demo["demo"], "/login/")
    sign_in(page, login, "admin", DEMO_PASSWORD)
    page.get_by_role("link", name="Staff").click()
    page.get_by_role("link", name="Casey Clinician").click()
    page.get_by_label(re.compile(r"^Temporary password")).fill("Welcome-Aboard-2026")
    page.get_by_role("button", name="Set temporary password").click()
    expect(page.get_by_role("status")).to_contain_text("must choose a new one at their next sign-in")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, login, "clinician", "Welcome-Aboard-2026")
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.goto(clinic_url(demo["demo"], "/"))  # nothing else is reachable first
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("Old password").fill("Welcome-Aboard-2026")
    page.locator("#id_new_password1").fill("short")
    page.locator("#id_new_password2").fill("short")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Use at least 12 characters.")).to_be_visible()
    save_artifact(page, "forced-password-change-error")
    page.get_by_label("Old password").fill("Welcome-Aboard-2026")
    page.locator("#id_new_password1").fill("Only-Mine-Now-2026")
    page.locator("#id_new_password2").fill("Only-Mine-Now-2026")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", name="Welcome, Casey Clinician")).to_be_visible()


def test_forgot_password_through_a_real_smtp_server(page, demo, clinic_url, smtp):
    page.goto(clinic_url(demo["demo"], "/login/"))
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Username or email").fill("frontdesk")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["Subject"] == "Reset your Hearth password"
    assert message["To"] == "frontdesk@demo.example.org"
    body = message.get_payload(decode=True).decode()
    link = re.search(r"http://\S+/password/reset/\S+/", body).group(0)
    assert link.startswith(clinic_url(demo["demo"], "/password/reset/"))

    page.goto(link)
    assert page.url.endswith("/password/reset/set/")  # the token left the address bar
    page.locator("#id_new_password1").fill("Brand-New-Desk-2026")
    page.locator("#id_new_password2").fill("Brand-New-Desk-2026")
    page.get_by_role("button", name="Reset password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password has been reset")
    assert smtp.messages[-1]["Subject"] == "Your Hearth password was changed"

    sign_in(page, clinic_url(demo["demo"], "/login/"), "frontdesk", "Brand-New-Desk-2026")
    expect(page.get_by_role("heading", name="Welcome, Frankie Frontdesk")).to_be_visible()


def test_lockout_and_administrator_unlock(page, demo, clinic_url, browser):
    login = clinic_url(demo["demo"], "/login/")
    for _ in range(5):
        sign_in(page, login, "billing", "Not-The-Password-1")
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-in attempts for this account.")
    expect(page.get_by_role("alert")).to_contain_text(
        re.compile(r"Try again after \d\d:\d\d, or ask your clinic's administrator")
    )
    save_artifact(page, "locked-out")
    sign_in(page, login, "billing", DEMO_PASSWORD)  # the right password waits too
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-in attempts for this account.")

    admin_context = browser.new_context()
    admin = admin_context.new_page()
    sign_in(admin, login, "admin", DEMO_PASSWORD)
    admin.get_by_role("link", name="Staff").click()
    row = admin.get_by_role("row", name=re.compile("Bailey Billing"))
    expect(row).to_contain_text("Locked")
    admin.get_by_role("link", name="Bailey Billing").click()
    admin.get_by_role("button", name="Unlock Bailey Billing").click()
    expect(admin.get_by_role("status")).to_contain_text("can sign in again")
    admin_context.close()

    sign_in(page, login, "billing", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Bailey Billing")).to_be_visible()


def test_caps_lock_warning_on_the_password_field(page, demo, clinic_url):
    page.goto(clinic_url(demo["demo"], "/login/"))
    warning = page.get_by_text("Caps Lock is on.")
    password = page.get_by_label("Password", exact=True)
    password.click()
    password.press("a")
    expect(warning).to_be_hidden()
    password.dispatch_event("keydown", {"key": "A", "modifierCapsLock": True})
    expect(warning).to_be_visible()
    password.dispatch_event("keyup", {"key": "a", "modifierCapsLock": False})
    expect(warning).to_be_hidden()


def test_idle_warning_stay_signed_in_and_expiry(page, demo, clinic_url):
    page.clock.install()
    sign_in(page, clinic_url(demo["demo"], "/login/"), "frontdesk", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Frankie Frontdesk")).to_be_visible()
    dialog = page.get_by_role("dialog", name="Still there?")
    page.clock.run_for("13:30")
    expect(dialog).to_be_hidden()
    page.clock.run_for("01:00")  # 14:30 idle: one minute warning is showing
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("signed out in")
    save_artifact(page, "idle-warning")
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()

    page.clock.run_for("14:30")
    expect(dialog).to_be_visible()
    page.clock.run_for("01:05")  # nobody answered: signed out, on the server too
    expect(page.get_by_role("status")).to_contain_text("signed out after a period without activity")
    page.goto(clinic_url(demo["demo"], "/"))
    expect(page.get_by_role("heading", name="Sign in to Riverside Counseling (demo)")).to_be_visible()


def test_two_step_sign_in_with_an_authenticator_and_a_recovery_code(page, demo, clinic_url):
    import time

    import pyotp

    login = clinic_url(demo["demo"], "/login/")
    demo["demo"].mfa_required_roles = ["supervisor"]
    demo["demo"].save()
    sign_in(page, login, "supervisor", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code to add Hearth to your authenticator app")).to_be_visible()
    key = page.locator("code.key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(key)  # the "phone": an independent TOTP implementation fed the key shown on the page
    page.get_by_label(re.compile(r"^Code")).fill(totp.now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Two-step sign-in is on")).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    save_artifact(page, "mfa-recovery-codes")
    page.get_by_role("link", name="I've saved them — continue").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, login, "supervisor", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_text("Not receiving codes?").click()
    expect(page.get_by_text("Lost your phone?")).to_be_visible()
    page.get_by_label(re.compile(r"^Code")).fill(totp.at(time.time() + 30))  # the next code: each works once
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Welcome, Sam Supervisor")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, login, "supervisor", DEMO_PASSWORD)
    page.get_by_label(re.compile(r"^Code")).fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Welcome, Sam Supervisor")).to_be_visible()
