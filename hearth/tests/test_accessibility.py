"""WCAG 2 A/AA checks with axe-core on every page of the base UI, as a browser renders them."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from playwright.sync_api import Error as PlaywrightError

from accounts.demo import DEMO_PASSWORD, load_demo
from core.clinic_time import clinic_today
from tenancy.context import tenant_context

# The pages show the demo's week and dates relative to today: the server's clock is ``browser_now()`` (conftest).
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_clock")]
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe_page(browser):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `npm ci` (make test does)")
    # axe is injected as an inline script, which the app's CSP rightly forbids; this context only audits.
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


def _violations(page, attempts: int = 3) -> list[str]:
    # A click that posts a form returns before the answer has replaced the page; if axe lands on the outgoing
    # document (no <head> yet, or a context destroyed mid-run), wait for the new one and audit that.
    for attempt in range(1, attempts + 1):
        page.wait_for_load_state()
        try:
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})")
            break
        except PlaywrightError:
            if attempt == attempts:
                raise
            page.wait_for_timeout(250)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in result["violations"]]


def _chart_with_documents(clinic) -> tuple[int, int, int]:
    """A demo client with an insurance card on file, an overdue request to amend their address, and an accepted
    one with a person still to notify."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from accounts.people.models import Membership
    from clients.amendments import services as amendments
    from clients.documents import services as documents
    from clients.records import services
    from clients.records.models import Client
    from core import uploads
    from core.tests.files import png_bytes

    with tenant_context(clinic), transaction.atomic():
        desk = Membership.objects.get(username="frontdesk")
        record = Client.objects.create(
            number=services.next_client_number(),
            legal_first_name="Robin",
            legal_last_name="Alvarez",
            date_of_birth=datetime.date(1988, 7, 14),
            status="active",
        )
        card = documents.upload_document(
            record,
            actor=desk,
            checked=uploads.check_upload(SimpleUploadedFile("card.png", png_bytes())),
            title="Insurance card, front",
            category="insurance_card",
            section="insurance",
        )
        received = datetime.date.today() - datetime.timedelta(days=70)
        amendment = amendments.record_request(
            record,
            actor=desk,
            data={
                "section": "demographics",
                "record_description": "home address",
                "document": None,
                "requested_change": "My street is Elm Street, not Elm Road.",
                "received_on": received,
            },
            today=received,
        )
        amendments.record_request(
            record,
            actor=desk,
            data={
                "section": "insurance",
                "record_description": "insurance card",
                "document": card,
                "requested_change": "The member ID on file is missing a digit.",
                "received_on": received,
            },
            today=received,
        )
        accepted = amendments.record_request(
            record,
            actor=desk,
            data={
                "section": "demographics",
                "record_description": "phone number",
                "document": None,
                "requested_change": "My phone number ends in 12, not 21.",
                "received_on": received,
            },
            today=received,
        )
        accepted = amendments.accept(
            accepted,
            actor=desk,
            correction="Phone number corrected.",
            today=received,
            expected_version=1,
            client_informed_on=received,
            notification_agreement="agreed",
        )
        amendments.add_notification(
            accepted,
            actor=desk,
            data={
                "recipient_name": "Records office",
                "recipient_organization": "Eastside Clinic",
                "kind": "client_identified",
                "method": "fax",
            },
        )
    return record.pk, amendment.pk, accepted.pk


def _demo_ticket(clinic) -> int:
    from tenancy.context import tenant_context
    from tickets.models import Ticket

    with tenant_context(clinic):
        return Ticket.objects.filter(sent_to_vendor_at__isnull=False).values_list("pk", flat=True).first()


def _reminder_link(clinic) -> str:
    """The path of a sent reminder's link for the demo's next open single-client appointment."""
    import datetime

    from django.db.models import Count
    from django.utils import timezone

    from scheduling.appointments.models import Appointment
    from scheduling.reminders import services as reminders
    from scheduling.reminders.models import AppointmentReminder

    with tenant_context(clinic):
        appointment = (
            Appointment.objects.filter(start__gt=timezone.now(), status="scheduled")
            .annotate(n=Count("client_links"))
            .filter(n=1)
            .order_by("start")
            .first()
        )
        if appointment is None:  # late in the demo week: one tomorrow
            appointment = Appointment.objects.order_by("start").first()
            Appointment.objects.filter(pk=appointment.pk).update(
                start=timezone.now() + datetime.timedelta(days=1),
                end=timezone.now() + datetime.timedelta(days=1, hours=1),
                status="scheduled",
            )
            appointment.refresh_from_db()
        reminder, _ = AppointmentReminder.objects.get_or_create(
            appointment=appointment,
            client=appointment.clients.first(),
            channel="email",
            lead_hours=48,
            appointment_start=appointment.start,
            defaults={"status": "sent", "sent_at": timezone.now()},
        )
        return f"/schedule/reminder/{reminders.token_for(reminder, clinic)}/"


