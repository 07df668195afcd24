"""Insurance in headless Chromium: the front desk adds a payer and a primary policy from the Insurance tab."""

import datetime

import pytest
from django.db import transaction
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from clients import services
from clients.models import Client
from conftest import save_artifact, sign_in
from tenancy.context import tenant_context

pytestmark = pytest.mark.browser


def test_front_desk_adds_a_payer_and_a_primary_policy(page, demo, clinic_url):
    clinic = demo["demo"]
    with tenant_context(clinic), transaction.atomic():
        record = Client.objects.create(
            number=services.next_client_number(),
            legal_first_name="Robin",
            legal_last_name="Alvarez",
            date_of_birth=datetime.date(1988, 7, 14),
            status="active",
        )
    sign_in(page, clinic_url(clinic, "/login/"), "frontdesk", DEMO_PASSWORD)
    page.goto(clinic_url(clinic, f"/clients/{record.pk}/"))
    tabs = page.get_by_role("navigation", name="Chart sections")
    expect(tabs.get_by_role("link")).to_have_text(["Overview", "Demographics", "Schedule", "Insurance"])
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
