"""Issue 13's "done when", in headless Chromium against the demo clinic."""

import datetime
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.demo import DEMO_PASSWORD
from clients.records.models import Client
from conftest import save_artifact, sign_in
from core.clinic_time import clinic_today, clinic_zone
from notes.records.models import Note
from scheduling.appointments.models import Appointment, AppointmentClient, AppointmentClinician, AppointmentType
from tenancy.context import tenant_context
from tenancy.models import Location

pytestmark = pytest.mark.browser


def _session_today(clinic, type_name, hour, minutes, numbers):
    """An appointment of Casey's earlier today with the demo clients ``numbers``."""
    with tenant_context(clinic):
        from accounts.people.models import Membership

        casey = Membership.objects.get(username="clinician")
        start = datetime.datetime.combine(clinic_today(), datetime.time(hour), tzinfo=clinic_zone())
        appointment = Appointment.objects.create(
            appointment_type=AppointmentType.objects.get(name=type_name),
            start=start,
            end=start + datetime.timedelta(minutes=minutes),
            location=Location.objects.filter(is_telehealth=False).first(),
            status="completed",
        )
        AppointmentClinician.objects.create(appointment=appointment, clinician=casey)
        for number in numbers:
            AppointmentClient.objects.create(appointment=appointment, client=Client.objects.get(number=number))
        return appointment


def _type(page, label, text):
    """Type into a note field and wait for the autosave it triggers to come back saved."""
    with page.expect_response(lambda r: r.url.endswith("/autosave/") and r.status == 200, timeout=15_000):
        page.get_by_label(label).fill(text)
    expect(page.locator("[data-save-status]")).to_contain_text("Last saved by Casey Clinician")


def _choose(page, label, value):
    with page.expect_response(lambda r: r.url.endswith("/autosave/") and r.status == 200, timeout=15_000):
        page.get_by_label(label).select_option(value)


def test_write_lose_the_session_sign_return_cosign_and_amend(page, demo, clinic_url, browser):
    clinic = demo["demo"]
    login = clinic_url(clinic, "/login/")
    appointment = _session_today(clinic, "Individual therapy 45", 9, 45, [9101])

    sign_in(page, login, "clinician", DEMO_PASSWORD)
    page.goto(clinic_url(clinic, f"/schedule/appointments/{appointment.pk}/"))
    page.get_by_role("link", name=re.compile("Write note for Avery Lindqvist")).click()
    expect(page.get_by_text("Date, times, place of service and telehealth come from the appointment.")).to_be_visible()
    page.get_by_label("Template").select_option(label="DAP progress note")
    page.get_by_role("button", name="Start the note").click()
    expect(page.get_by_label("Start time")).to_have_value("09:00")
    _type(page, "Session content and observations", "Client described a week of better sleep.")
    note_url = page.url

    # The session is lost (cookies gone, as after a sign-out elsewhere); the text was saved on the server.
    page.context.clear_cookies()
    page.reload()
    expect(page.get_by_label("Username or email")).to_be_visible()
    sign_in(page, login, "clinician", DEMO_PASSWORD)
    page.goto(note_url)
    expect(page.get_by_label("Session content and observations")).to_have_value(
        "Client described a week of better sleep."
    )
    _type(page, "Your clinical impression and progress toward goals", "Sleep and mood improving.")
    _type(page, "Next steps, homework and next session", "Keep the sleep diary; meet next week.")
    page.get_by_role("button", name="Sign…").click()
    expect(page.get_by_text("Casey Clinician, LCSW")).to_be_visible()
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("waits for your supervisor's co-signature")
    expect(page.locator("#note-form")).to_have_count(0)
    expect(page.locator("[data-signature]")).to_contain_text("Casey Clinician, LCSW")

    # Sam returns it with a comment.
    sam = browser.new_context().new_page()
    sign_in(sam, login, "supervisor", DEMO_PASSWORD)
    sam.get_by_role("navigation", name="Main").get_by_role("link", name="Notes").click()
    sam.get_by_role("link", name="Co-sign queue").click()
    note_path = "/" + note_url.split("/", 3)[3]
    sam.locator(f'a[href="{note_path}"]').click()
    sam.get_by_label("Decision").select_option(label="Return with a comment")
    sam.get_by_label("Comment").fill("Add how the client rated their mood.")
    sam.get_by_role("button", name="Submit review").click()
    expect(sam.get_by_role("status")).to_contain_text("Returned to the author")

    # Casey revises and signs again; Sam co-signs.
    page.goto(note_url)
    expect(page.locator("[data-returned-comment]")).to_contain_text("Add how the client rated their mood.")
    _choose(page, "Distress today", "3")
    page.get_by_role("button", name="Sign…").click()
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("co-signature")
    sam.goto(note_url)
    sam.get_by_label("Decision").select_option(label="Co-sign")
    sam.get_by_label("Password").fill(DEMO_PASSWORD)
    sam.get_by_role("button", name="Submit review").click()
    expect(sam.get_by_role("status")).to_contain_text("Co-signed.")

    # Both signatures show; the original cannot be edited; an addendum is signed and shown after it.
    page.goto(note_url)
    expect(page.locator("[data-cosignature]")).to_contain_text("Sam Supervisor")
    expect(page.get_by_label("Session content and observations")).to_have_count(0)
    page.get_by_label("Addendum").fill("Client called later to add that the new medication helps.")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign and add the addendum").click()
    expect(page.locator("[data-addendum]")).to_contain_text("Signed by Casey Clinician, LCSW")
    expect(page.get_by_text("Client described a week of better sleep.")).to_be_visible()
    save_artifact(page, "note-signed-with-addendum")


