"""The booking form in headless Chromium: a client is found by typing and chosen with the keyboard (no list of
every client), chosen clients are removable chips, and the repeat fields appear only once a repeat is chosen;
without JavaScript the same form still finds clients and books."""

import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from conftest import save_artifact, sign_in
from scheduling.appointments.models import Appointment
from tenancy.context import tenant_context

pytestmark = pytest.mark.browser
ZONE = zoneinfo.ZoneInfo("America/New_York")


def _wednesday_in_three_weeks() -> datetime.date:
    today = timezone.now().astimezone(ZONE).date()
    return today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(days=23)


def _booked_clients(clinic, day: datetime.date) -> list[list[int]]:
    with tenant_context(clinic):
        rows = Appointment.objects.filter(start__date=day).order_by("start")
        return [sorted(a.clients.values_list("number", flat=True)) for a in rows]


def _fill_when_and_where(page, day: datetime.date) -> None:
    page.get_by_label("Appointment type").select_option(label="Individual therapy 45")
    page.get_by_label("Clinicians").select_option(label="Casey Clinician")
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Location").select_option(label="Main office")


def test_front_desk_finds_a_client_by_name_with_the_keyboard_and_books(page, demo, clinic_url):
    clinic = demo["demo"]
    day = _wednesday_in_three_weeks()
    sign_in(page, clinic_url(clinic, "/login/"), "frontdesk", DEMO_PASSWORD)
    page.goto(clinic_url(clinic, "/schedule/book/"))
    expect(page.get_by_role("button", name="Find")).to_have_count(0)  # live search instead

    box = page.get_by_role("combobox", name="Clients")
    box.focus()
    page.keyboard.type("novak")
    options = page.get_by_role("listbox", name="Matching clients").get_by_role("option")
    expect(options).to_have_text(["Eli Novak (#9003)"])
    expect(box).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    page.keyboard.press("Enter")
    chips = page.get_by_role("list", name="Chosen clients").get_by_role("listitem")
    expect(chips).to_have_text([re.compile(r"Eli Novak \(#9003\)")])
    expect(box).to_be_focused()
    expect(box).to_have_value("")
    expect(page.get_by_role("listbox", name="Matching clients")).to_have_count(0)

    # A second client by part of the name, then removed with the chip's button: only Eli is booked.
    page.keyboard.type("Okaf")
    expect(page.get_by_role("option", name="Maya Okafor (#9002)")).to_be_visible()
    page.keyboard.press("Enter")  # the only match
    expect(chips).to_have_count(2)
    page.get_by_role("button", name="Remove Maya Okafor (#9002)").click()
    expect(chips).to_have_count(1)
    expect(box).to_be_focused()
    save_artifact(page, "booking-client-picker")

    _fill_when_and_where(page, day)
    page.get_by_label("Start time").press("Enter")  # Enter in a field books (the form's default button)
    expect(page.get_by_role("status").first).to_contain_text("Booked.")
    assert _booked_clients(clinic, day) == [[9003]]


def test_repeat_fields_stay_hidden_until_a_repeat_is_chosen(page, demo, clinic_url):
    clinic = demo["demo"]
    sign_in(page, clinic_url(clinic, "/login/"), "frontdesk", DEMO_PASSWORD)
    page.goto(clinic_url(clinic, "/schedule/book/"))
    repeat = page.get_by_label("Repeat")
    expect(repeat).to_have_value("")
    for label in ("Every", "Monday", "Monthly", "Number of appointments", "…or until", "Closed days"):
        expect(page.get_by_label(label)).to_be_hidden()
    repeat.select_option(label="Weekly")
    for label in ("Every", "Monday", "Number of appointments", "…or until", "Closed days"):
        expect(page.get_by_label(label)).to_be_visible()
    expect(page.get_by_label("Monthly")).to_be_hidden()
    repeat.select_option(label="Monthly")
    expect(page.get_by_label("Monthly")).to_be_visible()
    expect(page.get_by_label("Monday")).to_be_hidden()
    repeat.select_option(label="Does not repeat")
    expect(page.get_by_label("Number of appointments")).to_be_hidden()


def test_without_javascript_find_lists_matches_to_tick_and_books(browser, demo, clinic_url):
    clinic = demo["demo"]
    day = _wednesday_in_three_weeks()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, clinic_url(clinic, "/login/"), "frontdesk", DEMO_PASSWORD)
    page.goto(clinic_url(clinic, "/schedule/book/"))
    expect(page.get_by_label("Number of appointments")).to_be_visible()  # nothing hidden without JavaScript
    _fill_when_and_where(page, day)
    page.get_by_role("combobox", name="Clients").fill("delgado")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("alert")).to_have_count(0)  # a search, not a failed booking
    expect(page.get_by_label("Date")).to_have_value(day.isoformat())  # what was filled in is kept
    page.get_by_role("checkbox", name="Rosa Delgado (#9004)").check()
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("status").first).to_contain_text("Booked.")
    assert _booked_clients(clinic, day) == [[9004]]
    context.close()
