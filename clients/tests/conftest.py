"""Fixtures shared by the clients tests: a client factory and a payer."""

import datetime

import pytest

from clients.amendments import services as amendments
from clients.insurance.models import Payer
from clients.tests.factories import create_client
from tenancy.context import tenant_context

AMENDMENT_RECEIVED = datetime.date(2026, 3, 2)


@pytest.fixture
def make_chart_client(db):
    return create_client


@pytest.fixture
def request_amendment(org):
    """``request_amendment(record, member, section=…, received_on=…, document=…)`` through the service."""

    def make(record, member, section="clinical", received_on=AMENDMENT_RECEIVED, document=None, today=None, **data):
        with tenant_context(org):
            return amendments.record_request(
                record,
                actor=member,
                data={
                    "section": section,
                    "record_description": data.pop("record_description", "progress note of 2026-03-02"),
                    "document": document,
                    "requested_change": data.pop("requested_change", "I said I sleep 6 hours, not 3."),
                    "client_reason": "",
                    "received_on": received_on,
                    **data,
                },
                today=today or received_on,
            )

    return make


@pytest.fixture
def make_payer(db):
    def make(organization, name="Blue Valley Health", payer_id="BVH01"):
        with tenant_context(organization):
            return Payer.objects.create(name=name, payer_id=payer_id, city="Springfield", state="IL")

    return make


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` earlier (Feb 28 for a Feb 29 that year lacks): a birthday "today"."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
