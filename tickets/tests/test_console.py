"""The vendor's support console: its own host and sign-in, the sent-ticket list, a ticket's page, replies and
status changes, and the wall between vendor staff and clinic staff (each refusal audited)."""

import base64
import io
from html import unescape

import pyotp
import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from conftest import PASSWORD, host_of, rls_queries
from tenancy.context import tenant_context
from tickets import services
from tickets.models import Notification, Priority, Status, Ticket, TicketUpdate, VendorStaff
from tickets.tests.conftest import SUPPORT_HOST, enrolled_key


def _text(response) -> str:
    return unescape(response.content.decode())


def _sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post("/login/", {"email": email, "password": password})


# --- The host and sign-in ------------------------------------------------------------------------------------


def test_the_support_host_serves_only_the_console(db, console_client):
    client = console_client()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/"
    assert "Vendor support sign-in" in _text(client.get("/login/"))
    for clinic_path in ("/clients/", "/tickets/", "/staff/", "/audit/", "/schedule/"):
        assert client.get(clinic_path).status_code == 404


def test_a_clinic_host_has_no_console_pages(org, admin, clinic_client, sent_ticket):
    client = clinic_client(org, admin)
    assert client.get(f"/tickets/{sent_ticket.pk}/status/").status_code == 404
    assert client.post(f"/tickets/{sent_ticket.pk}/reply/", {"body": "x"}).status_code == 404


def test_vendor_staff_sign_in_and_out_is_audited_outside_any_clinic(vendor_staff, console_client):
    totp = pyotp.TOTP(base64.b32encode(bytes.fromhex(enrolled_key(vendor_staff).key)).decode())
    client = console_client()
    response = _sign_in(client, "SAM@vendor.test")
    assert response.status_code == 302 and response["Location"] == "/two-step/?next=%2F"  # the second step next
    assert not AuditEvent.objects.filter(action="vendor.login").exists()
    response = client.post(response["Location"], {"code": totp.now()})
    assert response.status_code == 302 and response["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200 and "Sam Support" in _text(page)
    event = AuditEvent.objects.get(action="vendor.login")
    assert event.chain_key == "system" and event.actor is None
    assert event.actor_label == "vendor support: sam@vendor.test"
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action="vendor.logout").exists()


def test_wrong_password_and_clinic_staff_are_refused_with_one_message(vendor_staff, admin, console_client):
    client = console_client()
    wrong = _sign_in(client, "sam@vendor.test", "not-it")
    clinic = _sign_in(client, admin.user.email)  # a clinic person's real email and password
    for response in (wrong, clinic):
        assert response.status_code == 400
        assert "don't match an active vendor support account" in _text(response)
    assert client.get("/").status_code == 302
    failures = AuditEvent.objects.filter(action="vendor.login_failed", outcome="failure")
    assert {e.detail["email"] for e in failures} == {"sam@vendor.test", admin.user.email}


def test_deactivated_vendor_staff_cannot_sign_in_and_their_session_ends(vendor_staff, console_client):
    signed_in = console_client(vendor_staff)
    VendorStaff.objects.filter(pk=vendor_staff.pk).update(is_active=False)
    assert signed_in.get("/").status_code == 302
    assert _sign_in(console_client(), "sam@vendor.test").status_code == 400


def test_changing_the_password_ends_other_sessions(vendor_staff, console_client):
    client = console_client(vendor_staff)
    vendor_staff.set_password("Another-Horse-43!")
    vendor_staff.save()
    assert client.get("/").status_code == 302


def test_an_idle_session_ends(vendor_staff, console_client, settings):
    client = console_client(vendor_staff)
    session = client.session
    session["hearth_vendor_seen"] = timezone.now().timestamp() - 31 * 60
    session.save()
    assert client.get("/").status_code == 302