def _scheduling_pages(page, base: str, clinic) -> dict[str, list[str]]:
    """The calendar in every view, booking (also with errors), an appointment and its forms, settings, the chart's
    Schedule tab: signed in as the demo administrator."""
    from clients.records.models import Client
    from scheduling.appointments.models import Appointment
    from tenancy.context import tenant_context

    with tenant_context(clinic):
        appointment = Appointment.objects.order_by("start").first()
        client = Client.objects.get(number=9001)
        clinician = appointment.clinicians.first()
    found = {}
    for name, path in [
        ("schedule: day, everyone", "/schedule/?view=day"),
        ("schedule: week, everyone", "/schedule/?view=week"),
        ("schedule: week, one clinician", f"/schedule/?view=week&c={clinician.pk}"),
        ("schedule: month", f"/schedule/?view=month&c={clinician.pk}"),
        ("schedule: list", "/schedule/?view=list"),
        ("schedule: a room", f"/schedule/?view=week&room={appointment.room_id}"),
        ("book an appointment", "/schedule/book/"),
        ("open times", f"/schedule/open-slots/?duration=45&clinician={clinician.pk}"),
        ("appointment", f"/schedule/appointments/{appointment.pk}/"),
        ("change appointment", f"/schedule/appointments/{appointment.pk}/edit/"),
        ("cancel appointment", f"/schedule/appointments/{appointment.pk}/cancel/"),
        ("working hours", f"/schedule/availability/{clinician.pk}/"),
        ("appointment types", "/schedule/settings/types/"),
        ("rooms", "/schedule/settings/rooms/"),
        ("closures", "/schedule/settings/closures/"),
        ("add a closure", "/schedule/settings/closures/new/"),
        ("calendar time zone", "/schedule/preferences/"),
        ("client schedule tab", f"/clients/{client.pk}/schedule/"),
        ("reminder settings", "/schedule/reminder-settings/"),
        ("reminder link: confirm", f"{_reminder_link(clinic)}confirm/"),
        ("reminder link: answer", _reminder_link(clinic)),
        ("reminder link: broken", "/schedule/reminder/1.abc.def/"),
    ]:
        page.goto(f"{base}{path}")
        found[name] = _violations(page)
    page.goto(f"{base}/schedule/book/")
    page.get_by_role("button", name="Book").click()
    found["book with errors"] = _violations(page)
    found.update(_waitlist_and_feed_pages(page, base, clinic))
    return found


