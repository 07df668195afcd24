"""Fixtures for the console tests: vendor staff, a client on the support host signed in as them, and a ticket
a clinic sent to the vendor (made with the tickets app's factory)."""

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD
from console.mfa.models import VendorTotpKey
from console.signin import services as vendor
from tickets.tests.conftest import make_ticket  # noqa: F401  (the tickets app's factory, reused)

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
def sent_ticket(make_ticket, champion, admin):  # noqa: F811  (the fixture imported above)
    """A ticket the champion sent to the vendor, assigned to the administrator, with PHI in its description."""
    return make_ticket(
        champion,
        assignee=admin,
        title="Reports page times out",
        description="Client 1001 (Jordan Rivers) report fails",
        send_to_vendor=True,
    )
