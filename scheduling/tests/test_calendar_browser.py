"""Scheduling in headless Chromium: the front desk books a weekly series, the calendar shows it, a conflicting
booking is refused, dragging one occurrence moves only it, and the keyboard can move one too."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from conftest import choose_client, save_artifact, sign_in
from scheduling.appointments import recurrence
from scheduling.appointments.models import Appointment
from tenancy.context import tenant_context

pytestmark = pytest.mark.browser
ZONE = "America/New_York"


def _monday_in_two_weeks() -> datetime.date:
    today = timezone.now().astimezone(zoneinfo.ZoneInfo(ZONE)).date()
    return today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(days=14)


def _local_starts(clinic) -> list[str]:
    """Eli Novak's appointments from the booked week on (the demo week has others)."""
    after = recurrence.to_utc(datetime.datetime.combine(_monday_in_two_weeks(), datetime.time()), ZONE)
    with tenant_context(clinic):
        rows = Appointment.objects.filter(client_links__client__number=9003, start__gte=after).order_by("start")
        return [recurrence.to_local(a.start, ZONE).strftime("%m-%d %H:%M") for a in rows]


def test_front_desk_books_a_weekly_series_and_moves_occurrences(page, demo, clinic_url):
    clinic = demo["demo"]
    monday = _monday_in_two_weeks()
    sign_in(page, clinic_url(clinic, "/login/"), "frontdesk", DEMO_PASSWORD)
    page.get_by_role("link", name="Schedule").click()
    page.get_by_role("link", name="Book an appointment").click()
    page.get_by_label("Appointment type").select_option(label="Individual therapy 45")
    choose_client(page, "Eli Novak (#9003)")
    page.get_by_label("Clinicians").select_option(label="Casey Clinician")
    page.get_by_label("Date").fill(monday.isoformat())
    page.get_by_label("Start time").fill("13:00")
    page.get_by_label("Location").select_option(label="Main office")
    page.get_by_label("Room").select_option(label="Room 2 (Main office)")
    page.get_by_label("Repeat").select_option(label="Weekly")
    page.get_by_label("Monday").check()
    page.get_by_label("Number of appointments").fill("4")
    page.get_by_role("button", name="Book").click()

    expect(page.get_by_role("status").first).to_contain_text("Booked 4 appointments.")
    event = page.locator(".event", has_text="Eli Novak")
    expect(event).to_have_count(1)
    expect(event).to_contain_text("13:00–13:45")
    save_artifact(page, "schedule-week-booked")
    week_url = page.url

    # A second client for Casey at an overlapping time is refused, naming the clash.
    page.get_by_role("link", name="Book an appointment").click()
    page.get_by_label("Appointment type").select_option(label="Individual therapy 30")
    choose_client(page, "Rosa Delgado (#9004)")
    page.get_by_label("Clinicians").select_option(label="Casey Clinician")
    page.get_by_label("Date").fill(monday.isoformat())
    page.get_by_label("Start time").fill("13:30")
    page.get_by_label("Location").select_option(label="Main office")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"Not booked: Casey Clinician is already booked {monday:%a %b} {monday.day}, 13:00–13:45"
    )
    save_artifact(page, "schedule-conflict-refused")

    # Drag this week's occurrence down by one hour: only it moves.
    page.goto(week_url)
    event = page.locator(".event", has_text="Eli Novak")
    event.evaluate("el => el.scrollIntoView({block: 'center'})")
    box = event.bounding_box()
    hour = page.locator(".cal-slots").first.bounding_box()["height"] / page.locator(".cal-hours .hour").count()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 8)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 8 + hour * step / 10)
    page.mouse.up()
    expect(page.locator("#cal-status")).to_contain_text(f"Moved to {monday:%a %b} {monday.day}, 14:00.")
    expect(page.locator(".event", has_text="Eli Novak")).to_contain_text("14:00–14:45")
    following = [monday + datetime.timedelta(days=7 * i) for i in range(4)]
    assert _local_starts(clinic) == [following[0].strftime("%m-%d 14:00")] + [
        d.strftime("%m-%d 13:00") for d in following[1:]
    ]
    save_artifact(page, "schedule-dragged")

    # Keyboard: next week's occurrence, picked up with Space, 30 minutes later, dropped with Enter.
    page.get_by_role("link", name="Next").click()
    event = page.locator(".event", has_text="Eli Novak")
    event.focus()
    page.keyboard.press("Space")
    expect(page.locator("#cal-status")).to_contain_text("Picked up 13:00–13:45")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(event).to_contain_text("13:30–14:15")
    page.keyboard.press("Enter")
    expect(page.locator("#cal-status")).to_contain_text("Moved to")
    expect(page.locator(".event", has_text="Eli Novak")).to_be_focused()
    assert _local_starts(clinic)[1] == following[1].strftime("%m-%d 13:30")
    assert _local_starts(clinic)[2:] == [d.strftime("%m-%d 13:00") for d in following[2:]]

    # The list view is the table alternative.
    page.get_by_label("View").select_option("list")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("table")).to_contain_text("13:30–14:15")
    save_artifact(page, "schedule-list")


def test_an_appointment_past_midnight_continues_on_the_next_day(page, demo, clinic_url):
    clinic = demo["demo"]
    monday = _monday_in_two_weeks()
    sign_in(page, clinic_url(clinic, "/login/"), "frontdesk", DEMO_PASSWORD)
    page.goto(clinic_url(clinic, "/schedule/book/"))
    page.get_by_label("Appointment type").select_option(label="Individual therapy 45")
    choose_client(page, "Eli Novak (#9003)")
    page.get_by_label("Clinicians").select_option(label="Casey Clinician")
    page.get_by_label("Date").fill(monday.isoformat())
    page.get_by_label("Start time").fill("23:30")
    page.get_by_label("Location").select_option(label="Main office")
    page.get_by_role("button", name="Book").click()

    expect(page.get_by_role("status").first).to_contain_text("Booked")
    tuesday = monday + datetime.timedelta(days=1)
    first = page.locator(f'.cal-slots[data-date="{monday.isoformat()}"] .event', has_text="Eli Novak")
    rest = page.locator(f'.cal-slots[data-date="{tuesday.isoformat()}"] .event', has_text="Eli Novak")
    expect(first).to_contain_text("23:30–00:15")
    expect(rest).to_contain_text(f"Continued from {monday:%a %b} {monday.day}")
    rest.scroll_into_view_if_needed()
    expect(rest).to_be_visible()
    assert rest.get_attribute("data-editable") is None  # not draggable; it links to the appointment
    save_artifact(page, "schedule-past-midnight")
    rest.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Individual therapy 45")
