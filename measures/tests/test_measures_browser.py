"""Issue 14's "done when" for outcome measures, in headless Chromium: the chart shows each measure's trend with its
bands; a client completes a PHQ-9 from home through an emailed link with item 9 above 0, and the clinician sees the
alert at their next page, opens the chart's banner and documents a response."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from clients.records.models import Client
from conftest import save_artifact, sign_in
from tenancy.context import tenant_context

pytestmark = pytest.mark.browser


def test_trend_with_bands_link_with_item_9_and_the_clinicians_alert(page, demo, clinic_url, browser):
    clinic = demo["demo"]
    with tenant_context(clinic):
        jamie = Client.objects.get(number=9001)
    sign_in(page, clinic_url(clinic, "/login/"), "supervisor", DEMO_PASSWORD)
    page.goto(clinic_url(clinic, f"/clients/{jamie.pk}/measures/"))

    # A year of demo scores: one trend per measure, drawn over its bands, with the numbers in a table too.
    trends = page.locator("figure.measure-trend")
    expect(trends).to_have_count(2)
    phq9 = page.locator('figure[data-instrument="phq9"]')
    expect(phq9.get_by_role("img")).to_be_visible()
    expect(phq9.locator("rect.band")).to_have_count(5)
    expect(phq9.locator("figcaption")).to_contain_text("baseline")
    phq9.get_by_text("PHQ-9 scores as a table").click()
    expect(phq9.get_by_role("table").get_by_role("row")).to_have_count(28)  # header + 27 fortnightly scores
    save_artifact(page, "measures-tab")

    # The clinician sends a PHQ-9 link by email; the message names no one.
    page.get_by_label("Questionnaire to send").select_option("phq9")
    page.get_by_label("Send by").select_option("email")
    page.get_by_role("button", name="Send a link").click()
    expect(page.get_by_role("status")).to_contain_text("Link sent")
    (message,) = [m for m in mail.outbox if m.to == ["jamie.brooks@example.test"]]
    assert "Jamie" not in message.body
    link = re.search(r"https?://\S+/measures/q/\S+/", message.body).group(0)

    # At home, the client confirms their date of birth and answers, with item 9 above 0.
    home = browser.new_context().new_page()
    home.goto(link)
    home.get_by_label("Your date of birth").fill(jamie.date_of_birth.isoformat())
    home.get_by_role("button", name="Continue").click()
    for number in range(1, 10):
        item = home.get_by_role("group", name=re.compile(rf"^{number}\. "))
        item.get_by_label("Several days" if number in (2, 9) else "Not at all").check()
    home.get_by_role("button", name="Send my answers").click()
    expect(home.get_by_role("heading", name="Thank you")).to_be_visible()
    home.goto(link)
    expect(home.get_by_role("heading", name="This link can't be used")).to_be_visible()
    home.context.close()

    # The clinician's next page carries the alert; it leads to the chart's banner and the response.
    page.get_by_role("link", name="Clients").click()
    notice = page.locator("[data-safety-notice]")
    expect(notice).to_contain_text("1 critical questionnaire answer needs your review")
    notice.get_by_role("link", name="Review now").click()
    page.get_by_role("link", name=re.compile("Jamie")).click()
    banner = page.locator("[data-chart-banner]")
    expect(banner).to_contain_text("Critical answer on the PHQ-9")
    save_artifact(page, "measures-safety-banner")
    banner.get_by_role("link", name="Review and respond").click()
    page.get_by_label("What you did").fill("Phoned the client the same morning; risk assessment done, safety plan.")
    page.get_by_role("button", name="Document response").click()
    expect(page.get_by_role("status")).to_contain_text("Response documented")
    expect(page.locator("[data-chart-banner]")).to_have_count(0)
    expect(page.locator("[data-safety-notice]")).to_have_count(0)
