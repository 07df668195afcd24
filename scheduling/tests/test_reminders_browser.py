"""Reminders in headless Chromium: an administrator turns them on, the front desk books a consenting client, the
sweep runs, the email arrives through a real SMTP server on loopback without the client's name in its subject,
and the client's Confirm link marks the appointment confirmed on the calendar."""

import datetime
import re
import zoneinfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.tests.test_login_browser import smtp  # noqa: F401  (the real SMTP server on loopback, reused)
from clients.records.models import Client
from conftest import choose_client, save_artifact, sign_in
from scheduling.appointments.models import Appointment, Status
from tenancy.context import tenant_context

pytestmark = pytest.mark.browser


def test_a_reminder_email_arrives_and_its_link_confirms_the_appointment(page, demo, clinic_url, smtp, browser):  # noqa: F811
    clinic = demo["demo"]
    with tenant_context(clinic):
        Client.objects.filter(number=9003).update(email="eli@example.org", consent_to_email=True)

    sign_in(page, clinic_url(clinic, "/login/"), "admin", DEMO_PASSWORD)
    page.get_by_role("link", name="Clinic settings").click()
    page.get_by_role("link", name="Appointment reminders").click()
    page.get_by_label("Send appointment reminders").check()
    page.get_by_label("By email").check()
    page.get_by_label("2 days").check()
    page.get_by_label("Reply-to address").fill("desk@demo.example.org")
    save_artifact(page, "reminder-settings")
    page.get_by_role("button", name="Save reminder settings").click()
    expect(page.get_by_role("status")).to_contain_text("Reminder settings saved.")
    page.get_by_role("button", name="Sign out").click()

    tomorrow = timezone.now().astimezone(zoneinfo.ZoneInfo(clinic.time_zone)).date() + datetime.timedelta(days=1)
    sign_in(page, clinic_url(clinic, "/login/"), "frontdesk", DEMO_PASSWORD)
    page.get_by_role("link", name="Schedule").click()
    page.get_by_role("link", name="Book an appointment").click()
    page.get_by_label("Appointment type").select_option(label="Intake assessment")
    choose_client(page, "Eli Novak (#9003)")
    page.get_by_label("Clinicians").select_option(label="Casey Clinician")
    page.get_by_label("Date").fill(tomorrow.isoformat())
    page.get_by_label("Start time").fill("12:00")
    page.get_by_label("Location").select_option(label="Main office")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("status").first).to_contain_text("Booked.")
    calendar = page.url

    call_command("send_due_reminders")  # what the worker loop runs every minute

    # The demo's own consenting clients may get reminders too; Eli gets exactly one.
    to_eli = [m for m in smtp.messages if m["To"] == "eli@example.org"]
    assert len(to_eli) == 1
    message = to_eli[0]
    assert message["Reply-To"] == "desk@demo.example.org"
    subject = message["Subject"]
    assert subject == f"Appointment reminder from {clinic.name}"
    for secret in ("Eli", "Novak", "9003", "Intake"):
        assert secret not in subject
    body = message.get_payload(decode=True).decode()
    assert "Eli" not in body and "Novak" not in body and "Intake" not in body and "Main office" in body
    assert f"{tomorrow:%A, %B} {tomorrow.day}, {tomorrow.year} at 12:00 PM" in body
    link = re.search(r"http://\S+/schedule/reminder/\S+/confirm/", body).group(0)
    assert link.startswith(clinic_url(clinic, "/schedule/reminder/"))

    # The client opens the link in their own browser (not signed in): the page asks before changing anything.
    client_context = browser.new_context()
    client_page = client_context.new_page()
    client_page.goto(link)
    expect(client_page.get_by_role("heading", name="Confirm your appointment")).to_be_visible()
    expect(client_page.get_by_text("12:00 PM")).to_be_visible()
    with tenant_context(clinic):
        appointment = Appointment.objects.get(
            client_links__client__number=9003,
            start__date__gte=tomorrow - datetime.timedelta(days=1),
            appointment_type__name="Intake assessment",
        )
        assert appointment.status == Status.SCHEDULED
    save_artifact(client_page, "reminder-confirm-page")
    client_page.get_by_role("button", name="Confirm").click()
    expect(client_page.get_by_role("heading", name="Appointment confirmed")).to_be_visible()
    client_context.close()

    page.goto(calendar)
    event = page.locator(".event", has_text="Eli Novak").filter(has_text="Intake assessment")
    expect(event).to_contain_text("Confirmed")
    event.click()
    expect(page.get_by_role("heading", name="Reminders")).to_be_visible()
    expect(page.get_by_text("Confirmed by the client")).to_be_visible()
    save_artifact(page, "appointment-reminders")
