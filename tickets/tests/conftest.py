"""Fixtures for the ticket tests: a ticket factory, and the clients' chart-client factory."""

import pytest
from django.test import Client
from django.utils import timezone

from accounts.tests.test_login_browser import smtp  # noqa: F401  (the real SMTP server on loopback, reused)
from clients.tests.conftest import make_chart_client  # noqa: F401  (the clients app's factory, reused)
from conftest import PASSWORD
from tenancy.context import tenant_context
from tickets import services, vendor
from tickets.models import Priority, VendorTotpKey


@pytest.fixture
def make_ticket(db, django_capture_on_commit_callbacks):
    """``make_ticket(creator, assignee=..., title=...)`` opens a ticket as ``creator`` (notifications included)."""

    def make(creator, assignee=None, title="Printer on the second floor jams", **extra):
        extra.setdefault("priority", Priority.MEDIUM)
        extra.setdefault("description", "Steps: open the billing page, click print.")
        with tenant_context(creator.organization), django_capture_on_commit_callbacks(execute=True):
            return services.create_ticket(actor=creator, title=title, assignee=assignee or creator, **extra)

    return make


SUPPORT_HOST = "support.localhost"


@pytest.fixture
def vendor_staff(db):
    return vendor.create_vendor_staff(email="sam@vendor.test", full_name="Sam Support", password=PASSWORD)


VENDOR_TOTP_KEY = "3132333435363738393031323334353637383930"  # hex; tests compute codes with pyotp


def enrolled_key(staff) -> VendorTotpKey:
    """The staff member's confirmed authenticator with the known test key (created if they have none)."""
    key, _ = VendorTotpKey.objects.get_or_create(
        staff=staff, defaults={"key": VENDOR_TOTP_KEY, "confirmed": True, "confirmed_at": timezone.now()}
    )
    return key


@pytest.fixture
def console_client():
    """``console_client()`` is anonymous on the support host; ``console_client(staff)`` is signed in as them with
    both steps (enrolled with ``VENDOR_TOTP_KEY``); ``console_client(staff, second_step=False)`` is past the
    password only."""

    def make(staff=None, *, second_step: bool = True) -> Client:
        client = Client(HTTP_HOST=SUPPORT_HOST)
        if staff is not None:
            session = client.session
            session[vendor.SESSION_ID] = staff.pk
            session[vendor.SESSION_HASH] = staff.get_session_auth_hash()
            session[vendor.SESSION_SEEN] = timezone.now().timestamp()
            if second_step:
                session[vendor.SESSION_MFA] = enrolled_key(staff).pk
            session.save()
        return client

    return make


@pytest.fixture
def sent_ticket(make_ticket, champion, admin):
    """A ticket the champion sent to the vendor, assigned to the administrator, with PHI in its description."""
    return make_ticket(
        champion,
        assignee=admin,
        title="Reports page times out",
        description="Client 1001 (Jordan Rivers) report fails",
        send_to_vendor=True,
    )