def _waitlist_and_feed_pages(page, base: str, clinic) -> dict[str, list[str]]:
    """The waitlist (a waiting entry, one with an open offer, the matches of a cancelled slot) and calendar
    subscriptions (with a new link shown), as the demo administrator."""
    import datetime

    from django.utils import timezone

    from accounts.people.models import Membership
    from clients.records.models import Client
    from scheduling.appointments import services
    from scheduling.appointments.models import AppointmentType, Room
    from scheduling.waitlist import services as waitlist

    with tenant_context(clinic):
        desk = Membership.objects.get(username="frontdesk")
        casey = Membership.objects.get(username="clinician")
        kind = AppointmentType.objects.get(name="Individual therapy 45")
        room = Room.objects.get(name="Room 1")
        start = timezone.now().replace(hour=19, minute=0, second=0, microsecond=0) + datetime.timedelta(days=8)
        waiting = waitlist.add_entry(
            Client.objects.get(number=9004), actor=desk, data=waitlist.EntryData(kind, windows=["afternoon"])
        )
        offered = waitlist.add_entry(Client.objects.get(number=9001), actor=desk, data=waitlist.EntryData(kind))
        slot = waitlist.Slot(start, start + datetime.timedelta(minutes=45), casey, room.location, room)
        waitlist.offer(offered, actor=desk, expected_version=1, slot=slot, zone=clinic.time_zone)
        details = services.Details(kind, [Client.objects.get(number=9003)], [casey], room.location, room)
        freed = services.book(actor=desk, details=details, start=start + datetime.timedelta(days=1), duration=45)
        freed = freed.appointments[0]
        services.cancel(freed, actor=desk, expected_version=1, cancelled_by="clinic", reason="Clinician ill")
    found = {}
    for name, path in [
        ("waitlist", "/schedule/waitlist/"),
        ("add to the waitlist", "/schedule/waitlist/new/"),
        ("waitlist entry with open times", f"/schedule/waitlist/{waiting.pk}/"),
        ("waitlist entry with an offer", f"/schedule/waitlist/{offered.pk}/"),
        ("change a waitlist entry", f"/schedule/waitlist/{waiting.pk}/edit/"),
        ("waitlist matches of a cancelled slot", f"/schedule/waitlist/matches/?appointment={freed.pk}"),
        ("cancelled appointment with matches", f"/schedule/appointments/{freed.pk}/"),
        ("calendar subscriptions", "/schedule/subscriptions/"),
    ]:
        page.goto(f"{base}{path}")
        found[name] = _violations(page)
    page.goto(f"{base}/schedule/waitlist/new/")
    page.get_by_role("button", name="Save").click()
    found["add to the waitlist with errors"] = _violations(page)
    page.goto(f"{base}/schedule/subscriptions/")
    page.get_by_label("A room's bookings").check()
    page.get_by_role("button", name="Create link").click()
    page.get_by_text("Choose the room.").wait_for()
    found["calendar subscriptions with errors"] = _violations(page)
    page.get_by_label("A room's bookings").check()
    page.locator("#id_room").select_option(label="Room 1 (Main office)")
    page.get_by_role("button", name="Create link").click()
    page.get_by_role("textbox", name="Subscription link").wait_for()
    found["calendar subscriptions with a new link"] = _violations(page)
    return found


def _chart_with_record_details(clinic) -> int:
    """A minor without a guardian, with a contact, a family link and an alert: every part of the chart renders."""
    from accounts.people.models import Membership
    from clients.alerts import services as alerts
    from clients.contacts import services as contacts
    from clients.records import services
    from clients.records.models import Client
    from clients.tests.conftest import years_before

    with tenant_context(clinic), transaction.atomic():
        desk = Membership.objects.get(username="frontdesk")
        today = clinic_today()
        minor, parent = (
            Client.objects.create(
                number=services.next_client_number(),
                legal_first_name=first,
                legal_last_name="Lopez",
                date_of_birth=years_before(today, age),
                status="active",
                intake_date=today,
            )
            for first, age in (("Mia", 12), ("Maria", 40))
        )
        contacts.add_contact(
            minor, actor=desk, data={"name": "Rosa", "relationship": "grandparent", "phone": "555-201-9900"}
        )
        contacts.link_clients(minor, actor=desk, related_client=parent, relationship="parent")
        alerts.add_alert(minor, actor=desk, kind="communication", severity="high", text="Interpreter: Spanish")
        return minor.pk


