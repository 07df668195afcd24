"""The console's tickets: the sent-ticket list, a ticket's page, replies, files and status changes, each read
and write audited in the ticket's clinic; on PostgreSQL, what row-level security lets the console see."""

from html import unescape

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEvent
from conftest import rls_queries
from core.tests.files import HTML_PAGE
from tenancy.context import tenant_context
from tickets import services
from tickets.models import Notification, Priority, Status, Ticket, TicketAttachment, TicketUpdate
from tickets.tests.test_attachments import _attach, _pdf, _png


def _text(response) -> str:
    return unescape(response.content.decode())


# --- The list ------------------------------------------------------------------------------------------------


@pytest.fixture
def two_clinics_tickets(org, other_org, admin, champion, outsider, make_member, make_ticket):
    """Sent and unsent tickets in both clinics."""
    other_champion = make_member(other_org, "olga", "support_champion", name="Olga Champion")
    sent = make_ticket(champion, assignee=admin, title="Riverside sent", send_to_vendor=True, priority=Priority.HIGH)
    make_ticket(champion, assignee=admin, title="Riverside internal")
    other = make_ticket(other_champion, assignee=outsider, title="Lakeside sent", send_to_vendor=True)
    return sent, other


def test_the_list_shows_only_sent_tickets_of_every_clinic(vendor_staff, console_client, two_clinics_tickets):
    page = _text(console_client(vendor_staff).get("/"))
    assert "Riverside sent" in page and "Lakeside sent" in page
    assert "Riverside internal" not in page
    assert "Riverside Counseling" in page and "Lakeside Therapy" in page
    assert "Waiting on vendor" in page and "High" in page
    assert "Client 1001" not in page  # no descriptions on the list


@pytest.mark.dated
def test_the_list_filters_by_status_priority_clinic_and_overdue(
    org, other_org, vendor_staff, console_client, two_clinics_tickets
):
    _sent, other = two_clinics_tickets
    client = console_client(vendor_staff)
    assert "Lakeside sent" not in _text(client.get("/", {"clinic": org.pk}))
    assert "Riverside sent" not in _text(client.get("/", {"priority": Priority.MEDIUM}))
    assert "Riverside sent" in _text(client.get("/", {"priority": Priority.HIGH}))
    assert "No tickets match" in _text(client.get("/", {"status": "closed"}))
    assert "No tickets match" in _text(client.get("/", {"overdue": "on"}))
    Ticket.all_tenants.filter(pk=other.pk).update(due_by=timezone.now() - timezone.timedelta(hours=1))
    overdue = _text(client.get("/", {"overdue": "on"}))
    assert "Lakeside sent" in overdue and "Riverside sent" not in overdue
    assert 'class="overdue"' in overdue and "Overdue" in overdue
    everything = _text(client.get("/"))
    assert everything.index("Lakeside sent") < everything.index("Riverside sent")  # overdue first


def test_the_list_is_paginated_with_a_fixed_query_count(
    org, champion, admin, vendor_staff, console_client, make_ticket, django_assert_max_num_queries
):
    for n in range(27):
        make_ticket(champion, assignee=admin, title=f"Sent number {n}", send_to_vendor=True)
    client = console_client(vendor_staff)
    client.get("/")
    # session, vendor staff, clinic choices, count, page, session save in a savepoint (none per row); on
    # PostgreSQL the two cross-clinic reads each set and reset the console's row-level security
    with django_assert_max_num_queries(8 + 2 * rls_queries()):
        first = client.get("/")
    assert "Page 1 of 2" in _text(first)
    with django_assert_max_num_queries(8 + 2 * rls_queries()):
        second = client.get("/", {"page": 2})
    assert _text(second).count("Sent number") == 2


# --- One ticket ----------------------------------------------------------------------------------------------


