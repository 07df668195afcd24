"""The waitlist and calendar subscriptions in headless Chromium.

The front desk puts a client on the waitlist, cancels an appointment, follows "1 waitlisted client matches this
slot", offers the slot and books it. A clinician makes a subscription link, a real calendar library reads the feed
it serves, and the removed link stops working."""

import datetime
import urllib.error
import urllib.request
import zoneinfo

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.demo import DEMO_PASSWORD
from accounts.people.models import Membership
from clients.records.models import Client
from conftest import save_artifact, sign_in
from scheduling.appointments import services
from scheduling.appointments.models import Appointment, AppointmentType, Room
from tenancy.context import tenant_context

pytestmark = pytest.mark.browser
ZONE = zoneinfo.ZoneInfo("America/New_York")


def _next_tuesday_at(hour: int) -> datetime.datetime:
    today = timezone.now().astimezone(ZONE).date()
    day = today + datetime.timedelta(days=(1 - today.weekday()) % 7 + 7)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZONE)


def _book_eli(clinic) -> Appointment:
    with tenant_context(clinic):
        kind = AppointmentType.objects.get(name="Individual therapy 45")
        room = Room.objects.get(name="Room 1")
        details = services.Details(
            appointment_type=kind,
            clients=[Client.objects.get(number=9003)],
            clinicians=[Membership.objects.get(username="clinician")],
            location=room.location,
            room=room,
        )
        desk = Membership.objects.get(username="frontdesk")
        return services.book(actor=desk, details=details, start=_next_tuesday_at(15), duration=45).appointments[0]


def test_front_desk_offers_a_cancelled_slot_to_a_waitlisted_client(page, demo, clinic_url):
    clinic = demo["demo"]
    appointment = _book_eli(clinic)
    sign_in(page, clinic_url(clinic, "/login/"), "frontdesk", DEMO_PASSWORD)
    page.get_by_role("link", name="Schedule").click()
    page.get_by_role("link", name="Waitlist").click()
    page.get_by_role("link", name="Add to the waitlist").first.click()
    page.get_by_label("Client").select_option(label="Rosa Delgado (#9004)")
    page.get_by_label("Appointment type").select_option(label="Individual therapy 45")
    page.locator("#id_clinician").select_option(label="Casey Clinician")
    page.get_by_label("Tuesday").check()
    page.get_by_label("Afternoon (12:00–17:00)").check()
    page.get_by_label("Notes for staff").fill("Prefers calls after 3pm")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("Added to the waitlist.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Waitlist: Rosa Delgado")

    page.goto(clinic_url(clinic, f"/schedule/appointments/{appointment.pk}/cancel/"))
    page.get_by_label("Client", exact=True).check()
    page.get_by_label("Reason").fill("Moving away")
    page.get_by_role("button", name="Cancel appointment").click()
    expect(page.get_by_role("status").first).to_contain_text("1 waitlisted client matches this slot.")
    page.get_by_role("link", name="1 waitlisted client matches this slot").click()
    row = page.get_by_role("row", name="Rosa Delgado")
    expect(row).to_contain_text("Individual therapy 45")
    save_artifact(page, "waitlist-matches")
    row.get_by_role("button", name="Offer").click()
    expect(page.get_by_role("status").first).to_contain_text("Offer recorded")
    expect(page.get_by_role("heading", name="Offered:")).to_contain_text("15:00 with Casey Clinician")
    page.get_by_role("button", name="Accepted: book it").click()
    expect(page.get_by_role("status").first).to_contain_text("Booked from the waitlist.")
    expect(page.locator("dl.facts")).to_contain_text("Rosa Delgado")
    expect(page.locator("dl.facts")).to_contain_text("Room 1")
    with tenant_context(clinic):
        booked = Appointment.objects.get(client_links__client__number=9004, start=appointment.start)
        assert booked.status == "scheduled" and booked.pk != appointment.pk
    page.goto(clinic_url(clinic, "/schedule/waitlist/?status=booked"))
    expect(page.get_by_role("row", name="Rosa Delgado")).to_contain_text("Booked")


def test_a_clinician_subscribes_and_a_calendar_library_reads_the_feed(page, demo, clinic_url):
    clinic = demo["demo"]
    _book_eli(clinic)
    sign_in(page, clinic_url(clinic, "/login/"), "clinician", DEMO_PASSWORD)
    page.get_by_role("link", name="Schedule").click()
    page.get_by_role("link", name="Calendar subscriptions").click()
    page.get_by_label("My appointments").check()
    page.get_by_label("Client number (#1001)").check()
    page.get_by_role("button", name="Create link").click()
    link = page.get_by_role("textbox", name="Subscription link")
    expect(link).to_be_visible()
    url = link.input_value()
    assert "/schedule/feed/" in url and url.endswith(".ics")
    save_artifact(page, "calendar-subscription-link")

    # The address the browser used (demo.localhost) resolves only inside Chromium; fetch the same path on loopback.
    fetch_url = url.replace("demo.localhost", "127.0.0.1")
    request = urllib.request.Request(fetch_url, headers={"Host": url.split("/")[2]})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Cache-Control"] == "private, no-store"
        calendar = icalendar.Calendar.from_ical(response.read())
    summaries = [str(e["summary"]) for e in calendar.walk("VEVENT")]
    assert "Appointment: #9003" in summaries and not any("therapy" in s for s in summaries)
    body = calendar.to_ical().decode()
    for name in ("Eli", "Novak", "Maya", "Okafor", "Rosa", "Jamie"):
        assert name not in body

    page.goto(page.url)
    expect(page.get_by_role("textbox", name="Subscription link")).to_have_count(0)  # shown once only
    page.get_by_role("button", name="Remove this link").click()
    expect(page.get_by_role("status").first).to_contain_text("Link removed")
    try:
        urllib.request.urlopen(request, timeout=10)
        status = 200
    except urllib.error.HTTPError as error:
        status = error.code
    assert status == 404
