"""Reads of the audit log for the administrators' report and its CSV export."""

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from audit.models import AuditEvent
from core.clinic_time import clinic_zone

SORTS = {
    "newest": ("-occurred_at", "-id"),
    "oldest": ("occurred_at", "id"),
    "user": ("actor_label", "-occurred_at", "-id"),
    "action": ("action", "-occurred_at", "-id"),
}


def client_id_for_number(number: int) -> int | None:
    """The id of the clinic's client with this number (clinic in context), or None."""
    from clients.records.models import Client

    return Client.objects.filter(number=number).values_list("pk", flat=True).first()


def client_numbers(client_ids: Iterable[int | None]) -> dict[int, int]:
    """``{client id: client number}`` in one query. Only numbers are read, never names or chart data, which is
    why this bypasses the chart access helper: the report shows who touched which client, not the client."""
    from clients.records.models import Client

    ids = {pk for pk in client_ids if pk is not None}
    if not ids:
        return {}
    return dict(Client.objects.filter(pk__in=ids).values_list("pk", "number"))


def _local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def audit_events(organization, filters: dict) -> QuerySet:
    """The clinic's events matching cleaned filters (see ``AuditFilterForm``), in the requested order.

    Dates are whole days in the clinic's time zone: ``start`` from its midnight, ``end`` up to (not including)
    the next day's midnight. The explicit ``organization`` filter matters: ``AuditEvent`` has no tenant manager
    (system events have no clinic); on PostgreSQL row-level security agrees.
    """
    events = AuditEvent.objects.filter(organization=organization)
    if filters.get("user") is not None:
        events = events.filter(actor_id=filters["user"])
    if filters.get("client") is not None:
        events = events.filter(client_id=filters["client"])
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("outcome"):
        events = events.filter(outcome=filters["outcome"])
    zone = clinic_zone(organization)
    if filters.get("start"):
        events = events.filter(occurred_at__gte=_local_midnight(filters["start"], zone))
    if filters.get("end"):
        events = events.filter(occurred_at__lt=_local_midnight(filters["end"] + dt.timedelta(days=1), zone))
    return events.order_by(*SORTS[filters.get("sort") or "newest"])
