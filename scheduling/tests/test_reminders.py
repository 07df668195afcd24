"""Appointment reminders: settings and their policy, which reminders the sweep sends (consent, channels, lead
times, never twice, moves and cancellations), what they say, delivery retries, and the signed reply links."""

import datetime
import logging
import re
import threading
from html import unescape

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from audit.models import AuditEvent
from conftest import rls_queries
from scheduling.appointments import services
from scheduling.appointments.models import Appointment, Status
from scheduling.reminders import services as reminders
from scheduling.reminders import sms
from scheduling.reminders.models import AppointmentReminder, ReminderSettings
from tenancy.context import tenant_context
from tickets.tests.test_notifications import flaky_smtp  # noqa: F401  (a real SMTP server that refuses at first)

HOUR = datetime.timedelta(hours=1)


class FailingSms:
    def send(self, to, body):
        raise sms.SmsError("provider down")


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def reminders_on(org):
    """Reminders on for ``org``: email and SMS, two days and two hours before."""

    def make(**changes) -> ReminderSettings:
        with tenant_context(org):
            values = {"enabled": True, "send_email": True, "send_sms": True, "lead_hours": [48, 2], **changes}
            config, _ = ReminderSettings.objects.update_or_create(defaults=values)
            return config

    make()
    return make


@pytest.fixture
def jordan(org, clinician, make_chart_client):
    return make_chart_client(
        org,
        "Jordan",
        "Rivers",
        primary=clinician,
        email="jordan@example.org",
        phone="(217) 555-0199",
        consent_to_email=True,
        consent_to_text=True,
    )


@pytest.fixture
def soon():
    """A start a day and a half away, on a five-minute boundary: inside the two-day reminder's window."""
    moment = timezone.now() + datetime.timedelta(hours=36)
    return moment.replace(minute=moment.minute - moment.minute % 5, second=0, microsecond=0)


def _sweep(captured, now=None) -> int:
    with captured(execute=True):
        return reminders.sweep(now=now)


def _rows(org, **filters):
    with tenant_context(org):
        return list(AppointmentReminder.objects.filter(**filters).order_by("pk"))


# --- Settings page and policy --------------------------------------------------------------------------------


def test_only_administrators_open_the_reminder_settings(org, admin, front_desk, clinician, clinic_client):
    assert clinic_client(org, admin).get("/schedule/reminder-settings/").status_code == 200
    for member in (front_desk, clinician):
        assert clinic_client(org, member).get("/schedule/reminder-settings/").status_code == 403
    assert (
        AuditEvent.objects.filter(action="access.denied", detail__permission="scheduling.reminders.settings").count()
        == 2
    )
    assert clinic_client(org).get("/schedule/reminder-settings/").status_code == 302  # to sign in


def test_an_administrator_turns_reminders_on(org, admin, clinic_client):
    client = clinic_client(org, admin)
    response = client.post(
        "/schedule/reminder-settings/",
        {
            "enabled": "on",
            "send_email": "on",
            "lead_hours": ["2", "48"],
            "sender_name": "Riverside front desk",
            "reply_to": "desk@riverside.example.org",
            "version": "1",
        },
    )
    assert response.status_code == 302
    with tenant_context(org):
        config = ReminderSettings.objects.get()
    assert config.enabled and config.channels == ["email"] and config.lead_hours == [48, 2]
    assert config.version == 1
    event = AuditEvent.objects.get(action="schedule.reminder_settings_changed")
    assert event.actor == admin.user and "lead_hours" in event.detail["fields"]
    # A second form opened before that save is refused, not applied over it.
    stale = client.post(
        "/schedule/reminder-settings/", {"enabled": "on", "send_sms": "on", "lead_hours": ["2"], "version": "0"}
    )
    assert stale.status_code == 200 and "changed" in unescape(stale.content.decode())
    with tenant_context(org):
        assert ReminderSettings.objects.get().channels == ["email"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"enabled": "on", "lead_hours": ["48"]}, "Choose email, text message or both"),
        ({"enabled": "on", "send_email": "on"}, "Choose when reminders go out"),
        ({"enabled": "on", "send_email": "on", "lead_hours": ["168", "72", "48", "2"]}, "at most 3"),
        ({"enabled": "on", "send_email": "on", "lead_hours": ["5"]}, "Select a valid choice"),
    ],
)
def test_bad_reminder_settings_get_a_message(org, admin, clinic_client, data, message):
    response = clinic_client(org, admin).post("/schedule/reminder-settings/", {**data, "version": "1"})
    assert response.status_code == 200 and message in unescape(response.content.decode())
    with tenant_context(org):
        assert not ReminderSettings.objects.exists()


