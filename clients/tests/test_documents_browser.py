"""Documents and amendments in headless Chromium: a clinician uploads a PDF (watching the progress bar) and opens
it; the front desk cannot open it; a requested amendment is accepted, shows beside the original, and the person
the client named is listed and marked notified."""

import datetime
import re

import pytest
from django.db import transaction
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.people.models import Membership
from clients.records import services
from clients.records.models import Client
from conftest import save_artifact, sign_in
from core.tests.files import pdf_bytes
from tenancy.context import tenant_context

pytestmark = pytest.mark.browser

# Records every value the page's progress bar takes, across the redirect that follows the upload.
RECORD_PROGRESS = """
document.addEventListener("DOMContentLoaded", () => {
  const bar = document.querySelector("[data-upload-progress] progress");
  if (!bar) return;
  new MutationObserver(() => {
    const seen = JSON.parse(sessionStorage.getItem("progress-seen") || "[]");
    seen.push(Number(bar.value));
    sessionStorage.setItem("progress-seen", JSON.stringify(seen));
  }).observe(bar, { attributes: true, attributeFilter: ["value"] });
});
"""


@pytest.fixture
def chart(demo):
    clinic = demo["demo"]
    with tenant_context(clinic), transaction.atomic():
        clinician = Membership.objects.get(username="clinician")
        record = Client.objects.create(
            number=services.next_client_number(),
            legal_first_name="Robin",
            legal_last_name="Alvarez",
            date_of_birth=datetime.date(1988, 7, 14),
            status="active",
            primary_clinician=clinician,
        )
    return clinic, record


def test_a_clinician_uploads_and_opens_a_pdf_and_front_desk_cannot(page, browser, chart, clinic_url, tmp_path):
    clinic, record = chart
    referral = tmp_path / "Hospital referral.pdf"
    content = pdf_bytes("Referral from County Hospital", padding=1_500_000)
    referral.write_bytes(content)

    page.add_init_script(RECORD_PROGRESS)
    sign_in(page, clinic_url(clinic, "/login/"), "clinician", DEMO_PASSWORD)
    page.goto(clinic_url(clinic, f"/clients/{record.pk}/documents/"))
    expect(page.get_by_text("No documents in this chart yet.")).to_be_visible()
    page.get_by_role("link", name="Upload a document").click()

    page.get_by_label("File").set_input_files(str(referral))
    page.get_by_label("Title").fill("County Hospital referral")
    page.get_by_label("Category").select_option(label="Outside records")
    # Slow the connection so the bar has something to show.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 1_000_000},
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status").filter(has_text=re.compile(r"Uploading… \d+%"))).to_be_visible()
    expect(page.get_by_label("Upload progress")).to_be_visible()
    save_artifact(page, "document-upload-progress")

    expect(page.get_by_role("status").first).to_contain_text("“County Hospital referral” added to the chart.")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    seen = page.evaluate("JSON.parse(sessionStorage.getItem('progress-seen') || '[]')")
    assert seen[-1] == 100, seen
    assert any(0 < value < 100 for value in seen), f"the bar moved through the upload: {seen}"
    row = page.get_by_role("row").filter(has_text="County Hospital referral")
    expect(row).to_contain_text("Outside records")
    expect(row).to_contain_text("Clinical")
    expect(row).to_contain_text("Hospital referral.pdf")
    save_artifact(page, "document-tab")

    with page.expect_download() as download_info:
        row.get_by_role("link", name=re.compile("^Download")).click()
    download = download_info.value
    assert download.suggested_filename == "Hospital referral.pdf"
    assert download.path().read_bytes() == content

    with (
        page.context.expect_event("response", predicate=lambda r: "/open/" in r.url) as opened_info,
        page.expect_popup() as popup_info,
    ):
        row.get_by_role("link", name=re.compile("^Open")).click()
    opened = opened_info.value
    popup = popup_info.value
    assert opened.status == 200
    assert opened.headers["content-type"] == "application/pdf"
    assert opened.headers["content-disposition"].startswith("inline")
    assert opened.headers["x-content-type-options"] == "nosniff"
    popup.wait_for_load_state()
    assert popup.url == opened.url and "/open/" in popup.url
    document_url = popup.url
    popup.close()

    desk_context = browser.new_context()
    desk = desk_context.new_page()
    sign_in(desk, clinic_url(clinic, "/login/"), "frontdesk", DEMO_PASSWORD)
    desk.goto(clinic_url(clinic, f"/clients/{record.pk}/documents/"))
    expect(desk.get_by_text("No documents in this chart yet.")).to_be_visible()
    response = desk.goto(document_url)
    assert response.status == 403
    expect(desk.get_by_role("heading", name="You don't have access to this page")).to_be_visible()
    desk_context.close()


