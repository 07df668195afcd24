"""Tickets opened by Hearth itself: routed with [auto-assignment], never carrying PHI in the title."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.roles import Role
from audit.models import AuditEvent
from tenancy.models import Organization
from tickets.models import Notification, Priority, Ticket, TicketUpdate
from tickets.services import open_automated_ticket


def test_routed_to_the_billing_coordinator_when_one_is_designated(
    org, admin, billing, django_capture_on_commit_callbacks
):
    Organization.objects.filter(pk=org.pk).update(billing_coordinator=billing)
    org.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_automated_ticket(
            org,
            "Claim batch 42 rejected by the clearinghouse",
            "Client 1001's claim: member id invalid.",
            priority=Priority.HIGH,
            source="Billing",
        )
    ticket = Ticket.all_tenants.get(pk=ticket.pk)
    assert ticket.assignee == billing and ticket.auto_assigned and ticket.created_by is None
    assert ticket.number == 1 and ticket.module == "Billing" and ticket.due_by is not None
    assert [n.recipient for n in Notification.all_tenants.all()] == [billing]
    assert Notification.all_tenants.get().message == (
        "Ticket 1: Hearth opened it automatically and assigned it to you."
    )
    assert len(mail.outbox) == 1 and "1001" not in mail.outbox[0].body
    event = AuditEvent.objects.get(action="ticket.created")
    assert event.actor is None and event.organization == org
    assert event.detail == {"number": 1, "automated": True, "source": "Billing"}
    entry = TicketUpdate.all_tenants.get(ticket=ticket)
    assert entry.describe() == "Hearth opened the ticket"


def test_shared_by_the_administrators_when_no_coordinator(
    org, admin, make_member, clinician, clinic_client, django_capture_on_commit_callbacks
):
    second_admin = make_member(org, "ada", Role.ADMINISTRATOR, name="Ada Admin")
    make_member(org, "old", Role.ADMINISTRATOR, active=False)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = open_automated_ticket(org, "Nightly export failed", "The export stopped at step 3.")
    ticket = Ticket.all_tenants.get(pk=ticket.pk)
    assert ticket.assignee is None and ticket.auto_assigned
    assert {n.recipient for n in Notification.all_tenants.all()} == {admin, second_admin}
    page = clinic_client(org, admin).get("/tickets/")  # in each administrator's "Assigned to me"
    assert "Nightly export failed" in page.content.decode()
    assert "Nightly export failed" not in clinic_client(org, clinician).get("/tickets/").content.decode()
    detail = clinic_client(org, second_admin).get(f"/tickets/{ticket.pk}/").content.decode()
    assert "[auto-assignment] Administrators" in detail  # the current routing stays selectable
    assert "The clinic's administrators [auto-assignment]" in detail


def test_a_deactivated_coordinator_falls_back_to_the_administrators(org, admin, billing):
    billing.is_active = False
    billing.save()
    Organization.objects.filter(pk=org.pk).update(billing_coordinator=billing)
    org.refresh_from_db()
    ticket = open_automated_ticket(org, "Eligibility checks failing", "")
    assert Ticket.all_tenants.get(pk=ticket.pk).assignee is None


def test_an_administrator_takes_an_auto_assigned_ticket(org, admin, clinic_client):
    ticket = open_automated_ticket(org, "Nightly export failed", "")
    response = clinic_client(org, admin).post(
        f"/tickets/{ticket.pk}/update/",
        {"version": "1", "title": ticket.title, "status": "in_progress", "priority": "3", "assignee": "self"},
    )
    assert response.status_code == 302
    ticket = Ticket.all_tenants.get(pk=ticket.pk)
    assert ticket.assignee == admin and not ticket.auto_assigned and ticket.status == "in_progress"


def test_the_title_is_checked_for_phi_and_nothing_is_written(org, make_chart_client):
    make_chart_client(org, "Jordan", "Rivers")
    with pytest.raises(ValidationError, match="a client's name"):
        open_automated_ticket(org, "Claim for Jordan Rivers rejected", "")
    assert Ticket.all_tenants.count() == 0 and not AuditEvent.objects.filter(action="ticket.created").exists()


def test_each_clinic_numbers_its_own(org, other_org):
    open_automated_ticket(org, "First", "")
    open_automated_ticket(org, "Second", "")
    other = open_automated_ticket(other_org, "Theirs", "")
    assert sorted(Ticket.all_tenants.filter(organization=org).values_list("number", flat=True)) == [1, 2]
    assert other.number == 1 and other.organization_id == other_org.pk
