"""In-app notifications and their emails: who is told, what the email holds, and retries when SMTP fails."""

import socket
from datetime import timedelta
from html import unescape

import pytest
from django.core import mail
from django.utils import timezone

from accounts.tests.test_login_browser import _Inbox
from audit.models import AuditEvent
from conftest import rls_queries
from tenancy.context import tenant_context
from tickets import services, tasks
from tickets.models import EmailState, Notification, Status


def _text(response) -> str:
    return unescape(response.content.decode())


def _notified(ticket) -> set[str]:
    return {n.recipient.username for n in Notification.all_tenants.filter(ticket=ticket).select_related("recipient")}


def test_creation_tells_the_assignee_by_app_and_email_without_the_description(org, clinician, front_desk, make_ticket):
    ticket = make_ticket(clinician, assignee=front_desk, description="Client Jordan Rivers, DOB 04/12/1990")
    notification = Notification.all_tenants.get()
    assert notification.recipient == front_desk  # not the person who opened it
    assert notification.message == "Ticket 1: Carol Clinician opened it and assigned it to you."
    assert notification.email_state == EmailState.SENT and notification.email_attempts == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [front_desk.user.email]
    assert message.subject == "[Riverside Counseling] Ticket 1: New ticket"
    assert "Printer on the second floor jams" in message.body and "Status:  New" in message.body
    assert f"http://riverside.localhost:8000/tickets/{ticket.pk}/" in message.body
    assert "Jordan" not in message.body + message.subject and "1990" not in message.body


def test_comments_and_status_changes_tell_everyone_following_but_the_actor(
    org, admin, clinician, front_desk, billing, make_ticket, django_capture_on_commit_callbacks
):
    ticket = make_ticket(clinician, assignee=admin)
    with tenant_context(org):
        services.add_associate(ticket, actor=clinician, member=front_desk)
    Notification.all_tenants.all().delete()
    mail.outbox.clear()
    with tenant_context(org), django_capture_on_commit_callbacks(execute=True):
        services.add_comment(ticket, actor=front_desk, body="Client 1001 called about it: 555-123-4567")
    assert _notified(ticket) == {"alice", "carol"}
    assert all("555" not in m.body and "1001" not in m.body for m in mail.outbox)
    assert {m.to[0] for m in mail.outbox} == {admin.user.email, clinician.user.email}

    Notification.all_tenants.all().delete()
    with tenant_context(org), django_capture_on_commit_callbacks(execute=True):
        services.update_ticket(ticket, actor=admin, expected_version=1, changes={"status": Status.IN_PROGRESS})
    assert _notified(ticket) == {"carol", "frank"}
    assert Notification.all_tenants.first().message == "Ticket 1: Alice Admin changed its status to In progress."
    assert "Status:  In progress" in mail.outbox[-1].body

    Notification.all_tenants.all().delete()
    with tenant_context(org), django_capture_on_commit_callbacks(execute=True):
        services.update_ticket(ticket, actor=admin, expected_version=2, changes={"assignee": billing})
    assert _notified(ticket) == {"bill", "carol", "frank"}
    by_person = {n.recipient.username: n.message for n in Notification.all_tenants.select_related("recipient")}
    assert by_person["bill"] == "Ticket 1: Alice Admin assigned it to you."
    assert by_person["carol"] == "Ticket 1: Alice Admin reassigned it to Bill Billing."

    Notification.all_tenants.all().delete()
    with tenant_context(org), django_capture_on_commit_callbacks(execute=True):
        services.update_ticket(ticket, actor=admin, expected_version=3, changes={"priority": 4})
    assert _notified(ticket) == set()  # a priority change is recorded in the thread, not announced


def test_deactivated_staff_are_not_notified(org, admin, clinician, make_ticket):
    ticket = make_ticket(clinician, assignee=admin)
    clinician.is_active = False
    clinician.save()
    Notification.all_tenants.all().delete()
    with tenant_context(org):
        services.add_comment(ticket, actor=admin, body="Done?")
    assert _notified(ticket) == set()


def test_unread_count_in_the_header_and_marking_read(
    org, clinician, front_desk, make_ticket, clinic_client, django_capture_on_commit_callbacks
):
    desk = clinic_client(org, front_desk)
    assert "badge" not in _text(desk.get("/"))
    first = make_ticket(clinician, assignee=front_desk, title="First")
    second = make_ticket(clinician, assignee=front_desk, title="Second")
    home = _text(desk.get("/"))
    assert '<span class="badge">2<span class="visually-hidden"> unread</span></span>' in home
    page = _text(desk.get("/tickets/notifications/"))
    assert "Ticket 1: Carol Clinician opened it and assigned it to you." in page
    assert "First" in page and "Second" in page
    mine = Notification.all_tenants.get(ticket=first)
    assert desk.post(f"/tickets/notifications/{mine.pk}/read/").status_code == 302
    assert '<span class="badge">1<' in _text(desk.get("/"))
    desk.get(f"/tickets/{second.pk}/")  # opening the ticket reads its notifications
    assert "badge" not in _text(desk.get("/"))
    assert Notification.all_tenants.filter(read_at__isnull=True).count() == 0