def test_pages_have_no_wcag_violations(axe_page, transactional_db, live_server):
    clinics = {c.slug: c for c in load_demo()}
    details = _chart_with_record_details(clinics["demo"])
    port = live_server.url.rsplit(":", 1)[1]
    base = f"http://demo.localhost:{port}"
    page = axe_page
    pages = {}
    page.goto(f"{base}/login/")
    pages["login"] = _violations(page)
    page.get_by_label("Username or email").fill("admin")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    pages["login with error"] = _violations(page)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    for name, path in [
        ("home", "/"),
        ("staff list", "/staff/"),
        ("invite", "/staff/invite/"),
        ("clinic settings", "/settings/clinic/"),
        ("not found", "/nowhere/"),
        ("sessions", "/account/sessions/"),
        ("own sign-ins", "/account/sign-ins/"),
        ("clinic sign-ins", "/staff/sign-ins/"),
        ("two-step sign-in", "/mfa/"),
        ("two-step set-up", "/mfa/setup/"),
        ("change password", "/password/change/"),
        ("single sign-on settings", "/settings/sso/"),
        ("tickets assigned to me", "/tickets/"),
        ("all tickets", "/tickets/all/?status="),
        ("tickets sent to vendor", "/tickets/sent-to-vendor/"),
        ("new ticket page", "/tickets/new/?from=/staff/"),
        ("a ticket", f"/tickets/{_demo_ticket(clinics['demo'])}/"),
        ("notifications", "/tickets/notifications/"),
        ("locations", "/settings/locations/"),
        ("add a location", "/settings/locations/new/"),
        ("programs", "/clients/programs/"),
        ("add a program", "/clients/programs/new/"),
        ("chart overview with alerts", f"/clients/{details}/"),
        ("chart demographics with contacts", f"/clients/{details}/demographics/"),
        ("edit demographics", f"/clients/{details}/edit/"),
        ("client status", f"/clients/{details}/status/"),
        ("care team", f"/clients/{details}/care-team/"),
        ("add a contact", f"/clients/{details}/contacts/new/"),
        ("link a family member", f"/clients/{details}/family/new/"),
        ("add an alert", f"/clients/{details}/alerts/new/"),
    ]:
        page.goto(f"{base}{path}")
        pages[name] = _violations(page)
    page.goto(f"{base}/clients/programs/new/")
    page.get_by_label("Name").fill("Evening skills group")
    page.get_by_role("button", name="Save program").click()
    page.get_by_role("status").get_by_text("Program Evening skills group added.").wait_for()
    pages["page with a flash message"] = _violations(page)
    page.goto(f"{base}/tickets/new/")
    page.get_by_role("button", name="Create ticket").click()
    pages["new ticket with errors"] = _violations(page)
    page.goto(f"{base}/staff/")
    page.get_by_role("link", name="Help").click()
    page.get_by_role("dialog", name="New ticket").get_by_label("Title").fill("Call 555-123-4567")
    page.get_by_role("dialog", name="New ticket").get_by_role("button", name="Create ticket").click()
    page.get_by_role("dialog", name="New ticket").get_by_text("a phone number").wait_for()
    pages["help dialog with an error"] = _violations(page)
    page.goto(f"{base}/staff/invite/")
    page.get_by_role("button", name="Send invitation").click()
    pages["invite with errors"] = _violations(page)
    chart, amendment, accepted = _chart_with_documents(clinics["demo"])
    for name, path in [
        ("documents tab", f"/clients/{chart}/documents/"),
        ("upload a document", f"/clients/{chart}/documents/new/"),
        ("amendments tab", f"/clients/{chart}/amendments/"),
        ("record an amendment request", f"/clients/{chart}/amendments/new/"),
        ("amendment request", f"/clients/{chart}/amendments/{amendment}/"),
        ("accepted amendment with people to notify", f"/clients/{chart}/amendments/{accepted}/"),
    ]:
        page.goto(f"{base}{path}")
        pages[name] = _violations(page)
    page.goto(f"{base}/clients/{chart}/documents/new/")
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("Choose a file to upload.").wait_for()
    pages["upload with errors"] = _violations(page)
    page.goto(f"{base}/clients/{chart}/amendments/{amendment}/")
    page.get_by_role("button", name="Deny request").click()
    pages["amendment decision with errors"] = _violations(page)
    page.goto(f"{base}/clients/{chart}/amendments/{accepted}/")
    page.get_by_role("button", name="Record outcome").click()
    page.get_by_text("Choose whether they were notified").wait_for()
    pages["notification outcome with errors"] = _violations(page)
    page.goto(f"{base}/clients/")
    pages["client list"] = _violations(page)
    page.get_by_label("Find a client").fill("2/30/1990")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("is not a date").wait_for()
    pages["client search with a message"] = _violations(page)
    pages.update(_scheduling_pages(page, base, clinics["demo"]))
    page.goto(f"{base}/clients/{details}/status/")
    page.get_by_role("button", name="Discharge client").click()
    pages["discharge with errors"] = _violations(page)
    page.goto(f"{base}/settings/locations/new/")
    page.get_by_role("button", name="Save location").click()
    pages["location with errors"] = _violations(page)
    page.get_by_role("button", name="Sign out").click()
    for name, path in [("forgot password", "/password/reset/"), ("reset link invalid", "/password/reset/set/")]:
        page.goto(f"{base}{path}")
        pages[name] = _violations(page)
    page.set_viewport_size({"width": 800, "height": 740})
    page.goto(f"{base}/staff/")
    pages["staff list on a phone"] = _violations(page)
    page.goto(f"{base}/login/")
    page.get_by_label("Username or email").fill("admin")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/clients/{chart}/documents/")
    pages["documents tab on a phone"] = _violations(page)
    page.goto(f"{base}/clients/{chart}/amendments/")
    pages["amendments tab on a phone"] = _violations(page)
    page.goto(f"{base}/tickets/all/?status=")
    pages["tickets on a phone"] = _violations(page)
    page.goto(f"{base}/schedule/?view=day")
    pages["schedule on a phone"] = _violations(page)
    for name, path in [
        ("chart on a phone", f"/clients/{details}/"),
        ("status on a phone", f"/clients/{details}/status/"),
    ]:
        page.goto(f"{base}{path}")
        pages[name] = _violations(page)
    assert clinics
    assert {name: found for name, found in pages.items() if found} == {}