def test_viewing_a_ticket_shows_description_and_thread_audited_in_the_clinic(
    org, vendor_staff, console_client, sent_ticket
):
    page = _text(console_client(vendor_staff).get(f"/tickets/{sent_ticket.pk}/"))
    assert "Client 1001 (Jordan Rivers) report fails" in page
    assert "Chad Champion sent the ticket to the vendor" in page and "Riverside Counseling" in page
    event = AuditEvent.objects.get(action="ticket.viewed")
    assert event.organization == org and event.chain_key == f"org:{org.pk}"
    assert event.actor is None and event.actor_label == "vendor support: sam@vendor.test"
    assert event.object_id == str(sent_ticket.pk) and event.detail == {"vendor_staff_id": vendor_staff.pk}


def test_a_ticket_that_was_not_sent_is_refused_in_its_clinics_chain(
    org, admin, clinician, vendor_staff, console_client, make_ticket
):
    internal = make_ticket(clinician, assignee=admin, description="Client 1001 details")
    client = console_client(vendor_staff)
    for url in (f"/tickets/{internal.pk}/", f"/tickets/{internal.pk}/status/", f"/tickets/{internal.pk}/reply/"):
        response = client.get(url) if url.endswith(f"{internal.pk}/") else client.post(url, {"body": "hi"})
        assert response.status_code == 404 and "Client 1001" not in _text(response)
    refusals = AuditEvent.objects.filter(action="access.denied", organization=org)
    assert refusals.count() == 3
    assert all(e.actor_label == "vendor support: sam@vendor.test" for e in refusals)
    assert not TicketUpdate.all_tenants.filter(kind="comment").exists()
    assert client.get("/tickets/999999/").status_code == 404
    assert AuditEvent.objects.get(action="access.not_found").chain_key == "system"


def test_ticket_page_query_count_is_bounded(
    org, champion, admin, vendor_staff, console_client, sent_ticket, django_assert_max_num_queries
):
    with tenant_context(org):
        for n in range(10):
            services.add_comment(sent_ticket, actor=champion, body=f"Still failing {n}")
    client = console_client(vendor_staff)
    with django_assert_max_num_queries(12 + 3 * rls_queries()):
        response = client.get(f"/tickets/{sent_ticket.pk}/")
    assert _text(response).count("Still failing") == 10


# --- Replies and status --------------------------------------------------------------------------------------


def test_a_reply_reaches_the_clinic_by_app_and_email_without_its_text(
    org,
    admin,
    champion,
    clinician,
    vendor_staff,
    console_client,
    sent_ticket,
    clinic_client,
    django_capture_on_commit_callbacks,
):
    with tenant_context(org):
        services.add_associate(sent_ticket, actor=champion, member=clinician)
    Notification.all_tenants.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = console_client(vendor_staff).post(
            f"/tickets/{sent_ticket.pk}/reply/", {"body": "Fixed for client 1001: please retry."}
        )
    assert response.status_code == 302
    reply = TicketUpdate.all_tenants.get(kind="comment")
    assert reply.vendor_author == vendor_staff and reply.author is None
    assert reply.external_author == "Sam Support (vendor support)"
    notified = {n.recipient.username for n in Notification.all_tenants.select_related("recipient")}
    assert notified == {"alice", "chad", "carol"}
    assert Notification.all_tenants.first().message == "Ticket 1: Sam Support (vendor support) replied."
    assert {m.to[0] for m in mail.outbox} == {admin.user.email, champion.user.email, clinician.user.email}
    assert all("1001" not in m.body and "retry" not in m.body for m in mail.outbox)
    event = AuditEvent.objects.get(action="ticket.commented")
    assert event.organization == org and event.actor_label == "vendor support: sam@vendor.test"

    clinic_page = _text(clinic_client(org, champion).get(f"/tickets/{sent_ticket.pk}/"))
    assert "Sam Support (vendor support)" in clinic_page and "Fixed for client 1001: please retry." in clinic_page


def test_an_empty_reply_is_refused(vendor_staff, console_client, sent_ticket):
    response = console_client(vendor_staff).post(f"/tickets/{sent_ticket.pk}/reply/", {"body": "  "})
    assert response.status_code == 400 and "Write a reply or attach a file first." in _text(response)
    assert not TicketUpdate.all_tenants.filter(kind="comment").exists()


