"""Links sent to a client, the waiting-room tablet, and schedules."""

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.core import mail

from audit.models import AuditEvent
from measures.administrations.models import Administration, SafetyFlag
from measures.links import services
from measures.links.models import MeasureLink, MeasureSchedule
from measures.tests.conftest import phq9_post
from scheduling.reminders import sms

pytestmark = pytest.mark.usefixtures("in_clinic")
BORN = "1990-04-12"


def text(response) -> str:
    return unescape(response.content.decode())


def link_path(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/measures/q/[^/\s]+/)", body).group(1)


@pytest.fixture
def sent(org, clinician, chart, clinic_client, django_capture_on_commit_callbacks):
    """Send a PHQ-9 link by email from the chart; returns the path in the message."""
    with django_capture_on_commit_callbacks(execute=True):
        response = clinic_client(org, clinician).post(
            f"/measures/clients/{chart.pk}/send/", {"send-instrument": "phq9", "send-channel": "email"}
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    return link_path(message.body)


def test_the_message_has_no_phi_and_the_token_is_not_stored(org, chart, sent):
    (message,) = mail.outbox
    assert message.to == ["jordan@example.test"]
    everything = message.subject + message.body
    assert "Jordan" not in everything and "PHQ" not in everything and "Carol" not in everything
    assert "Riverside Counseling" in message.body
    token = sent.split("/")[-2]
    link = MeasureLink.objects.get()
    assert token not in link.token_hash and link.token_hash == services.digest(token)
    assert AuditEvent.objects.get(action="measures.link_sent").detail == {
        "instrument": "phq9",
        "channel": "email",
    }


def test_a_text_message_goes_through_the_sms_provider(
    org, clinician, chart, clinic_client, django_capture_on_commit_callbacks
):
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        clinic_client(org, clinician).post(
            f"/measures/clients/{chart.pk}/send/", {"send-instrument": "gad7", "send-channel": "sms"}
        )
    (message,) = sms.outbox
    assert message.to == "+15552013344" and "/measures/q/" in message.body and "Jordan" not in message.body


def test_no_link_without_consent(org, clinician, chart, clinic_client):
    chart.consent_to_email = False
    chart.save()
    response = clinic_client(org, clinician).post(
        f"/measures/clients/{chart.pk}/send/", {"send-instrument": "phq9", "send-channel": "email"}, follow=True
    )
    assert "The client has not consented to email." in text(response)
    assert not MeasureLink.objects.exists() and not mail.outbox


def test_the_client_confirms_their_birth_date_then_answers_once(org, chart, sent, clinic_client):
    visitor = clinic_client(org)
    page = text(visitor.get(sent))
    assert "confirm your date of birth" in page and "Jordan" not in page and "Little interest" not in page
    wrong = visitor.post(sent, {"date_of_birth": "1990-04-13"})
    assert "doesn't match" in text(wrong)
    assert "Enter your date of birth as a date" in text(visitor.post(sent, {"date_of_birth": "not a date"}))
    assert visitor.post(sent, {"date_of_birth": BORN}).status_code == 302
    assert "Little interest or pleasure" in text(visitor.get(sent))
    done = visitor.post(sent, phq9_post([1, 1, 1, 1, 1, 1, 1, 1, 0]), follow=True)
    assert "Your answers were sent" in text(done)
    saved = Administration.objects.get()
    assert (saved.method, saved.total, saved.administered_by) == ("link", 8, None)
    assert AuditEvent.objects.get(action="measures.administered").actor_label == services.LINK_ACTOR
    # Used: the same clear page for everyone, revealing nothing.
    again = visitor.get(sent)
    assert again.status_code == 410 and "This link can't be used" in text(again) and "Jordan" not in text(again)


@pytest.mark.parametrize("token", ["x" * 43, "short", "a" * 200])
def test_an_unknown_link_shows_the_same_page(org, db, clinic_client, token):
    response = clinic_client(org).get(f"/measures/q/{token}/")
    assert response.status_code == 410 and "This link can't be used" in text(response)
    assert AuditEvent.objects.filter(action="measures.link_refused").exists()


def test_an_expired_link_shows_the_same_page(org, chart, sent, clinic_client):
    with time_machine.travel(
        datetime.datetime.now(datetime.UTC) + services.LINK_LIFETIME + datetime.timedelta(minutes=1)
    ):
        response = clinic_client(org).get(sent)
    assert response.status_code == 410 and "This link can't be used" in text(response)


def test_five_wrong_birth_dates_lock_the_link(org, chart, sent, clinic_client):
    visitor = clinic_client(org)
    for _ in range(services.MAX_CHECKS):
        visitor.post(sent, {"date_of_birth": "2000-01-01"})
    assert visitor.post(sent, {"date_of_birth": BORN}).status_code == 410
    assert MeasureLink.objects.get().failed_checks == services.MAX_CHECKS


def test_a_link_works_only_at_its_own_clinic(org, other_org, chart, sent, clinic_client):
    assert clinic_client(other_org).get(sent).status_code == 410


@time_machine.travel(datetime.datetime(2026, 3, 6, 8, 30, tzinfo=datetime.UTC), tick=False)  # 3:30 a.m. in the clinic
def test_item_9_from_home_at_night_alerts_the_clinician(
    org, clinician, chart, sent, clinic_client, django_capture_on_commit_callbacks
):
    visitor = clinic_client(org)
    visitor.post(sent, {"date_of_birth": BORN})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        visitor.post(sent, phq9_post([2, 2, 2, 2, 2, 2, 2, 2, 1]))
    flag = SafetyFlag.objects.get()
    assert flag.notified == clinician and flag.raised_at.hour == 8
    (message,) = mail.outbox
    assert message.to == [clinician.user.email] and "Jordan" not in message.body
    assert "needs your review" in text(clinic_client(org, clinician).get("/schedule/"))


def test_the_tablet_signs_staff_out_shows_only_the_questionnaire_and_locks(
    org, front_desk, clinician, chart, clinic_client
):
    tablet = clinic_client(org, clinician)
    response = tablet.post(f"/measures/clients/{chart.pk}/tablet/", {"tablet-instrument": "gad7"})
    assert response.status_code == 302 and response["Location"] == "/measures/tablet/"
    page = text(tablet.get("/measures/tablet/"))
    assert "Feeling nervous, anxious, or on edge" in page
    assert "Jordan" not in page and 'aria-label="Main"' not in page and "Sign out" not in page
    # The staff session is gone: the chart is out of reach from the tablet.
    assert tablet.get(f"/clients/{chart.pk}/").status_code == 302
    done = tablet.post("/measures/tablet/", {f"item_{i}": "1" for i in range(1, 8)}, follow=True)
    assert "Please hand the tablet back" in text(done)
    assert Administration.objects.get().method == "kiosk"
    assert "Please hand the tablet back" in text(tablet.get("/measures/tablet/"))
    assert AuditEvent.objects.get(action="measures.administered").actor_label == services.KIOSK_ACTOR


def test_the_front_desk_cannot_hand_over_the_tablet(org, front_desk, chart, clinic_client):
    response = clinic_client(org, front_desk).post(
        f"/measures/clients/{chart.pk}/tablet/", {"tablet-instrument": "gad7"}
    )
    assert response.status_code == 403 and not MeasureLink.objects.exists()


def test_a_schedule_is_set_replaced_and_stopped(org, clinician, chart, clinic_client):
    client = clinic_client(org, clinician)
    url = f"/measures/clients/{chart.pk}/schedule/"
    client.post(url, {"schedule-instrument": "phq9", "schedule-rule": "every_n_weeks", "schedule-every": "4"})
    client.post(url, {"schedule-instrument": "phq9", "schedule-rule": "every_n_sessions", "schedule-every": "3"})
    (active,) = MeasureSchedule.objects.filter(is_active=True)
    assert (active.rule, active.every) == ("every_n_sessions", 3)
    assert "Every N sessions (N = 3)" in text(client.get(f"/clients/{chart.pk}/measures/"))
    bad = client.post(
        url, {"schedule-instrument": "phq9", "schedule-rule": "every_n_weeks", "schedule-every": "0"}, follow=True
    )
    assert "greater than or equal to 1" in text(bad)
    client.post(url, {"schedule-instrument": "phq9", "schedule-rule": "", "schedule-every": "1"})
    assert not MeasureSchedule.objects.filter(is_active=True).exists()


def test_when_a_schedule_is_due(org, clinician, chart):
    now = datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)
    week = datetime.timedelta(weeks=1)
    every_session = MeasureSchedule(rule="every_session", every=1)
    every_3 = MeasureSchedule(rule="every_n_sessions", every=3)
    every_4w = MeasureSchedule(rule="every_n_weeks", every=4)
    assert services.is_due(every_4w, sessions_since_last=0, last_completed=None, now=now)
    assert services.is_due(every_session, sessions_since_last=1, last_completed=now - week, now=now)
    assert not services.is_due(every_session, sessions_since_last=0, last_completed=now - week, now=now)
    assert not services.is_due(every_3, sessions_since_last=2, last_completed=now - week, now=now)
    assert services.is_due(every_3, sessions_since_last=3, last_completed=now - week, now=now)
    assert not services.is_due(every_4w, sessions_since_last=9, last_completed=now - 3 * week, now=now)
    assert services.is_due(every_4w, sessions_since_last=0, last_completed=now - 4 * week, now=now)


