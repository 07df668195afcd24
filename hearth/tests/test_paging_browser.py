"""Paged lists in headless Chromium: the pager swaps just its list (htmx), puts the new page in the address bar,
moves focus to the list, and works from the keyboard; on a chart tab (past appointments) and a ticket thread."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.people.models import Membership
from clients.tests.factories import create_client
from conftest import save_artifact, sign_in
from scheduling.appointments.models import Appointment, AppointmentClient, AppointmentClinician, AppointmentType
from tenancy.context import tenant_context
from tenancy.models import Location
from tickets import services as tickets
from tickets.models import TicketUpdate

pytestmark = pytest.mark.browser


def _past_appointments(clinic, record, clinician, n):
    """``n`` completed appointments, one a day, the latest yesterday."""
    with tenant_context(clinic):
        kind, place = AppointmentType.objects.order_by("pk").first(), Location.objects.order_by("pk").first()
        today = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
        for days in range(1, n + 1):
            start = today - datetime.timedelta(days=days)
            a = Appointment.objects.create(
                appointment_type=kind,
                start=start,
                end=start + datetime.timedelta(minutes=50),
                location=place,
                status="completed",
            )
            AppointmentClient.objects.create(appointment=a, client=record)
            AppointmentClinician.objects.create(appointment=a, clinician=clinician)


def test_paging_a_chart_tab_and_a_ticket_thread(page, demo, clinic_url):
    clinic = demo["demo"]
    with tenant_context(clinic):
        front_desk = Membership.objects.get(username="frontdesk")
        clinician = Membership.objects.get(username="clinician")
    record = create_client(clinic, first="Paige", last="Turner", primary=clinician)
    _past_appointments(clinic, record, clinician, 26)
    sign_in(page, clinic_url(clinic, "/login/"), "frontdesk", DEMO_PASSWORD)

    # The Schedule tab: 20 past appointments, latest first; Next (pressed from the keyboard) shows the 6 older.
    page.goto(clinic_url(clinic, f"/clients/{record.pk}/schedule/"))
    past = page.locator("#past-list")
    expect(past.locator("tbody tr")).to_have_count(20)
    yesterday = timezone.localtime() - datetime.timedelta(days=1)
    oldest = timezone.localtime() - datetime.timedelta(days=26)
    expect(past.locator("tbody tr").first).to_contain_text(f"{yesterday:%b} {yesterday.day}, {yesterday.year}")
    page.evaluate("document.body.dataset.sentinel = 'same page'")  # gone if the whole page reloads
    past.get_by_role("navigation", name="Pages of past appointments").get_by_role("link", name="Next").focus()
    page.keyboard.press("Enter")
    expect(past.locator("tbody tr")).to_have_count(6)
    expect(past.locator("tbody tr").last).to_contain_text(f"{oldest:%b} {oldest.day}, {oldest.year}")
    expect(page).to_have_url(re.compile(r"\?past=2$"))
    assert page.evaluate("document.body.dataset.sentinel") == "same page"
    expect(page.locator("#past-list")).to_be_focused()
    save_artifact(page, "schedule-tab-past-page-2")
    page.locator("#past-list").get_by_role("link", name="Previous").click()
    expect(page.locator("#past-list tbody tr")).to_have_count(20)
    expect(page).to_have_url(re.compile(r"\?past=1$"))

    # A ticket thread, newest first: Next shows the older updates, down to the ticket's creation.
    with tenant_context(clinic):
        ticket = tickets.create_ticket(actor=front_desk, title="Printer jams", assignee=front_desk)
        first = timezone.now() + datetime.timedelta(minutes=1)
        for i in range(22):
            TicketUpdate.objects.create(
                ticket=ticket,
                kind="comment",
                author=front_desk,
                body=f"Comment {i:02d}",
                created_at=first + datetime.timedelta(minutes=i),
            )
    page.goto(clinic_url(clinic, f"/tickets/{ticket.pk}/"))
    updates = page.locator("#thread-updates")
    expect(updates.locator("li.entry").first).to_contain_text("Comment 21")
    expect(updates.get_by_text("Comment 01")).to_have_count(0)
    updates.get_by_role("link", name="Next").click()
    expect(page.locator("#thread-updates").get_by_text("Comment 01")).to_be_visible()
    expect(page.locator("#thread-updates").get_by_text("Comment 21")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"\?updates=2$"))
    expect(page.get_by_label("Add a comment")).to_be_visible()  # the comment form stays above the thread
    save_artifact(page, "ticket-thread-page-2")
