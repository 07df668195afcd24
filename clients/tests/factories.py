"""Building clients for tests: one function, so every test's chart client is made the same way."""

import datetime

from django.db import transaction

from clients.records import services
from clients.records.models import Client
from tenancy.context import tenant_context

BORN = datetime.date(1990, 4, 12)


def create_client(
    organization, first="Jordan", last="Rivers", primary=None, born=BORN, number: int | None = None, **extra
) -> Client:
    """An active client of ``organization``, numbered from the clinic's sequence unless ``number`` is given."""
    with tenant_context(organization), transaction.atomic():
        return Client.objects.create(
            number=number if number is not None else services.next_client_number(),
            legal_first_name=first,
            legal_last_name=last,
            date_of_birth=born,
            primary_clinician=primary,
            status="active",
            **extra,
        )