def _appointment(record, start, status="scheduled"):
    from scheduling.appointments.models import Appointment, AppointmentClient, AppointmentType
    from tenancy.models import Location

    location, _ = Location.objects.get_or_create(name="Main Street")
    kind, _ = AppointmentType.objects.get_or_create(name="Individual therapy", defaults={"default_duration": 50})
    appointment = Appointment.objects.create(
        appointment_type=kind, start=start, end=start + datetime.timedelta(minutes=50), location=location, status=status
    )
    AppointmentClient.objects.create(appointment=appointment, client=record)
    return appointment


def test_the_sweep_sends_what_schedules_call_for_once(
    org, clinician, chart, phq9, give, django_capture_on_commit_callbacks
):
    now = datetime.datetime(2026, 3, 2, 14, tzinfo=datetime.UTC)
    gad7 = phq9.__class__.objects.get(key="gad7")
    services.set_schedule(chart, actor=clinician, instrument=phq9, rule="every_n_sessions", every=2)
    services.set_schedule(chart, actor=clinician, instrument=gad7, rule="every_n_weeks", every=4)
    with time_machine.travel(now - datetime.timedelta(days=14), tick=False):
        give(chart, phq9, [1] * 8 + [0])
        give(chart, gad7, [1] * 7)
    _appointment(chart, now - datetime.timedelta(days=7), status="completed")
    _appointment(chart, now + datetime.timedelta(hours=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_clinic(now=now) == 0  # one session since the PHQ-9, two weeks since the GAD-7
    _appointment(chart, now - datetime.timedelta(days=1), status="completed")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep_clinic(now=now) == 1  # two sessions since the PHQ-9
        assert services.sweep_clinic(now=now) == 0  # the link is still waiting: not sent twice
    (message,) = mail.outbox
    assert message.to == ["jordan@example.test"] and "Jordan" not in message.body
    assert MeasureLink.objects.get().instrument == phq9
    assert AuditEvent.objects.get(action="measures.link_sent").actor_label == "questionnaire schedule"


def test_the_sweep_respects_consent(org, clinician, chart, phq9):
    chart.consent_to_email = chart.consent_to_text = False
    chart.save()
    services.set_schedule(chart, actor=clinician, instrument=phq9, rule="every_session", every=1)
    _appointment(chart, datetime.datetime(2026, 3, 3, 14, tzinfo=datetime.UTC))
    assert services.sweep_clinic(now=datetime.datetime(2026, 3, 2, 14, tzinfo=datetime.UTC)) == 0
    assert not MeasureLink.objects.exists()
