"""The client record in headless Chromium: contacts, a guardian and alerts on a minor's chart; clinical alerts
hidden from the front desk; a discharge with a reason."""

import datetime

import pytest
from django.db import transaction
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.people.models import Membership
from clients.records import services
from clients.records.models import Client
from clients.tests.conftest import years_before
from conftest import save_artifact, sign_in
from core.clinic_time import clinic_today
from tenancy.context import tenant_context

pytestmark = pytest.mark.browser


def _alerts(page):
    return page.get_by_role("region", name="Chart alerts")


def test_front_desk_and_clinician_complete_a_minors_record_and_discharge_it(page, demo, clinic_url, browser):
    clinic = demo["demo"]
    with tenant_context(clinic), transaction.atomic():
        today = clinic_today()
        record = Client.objects.create(
            number=services.next_client_number(),
            legal_first_name="Mia",
            legal_last_name="Lopez",
            date_of_birth=years_before(today, 12),
            status="active",
            intake_date=today - datetime.timedelta(days=90),
            primary_clinician=Membership.objects.get(username="clinician"),
        )
    chart = clinic_url(clinic, f"/clients/{record.pk}/")

    # Front desk: the warning, an emergency contact, a guardian, an interpreter alert.
    sign_in(page, clinic_url(clinic, "/login/"), "frontdesk", DEMO_PASSWORD)
    page.goto(chart)
    expect(page.get_by_text("Minor without a guardian on file.")).to_be_visible()
    page.get_by_role("navigation", name="Chart sections").get_by_role("link", name="Demographics").click()
    page.get_by_role("link", name="Add a contact").click()
    page.get_by_label("Name").fill("Rosa Lopez")
    page.get_by_label("Relationship").select_option(label="Grandparent")
    page.get_by_label("Emergency contact:", exact=True).check()
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("An emergency contact needs a phone number.")).to_be_visible()
    page.get_by_label("Phone:", exact=True).fill("(555) 201-9900")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_role("status")).to_contain_text("Contact added.")
    expect(page.get_by_text("Minor without a guardian on file.")).to_be_visible()  # a grandparent isn't a guardian

    page.get_by_role("link", name="Add a contact").click()
    page.get_by_label("Name").fill("Maria Lopez")
    page.get_by_label("Relationship").select_option(label="Parent")
    page.get_by_label("Phone:", exact=True).fill("(555) 201-3344")
    page.get_by_label("Legal guardian or personal representative").check()
    page.get_by_label("May receive information about the client's care").check()
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_role("status")).to_contain_text("Contact added.")
    expect(page.get_by_text("Minor without a guardian on file.")).to_have_count(0)
    contacts = page.get_by_role("list", name="Contacts, in the order to call them")
    expect(contacts.get_by_role("listitem")).to_have_count(2)
    page.get_by_role("button", name="Move up Maria Lopez").click()
    expect(contacts.get_by_role("listitem").first).to_contain_text("Maria Lopez")

    page.get_by_role("navigation", name="Chart sections").get_by_role("link", name="Overview").click()
    page.get_by_role("link", name="Add an alert").click()
    expect(page.get_by_label("Kind of alert").locator("option")).to_have_text(
        ["Legal", "Communication need", "Other (administrative)"]
    )
    page.get_by_label("Kind of alert").select_option(label="Communication need")
    page.get_by_label("What staff need to know").fill("Parent needs a Spanish interpreter")
    page.get_by_role("button", name="Add alert").click()
    expect(_alerts(page)).to_contain_text("Communication need")
    expect(_alerts(page)).to_contain_text("Parent needs a Spanish interpreter")
    save_artifact(page, "client-record-front-desk")

    # Clinician: a safety-plan alert, then the discharge.
    clinician_context = browser.new_context()
    clinician = clinician_context.new_page()
    sign_in(clinician, clinic_url(clinic, "/login/"), "clinician", DEMO_PASSWORD)
    clinician.goto(chart)
    expect(_alerts(clinician)).to_contain_text("Parent needs a Spanish interpreter")
    clinician.get_by_role("link", name="Add an alert").click()
    clinician.get_by_label("Kind of alert").select_option(label="Safety plan / risk")
    clinician.get_by_label("Severity").select_option(label="High")
    clinician.get_by_label("What staff need to know").fill("Safety plan on file since last week")
    clinician.get_by_role("button", name="Add alert").click()
    expect(_alerts(clinician)).to_contain_text("Safety plan on file since last week")

    page.reload()
    expect(_alerts(page)).to_contain_text("Parent needs a Spanish interpreter")
    expect(page.get_by_text("Safety plan on file since last week")).to_have_count(0)

    clinician.get_by_role("link", name="Change status or see history").click()
    clinician.get_by_label("Discharge date").fill(str(today + datetime.timedelta(days=1)))
    clinician.get_by_label("Reason for discharge").fill("Treatment goals met")
    clinician.get_by_role("button", name="Discharge client").click()
    expect(clinician.get_by_text("The discharge date can't be in the future.")).to_be_visible()
    clinician.get_by_label("Discharge date").fill(str(today))
    clinician.get_by_role("button", name="Discharge client").click()
    expect(clinician.get_by_role("status")).to_contain_text("Client discharged.")
    expect(clinician.get_by_role("heading", name="Status: Discharged")).to_be_visible()
    history = clinician.get_by_role("table", name="Status changes, newest first")
    expect(history.get_by_role("row").nth(1)).to_contain_text("Treatment goals met")
    expect(history.get_by_role("row").nth(1)).to_contain_text("Casey Clinician")
    save_artifact(clinician, "client-record-discharged")
    clinician_context.close()