def test_repeated_failures_lock_the_account_even_for_unknown_addresses(vendor_staff, console_client):
    client = console_client()
    for _ in range(5):
        _sign_in(client, "sam@vendor.test", "wrong")
    locked = _sign_in(client, "sam@vendor.test")  # the right password no longer helps
    assert locked.status_code == 403 and "locked" in _text(locked)
    assert AuditEvent.objects.filter(action="vendor.locked_out").exists()
    for _ in range(5):
        _sign_in(client, "nobody@vendor.test", "wrong")
    assert _sign_in(client, "nobody@vendor.test").status_code == 403
    call_command("axes_reset_username", "vendor:sam@vendor.test", stdout=io.StringIO())  # the operator unlocks
    assert _sign_in(client, "sam@vendor.test").status_code == 302


def test_sign_in_is_rate_limited_per_address(vendor_staff, console_client, settings):
    settings.HEARTH_AUTH_RATE = "2/m"
    client = console_client()
    _sign_in(client, "a@vendor.test", "x")
    _sign_in(client, "b@vendor.test", "x")
    assert _sign_in(client, "sam@vendor.test").status_code == 429


def test_sign_in_needs_a_csrf_token(vendor_staff):
    client = Client(HTTP_HOST=SUPPORT_HOST, enforce_csrf_checks=True)
    assert _sign_in(client, "sam@vendor.test").status_code == 403


def test_a_clinic_session_on_the_support_host_is_ended_and_audited(org, admin, sent_ticket):
    client = Client(HTTP_HOST=SUPPORT_HOST)
    client.force_login(admin.user)  # a copied or forged clinic session cookie
    response = client.get(f"/tickets/{sent_ticket.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    event = AuditEvent.objects.get(action="access.denied", detail__permission="console.clinic_session")
    assert event.actor == admin.user and event.chain_key == "system"


def test_vendor_credentials_and_sessions_do_not_open_a_clinic(org, vendor_staff, clinic_client, console_client):
    clinic = clinic_client(org)
    refused = clinic.post("/login/", {"username": "sam@vendor.test", "password": PASSWORD})
    assert refused.status_code == 200 and "_auth_user_id" not in clinic.session
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.organization == org and failed.detail == {"username": "sam@vendor.test"}

    # A vendor console session cookie replayed on the clinic's host: ended, audited in that clinic's chain.
    vendor_cookie = console_client(vendor_staff).cookies["sessionid"].value
    clinic.cookies["sessionid"] = vendor_cookie
    response = clinic.get("/tickets/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    event = AuditEvent.objects.get(action="access.denied", detail__permission="clinic.vendor_session")
    assert event.organization == org and event.actor_label == f"vendor staff {vendor_staff.pk}"


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


# --- Creating vendor staff -----------------------------------------------------------------------------------


def test_create_vendor_staff_command(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Correct-Horse-42!\n"))
    out = io.StringIO()
    call_command("create_vendor_staff", "Pat@Vendor.test", "--name", "Pat Vendor", "--password-stdin", stdout=out)
    staff = VendorStaff.objects.get()
    assert staff.email == "pat@vendor.test" and staff.check_password("Correct-Horse-42!")
    assert "Correct-Horse" not in staff.password and staff.password.split("$")[0] in ("argon2", "md5")
    assert "Created vendor staff Pat Vendor" in out.getvalue()
    assert AuditEvent.objects.get(action="vendor.staff_created").detail == {"vendor_staff_id": staff.pk}
    monkeypatch.setattr("sys.stdin", io.StringIO("Correct-Horse-42!\n"))
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_vendor_staff", "pat@vendor.test", "--name", "Pat", "--password-stdin")
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="at least"):
        call_command("create_vendor_staff", "lee@vendor.test", "--name", "Lee", "--password-stdin")
    call_command("create_vendor_staff", "pat@vendor.test", "--name", "Pat", "--deactivate", stdout=out)
    assert not VendorStaff.objects.get().is_active


def test_vendor_staff_are_not_clinic_people(vendor_staff, org, admin):
    from accounts.people.models import User

    assert not User.objects.filter(email="sam@vendor.test").exists()
    assert host_of(org) != SUPPORT_HOST


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
