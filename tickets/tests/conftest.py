"""Fixtures for the ticket tests: a ticket factory, and the clients' chart-client factory."""

import pytest

from accounts.tests.test_login_browser import smtp  # noqa: F401  (the real SMTP server on loopback, reused)
from clients.tests.conftest import make_chart_client  # noqa: F401  (the clients app's factory, reused)
from tenancy.context import tenant_context
from tickets import services
from tickets.models import Priority


@pytest.fixture
def make_ticket(db, django_capture_on_commit_callbacks):
    """``make_ticket(creator, assignee=..., title=...)`` opens a ticket as ``creator`` (notifications included)."""

    def make(creator, assignee=None, title="Printer on the second floor jams", **extra):
        extra.setdefault("priority", Priority.MEDIUM)
        extra.setdefault("description", "Steps: open the billing page, click print.")
        with tenant_context(creator.organization), django_capture_on_commit_callbacks(execute=True):
            return services.create_ticket(actor=creator, title=title, assignee=assignee or creator, **extra)

    return make
