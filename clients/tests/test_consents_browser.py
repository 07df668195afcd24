"""Consents in headless Chromium: the front desk records a consent to treatment and a release authorisation, logs
a release under it, and finds it in the accounting of disclosures; a mistaken release entry is marked entered in
error and leaves the accounting."""

import datetime
import zoneinfo

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.people.models import Membership
from clients.consents import services as consents
from clients.records import services
from clients.records.models import Client
from conftest import save_artifact, sign_in
from core.clinic_time import clinic_today
from tenancy.context import tenant_context

pytestmark = pytest.mark.browser


def test_front_desk_records_consents_logs_a_release_and_reports_it(page, demo, clinic_url):
    clinic = demo["demo"]
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(clinic.time_zone))
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
    tabs.get_by_role("link", name="Consents").click()
    expect(tabs.get_by_role("link", name="Consents")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("No consent to treatment in force.")).to_be_visible()

    page.get_by_role("link", name="Record a consent").click()
    page.get_by_label("Kind").select_option(label="Consent to treatment")
    expect(page.get_by_label("Signed date")).to_have_value(today.isoformat())
    page.get_by_role("button", name="Save consent").click()
    expect(page.get_by_role("status")).to_contain_text("Consent to treatment recorded.")
    expect(page.get_by_text("No consent to treatment in force.")).to_have_count(0)

    page.get_by_role("link", name="Record an authorisation").click()
    page.get_by_label("Kind of recipient").select_option(label="Health care provider")
    page.get_by_label("Recipient's name").fill("Dr. Lee Park")
    page.get_by_label("Recipient's organisation").fill("Valley Family Medicine")
    page.get_by_label("Recipient address").fill("12 Elm St, Springfield, IL 62701")
    page.get_by_label("Purpose").fill("Coordination of care with the primary care doctor")
    page.get_by_label("Diagnoses", exact=True).check()
    page.get_by_label("Attendance and appointment dates").check()
    page.get_by_role("button", name="Save authorisation").click()
    expect(page.get_by_text("Give an expiry date or an expiry event")).to_be_visible()  # HIPAA 164.508
    page.get_by_label("Expiry date").fill((today + datetime.timedelta(days=365)).isoformat())
    page.get_by_role("button", name="Save authorisation").click()
    expect(page.get_by_role("status")).to_contain_text("Release of information authorisation recorded.")
    active = page.get_by_role("table", name="Active")
    expect(active.get_by_role("row").filter(has_text="Dr. Lee Park")).to_contain_text("Active")

    page.get_by_role("link", name="Log a release").click()
    page.get_by_label("Authorisation relied on").select_option(index=1)
    page.get_by_label("Attendance and appointment dates").check()
    page.get_by_label("Description of what was released").fill("Visit dates for this year")
    page.get_by_role("button", name="Log release").click()
    expect(page.get_by_role("status")).to_contain_text("Release of information logged.")
    logged = page.get_by_role("table", name="Releases of information made").get_by_role("row").nth(1)
    expect(logged).to_contain_text("Dr. Lee Park")
    save_artifact(page, "client-consents-tab")

    page.get_by_role("link", name="Accounting of disclosures").click()
    expect(page.get_by_role("heading", name="Accounting of disclosures")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Dr. Lee Park")
    expect(row).to_contain_text("Valley Family Medicine")
    expect(row).to_contain_text("Attendance and appointment dates; Visit dates for this year")
    expect(row).to_contain_text("Coordination of care")
    expect(page.get_by_role("link", name="Download CSV")).to_be_visible()
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    save_artifact(page, "client-accounting-of-disclosures")


def test_front_desk_marks_a_mistaken_release_entered_in_error(page, demo, clinic_url):
    clinic = demo["demo"]
    with tenant_context(clinic), transaction.atomic():
        record = Client.objects.create(
            number=services.next_client_number(),
            legal_first_name="Jordan",
            legal_last_name="Reyes",
            date_of_birth=datetime.date(1990, 3, 2),
            status="active",
        )
        desk = Membership.objects.get(username="frontdesk")
        consents.record_disclosure(
            record,
            actor=desk,
            data={
                "disclosed_on": clinic_today(),
                "legal_basis": "public_health",
                "recipient_name": "County health department",
                "categories": ["attendance"],
                "purpose": "Outbreak tracing",
                "released_by": desk,
            },
        )
    sign_in(page, clinic_url(clinic, "/login/"), "frontdesk", DEMO_PASSWORD)
    page.goto(clinic_url(clinic, f"/clients/{record.pk}/consents/"))
    releases = page.get_by_role("table", name="Releases of information made")
    releases.get_by_role("link", name="Entered in error").click()
    expect(page.get_by_role("heading", name="entered in error")).to_be_visible()
    page.get_by_role("button", name="Mark entered in error").click()
    expect(page.get_by_text("Give the reason the entry is wrong.")).to_be_visible()
    page.get_by_label("Why the entry is wrong").fill("Logged on the wrong client")
    page.get_by_role("button", name="Mark entered in error").click()
    expect(page.get_by_role("status")).to_contain_text("marked entered in error")
    row = releases.get_by_role("row").filter(has_text="County health department")
    expect(row).to_contain_text("Entered in error")
    expect(row).to_contain_text("Logged on the wrong client")
    expect(row.locator(".entry").first).to_have_css("text-decoration-line", "line-through")
    expect(row.get_by_role("link", name="Entered in error")).to_have_count(0)
    save_artifact(page, "client-disclosure-entered-in-error")

    page.get_by_role("link", name="Accounting of disclosures").click()
    expect(page.get_by_role("table")).to_contain_text("No releases of information in this period.")
    expect(page.get_by_text("1 entry of this period marked entered in error is left out")).to_be_visible()