def test_vendor_staff_change_the_status_and_completing_fills_the_date(
    org, vendor_staff, console_client, sent_ticket, django_capture_on_commit_callbacks
):
    client = console_client(vendor_staff)
    Notification.all_tenants.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/tickets/{sent_ticket.pk}/status/", {"status": Status.WAITING_STAFF, "version": sent_ticket.version}
        )
    assert response.status_code == 302
    ticket = Ticket.all_tenants.get(pk=sent_ticket.pk)
    assert ticket.status == Status.WAITING_STAFF and ticket.version == sent_ticket.version + 1
    entry = TicketUpdate.all_tenants.filter(kind="status").last()
    assert entry.describe() == (
        "Sam Support (vendor support) changed the status from Waiting on vendor to Waiting on staff"
    )
    assert Notification.all_tenants.first().message == (
        "Ticket 1: Sam Support (vendor support) changed its status to Waiting on staff."
    )
    assert AuditEvent.objects.get(action="ticket.updated", organization=org).detail == {
        "fields": ["status"],
        "vendor_staff_id": vendor_staff.pk,
    }
    client.post(f"/tickets/{sent_ticket.pk}/status/", {"status": Status.COMPLETE, "version": ticket.version})
    ticket.refresh_from_db()
    assert ticket.status == Status.COMPLETE and ticket.date_completed is not None


def test_a_stale_status_change_is_refused_with_what_changed(org, admin, vendor_staff, console_client, sent_ticket):
    opened_at = sent_ticket.version
    with tenant_context(org):
        services.update_ticket(
            sent_ticket, actor=admin, expected_version=opened_at, changes={"priority": Priority.CRISIS}
        )
    response = console_client(vendor_staff).post(
        f"/tickets/{sent_ticket.pk}/status/", {"status": Status.COMPLETE, "version": opened_at}
    )
    assert response.status_code == 409
    page = _text(response)
    assert "Someone else changed this ticket" in page and "Alice Admin changed the priority" in page
    assert Ticket.all_tenants.get(pk=sent_ticket.pk).status == Status.WAITING_VENDOR


def test_a_status_vendor_staff_may_not_give_is_refused_and_audited(org, vendor_staff, console_client, sent_ticket):
    response = console_client(vendor_staff).post(
        f"/tickets/{sent_ticket.pk}/status/", {"status": Status.CANCELLED, "version": sent_ticket.version}
    )
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="access.denied")
    assert event.organization == org and event.detail["permission"] == "tickets.vendor_change_status"
    assert Ticket.all_tenants.get(pk=sent_ticket.pk).status == Status.WAITING_VENDOR


def test_a_cancelled_ticket_keeps_its_status(org, champion, vendor_staff, console_client, sent_ticket):
    with tenant_context(org):
        services.update_ticket(
            sent_ticket, actor=champion, expected_version=sent_ticket.version, changes={"status": Status.CANCELLED}
        )
    client = console_client(vendor_staff)
    assert "its status can't be changed here" in _text(client.get(f"/tickets/{sent_ticket.pk}/"))
    version = Ticket.all_tenants.get(pk=sent_ticket.pk).version
    response = client.post(f"/tickets/{sent_ticket.pk}/status/", {"status": Status.IN_PROGRESS, "version": version})
    assert response.status_code == 403


# --- Files ---------------------------------------------------------------------------------------------------


