"""Reads of the calendar with their permission rules: whose names a person may see, which appointments fall in a
range (a fixed number of queries however many there are), a client's attendance."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch

from accounts.models import Membership
from accounts.roles import Role
from clients.access import visible_clients
from clients.models import Client
from scheduling import policies
from scheduling.models import (
    Appointment,
    AppointmentClient,
    AppointmentClinician,
    BlockedTime,
    CalendarPreference,
    ClinicClosure,
    Status,
)


def display_zone(actor: Membership | None, organization) -> str:
    """The time zone a person reads the calendar in: their own choice, else the clinic's."""
    if actor is not None:
        pref = CalendarPreference.objects.filter(membership=actor).only("time_zone").first()
        if pref and pref.time_zone:
            return pref.time_zone
    return organization.time_zone


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


def clinicians() -> list[Membership]:
    """Active staff who take appointments, by name."""
    return list(
        Membership.objects.filter(is_active=True, role_assignments__role__in=[Role.CLINICIAN, Role.SUPERVISOR])
        .select_related("user")
        .prefetch_related("role_assignments")
        .distinct()
        .order_by("user__full_name", "pk")
    )


@dataclass(frozen=True)
class ClientRow:
    """Just what the calendar shows of a client: number and name (shown only where allowed)."""

    pk: int
    number: int
    display_name: str


def appointments_between(
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    clinician_ids: Iterable[int] | None = None,
    room_id: int | None = None,
    include_cancelled: bool = True,
) -> list[Appointment]:
    """Appointments overlapping [start, end) for some clinicians or a room: three queries, whatever the count.

    Each carries ``client_rows`` (``ClientRow`` tuples) and ``clinician_ids``, read as plain values rather than
    prefetched model instances, because a busy week of a large clinic has thousands of them.
    """
    query = Appointment.objects.filter(start__lt=end, end__gt=start)
    if clinician_ids is not None:
        # From the clinicians' links (indexed by clinician) to their appointments in range: far fewer rows than
        # every appointment of the range, or every appointment of the clinicians.
        in_range = AppointmentClinician.objects.filter(
            clinician_id__in=list(clinician_ids), appointment__start__lt=end, appointment__end__gt=start
        )
        query = query.filter(pk__in=list(in_range.values_list("appointment_id", flat=True).distinct()))
    if room_id is not None:
        query = query.filter(room_id=room_id)
    if not include_cancelled:
        query = query.exclude(status=Status.CANCELLED)
    appointments = list(query.select_related("appointment_type", "room", "location").order_by("start", "pk"))
    ids = [a.pk for a in appointments]
    clients: dict[int, list[ClientRow]] = defaultdict(list)
    for appointment_id, pk, number, first, preferred, last in (
        AppointmentClient.objects.filter(appointment__in=ids)
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
        AppointmentClinician.objects.filter(appointment__in=ids)
        .order_by("clinician_id")
        .values_list("appointment_id", "clinician_id")
    ):
        clinicians[appointment_id].append(clinician_id)
    for a in appointments:
        a.client_rows = clients.get(a.pk, [])
        a.clinician_ids = tuple(clinicians.get(a.pk, ()))
    return appointments


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


def attendance(appointments: Iterable[Appointment], now: datetime.datetime) -> Attendance:
    attended = cancelled = late = no_show = 0
    for a in appointments:
        if a.status in (Status.ARRIVED, Status.COMPLETED):
            attended += 1
        elif a.status == Status.NO_SHOW:
            no_show += 1
        elif a.status == Status.CANCELLED and a.start <= now:
            cancelled += 1
            late += a.late_cancellation
        elif a.status == Status.CANCELLED and a.late_cancellation:
            cancelled += 1
            late += 1
    return Attendance(attended, cancelled, late, no_show)


def client_appointments(client: Client) -> list[Appointment]:
    """All of a client's appointments, with type, location and clinicians' names (three queries)."""
    return list(
        Appointment.objects.filter(client_links__client=client)
        .select_related("appointment_type", "location", "room")
        .prefetch_related(Prefetch("clinician_links", AppointmentClinician.objects.select_related("clinician__user")))
        .order_by("start", "pk")
    )
