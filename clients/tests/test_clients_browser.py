"""Client flows in headless Chromium: registration by the front desk, and breaking the glass."""

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from conftest import save_artifact, sign_in

pytestmark = pytest.mark.browser


def test_front_desk_registers_and_a_clinician_outside_the_caseload_breaks_the_glass(page, demo, clinic_url, browser):
    login = clinic_url(demo["demo"], "/login/")
    sign_in(page, login, "frontdesk", DEMO_PASSWORD)
    page.get_by_role("link", name="Clients").click()
    page.get_by_role("link", name="Register a client").click()
    page.get_by_label("Legal first name").fill("Robin")
    page.get_by_label("Legal last name").fill("Alvarez")
    page.get_by_label("Date of birth").fill("1988-07-14")
    page.get_by_label("Intake date").fill("2026-11-02")
    page.get_by_label("Status").select_option("active")
    page.get_by_label("Primary clinician").select_option(label="Sam Supervisor")
    page.get_by_role("button", name="Register client").click()
    expect(page.get_by_role("heading", name="Robin Alvarez")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Client 1001 registered.")
    save_artifact(page, "client-chart")

    clinician_context = browser.new_context()
    clinician = clinician_context.new_page()
    sign_in(clinician, login, "clinician", DEMO_PASSWORD)
    clinician.get_by_role("link", name="Clients").click()
    expect(clinician.get_by_text("No clients found")).to_be_visible()  # not on Casey's caseload
    clinician.goto(page.url)
    expect(clinician.get_by_role("heading", name="This client isn't on your caseload")).to_be_visible()
    expect(clinician.get_by_text("Robin")).to_have_count(0)
    clinician.get_by_label("Reason").fill("Crisis call from the client while Sam is away")
    clinician.get_by_role("button", name="Open the chart in an emergency").click()
    expect(clinician.get_by_role("heading", name="Robin Alvarez")).to_be_visible()
    expect(clinician.get_by_text("Emergency access until")).to_be_visible()
    save_artifact(clinician, "client-emergency-access")
    clinician_context.close()
