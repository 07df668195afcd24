import pytest
from django.core import mail

from accounts.demo import load_demo
from tenancy.context import tenant_context
from tickets import phi
from tickets.models import Notification, Status, Ticket


@pytest.mark.dated
def test_demo_tickets_are_loaded_once_quietly_and_without_phi(db):
    load_demo()
    clinics = load_demo()
    for clinic in clinics:
        with tenant_context(clinic):
            tickets = list(Ticket.objects.order_by("number"))
            assert len(tickets) == 5
            assert {t.status for t in tickets} >= {Status.NEW, Status.COMPLETE, Status.WAITING_VENDOR}
            assert sum(1 for t in tickets if t.sent_to_vendor_at) == 1
            assert any(t.auto_assigned and t.assignee == clinic.billing_coordinator for t in tickets)
            assert all(phi.find_phi(t.title) == [] for t in tickets)
    assert Notification.all_tenants.count() == 0 and mail.outbox == []
