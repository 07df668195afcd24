"""Issue 4's "done when", in headless Chromium: the front desk registers a client and adds their insurance; a
clinician outside the caseload can neither find nor open the chart, breaks the glass with a reason and reads it;
an administrator then finds that emergency access in the audit report."""

import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from conftest import save_artifact, sign_in

pytestmark = pytest.mark.browser


def test_registration_insurance_caseload_break_the_glass_and_audit(page, demo, clinic_url, browser):
    clinic = demo["demo"]
    login = clinic_url(clinic, "/login/")

    # The front desk registers Robin Alvarez on Sam's caseload.
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
    chart_url = page.url
    save_artifact(page, "client-chart")

    # ... and adds a payer and the primary policy from the Insurance tab (the front desk sees no clinical tabs).
    tabs = page.get_by_role("navigation", name="Chart sections")
    expect(tabs.get_by_role("link")).to_have_text(
        ["Overview", "Demographics", "Schedule", "Insurance", "Consents", "Documents", "Amendments"]
    )
    tabs.get_by_role("link", name="Insurance").click()
    expect(tabs.get_by_role("link", name="Insurance")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("No insurance policies on file.")).to_be_visible()
    page.get_by_role("link", name="Add a policy").click()
    page.get_by_role("link", name="Add a payer").click()
    page.get_by_label("Name").fill("Blue Valley Health")
    page.get_by_label("Payer ID").fill("BVH01")
    page.get_by_label("City").fill("Springfield")
    page.get_by_role("button", name="Save payer").click()
    expect(page.get_by_role("status")).to_contain_text("Payer Blue Valley Health added.")
    page.get_by_label("Payer").select_option(label="Blue Valley Health (BVH01)")
    page.get_by_label("Order").select_option(label="Primary")
    page.get_by_label("Member ID").fill("XZK123456789")
    page.get_by_label("Effective date").fill("2026-01-01")
    page.get_by_label("Copay ($)").fill("25")
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_role("status")).to_contain_text("Insurance policy added.")
    row = page.get_by_role("row").filter(has_text="XZK123456789")
    expect(row).to_contain_text("Primary")
    expect(row).to_contain_text("Blue Valley Health")
    save_artifact(page, "client-insurance-tab")

    # Casey is a clinician without Robin on the caseload: not in the list, not found by search, chart refused.
    clinician_context = browser.new_context()
    clinician = clinician_context.new_page()
    sign_in(clinician, login, "clinician", DEMO_PASSWORD)
    clinician.get_by_role("link", name="Clients").click()
    expect(clinician.locator("#client-results")).to_contain_text("Taylor Nguyen")  # Casey's own demo caseload
    expect(clinician.locator("#client-results")).not_to_contain_text("Robin")
    clinician.get_by_label("Find a client").fill("Alvarez")
    clinician.get_by_role("button", name="Search").click()
    expect(clinician.get_by_text("No clients match this search.")).to_be_visible()
    refused = clinician.goto(chart_url)
    assert refused.status == 403
    expect(clinician.get_by_role("heading", name="This client isn't on your caseload")).to_be_visible()
    expect(clinician.get_by_text("Robin")).to_have_count(0)

    # Casey breaks the glass with a reason and reads the chart.
    clinician.get_by_label("Reason").fill("Crisis call from the client while Sam is away")
    clinician.get_by_role("button", name="Open the chart in an emergency").click()
    expect(clinician.get_by_role("heading", name="Robin Alvarez")).to_be_visible()
    expect(clinician.get_by_text("Emergency access until")).to_be_visible()
    save_artifact(clinician, "client-emergency-access")
    clinician_context.close()

    # An administrator finds the emergency access in the audit report, by client and action.
    admin_context = browser.new_context()
    admin = admin_context.new_page()
    sign_in(admin, login, "admin", DEMO_PASSWORD)
    admin.get_by_role("link", name="Audit log").click()
    admin.get_by_label("Client number").fill("1001")
    admin.get_by_label("Action").select_option("client.emergency_access")
    admin.get_by_role("button", name="Filter").click()
    rows = admin.locator("table.data tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("client.emergency_access")
    expect(rows).to_contain_text("clinician@demo.example.org")
    expect(rows.get_by_role("cell", name="1001", exact=True)).to_be_visible()
    save_artifact(admin, "audit-emergency-access")
    admin_context.close()