def test_vendor_staff_reply_with_a_file_and_open_the_clinics_files(
    org, champion, vendor_staff, console_client, sent_ticket, clinic_client
):
    _attach(sent_ticket, champion, _pdf())
    clinic_file = TicketAttachment.all_tenants.get()
    client = console_client(vendor_staff)
    page = _text(client.get(f"/tickets/{sent_ticket.pk}/"))
    assert f"/tickets/{sent_ticket.pk}/attachments/{clinic_file.pk}/" in page
    response = client.get(f"/tickets/{sent_ticket.pk}/attachments/{clinic_file.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    event = AuditEvent.objects.get(action="ticket.attachment_downloaded")
    assert event.organization == org and event.actor_label == "vendor support: sam@vendor.test"
    assert event.detail == {"ticket_id": sent_ticket.pk, "vendor_staff_id": vendor_staff.pk}

    reply = client.post(f"/tickets/{sent_ticket.pk}/reply/", {"body": "Here is the fix", "attachments": [_png()]})
    assert reply.status_code == 302
    vendor_file = TicketAttachment.all_tenants.get(update__vendor_author=vendor_staff)
    assert vendor_file.organization_id == org.pk and vendor_file.stored_name.startswith(f"tickets/{org.pk}/")
    clinic = clinic_client(org, champion)
    assert clinic.get(f"/tickets/{sent_ticket.pk}/attachments/{vendor_file.pk}/").status_code == 200


def test_vendor_staff_cannot_open_files_of_tickets_not_sent(
    org, clinician, admin, vendor_staff, console_client, make_ticket, sent_ticket
):
    internal = make_ticket(clinician, assignee=admin)
    _attach(internal, clinician, _png())
    attachment = TicketAttachment.all_tenants.get()
    client = console_client(vendor_staff)
    assert client.get(f"/tickets/{internal.pk}/attachments/{attachment.pk}/").status_code == 404
    denied = AuditEvent.objects.get(action="access.denied")
    assert denied.organization == org and denied.detail["permission"] == "tickets.vendor_attachment"
    # Nor through a sent ticket's address.
    assert client.get(f"/tickets/{sent_ticket.pk}/attachments/{attachment.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="access.not_found", organization=org).exists()
    assert not AuditEvent.objects.filter(action="ticket.attachment_downloaded").exists()


def test_a_wrong_file_in_a_vendor_reply_is_refused(vendor_staff, console_client, sent_ticket):
    bad = SimpleUploadedFile("log.png", HTML_PAGE, content_type="image/png")
    response = console_client(vendor_staff).post(
        f"/tickets/{sent_ticket.pk}/reply/", {"body": "see log", "attachments": [bad]}
    )
    assert response.status_code == 400 and "log.png: This file can't be added" in _text(response)
    refused = AuditEvent.objects.get(action="ticket.attachment_refused")
    assert refused.organization_id == sent_ticket.organization_id
    assert refused.actor_label == "vendor support: sam@vendor.test"
    assert refused.detail == {"reasons": ["file_type"], "vendor_staff_id": vendor_staff.pk}
    assert not TicketUpdate.all_tenants.filter(kind="comment").exists()


# --- PostgreSQL: row-level security --------------------------------------------------------------------------


def test_on_postgresql_the_console_sees_every_clinics_sent_tickets_and_leaves_no_role_set(
    pg_only, vendor_staff, console_client, two_clinics_tickets
):
    from django.db import connection

    sent, other = two_clinics_tickets
    client = console_client(vendor_staff)
    page = _text(client.get("/"))
    assert "Riverside sent" in page and "Lakeside sent" in page
    for ticket in (sent, other):
        detail = client.get(f"/tickets/{ticket.pk}/")
        assert detail.status_code == 200 and "sent the ticket to the vendor" in _text(detail)
        assert client.post(f"/tickets/{ticket.pk}/reply/", {"body": "On it"}).status_code == 302
    assert TicketUpdate.all_tenants.filter(vendor_author=vendor_staff).count() == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_setting('app.current_organization', true)")
        user, setting = cursor.fetchone()
    assert user != "hearth_app" and not setting


def test_on_postgresql_the_console_role_sees_sent_tickets_and_nothing_else_of_any_clinic(pg_only, two_clinics_tickets):
    """Even SQL that forgets every filter, run in the console's context, reads only tickets sent to the vendor."""
    from django.db import connection

    from tenancy.context import vendor_console_context

    with vendor_console_context(), connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == "hearth_app"
        cursor.execute("SELECT title FROM tickets_ticket")
        assert {row[0] for row in cursor.fetchall()} == {"Riverside sent", "Lakeside sent"}
        for table in ("accounts_membership", "tickets_ticketupdate", "clients_client", "audit_auditevent"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            assert cursor.fetchone()[0] == 0, table
        cursor.execute("UPDATE tickets_ticket SET title = 'changed'")
        assert cursor.rowcount == 0  # the console's policy is for reading only
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_setting('app.vendor_console', true)")
        user, flag = cursor.fetchone()
    assert user != "hearth_app" and not flag
