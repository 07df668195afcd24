"""The vendor support console in headless Chromium: a champion sends a ticket (with a screenshot) to the vendor,
vendor staff sign in at the console, see it, open its file, reply with a PDF and change its status, and the clinic
sees the reply and opens the vendor's file."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from conftest import save_artifact, sign_in
from console.demo import DEMO_VENDOR_STAFF
from core.tests.files import pdf_bytes, png_bytes
from tickets.models import Ticket, TicketAttachment

pytestmark = pytest.mark.browser
DESCRIPTION = "Client 1001's claims export stops at 50%. Steps: Billing, Export, choose this month."


def console_url(live_server, path: str = "/") -> str:
    port = live_server.url.rsplit(":", 1)[1]
    return f"http://support.localhost:{port}{path}"


FETCH = """async (url) => {
  const response = await fetch(url);
  const bytes = new Uint8Array(await response.arrayBuffer());
  return {status: response.status, type: response.headers.get("content-type"), bytes: Array.from(bytes)};
}"""


def fetch(page, url: str) -> tuple[int, str, bytes]:
    """Fetch a URL from inside the page (its cookies, Chromium's resolver for *.localhost)."""
    result = page.evaluate(FETCH, url)
    return result["status"], result["type"], bytes(result["bytes"])


def test_champion_sends_to_vendor_and_vendor_staff_reply_from_the_console(page, browser, demo, clinic_url, live_server):
    clinic = demo["demo"]
    sign_in(page, clinic_url(clinic, "/login/"), "champion", DEMO_PASSWORD)
    page.get_by_role("link", name="Help").click()
    dialog = page.get_by_role("dialog", name="New ticket")
    dialog.get_by_label("Title").fill("Claims export stops halfway")
    dialog.get_by_label("Description").fill(DESCRIPTION)
    dialog.get_by_label("Attach screenshots or PDFs").set_input_files(
        [{"name": "export error.png", "mimeType": "image/png", "buffer": png_bytes(40, 30)}]
    )
    dialog.get_by_label("Send to vendor").check()
    dialog.get_by_role("button", name="Create ticket").click()
    expect(dialog.get_by_text("is waiting on vendor")).to_be_visible()
    ticket = Ticket.all_tenants.get(title="Claims export stops halfway")
    clinic_file = TicketAttachment.all_tenants.get(ticket=ticket)
    assert clinic_file.filename == "export error.png"

    # The vendor's support staff, at the console's own address.
    vendor_context = browser.new_context(viewport={"width": 1280, "height": 900})
    console = vendor_context.new_page()
    console.set_default_timeout(10_000)
    console.goto(console_url(live_server, "/"))
    expect(console.get_by_role("heading", name="Vendor support sign-in")).to_be_visible()
    console.get_by_label("Email").fill(DEMO_VENDOR_STAFF[0])
    console.get_by_label("Password").fill(DEMO_PASSWORD)
    console.get_by_role("button", name="Sign in").click()
    # First sign-in: two-step sign-in is required, so they enrol an authenticator app. The "phone" is pyotp fed
    # the key the page shows for manual entry.
    expect(console.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(
        console.get_by_role("img", name="QR code to add Hearth vendor support to your authenticator app")
    ).to_be_visible()
    totp = pyotp.TOTP(console.get_by_test_id("manual-key").inner_text().replace(" ", ""))
    console.get_by_label(re.compile(r"^Code")).fill(totp.now())
    console.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(console.get_by_role("heading", name="Two-step sign-in is on")).to_be_visible()
    codes = console.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    save_artifact(console, "console-recovery-codes")
    console.get_by_role("link", name="I've saved them — continue").click()
    expect(console.get_by_role("heading", name="Tickets sent to the vendor")).to_be_visible()
    row = console.get_by_role("row", name=re.compile("Claims export stops halfway"))
    expect(row).to_contain_text(clinic.name)
    expect(row).to_contain_text("Waiting on vendor")
    # Every clinic's sent tickets, the other demo clinic's too; never a ticket that was not sent.
    expect(console.get_by_role("row", name=re.compile("Reports page times out"))).to_have_count(2)
    expect(console.get_by_role("row", name=re.compile("Printer on the second floor"))).to_have_count(0)
    save_artifact(console, "console-list")
    row.get_by_role("link", name="Claims export stops halfway").click()
    expect(console.get_by_role("heading", name=f"Ticket {ticket.number}: Claims export stops halfway")).to_be_visible()
    expect(console.get_by_role("region", name="Description").get_by_text(DESCRIPTION)).to_be_visible()

    # The champion's screenshot opens (sandboxed) in a tab of its own.
    with console.expect_popup() as opened:
        console.get_by_role("link", name="export error.png").click()
    popup = opened.value
    popup.wait_for_load_state()
    assert popup.url.endswith(f"/tickets/{ticket.pk}/attachments/{clinic_file.pk}/")
    assert fetch(console, popup.url) == (200, "image/png", png_bytes(40, 30))
    popup.close()

    console.get_by_label("Reply to the clinic").fill("Fixed in tonight's release; please retry the export.")
    console.get_by_label("Attach screenshots or PDFs").set_input_files(
        [{"name": "release notes.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes("Release notes")}]
    )
    console.get_by_role("button", name="Send reply").click()
    expect(console.get_by_role("status").filter(has_text=f"Reply sent to {clinic.name}.")).to_be_visible()
    console.get_by_label("Status", exact=True).select_option(label="Waiting on staff")
    console.get_by_role("button", name="Save status").click()
    expect(console.get_by_test_id("status")).to_have_text("Waiting on staff")
    expect(console.get_by_text("Riley Support (vendor support) changed the status")).to_be_visible()
    save_artifact(console, "console-ticket")
    vendor_context.close()

    # Back in the clinic: the reply, the vendor's file and the new status.
    page.goto(clinic_url(clinic, f"/tickets/{ticket.pk}/"))
    thread = page.locator("#thread")
    expect(thread.get_by_text("Fixed in tonight's release; please retry the export.")).to_be_visible()
    expect(thread.get_by_text("Riley Support (vendor support)").first).to_be_visible()
    expect(page.get_by_text("changed the status from Waiting on vendor to Waiting on staff")).to_be_visible()
    vendor_file = TicketAttachment.all_tenants.get(ticket=ticket, filename="release notes.pdf")
    link = thread.get_by_role("link", name="release notes.pdf")
    href = link.get_attribute("href")
    assert href == f"/tickets/{ticket.pk}/attachments/{vendor_file.pk}/"
    assert fetch(page, href) == (200, "application/pdf", pdf_bytes("Release notes"))
    page.goto(clinic_url(clinic, "/tickets/notifications/"))
    expect(page.get_by_text(f"Ticket {ticket.number}: Riley Support (vendor support) replied.")).to_be_visible()
    expect(
        page.get_by_text(
            f"Ticket {ticket.number}: Riley Support (vendor support) changed its status to Waiting on staff."
        )
    ).to_be_visible()


def test_vendor_staff_sign_in_again_with_a_code_and_a_recovery_code(browser, demo, live_server):
    """After enrolment: a code from the app, then (phone lost) a recovery code, each needed before any page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    console = context.new_page()
    console.set_default_timeout(10_000)

    def password_step():
        console.goto(console_url(live_server, "/"))
        console.get_by_label("Email").fill(DEMO_VENDOR_STAFF[0])
        console.get_by_label("Password").fill(DEMO_PASSWORD)
        console.get_by_role("button", name="Sign in").click()

    password_step()
    totp = pyotp.TOTP(console.get_by_test_id("manual-key").inner_text().replace(" ", ""))
    console.get_by_label(re.compile(r"^Code")).fill(totp.now())
    console.get_by_role("button", name="Turn on two-step sign-in").click()
    codes = console.get_by_role("list", name="Recovery codes").locator("code").all_inner_texts()
    console.get_by_role("link", name="I've saved them — continue").click()
    console.get_by_role("button", name="Sign out").click()

    password_step()
    expect(console.get_by_role("heading", name="Enter your code")).to_be_visible()
    console.goto(console_url(live_server, "/"))  # the console stays closed until the second step
    expect(console.get_by_role("heading", name="Enter your code")).to_be_visible()
    console.get_by_label(re.compile(r"^Code")).fill(totp.at(time.time() + 30))  # the next code: each works once
    console.get_by_role("button", name="Verify").click()
    expect(console.get_by_role("heading", name="Tickets sent to the vendor")).to_be_visible()
    console.get_by_role("button", name="Sign out").click()

    password_step()
    console.get_by_text("Not receiving codes?").click()
    expect(console.get_by_text("Lost your phone?")).to_be_visible()
    console.get_by_label(re.compile(r"^Code")).fill(codes[0])
    console.get_by_role("button", name="Verify").click()
    expect(console.get_by_role("heading", name="Tickets sent to the vendor")).to_be_visible()
    console.get_by_role("button", name="Sign out").click()
    password_step()
    console.get_by_label(re.compile(r"^Code")).fill(codes[0])
    console.get_by_role("button", name="Verify").click()
    expect(console.get_by_text("That code didn't work")).to_be_visible()
    context.close()
