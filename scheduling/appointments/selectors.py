"""Reads of the calendar with their permission rules: whose names a person may see, which appointments fall in a
range (a fixed number of queries however many there are), a client's attendance."""

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    FloatField,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)

from accounts.people.models import Membership
from accounts.roles import Role
from clients.access import visible_clients
from clients.records.models import Client
from core.clinic_time import clinic_zone
from scheduling import policies
from scheduling.appointments.models import (
    MAX_DURATION,
    OPEN_STATUSES,
    Appointment,
    AppointmentClient,
    AppointmentClinician,
    CalendarPreference,
    ClinicClosure,
    Status,
)
from scheduling.availability.models import BlockedTime


def display_zone(actor: Membership | None, organization) -> str:
    """The time zone a person reads the calendar in: their own choice, else the clinic's."""
    if actor is not None:
        pref = CalendarPreference.objects.filter(membership=actor).only("time_zone").first()
        if pref and pref.time_zone:
            return pref.time_zone
    return clinic_zone(organization).key


def reader_zone(request) -> str:
    """``display_zone`` for the person making ``request``."""
    return display_zone(request.membership, request.organization)


def visible_client_ids(actor: Membership | None, client_ids: Iterable[int]) -> set[int]:
    """Which of ``client_ids`` the person may see by name: all for front desk, billing and administrators; a
    clinician's caseload (primary clinician or current care team) otherwise."""
    ids = set(client_ids)
    if not ids or actor is None:
        return set()
    if policies.sees_all_client_names(actor):
        return ids
    if not actor.has_role(*policies.CLINICAL):
        return set()
    # The chart's own caseload rule (current care team only), so the calendar never shows more than the chart would.
    return set(visible_clients(actor).filter(pk__in=ids).values_list("pk", flat=True))


def clinician_queryset() -> QuerySet:
    """Active staff who take appointments, unevaluated: a form's hidden clinician field never runs it."""
    return (
        Membership.objects.filter(is_active=True, role_assignments__role__in=[Role.CLINICIAN, Role.SUPERVISOR])
        .select_related("user")
        .distinct()
    )


def clinicians() -> list[Membership]:
    """Active staff who take appointments, by name."""
    return list(clinician_queryset().order_by("user__full_name", "pk"))


class ClientRow(NamedTuple):
    """Just what the calendar shows of a client: number and name (shown only where allowed)."""

    pk: int
    number: int
    display_name: str