def test_mark_all_read_and_someone_elses_notification(org, clinician, front_desk, admin, make_ticket, clinic_client):
    make_ticket(clinician, assignee=front_desk, title="First")
    make_ticket(clinician, assignee=admin, title="For the admin")
    theirs = Notification.all_tenants.get(recipient=admin)
    desk = clinic_client(org, front_desk)
    assert desk.post(f"/tickets/notifications/{theirs.pk}/read/").status_code == 404
    assert AuditEvent.objects.filter(action="access.not_found", object_id=str(theirs.pk)).exists()
    response = desk.post("/tickets/notifications/read-all/", follow=True)
    assert "Marked 1 notification read." in _text(response)
    assert Notification.all_tenants.get(recipient=admin).read_at is None


def test_notification_list_query_count_is_fixed(
    org, clinician, front_desk, make_ticket, clinic_client, django_assert_max_num_queries
):
    for i in range(12):
        make_ticket(clinician, assignee=front_desk, title=f"Question {i}")
    desk = clinic_client(org, front_desk)
    desk.get("/")
    with django_assert_max_num_queries(8 + rls_queries()):
        assert "Question 11" in _text(desk.get("/tickets/notifications/"))


def test_the_header_count_costs_no_query_once_cached(
    org, clinician, front_desk, make_ticket, clinic_client, django_assert_max_num_queries
):
    make_ticket(clinician, assignee=front_desk)
    desk = clinic_client(org, front_desk)
    desk.get("/")
    with django_assert_max_num_queries(5 + rls_queries()):  # what the home page cost before tickets
        assert '<span class="badge">1<' in _text(desk.get("/"))


# --- Retries ------------------------------------------------------------------------------------------------


class _Flaky(_Inbox):
    """A real SMTP server that answers "try again later" to the first ``failures`` messages."""

    def __init__(self, failures: int):
        super().__init__()
        self.failures = failures
        self.refused = 0

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls this name
        if self.refused < self.failures:
            self.refused += 1
            return "451 Requested action aborted: try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def flaky_smtp(settings):
    from aiosmtpd.controller import Controller

    def start(failures: int) -> _Flaky:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        inbox = _Flaky(failures)
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        servers.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        return inbox

    servers = []
    yield start
    for controller in servers:
        controller.stop()


def test_a_refused_email_is_retried_until_the_server_takes_it(org, clinician, front_desk, make_ticket, flaky_smtp):
    server = flaky_smtp(failures=2)
    make_ticket(clinician, assignee=front_desk)
    assert server.refused == 2 and len(server.messages) == 1
    assert server.messages[0]["To"] == front_desk.user.email
    notification = Notification.all_tenants.get()
    assert notification.email_state == EmailState.SENT and notification.email_attempts == 3


def _unreachable_mail_server(settings) -> None:
    with socket.socket() as probe:  # a port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port


def test_an_unreachable_server_gives_up_after_the_last_attempt_and_says_so(
    org, clinician, front_desk, make_ticket, settings
):
    _unreachable_mail_server(settings)
    make_ticket(clinician, assignee=front_desk)
    notification = Notification.all_tenants.get()  # the in-app notification is there regardless
    assert notification.email_state == EmailState.FAILED
    assert notification.email_attempts == tasks.MAX_EMAIL_ATTEMPTS
    event = AuditEvent.objects.get(action="ticket.email_failed")
    assert event.outcome == "failure" and event.object_id == str(notification.pk)
    assert event.detail["attempts"] == tasks.MAX_EMAIL_ATTEMPTS


def test_a_retry_waits_when_the_backend_can_defer(org, clinician, front_desk, make_ticket, settings):
    """With the database backend `make run` uses, a failed send is queued again for later, not at once."""
    from django_tasks_db.models import DBTaskResult

    _unreachable_mail_server(settings)
    with tenant_context(org):
        ticket = services.create_ticket(actor=clinician, title="Scanner offline", assignee=front_desk)
    notification = Notification.all_tenants.get(ticket=ticket)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    before = timezone.now()
    assert tasks.send_notification_email.call(org.pk, notification.pk) == "retrying"
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "tickets.tasks.send_notification_email"
    assert queued.args_kwargs["args"] == [org.pk, notification.pk, 2]
    assert queued.run_after >= before + timedelta(minutes=1)
    notification.refresh_from_db()
    assert notification.email_state == EmailState.PENDING and notification.email_attempts == 1


def test_signing_in_counts_the_unread_notifications_ahead(org, clinician, front_desk, make_ticket, clinic_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from conftest import PASSWORD

    make_ticket(clinician, assignee=front_desk)
    client = clinic_client(org)
    client.post("/login/", {"username": "frank", "password": PASSWORD})
    with CaptureQueriesContext(connection) as first_page:
        assert '<span class="badge">1<' in _text(client.get("/"))
    assert not [q for q in first_page.captured_queries if "tickets_notification" in q["sql"]]