def test_group_note_and_private_psychotherapy_note(page, demo, clinic_url, browser):
    clinic = demo["demo"]
    login = clinic_url(clinic, "/login/")
    appointment = _session_today(clinic, "Group therapy", 11, 90, [9101, 9102])
    with tenant_context(clinic):
        avery = Client.objects.get(number=9101)

    sign_in(page, login, "clinician", DEMO_PASSWORD)
    page.goto(clinic_url(clinic, f"/schedule/appointments/{appointment.pk}/"))
    page.get_by_role("link", name="Write group note").click()
    page.get_by_label("Template for each member").select_option(label="DAP progress note")
    page.get_by_role("button", name="Start the group note").click()
    page.get_by_label("What the group did").fill("The group practised grounding exercises.")
    page.get_by_role("button", name="Save the shared part").click()
    expect(page.get_by_role("status")).to_contain_text("Shared part saved.")
    page.get_by_role("link", name="Avery Lindqvist").click()
    expect(page.get_by_text("The group practised grounding exercises.")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Mbeki")
    with tenant_context(clinic):
        assert Note.objects.filter(group_session__appointment=appointment).count() == 2

    # A private psychotherapy note: the page says who sees it.
    page.goto(clinic_url(clinic, f"/notes/client/{avery.pk}/new/"))
    expect(page.locator("[data-psychotherapy-warning]")).to_contain_text("only you will ever see it")
    page.get_by_label("Kind of note").select_option(label="Psychotherapy note")
    page.get_by_label("Template").select_option(label="Psychotherapy note")
    page.get_by_label("Start time").fill("08:00")
    page.get_by_label("End time").fill("08:45")
    page.get_by_role("button", name="Start the note").click()
    _type(page, "Your private notes on the session", "Wondering about a rupture in the alliance.")
    psy_url = page.url
    page.get_by_role("button", name="Sign…").click()
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.locator("[data-psychotherapy-warning]")).to_be_visible()

    # The administrator (clinical reading on) and Sam through break-the-glass see the record, not the note.
    clinic.admins_read_clinical = True
    clinic.save(update_fields=["admins_read_clinical"])
    tab = clinic_url(clinic, f"/clients/{avery.pk}/notes/")
    for username in ("admin", "supervisor"):
        other = browser.new_context().new_page()
        sign_in(other, login, username, DEMO_PASSWORD)
        if username == "supervisor":
            other.goto(clinic_url(clinic, f"/clients/{avery.pk}/emergency-access/"))
            other.get_by_label("Reason").fill("Client in crisis while Casey is away")
            other.get_by_role("button", name="Open the chart in an emergency").click()
        other.goto(tab)
        expect(other.get_by_role("heading", name="Notes")).to_be_visible()
        expect(other.locator("table.data")).to_contain_text("Signed")
        expect(other.locator("table.data")).not_to_contain_text("sychotherapy")
        response = other.goto(psy_url)
        assert response.status == 404
        if username == "supervisor":
            other.goto(clinic_url(clinic, f"/notes/client/{avery.pk}/print/"))
            other.get_by_label("From").fill("2020-01-01")
            with other.expect_download() as download:
                other.get_by_role("button", name="Make the PDF").click()
            content = open(download.value.path(), "rb").read()  # noqa: SIM115
            text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
            assert "Signed by Casey Clinician, LCSW" in text
            assert "rupture" not in text
        other.context.close()


def test_the_idle_warning_asks_the_draft_to_save(page, org, clinician, chart, make_note, clinic_url, live_server):
    """hearth.js announces the idle warning; the draft page's script saves on it (a keystroke's save is debounced,
    so a change made just before the warning is saved by the warning, not lost with the session)."""
    from conftest import PASSWORD

    org.idle_timeout_minutes = 1
    org.save(update_fields=["idle_timeout_minutes"])
    note = make_note(clinician, chart)
    sign_in(page, clinic_url(org, "/login/"), "carol", PASSWORD)
    page.goto(clinic_url(org, f"/notes/{note.pk}/"))
    page.evaluate("document.addEventListener('hearth:idle-warning', () => { window.warned = true; })")
    expect(page.locator("#idle-warning")).to_be_visible(timeout=45_000)
    assert page.evaluate("() => window.warned") is True
    # The warning arrived while the page was clean: nothing to save. Stay signed in, change something, and raise
    # the warning again straight away.
    page.get_by_role("button", name="Stay signed in").click()
    expect(page.locator("#idle-warning")).to_be_hidden()
    page.get_by_label("Session content and observations").fill("Typed during the warning")
    # Sent at once, not after the one-second pause that typing waits for.
    with page.expect_request(lambda r: r.url.endswith("/autosave/"), timeout=500) as sent:
        page.evaluate("document.dispatchEvent(new CustomEvent('hearth:idle-warning'))")
    assert sent.value.response().status == 200
    with tenant_context(org):
        note.refresh_from_db()
    assert note.answers["data"] == "Typed during the warning"