def test_an_amendment_is_requested_and_accepted_beside_the_original(page, chart, clinic_url, tmp_path):
    clinic, record = chart
    scan = tmp_path / "phq9.pdf"
    scan.write_bytes(pdf_bytes("PHQ-9"))
    sign_in(page, clinic_url(clinic, "/login/"), "clinician", DEMO_PASSWORD)
    page.goto(clinic_url(clinic, f"/clients/{record.pk}/documents/new/"))
    page.get_by_label("File").set_input_files(str(scan))
    page.get_by_label("Title").fill("PHQ-9 of March")
    page.get_by_label("Category").select_option(label="Assessment")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("row").filter(has_text="PHQ-9 of March")).to_be_visible()

    tabs = page.get_by_role("navigation", name="Chart sections")
    tabs.get_by_role("link", name="Amendments").click()
    expect(page.get_by_text("No amendment requests.")).to_be_visible()
    page.get_by_role("link", name="Record a request").click()
    page.get_by_label("Part of the chart").select_option(label="Clinical")
    page.get_by_label("Which record").fill("PHQ-9 of March, item 9")
    document_option = page.get_by_label("Document").locator("option", has_text="PHQ-9 of March").get_attribute("value")
    page.get_by_label("Document").select_option(value=document_option)
    page.get_by_label("Requested change").fill("Item 9 should read 0, not 1: I misread the question.")
    page.get_by_role("button", name="Record request").click()
    expect(page.get_by_role("status")).to_contain_text("Amendment request recorded. A decision is due by")

    page.get_by_label("Correction to append").fill("Item 9 corrected to 0 at the client's request.")
    agreement = page.get_by_label("May the clinic tell others of the amendment?")
    agreement.select_option(label="Agreed: notify the people listed")
    page.get_by_role("button", name="Accept and append correction").click()
    expect(page.get_by_role("status")).to_contain_text("Amendment accepted")
    expect(page.get_by_role("heading", name="Original record")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^PHQ-9 of March"))).to_be_visible()
    expect(page.get_by_text("Item 9 should read 0, not 1: I misread the question.")).to_be_visible()
    expect(page.get_by_text("Item 9 corrected to 0 at the client's request.")).to_be_visible()
    expect(page.locator(".badge.status-accepted")).to_have_text("Accepted")
    save_artifact(page, "amendment-accepted")

    page.get_by_label("Name:", exact=True).fill("Dr. Lee")
    page.get_by_label("Organisation").fill("Eastside Clinic")
    page.get_by_label("Named by the client as having received the record").check()
    page.get_by_label("How they will be told").select_option(label="Fax")
    page.get_by_role("button", name="Add to the list").click()
    expect(page.get_by_role("status")).to_contain_text("Dr. Lee added to the people to notify.")
    expect(page.get_by_text("1 still to notify.")).to_be_visible()
    page.get_by_label("Notified", exact=True).check()
    page.get_by_role("button", name="Record outcome for Dr. Lee").click()
    expect(page.get_by_role("cell", name=re.compile("^Notified .* by "))).to_be_visible()
    expect(page.get_by_text("still to notify")).to_have_count(0)

    tabs.get_by_role("link", name="Documents").click()
    row = page.get_by_role("row").filter(has_text="PHQ-9 of March")
    row.get_by_role("link", name=re.compile("^Amended")).click()
    expect(page.get_by_text("Item 9 corrected to 0 at the client's request.")).to_be_visible()


def test_a_file_over_the_limit_is_refused_before_it_is_sent(page, chart, clinic_url, tmp_path, settings):
    settings.HEARTH_UPLOAD_MAX_BYTES = 100_000
    clinic, record = chart
    big = tmp_path / "big.pdf"
    big.write_bytes(pdf_bytes(padding=200_000))
    sign_in(page, clinic_url(clinic, "/login/"), "frontdesk", DEMO_PASSWORD)
    page.goto(clinic_url(clinic, f"/clients/{record.pk}/documents/new/"))
    page.get_by_label("File").set_input_files(str(big))
    page.get_by_label("Category").select_option(label="Intake paperwork")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("status")).to_have_text(
        "This file is too large: files can be at most 97.7\xa0KB. Nothing was uploaded."
    )
    exe = tmp_path / "intake.pdf"
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * 400)
    page.get_by_label("File").set_input_files(str(exe))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text(re.compile("This file can't be added: its content is"))).to_be_visible()
    expect(page.get_by_label("File")).to_be_focused()