def test_consents_pages_have_no_wcag_violations(axe_page, transactional_db, live_server):
    """The chart's Consents tab (with a release entered in error), its forms (with errors), an authorisation and the
    accounting of disclosures."""
    import datetime

    from django.db import transaction

    from clients.records import services
    from clients.records.models import Client
    from tenancy.context import tenant_context

    clinic = next(c for c in load_demo() if c.slug == "demo")
    with tenant_context(clinic), transaction.atomic():
        record = Client.objects.create(
            number=services.next_client_number(),
            legal_first_name="Robin",
            legal_last_name="Alvarez",
            date_of_birth=datetime.date(1988, 7, 14),
            status="active",
        )
    port = live_server.url.rsplit(":", 1)[1]
    base = f"http://demo.localhost:{port}"
    page = axe_page
    page.goto(f"{base}/login/")
    page.get_by_label("Username or email").fill("admin")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    chart = f"{base}/clients/{record.pk}"
    pages = {}
    page.goto(f"{chart}/consents/new/")
    page.get_by_role("button", name="Save consent").click()
    pages["consent form with errors"] = _violations(page)
    page.goto(f"{chart}/releases/new/")
    page.get_by_role("button", name="Save authorisation").click()
    pages["authorisation form with errors"] = _violations(page)
    page.get_by_label("Kind of recipient").select_option("provider")
    page.get_by_label("Recipient's name").fill("Dr. Lee Park")
    page.get_by_label("Recipient fax").fill("555 123 0000")
    page.get_by_label("Purpose").fill("Coordination of care")
    page.get_by_label("Progress notes").check()
    page.get_by_label("Expiry event").fill("End of treatment")
    page.get_by_role("button", name="Save authorisation").click()
    page.goto(f"{chart}/disclosures/new/")
    pages["disclosure form"] = _violations(page)
    page.get_by_label("Authorisation relied on").select_option(index=1)
    page.get_by_label("Progress notes").check()
    page.get_by_role("button", name="Log release").click()
    page.goto(f"{chart}/consents/")
    pages["consents tab"] = _violations(page)
    page.get_by_role("link", name="Entered in error").click()
    page.get_by_role("button", name="Mark entered in error").click()
    pages["entered-in-error form with errors"] = _violations(page)
    page.get_by_label("Why the entry is wrong").fill("Logged twice")
    page.get_by_role("button", name="Mark entered in error").click()
    page.wait_for_url(f"{chart}/consents/")
    pages["consents tab with an entry in error"] = _violations(page)
    page.get_by_role("link", name="View authorisation for Dr. Lee Park").click()
    pages["authorisation"] = _violations(page)
    page.get_by_role("link", name="Revoke").click()
    pages["revoke authorisation"] = _violations(page)
    page.goto(f"{chart}/disclosures/accounting/")
    pages["accounting of disclosures"] = _violations(page)
    page.set_viewport_size({"width": 800, "height": 740})
    page.goto(f"{chart}/consents/")
    pages["consents tab on a phone"] = _violations(page)
    assert {name: found for name, found in pages.items() if found} == {}


