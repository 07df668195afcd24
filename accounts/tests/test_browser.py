"""User-facing flows in Debian's headless Chromium against a live server."""

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from conftest import save_artifact, sign_in

pytestmark = pytest.mark.browser


def test_demo_clinic_login_page_renders_styled(page, demo, clinic_url):
    page.goto(clinic_url(demo["demo"], "/login/"))
    assert page.get_by_role("heading", name="Sign in to Riverside Counseling (demo)").is_visible()
    background = page.evaluate("getComputedStyle(document.querySelector('.topbar')).backgroundColor")
    assert background == "rgb(31, 95, 139)"  # the stylesheet loaded through WhiteNoise under the CSP
    path = save_artifact(page, "demo-login-page")
    assert path.stat().st_size > 5_000


def test_wrong_password_shows_one_message_and_keeps_focus_usable(page, demo, clinic_url):
    sign_in(page, clinic_url(demo["demo"], "/login/"), "admin", "wrong-password-123")
    alert = page.get_by_role("alert")
    assert alert.inner_text().strip() == "Invalid username or password."
    assert page.evaluate("document.activeElement.id") == "id_password"


def test_administrator_signs_in_and_invites_a_colleague(page, demo, clinic_url):
    sign_in(page, clinic_url(demo["demo"], "/login/"), "admin", DEMO_PASSWORD)
    assert page.get_by_role("heading", name="Welcome, Alex Admin").is_visible()
    page.get_by_role("link", name="Staff").click()
    assert page.get_by_role("link", name="Casey Clinician").is_visible()
    assert page.get_by_text("6 staff members").is_visible()

    page.get_by_role("link", name="Invite staff").click()
    page.get_by_label("Full name").fill("Nina New")
    page.get_by_label("Email").fill("nina@example.org")
    page.get_by_label("Username").fill("nina")
    page.get_by_label("Clinician").check()
    page.get_by_role("button", name="Send invitation").click()
    assert page.get_by_role("status").inner_text().strip() == "Invitation sent to nina@example.org."
    assert page.get_by_role("link", name="Nina New").is_visible()

    page.get_by_label("Search").fill("nina")
    expect(page.locator("#staff-table")).to_contain_text("1 staff member")
    assert page.get_by_role("link", name="Casey Clinician").count() == 0
    assert "q=nina" in page.url  # htmx kept the address bar in step, so the filter can be bookmarked
    save_artifact(page, "staff-list-search")


def test_clinician_sees_no_staff_menu_and_is_refused_the_page(page, demo, clinic_url):
    sign_in(page, clinic_url(demo["demo"], "/login/"), "clinician", DEMO_PASSWORD)
    assert page.get_by_role("link", name="Staff").count() == 0
    response = page.goto(clinic_url(demo["demo"], "/staff/"))
    assert response.status == 403
    assert page.get_by_role("heading", name="You don't have access to this page").is_visible()


def test_a_session_does_not_carry_over_to_another_clinic(page, demo, clinic_url):
    sign_in(page, clinic_url(demo["demo"], "/login/"), "admin", DEMO_PASSWORD)
    page.goto(clinic_url(demo["lakeside"], "/staff/"))
    assert page.get_by_role("heading", name="Sign in to Lakeside Family Therapy (demo)").is_visible()


def test_navigation_works_on_a_phone_with_the_keyboard(page, demo, clinic_url):
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, clinic_url(demo["demo"], "/login/"), "admin", DEMO_PASSWORD)
    menu = page.get_by_role("button", name="Menu")
    assert not page.get_by_role("link", name="Staff").is_visible()
    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    page.get_by_role("link", name="Staff").click()
    assert page.get_by_role("heading", name="Staff").is_visible()
    save_artifact(page, "staff-list-phone")


def test_unknown_clinic_address_gets_a_friendly_page(page, live_server):
    port = live_server.url.rsplit(":", 1)[1]
    response = page.goto(f"http://nowhere.localhost:{port}/login/")
    assert response.status == 404
    assert page.get_by_role("heading", name="We couldn't find that clinic").is_visible()
