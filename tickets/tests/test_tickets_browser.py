"""Tickets in headless Chromium: the help button's dialog, quick search, email over real SMTP, completing, and a
champion sending a ticket to the vendor."""

import re
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from conftest import save_artifact, sign_in
from tickets.models import Ticket

pytestmark = pytest.mark.browser
DESCRIPTION = "Client 1001's statement printed blank. Steps: Clients, Billing, Print statement."


def test_help_button_ticket_quick_search_assignment_email_and_completion(page, demo, clinic_url, smtp, browser):
    clinic = demo["demo"]
    sign_in(page, clinic_url(clinic, "/login/"), "frontdesk", DEMO_PASSWORD)
    page.get_by_role("link", name="Clients", exact=True).click()
    where = page.url
    page.get_by_role("link", name="Help").click()

    dialog = page.get_by_role("dialog", name="New ticket")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text("Asking about: Clients")).to_be_visible()
    expect(dialog.get_by_text("they must not hold PHI")).to_be_visible()
    expect(dialog.get_by_label("High — within 48 hours")).to_be_visible()
    dialog.get_by_label("Title").fill("Statements print blank")
    dialog.get_by_label("High — within 48 hours").check()
    dialog.get_by_label("Description").fill(DESCRIPTION)
    dialog.get_by_label("Find staff").fill("bail")
    expect(dialog.get_by_role("status").filter(has_text="found")).to_contain_text("1 staff member found")
    expect(dialog.get_by_label("Assigned to", exact=True)).to_have_value(re.compile(r"^\d+$"))
    expect(dialog.get_by_label("Assigned to", exact=True).locator("option:checked")).to_contain_text("Bailey Billing")
    save_artifact(page, "ticket-new-dialog")
    dialog.get_by_role("button", name="Create ticket").click()

    expect(dialog.get_by_role("heading", name=re.compile(r"Ticket \d+ created"))).to_be_visible()
    assert page.url == where  # the person's place is kept
    ticket = Ticket.all_tenants.get(title="Statements print blank")
    assert ticket.opened_from == "/clients/" and ticket.assignee.username == "billing"
    dialog.get_by_role("button", name="Back to what I was doing").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()

    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "billing@demo.example.org"
    assert message["Subject"] == f"[{clinic.name}] Ticket {ticket.number}: New ticket"
    body = message.get_payload(decode=True).decode()
    assert "Statements print blank" in body and "Status:  New" in body
    assert "1001" not in body and "printed blank" not in body  # never the description
    link = re.search(r"http://\S+/tickets/\d+/", body).group(0)

    billing_context = browser.new_context()
    billing = billing_context.new_page()
    billing.goto(link)
    billing.get_by_label("Username or email").fill("billing")
    billing.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    billing.get_by_role("button", name="Sign in").click()
    expect(billing.get_by_role("heading", name=f"Ticket {ticket.number}: Statements print blank")).to_be_visible()
    expect(billing.get_by_role("region", name="Description").get_by_text(DESCRIPTION)).to_be_visible()
    expect(billing.get_by_text("Frankie Frontdesk opened the ticket")).to_be_visible()
    expect(billing.get_by_text("Clients /clients/")).to_be_visible()
    billing.get_by_label("Status").select_option(label="Complete")
    billing.get_by_role("button", name="Save changes").click()
    expect(billing.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(clinic.time_zone))
    expect(billing.get_by_test_id("date-completed")).to_have_text(f"{today:%b} {today.day}, {today.year}")
    expect(billing.get_by_text("Bailey Billing changed the status from New to Complete")).to_be_visible()
    save_artifact(billing, "ticket-completed")
    billing_context.close()

    assert smtp.messages[-1]["To"] == "frontdesk@demo.example.org"  # the creator hears it is done
    assert "Status:  Complete" in smtp.messages[-1].get_payload(decode=True).decode()
    page.reload()
    expect(page.get_by_role("link", name=re.compile(r"^Notifications 1 unread"))).to_be_visible()


def test_the_help_button_works_without_javascript(browser, demo, clinic_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, clinic_url(demo["demo"], "/login/"), "clinician", DEMO_PASSWORD)
    page.get_by_role("link", name="Help").click()
    expect(page.get_by_role("heading", name="New ticket", level=1)).to_be_visible()
    page.get_by_label("Title").fill("Where do I find my caseload?")
    page.get_by_label("Assigned to", exact=True).select_option(label="Alex Admin — Practice manager")
    page.get_by_role("button", name="Create ticket").click()
    expect(page.get_by_role("heading", name=re.compile(r"Ticket \d+: Where do I find my caseload\?"))).to_be_visible()
    expect(page.get_by_text("Home /")).to_be_visible()
    context.close()


def test_a_champion_sends_a_ticket_to_the_vendor(page, demo, clinic_url):
    sign_in(page, clinic_url(demo["demo"], "/login/"), "champion", DEMO_PASSWORD)
    page.get_by_role("link", name="Help").click()
    dialog = page.get_by_role("dialog", name="New ticket")
    dialog.get_by_label("Title").fill("Claims export stops halfway")
    dialog.get_by_label("Description").fill("Export from Billing stops at 50% every time since Monday.")
    dialog.get_by_label("Send to vendor").check()
    dialog.get_by_role("button", name="Create ticket").click()
    expect(dialog.get_by_text("is waiting on vendor")).to_be_visible()
    dialog.get_by_role("link", name=re.compile(r"Open ticket")).click()
    expect(page.get_by_text("Charlie Champion sent the ticket to the vendor")).to_be_visible()

    page.get_by_role("link", name="Tickets", exact=True).click()
    page.get_by_role("link", name="Sent to vendor").click()
    row = page.get_by_role("row", name=re.compile("Claims export stops halfway"))
    expect(row).to_contain_text("Waiting on vendor")
    save_artifact(page, "tickets-sent-to-vendor")


def test_a_title_with_phi_is_refused_in_the_dialog(page, demo, clinic_url):
    sign_in(page, clinic_url(demo["demo"], "/login/"), "frontdesk", DEMO_PASSWORD)
    page.get_by_role("link", name="Help").click()
    dialog = page.get_by_role("dialog", name="New ticket")
    dialog.get_by_label("Title").fill("Call back 555-123-4567")
    dialog.get_by_role("button", name="Create ticket").click()
    expect(dialog.get_by_text("a phone number (“555-123-4567”)")).to_be_visible()
    expect(dialog.get_by_label("Title")).to_be_focused()
    expect(dialog.get_by_text("Need the vendor's support team?")).to_be_visible()  # told to ask their champion
    expect(dialog.get_by_label("Send to vendor")).to_have_count(0)