def test_vendor_console_pages_have_no_wcag_violations(axe_page, transactional_db, live_server):
    """The vendor support console: sign-in (with an error), two-step setup, recovery codes and code pages (with
    errors), the sent-ticket list, a ticket with a file in its thread, the reply form with an error, its not-found
    page, and the list on a phone."""
    import time

    import pyotp

    from console.demo import DEMO_VENDOR_STAFF
    from core import uploads
    from core.tests.files import png_bytes
    from tickets import services
    from tickets.models import Ticket

    clinics = {c.slug: c for c in load_demo()}
    ticket = Ticket.all_tenants.filter(organization=clinics["demo"], sent_to_vendor_at__isnull=False).first()
    with tenant_context(clinics["demo"]):
        from django.core.files.uploadedfile import SimpleUploadedFile

        services.add_comment(
            ticket,
            actor=ticket.created_by,
            body="Screenshot attached.",
            attachments=[uploads.check_upload(SimpleUploadedFile("error.png", png_bytes()))],
        )
    port = live_server.url.rsplit(":", 1)[1]
    base = f"http://support.localhost:{port}"
    page = axe_page
    pages = {}
    page.goto(f"{base}/login/")
    pages["console sign-in"] = _violations(page)
    page.get_by_label("Email").fill(DEMO_VENDOR_STAFF[0])
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    pages["console sign-in with error"] = _violations(page)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Set up two-step sign-in").wait_for()
    pages["console two-step setup"] = _violations(page)
    page.get_by_label(re.compile(r"^Code")).fill("000000")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_text("That code didn't match").wait_for()
    pages["console two-step setup with error"] = _violations(page)
    totp = pyotp.TOTP(page.get_by_test_id("manual-key").inner_text().replace(" ", ""))
    page.get_by_label(re.compile(r"^Code")).fill(totp.now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_role("heading", name="Two-step sign-in is on").wait_for()
    pages["console recovery codes"] = _violations(page)
    page.get_by_role("link", name="I've saved them — continue").click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Email").fill(DEMO_VENDOR_STAFF[0])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Enter your code").wait_for()
    pages["console two-step code"] = _violations(page)
    page.get_by_label(re.compile(r"^Code")).fill("000000")
    page.get_by_role("button", name="Verify").click()
    page.get_by_text("That code didn't work").wait_for()
    pages["console two-step code with error"] = _violations(page)
    page.get_by_label(re.compile(r"^Code")).fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Verify").click()
    page.get_by_role("heading", name="Tickets sent to the vendor").wait_for()
    for name, path in [
        ("console list", "/"),
        ("console list, nothing found", "/?status=cancelled"),
        ("console ticket", f"/tickets/{ticket.pk}/"),
        ("console not found", "/nowhere/"),
    ]:
        page.goto(f"{base}{path}")
        pages[name] = _violations(page)
    page.goto(f"{base}/tickets/{ticket.pk}/")
    page.get_by_role("button", name="Send reply").click()
    page.get_by_text("Write a reply or attach a file first.").wait_for()
    pages["console reply with errors"] = _violations(page)
    page.set_viewport_size({"width": 800, "height": 740})
    page.goto(f"{base}/")
    pages["console list on a phone"] = _violations(page)
    assert {name: found for name, found in pages.items() if found} == {}


def test_scroll_regions_take_keyboard_focus_on_a_tablet(axe_page, transactional_db, live_server):
    """On a tablet wide tables (the audit report, the month) scroll sideways inside ``.table-wrap`` (phones stack
    the rows instead); each wrapper is a named region in the tab order, so axe's scrollable-region-focusable passes
    and the arrow keys scroll it."""
    from scheduling.appointments.models import Appointment
    from scheduling.waitlist.models import WaitlistEntry

    clinic = next(c for c in load_demo() if c.slug == "demo")
    with tenant_context(clinic):
        appointment = Appointment.objects.filter(room__isnull=False).order_by("start").first()
        clinician = appointment.clinicians.first()
        entry = WaitlistEntry.objects.order_by("pk").first()
    base = f"http://demo.localhost:{live_server.url.rsplit(':', 1)[1]}"
    page = axe_page
    page.set_viewport_size({"width": 800, "height": 740})
    page.goto(f"{base}/login/")
    page.get_by_label("Username or email").fill("admin")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Welcome, Alex Admin").wait_for()
    found, scrolling = {}, 0
    for path in [
        "/audit/",
        "/schedule/?view=list",
        f"/schedule/?view=month&c={clinician.pk}",
        f"/schedule/?view=week&room={appointment.room_id}",
        f"/schedule/open-slots/?duration=45&clinician={clinician.pk}",
        f"/schedule/appointments/{appointment.pk}/",
        "/schedule/waitlist/",
        f"/schedule/waitlist/{entry.pk}/",
        "/schedule/settings/types/",
        "/schedule/settings/rooms/",
        "/clients/",
        "/staff/",
        "/tickets/all/?status=",
    ]:
        page.goto(f"{base}{path}")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: {type: 'rule', values: ['scrollable-region-focusable']}})"
        )
        found[path] = [v["id"] for v in result["violations"]]
        scrolling += page.evaluate(
            "() => [...document.querySelectorAll('.table-wrap')].filter(e => e.scrollWidth > e.clientWidth).length"
        )
    assert scrolling >= 2  # the rule has something to check: these regions really scroll at this width
    assert {path: ids for path, ids in found.items() if ids} == {}

    page.goto(f"{base}/audit/")
    region = page.get_by_role("region", name="Audit events")
    region.focus()
    assert region.evaluate("e => e === document.activeElement && e.scrollLeft === 0")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.activeElement.scrollLeft > 0")