def test_each_clinic_sees_and_changes_only_its_own_reminder_settings(
    org, other_org, outsider, reminders_on, clinic_client
):
    client = clinic_client(other_org, outsider)
    page = client.get("/schedule/reminder-settings/").content.decode()
    assert 'name="enabled" id="id_enabled" checked' not in page  # org's are on; theirs are not
    client.post("/schedule/reminder-settings/", {"send_email": "on", "lead_hours": ["24"], "version": "1"})
    with tenant_context(org):
        assert ReminderSettings.objects.get().leads == [48, 2]
    with tenant_context(other_org):
        assert ReminderSettings.objects.get().leads == [24]


def test_clinic_settings_link_to_reminders(org, admin, clinic_client):
    assert "/schedule/reminder-settings/" in clinic_client(org, admin).get("/settings/clinic/").content.decode()


# --- Which reminders go out ----------------------------------------------------------------------------------


@pytest.mark.dated
def test_a_consenting_client_gets_one_email_and_one_text(
    org, book, jordan, clinician, front_desk, reminders_on, soon, django_capture_on_commit_callbacks
):
    appointment = book(front_desk, soon, clients=[jordan], clinicians=[clinician]).appointments[0]
    assert _sweep(django_capture_on_commit_callbacks) == 2
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1
    assert mail.outbox[0].to == ["jordan@example.org"] and sms.outbox[0].to == "+12175550199"
    rows = _rows(org, appointment=appointment)
    assert {(r.channel, r.lead_hours, r.status) for r in rows} == {("email", 48, "sent"), ("sms", 48, "sent")}
    assert all(r.sent_at and r.appointment_start == soon for r in rows)
    sent = AuditEvent.objects.filter(action="appointment.reminder_sent", client_id=jordan.pk)
    assert sent.count() == 2 and sent.first().actor is None


def test_the_sweep_never_sends_twice(
    org, book, jordan, clinician, front_desk, reminders_on, soon, django_capture_on_commit_callbacks
):
    book(front_desk, soon, clients=[jordan], clinicians=[clinician])
    assert _sweep(django_capture_on_commit_callbacks) == 2
    assert _sweep(django_capture_on_commit_callbacks) == 0
    call_command("send_due_reminders")
    assert len(mail.outbox) == 1 and len(sms.outbox) == 1
    assert len(_rows(org)) == 2


def test_a_reminder_task_delivered_twice_sends_once(
    org, book, jordan, clinician, front_desk, reminders_on, soon, django_capture_on_commit_callbacks
):
    from scheduling.reminders.tasks import send_reminder

    reminders_on(send_sms=False)
    book(front_desk, soon, clients=[jordan], clinicians=[clinician])
    with django_capture_on_commit_callbacks(execute=False):
        reminders.sweep()
    (row,) = _rows(org)
    assert send_reminder.call(org.pk, row.pk) == "sent"
    assert send_reminder.call(org.pk, row.pk) == "already handled"
    assert len(mail.outbox) == 1


