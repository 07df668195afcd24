"""Client search in headless Chromium: live results while typing (with a typo, on PostgreSQL), and the same
search as a plain form when JavaScript is off."""

import datetime

import pytest
from django.db import connection, transaction
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from clients.records import services
from clients.records.models import Client
from conftest import save_artifact, sign_in
from tenancy.context import tenant_context

pytestmark = pytest.mark.browser


def _add_clients(clinic) -> None:
    with tenant_context(clinic), transaction.atomic():
        for first, last in (("Jordan", "Rivers"), ("José", "García"), ("Sky", "Lee")):
            Client.objects.create(
                number=services.next_client_number(),
                legal_first_name=first,
                legal_last_name=last,
                date_of_birth=datetime.date(1990, 4, 12),
                status="active",
            )


def test_live_search_finds_a_misspelled_name(page, demo, clinic_url):
    if connection.vendor != "postgresql":
        pytest.skip(
            "typo tolerance uses PostgreSQL's pg_trgm; SQLite has no trigram matching (DATABASE_URL=postgres://…)"
        )
    clinic = demo["demo"]
    _add_clients(clinic)
    sign_in(page, clinic_url(clinic, "/login/"), "frontdesk", DEMO_PASSWORD)
    page.get_by_role("link", name="Clients").click()
    results = page.locator("#client-results")
    expect(results).to_contain_text("Sky Lee")  # the whole list, before any search
    page.get_by_label("Find a client").press_sequentially("Jordna Rivres", delay=30)  # no Enter: live results
    expect(results).to_contain_text("1 client found")
    expect(results.get_by_role("link", name="Jordan Rivers")).to_be_visible()
    expect(results).not_to_contain_text("Sky Lee")
    assert "Rivres" not in page.url and "Jordna" not in page.url
    save_artifact(page, "client-search-typo")
    results.get_by_role("link", name="Jordan Rivers").click()
    expect(page.get_by_role("heading", name="Jordan Rivers")).to_be_visible()


def test_search_works_without_javascript(browser, demo, clinic_url):
    clinic = demo["demo"]
    _add_clients(clinic)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, clinic_url(clinic, "/login/"), "frontdesk", DEMO_PASSWORD)
    page.goto(clinic_url(clinic, "/clients/"))
    page.get_by_label("Find a client").fill("JOSE garc")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 client found")).to_be_visible()
    expect(page.get_by_role("link", name="José García")).to_be_visible()
    expect(page.get_by_label("Find a client")).to_have_value("JOSE garc")
    assert "garc" not in page.url.lower()
    context.close()