@dataclass(slots=True)
class CalendarRow:
    """One appointment as the calendar draws it: plain values, not a model instance, because a large clinic's
    week has thousands of them and building instances (with their type, location and room) cost more than
    everything else on the page. ``start`` and ``end`` are aware datetimes in the reader's time zone."""

    pk: int
    version: int
    start: datetime.datetime
    end: datetime.datetime
    status: str
    double_booked: bool
    location_id: int
    location_name: str
    room_name: str | None
    type_name: str
    colour: str
    client_rows: list[ClientRow] = field(default_factory=list)
    clinician_ids: tuple[int, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def status_label(self) -> str:
        return Status(self.status).label


class EpochSeconds(Func):
    """A timestamp as seconds since 1970. Drivers read numbers far faster than timestamps (Django's time-zone
    aware loader for PostgreSQL is pure Python): on a week of a large clinic that was a fifth of the page."""

    output_field = FloatField()
    # SQLite (Django stores UTC text there): days since the Julian epoch, whose 1970-01-01 is 2440587.5.
    template = "((julianday(%(expressions)s) - 2440587.5) * 86400)"

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::float8")


class AmongIds(Func):
    """``expression IN ids`` with the ids as one array parameter on PostgreSQL. Django and the driver handle a
    parameter per id slowly (a week of a large clinic has thousands), and a join back to the range instead
    misleads the planner into reading every link of the clinic."""

    output_field = BooleanField()

    def __init__(self, expression, ids: list[int]):
        super().__init__(expression)
        self.ids = ids

    # Django's compiler calls as_sql(compiler, connection): no template or function to pass, unlike Func's.
    def as_sql(self, compiler, connection, **extra):  # type: ignore[override]
        if not self.ids:
            raise EmptyResultSet  # as Django's own ``__in=[]``: nothing matches
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{sql} IN ({', '.join(['%s'] * len(self.ids))})", (*params, *self.ids)

    def as_postgresql(self, compiler, connection, **extra):
        # As array text: the driver adapts a list of ints element by element, which cost more than the query.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{sql} = ANY(%s::bigint[])", (*params, "{" + ",".join(map(str, self.ids)) + "}")


def _in_range(
    start: datetime.datetime,
    end: datetime.datetime,
    clinician_ids: Iterable[int] | None,
    room_id: int | None,
    include_cancelled: bool,
) -> Q:
    """Appointments overlapping [start, end) of any of some clinicians, or of a room.

    No appointment lasts longer than ``MAX_DURATION`` (``services.check_duration`` refuses it), so one that
    overlaps the range starts at most that long before it. Saying so lets the (organization, start) index read
    just the range, instead of every appointment since the clinic opened that merely starts before its end.
    """
    earliest = start - datetime.timedelta(minutes=MAX_DURATION)
    condition = Q(start__gte=earliest, start__lt=end, end__gt=start)
    if clinician_ids is not None:
        chosen = AppointmentClinician.objects.filter(appointment=OuterRef("pk"), clinician_id__in=list(clinician_ids))
        condition &= Exists(chosen)  # type: ignore[assignment]  # a Q at run time; the stubs' Q.__and__ takes Q only
    if room_id is not None:
        condition &= Q(room_id=room_id)
    if not include_cancelled:
        condition &= ~Q(status=Status.CANCELLED)
    return condition


def calendar_rows(
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    zone: str,
    clinician_ids: Iterable[int] | None = None,
    room_id: int | None = None,
    include_cancelled: bool = True,
) -> list[CalendarRow]:
    """Appointments overlapping [start, end) of some clinicians (any of them) or a room, in start order, with
    times in ``zone``: three queries, whatever the count (one when there are none)."""
    tz = zoneinfo.ZoneInfo(zone)
    local: dict[float, datetime.datetime] = {}  # appointments share start and end times; convert each once

    def at(seconds: float) -> datetime.datetime:
        moment = local.get(seconds)
        if moment is None:
            moment = local[seconds] = datetime.datetime.fromtimestamp(round(seconds), tz)
        return moment

    query = (
        Appointment.objects.filter(_in_range(start, end, clinician_ids, room_id, include_cancelled))
        .annotate(start_s=EpochSeconds("start"), end_s=EpochSeconds("end"))
        .order_by("start", "pk")
        .values_list(
            "pk",
            "version",
            "start_s",
            "end_s",
            "status",
            "double_booked",
            "location_id",
            "location__name",
            "room__name",
            "appointment_type__name",
            "appointment_type__colour",
        )
    )
    rows = [CalendarRow(pk, version, at(start_s), at(end_s), *rest) for pk, version, start_s, end_s, *rest in query]
    if not rows:
        return rows
    ids = [row.pk for row in rows]
    clients: dict[int, list[ClientRow]] = defaultdict(list)
    for appointment_id, pk, number, first, preferred, last in (
        AppointmentClient.objects.filter(AmongIds("appointment_id", ids))
        .order_by("client__number")
        .values_list(
            "appointment_id",
            "client_id",
            "client__number",
            "client__legal_first_name",
            "client__preferred_name",
            "client__legal_last_name",
        )
    ):
        clients[appointment_id].append(ClientRow(pk, number, f"{preferred or first} {last}"))
    clinicians: dict[int, list[int]] = defaultdict(list)
    for appointment_id, clinician_id in (
        AppointmentClinician.objects.filter(AmongIds("appointment_id", ids))
        .order_by("clinician_id")
        .values_list("appointment_id", "clinician_id")
    ):
        clinicians[appointment_id].append(clinician_id)
    for row in rows:
        row.client_rows = clients.get(row.pk, [])
        row.clinician_ids = tuple(clinicians.get(row.pk, ()))
    return rows


def blocked_between(start, end, clinician_ids: Iterable[int]) -> list[BlockedTime]:
    return list(BlockedTime.objects.filter(clinician_id__in=list(clinician_ids), start__lt=end, end__gt=start))


def closures_between(first: datetime.date, last: datetime.date) -> list[ClinicClosure]:
    return list(ClinicClosure.objects.filter(start_date__lte=last, end_date__gte=first).select_related("location"))


@dataclass(frozen=True)
class Attendance:
    """A client's attendance over past appointments; rates are of the appointments that were due."""

    attended: int
    cancelled: int
    late_cancelled: int
    no_show: int

    @property
    def due(self) -> int:
        return self.attended + self.cancelled + self.no_show

    def rate(self, count: int) -> str:
        return f"{round(100 * count / self.due)}%" if self.due else "—"

    @property
    def attended_rate(self) -> str:
        return self.rate(self.attended)

    @property
    def cancelled_rate(self) -> str:
        return self.rate(self.cancelled)

    @property
    def late_cancelled_rate(self) -> str:
        return self.rate(self.late_cancelled)

    @property
    def no_show_rate(self) -> str:
        return self.rate(self.no_show)


def attendance(client: Client, now: datetime.datetime) -> Attendance:
    """The client's attendance over all their appointments, counted in one query however many there are."""
    cancelled = Q(status=Status.CANCELLED)
    counts = Appointment.objects.filter(client_links__client=client).aggregate(
        attended=Count("pk", filter=Q(status__in=(Status.ARRIVED, Status.COMPLETED))),
        cancelled=Count("pk", filter=cancelled & (Q(start__lte=now) | Q(late_cancellation=True))),
        late_cancelled=Count("pk", filter=cancelled & Q(late_cancellation=True)),
        no_show=Count("pk", filter=Q(status=Status.NO_SHOW)),
    )
    return Attendance(**counts)


def client_appointments(client: Client, now: datetime.datetime, *, upcoming: bool) -> QuerySet[Appointment]:
    """A client's upcoming appointments (not yet ended, soonest first) or past ones (latest first), with type and
    location: page it with ``core.paging``, then load the pages' clinicians with ``load_clinicians``."""
    ordering = ("start", "pk") if upcoming else ("-start", "-pk")
    return (
        Appointment.objects.filter(client_links__client=client)
        .filter(Q(end__gt=now) if upcoming else Q(end__lte=now))
        .select_related("appointment_type", "location", "room")
        .order_by(*ordering)
    )


def load_clinicians(appointments: Iterable[Appointment]) -> None:
    """Load the clinicians (and their names) of all ``appointments`` in one query, whichever lists they are in."""
    prefetch_related_objects(
        list(appointments), Prefetch("clinician_links", AppointmentClinician.objects.select_related("clinician__user"))
    )