def test_without_consent_or_an_address_nothing_is_sent_and_staff_see_why(
    org, book, clinician, front_desk, make_chart_client, reminders_on, soon, django_capture_on_commit_callbacks
):
    quiet = make_chart_client(org, "Quinn", "Adler", email="q@example.org", phone="(217) 555-0100")
    no_address = make_chart_client(org, "Nia", "Banks", consent_to_email=True, consent_to_text=True)
    landline = make_chart_client(org, "Lee", "Cole", consent_to_text=True, phone="555-0100 ext 4")
    for i, person in enumerate((quiet, no_address, landline)):
        book(front_desk, soon + i * HOUR, clients=[person], clinicians=[clinician])
    assert _sweep(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == [] and sms.outbox == []
    reasons = {(r.client_id, r.channel): (r.status, r.reason) for r in _rows(org)}
    assert reasons == {
        (quiet.pk, "email"): ("skipped", "no consent to email"),
        (quiet.pk, "sms"): ("skipped", "no consent to text messages"),
        (no_address.pk, "email"): ("skipped", "no email address on file"),
        (no_address.pk, "sms"): ("skipped", "no phone number on file"),
        (landline.pk, "email"): ("skipped", "no consent to email"),
        (landline.pk, "sms"): ("skipped", "phone number can't receive texts"),
    }
    assert _sweep(django_capture_on_commit_callbacks) == 0 and len(_rows(org)) == 6  # decided once


def test_only_the_clinics_channels_and_lead_times_are_used(
    org, book, jordan, clinician, front_desk, reminders_on, soon, django_capture_on_commit_callbacks
):
    reminders_on(send_sms=False, lead_hours=[24])
    book(front_desk, soon, clients=[jordan], clinicians=[clinician])  # 36 hours away: not yet
    assert _sweep(django_capture_on_commit_callbacks) == 0
    # Twelve hours later it is inside the one-day window.
    assert _sweep(django_capture_on_commit_callbacks, now=timezone.now() + 12 * HOUR) == 1
    assert [(r.channel, r.lead_hours) for r in _rows(org)] == [("email", 24)]
    assert sms.outbox == []


@pytest.mark.dated
def test_each_lead_time_sends_once_and_a_late_booking_gets_only_the_nearest(
    org, book, jordan, clinician, front_desk, reminders_on, soon, django_capture_on_commit_callbacks
):
    reminders_on(send_sms=False)
    first = book(front_desk, soon, clients=[jordan], clinicians=[clinician]).appointments[0]
    assert _sweep(django_capture_on_commit_callbacks) == 1  # the two-day reminder
    assert _sweep(django_capture_on_commit_callbacks, now=soon - 3 * HOUR) == 0
    # Two hours before, the second one (the sweep is given that moment; the sending task's own last-minute check
    # uses the real clock, by which the appointment is still a day and a half away).
    assert _sweep(django_capture_on_commit_callbacks, now=soon - 2 * HOUR + datetime.timedelta(minutes=1)) == 1
    assert [r.lead_hours for r in _rows(org, appointment=first)] == [48, 2]
    # Booked 90 minutes ahead: only the two-hour reminder, not a burst of both.
    late = book(
        front_desk, timezone.now() + 90 * datetime.timedelta(minutes=1), clients=[jordan], clinicians=[clinician]
    )
    assert _sweep(django_capture_on_commit_callbacks) == 1
    assert [r.lead_hours for r in _rows(org, appointment=late.appointments[0])] == [2]


def test_a_reminder_claimed_before_reminders_were_turned_off_is_not_sent(
    org, book, jordan, clinician, front_desk, reminders_on, soon, django_capture_on_commit_callbacks
):
    book(front_desk, soon, clients=[jordan], clinicians=[clinician])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        reminders.sweep()
    reminders_on(send_sms=False)
    for callback in queued:
        callback()
    assert {(r.channel, r.status) for r in _rows(org)} == {("email", "sent"), ("sms", "skipped")}
    assert len(mail.outbox) == 1 and sms.outbox == []


@pytest.mark.dated
def test_cancelled_and_finished_appointments_get_no_reminder(
    org, book, jordan, clinician, front_desk, reminders_on, soon, django_capture_on_commit_callbacks
):
    a = book(front_desk, soon, clients=[jordan], clinicians=[clinician]).appointments[0]
    with tenant_context(org):
        services.cancel(a, actor=front_desk, expected_version=a.version, cancelled_by="clinic", reason="Closed")
    assert _sweep(django_capture_on_commit_callbacks) == 0 and _rows(org) == []


def test_a_reminder_claimed_before_a_cancellation_is_skipped_not_sent(
    org, book, jordan, clinician, front_desk, reminders_on, soon, django_capture_on_commit_callbacks
):
    reminders_on(send_sms=False)
    a = book(front_desk, soon, clients=[jordan], clinicians=[clinician]).appointments[0]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        reminders.sweep()
    with tenant_context(org):
        services.cancel(a, actor=front_desk, expected_version=a.version, cancelled_by="client", reason="Sick")
    for callback in queued:
        callback()
    (row,) = _rows(org)
    assert row.status == "skipped" and row.reason == "appointment cancelled before sending"
    assert mail.outbox == []


def test_a_moved_appointment_is_reminded_for_its_new_time_but_never_twice_for_one_start(
    org, book, jordan, clinician, front_desk, reminders_on, soon, django_capture_on_commit_callbacks
):
    reminders_on(send_sms=False)
    a = book(front_desk, soon, clients=[jordan], clinicians=[clinician]).appointments[0]
    _sweep(django_capture_on_commit_callbacks)

    def move_to(start):
        with tenant_context(org):
            current = Appointment.objects.get(pk=a.pk)
            services.move(
                current,
                actor=front_desk,
                expected_version=current.version,
                start=start,
                end=start + (current.end - current.start),
            )

    move_to(soon + HOUR)
    assert _sweep(django_capture_on_commit_callbacks) == 1
    move_to(soon)  # back to the time already reminded about
    assert _sweep(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 2
    assert [r.appointment_start for r in _rows(org)] == [soon, soon + HOUR]


def test_two_sweeps_at_once_send_each_reminder_once(
    transactional_db, org, book, jordan, clinician, front_desk, reminders_on, soon
):
    """Real concurrency on PostgreSQL: two threads, two connections, one unique constraint."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writers; the concurrent claim is exercised on PostgreSQL")
    reminders_on(send_sms=False)
    for i in range(10):
        book(front_desk, soon + i * HOUR, clients=[jordan], clinicians=[clinician])
    barrier = threading.Barrier(2)
    counts, errors = [], []

    def run():
        try:
            barrier.wait()
            counts.append(reminders.sweep())
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(counts) == 10 and len(mail.outbox) == 10
    assert len(_rows(org)) == 10


def test_the_sweep_covers_every_clinic_but_only_its_own_appointments(
    org, other_org, book, jordan, clinician, front_desk, reminders_on, soon, django_capture_on_commit_callbacks
):
    with tenant_context(other_org):
        ReminderSettings.objects.create(enabled=True, lead_hours=[48])  # on, with nothing booked
    book(front_desk, soon, clients=[jordan], clinicians=[clinician])
    assert _sweep(django_capture_on_commit_callbacks) == 2
    assert all(r.organization_id == org.pk for r in AppointmentReminder.all_tenants.all())


def test_reminders_off_sends_nothing(
    org, book, jordan, clinician, front_desk, reminders_on, soon, django_capture_on_commit_callbacks
):
    reminders_on(enabled=False)
    book(front_desk, soon, clients=[jordan], clinicians=[clinician])
    assert _sweep(django_capture_on_commit_callbacks) == 0 and mail.outbox == []


# --- What it says --------------------------------------------------------------------------------------------


@pytest.mark.dated
def test_the_message_names_clinic_time_and_place_but_not_the_client_or_the_visit(
    org, book, clinician, front_desk, make_chart_client, reminders_on, soon, site, django_capture_on_commit_callbacks
):
    with tenant_context(org):
        site.address_line1, site.city, site.phone = "12 Elm Street", "Springfield", "(217) 555-0100"
        site.save()
    client = make_chart_client(
        org,
        "Jordan",
        "Quillfeather",
        preferred_name="Jo",
        email="j@example.org",
        phone="2175550199",
        consent_to_email=True,
        consent_to_text=True,
    )
    book(front_desk, soon, clients=[client], clinicians=[clinician], kind="intake")
    _sweep(django_capture_on_commit_callbacks)
    email, text = mail.outbox[0], sms.outbox[0].body
    when = reminders.when_text(soon, "America/New_York")
    assert email.subject == "Appointment reminder from Riverside Counseling"
    for content in (email.subject, email.body, text):
        for secret in ("Jordan", "Jo ", "Quillfeather", "Intake", "intake", "assessment", "Carol", "90791"):
            assert secret not in content, (secret, content)
    assert when in email.body and when in text
    assert "Main Street, 12 Elm Street, Springfield" in email.body and "Main Street" in text
    assert "(217) 555-0100" in email.body
    assert re.search(r"http://riverside\.localhost:\d+/schedule/reminder/[\w.:-]+/confirm/", email.body)
    assert re.search(r"/schedule/reminder/[\w.:-]+/$", text)
    assert "Riverside Counseling" in email.from_email and email.reply_to == []


def test_sender_name_reply_to_and_telehealth(
    org, book, jordan, clinician, front_desk, reminders_on, soon, telehealth, django_capture_on_commit_callbacks
):
    reminders_on(sender_name="Riverside front desk", reply_to="desk@riverside.example.org")
    book(front_desk, soon, clients=[jordan], clinicians=[clinician], kind="video", location=telehealth)
    _sweep(django_capture_on_commit_callbacks)
    email = mail.outbox[0]
    assert email.subject == "Appointment reminder from Riverside front desk"
    assert email.from_email.startswith("Riverside front desk <") and email.reply_to == ["desk@riverside.example.org"]
    assert "Online (telehealth)" in email.body and "video" not in email.body.lower()


def test_a_group_reminder_goes_to_each_client_without_links(
    org, book, jordan, clinician, front_desk, make_chart_client, reminders_on, soon, django_capture_on_commit_callbacks
):
    reminders_on(send_sms=False)
    maya = make_chart_client(org, "Maya", "Okafor", email="maya@example.org", consent_to_email=True)
    book(front_desk, soon, clients=[jordan, maya], clinicians=[clinician], kind="group")
    _sweep(django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == ["jordan@example.org", "maya@example.org"]
    for message in mail.outbox:
        assert "/schedule/reminder/" not in message.body and "Group" not in message.body
        assert "Maya" not in message.body and "Jordan" not in message.body


# --- Delivery ------------------------------------------------------------------------------------------------


def test_a_refused_email_is_retried_until_the_server_takes_it(
    org,
    book,
    jordan,
    clinician,
    front_desk,
    reminders_on,
    soon,
    flaky_smtp,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    reminders_on(send_sms=False)
    server = flaky_smtp(failures=2)
    book(front_desk, soon, clients=[jordan], clinicians=[clinician])
    _sweep(django_capture_on_commit_callbacks)
    assert server.refused == 2 and len(server.messages) == 1
    assert "Jordan" not in server.messages[0]["Subject"]
    (row,) = _rows(org)
    assert row.status == "sent" and row.attempts == 3


def test_a_failing_sms_provider_is_retried_then_marked_failed(
    org, book, jordan, clinician, front_desk, reminders_on, soon, settings, django_capture_on_commit_callbacks
):
    from scheduling.reminders.tasks import MAX_ATTEMPTS

    reminders_on(send_email=False)
    settings.HEARTH_SMS_BACKEND = "scheduling.tests.test_reminders.FailingSms"
    book(front_desk, soon, clients=[jordan], clinicians=[clinician])
    _sweep(django_capture_on_commit_callbacks)
    (row,) = _rows(org)
    assert row.status == "failed" and row.attempts == MAX_ATTEMPTS and row.reason == "not delivered (SmsError)"
    event = AuditEvent.objects.get(action="appointment.reminder_failed")
    assert event.outcome == "failure" and event.client_id == jordan.pk


def test_sms_numbers_and_providers(settings, caplog):
    assert sms.to_e164("(217) 555-0199") == "+12175550199"
    assert sms.to_e164("1-217-555-0199") == "+12175550199"
    assert sms.to_e164("+44 20 7946 0958") == "+442079460958"
    assert sms.to_e164("555-0100") is None and sms.to_e164("0175550199") is None
    settings.HEARTH_SMS_BACKEND = "scheduling.reminders.sms.ConsoleSmsBackend"
    with caplog.at_level(logging.INFO, logger="scheduling.sms"):
        sms.send_sms("+12175550199", "Clinic: reminder")
    assert "…99" in caplog.text and "Clinic: reminder" in caplog.text and "5550199" not in caplog.text
    settings.HEARTH_SMS_BACKEND = "scheduling.reminders.sms.LocmemSmsBackend"
    sms.send_sms("+12175550199", "hello")
    assert sms.outbox == [sms.SmsMessage("+12175550199", "hello")]
    settings.HEARTH_SMS_BACKEND = "scheduling.sms.Nowhere"
    with pytest.raises(ImproperlyConfigured, match="HEARTH_SMS_BACKEND"):
        sms.send_sms("+12175550199", "hello")


# --- The signed link -----------------------------------------------------------------------------------------


@pytest.fixture
def sent(org, book, jordan, clinician, front_desk, reminders_on, soon, django_capture_on_commit_callbacks):
    """A sent email reminder; returns (appointment, the link's path)."""
    reminders_on(send_sms=False)
    appointment = book(front_desk, soon, clients=[jordan], clinicians=[clinician]).appointments[0]
    _sweep(django_capture_on_commit_callbacks)
    path = re.search(r"http://[^/]+(/schedule/reminder/\S+/)confirm/", mail.outbox[0].body).group(1)
    return appointment, path


def _appointment(org, pk) -> Appointment:
    with tenant_context(org):
        return Appointment.objects.get(pk=pk)


def test_opening_the_link_changes_nothing(org, sent, clinic_client):
    appointment, path = sent
    client = clinic_client(org)
    for suffix in ("", "confirm/", "cancel/"):
        response = client.get(path + suffix)
        assert response.status_code == 200
        text = unescape(response.content.decode())
        assert reminders.when_text(appointment.start, org.time_zone) in text and "Jordan" not in text
    assert response.headers["Cache-Control"].startswith("no-store") or "no-store" in response.headers["Cache-Control"]
    assert _appointment(org, appointment.pk).status == Status.SCHEDULED
    opened = AuditEvent.objects.filter(action="appointment.reminder_link_opened", object_id=str(appointment.pk))
    assert opened.count() == 3 and opened.first().actor_label == "client via reminder link"


def test_confirming_through_the_link(org, sent, clinic_client, jordan):
    appointment, path = sent
    client = clinic_client(org)
    response = client.post(path + "confirm/", {"answer": "confirm"})
    assert response.status_code == 200 and "Appointment confirmed" in response.content.decode()
    assert _appointment(org, appointment.pk).status == Status.CONFIRMED
    event = AuditEvent.objects.get(action="appointment.status_changed")
    assert event.actor is None and event.actor_label == "client via reminder link" and event.client_id == jordan.pk
    (row,) = _rows(org)
    assert row.response == "confirmed" and row.responded_at
    # The link answers once.
    again = client.post(path + "cancel/", {"answer": "cancel"})
    assert again.status_code == 410 and "This link has been used" in unescape(again.content.decode())
    assert _appointment(org, appointment.pk).status == Status.CONFIRMED


def test_cancelling_through_the_link_is_a_late_cancellation_by_the_client(org, sent, clinic_client):
    appointment, path = sent
    response = clinic_client(org).post(path + "cancel/", {"answer": "cancel"})
    assert response.status_code == 200 and "Appointment cancelled" in response.content.decode()
    cancelled = _appointment(org, appointment.pk)
    assert cancelled.status == Status.CANCELLED and cancelled.cancelled_by == "client"
    assert cancelled.late_cancellation is False  # 36 hours ahead: not late under the 24-hour rule
    assert cancelled.cancel_reason == reminders.CANCEL_REASON
    assert AuditEvent.objects.get(action="appointment.cancelled").actor_label == "client via reminder link"


@pytest.mark.dated
def test_a_cancellation_within_a_day_is_late(
    org, book, jordan, clinician, front_desk, reminders_on, clinic_client, django_capture_on_commit_callbacks
):
    reminders_on(send_sms=False, lead_hours=[24])
    start = (timezone.now() + 5 * HOUR).replace(second=0, microsecond=0)
    appointment = book(front_desk, start, clients=[jordan], clinicians=[clinician]).appointments[0]
    _sweep(django_capture_on_commit_callbacks)
    path = re.search(r"http://[^/]+(/schedule/reminder/\S+/)cancel/", mail.outbox[0].body).group(1)
    clinic_client(org).post(path, {"answer": "cancel"})
    assert _appointment(org, appointment.pk).late_cancellation is True


def test_a_changed_expired_or_foreign_link_gets_a_clear_page(org, other_org, sent, clinic_client, settings):
    appointment, path = sent
    client = clinic_client(org)
    token = path.split("/")[3]
    tampered = path.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
    response = client.post(tampered + "confirm/", {"answer": "confirm"})
    assert response.status_code == 400 and "This link doesn't work" in unescape(response.content.decode())
    forged = path.replace(token, str(int(token.split(".")[0]) + 1) + token[token.index(".") :])
    assert client.get(forged).status_code == 400
    assert clinic_client(other_org).get(path).status_code == 400  # signed for another clinic
    settings.HEARTH_REMINDER_LINK_DAYS = -1
    response = client.post(path + "confirm/", {"answer": "confirm"})
    assert response.status_code == 410 and "This link has expired" in response.content.decode()
    assert _appointment(org, appointment.pk).status == Status.SCHEDULED
    assert AuditEvent.objects.filter(action="appointment.reminder_link_refused").count() == 4


def test_a_link_for_a_moved_or_cancelled_appointment_says_so(org, sent, clinic_client, front_desk):
    appointment, path = sent
    with tenant_context(org):
        a = Appointment.objects.get(pk=appointment.pk)
        services.move(a, actor=front_desk, expected_version=a.version, start=a.start + HOUR, end=a.end + HOUR)
    response = clinic_client(org).post(path + "confirm/", {"answer": "confirm"})
    assert response.status_code == 410 and "This appointment has changed" in unescape(response.content.decode())
    with tenant_context(org):
        a = Appointment.objects.get(pk=appointment.pk)
        services.cancel(a, actor=front_desk, expected_version=a.version, cancelled_by="clinic", reason="Closed")
    assert "was cancelled" in clinic_client(org).get(path).content.decode()


def test_the_reply_page_has_a_fixed_query_count(org, sent, clinic_client, django_assert_max_num_queries):
    _, path = sent
    client = clinic_client(org)
    client.get(path)
    with django_assert_max_num_queries(4 + rls_queries()):
        assert client.get(path + "confirm/").status_code == 200


def test_a_post_without_an_answer_changes_nothing(org, sent, clinic_client):
    appointment, path = sent
    response = clinic_client(org).post(path, {"answer": "delete"})
    assert response.status_code == 400 and "Please press Confirm or Cancel" in response.content.decode()
    assert clinic_client(org).get(path + "destroy/").status_code == 404
    assert _appointment(org, appointment.pk).status == Status.SCHEDULED


def test_the_link_needs_the_csrf_token(org, sent):
    from django.test import Client

    from conftest import host_of

    appointment, path = sent
    strict = Client(HTTP_HOST=host_of(org), enforce_csrf_checks=True)
    assert strict.post(path + "confirm/", {"answer": "confirm"}).status_code == 403
    assert _appointment(org, appointment.pk).status == Status.SCHEDULED


def test_link_visits_are_rate_limited(org, sent, clinic_client, settings):
    _, path = sent
    settings.HEARTH_REMINDER_LINK_RATE = "3/m"
    client = clinic_client(org)
    assert [client.get(path).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert AuditEvent.objects.filter(action="security.rate_limited").count() == 1


# --- Staff see them on the appointment -----------------------------------------------------------------------


def test_the_appointment_page_lists_its_reminders(org, sent, clinic_client, front_desk, django_assert_max_num_queries):
    appointment, path = sent
    clinic_client(org).post(path + "confirm/", {"answer": "confirm"})
    client = clinic_client(org, front_desk)
    client.get("/")
    with django_assert_max_num_queries(17 + rls_queries()):
        response = client.get(f"/schedule/appointments/{appointment.pk}/")
    text = unescape(response.content.decode())
    assert "Reminders" in text and "2 days before" in text and "Sent" in text
    assert "Confirmed by the client" in text


def test_the_appointment_page_says_when_reminders_are_off(
    org, book, jordan, clinician, front_desk, clinic_client, soon
):
    a = book(front_desk, soon, clients=[jordan], clinicians=[clinician]).appointments[0]
    text = clinic_client(org, front_desk).get(f"/schedule/appointments/{a.pk}/").content.decode()
    assert "Reminders are off for this clinic." in text
