"""Laying appointments out for the day, week, month and list views, in the reader's time zone.

The time grid has one CSS grid row per five minutes; an event's position is a pair of classes (``r-<row>``
start, ``s-<rows>`` span) defined in ``calendar-grid.css``, because the Content-Security-Policy forbids inline
styles. Everything here is plain Python over rows the selectors loaded: no queries.
"""

import datetime
import html
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.safestring import mark_safe

from scheduling import policies, recurrence
from scheduling.models import Appointment, BlockedTime, ClinicClosure

ROW_MINUTES = 5
FIRST_HOUR, LAST_HOUR = 7, 20
VIEWS = ("day", "week", "month", "list")


@dataclass
class Event:
    appointment: Appointment
    title: str
    kind: str
    time_label: str
    start_local: datetime.datetime
    end_local: datetime.datetime
    tone: str
    editable: bool
    closed: str = ""
    row: int = 1
    span: int = 1
    clinician_ids: tuple[int, ...] = ()
    url: str = ""
    grid: bool = False

    @property
    def start_iso(self) -> str:
        return self.start_local.strftime("%Y-%m-%dT%H:%M")

    @property
    def end_iso(self) -> str:
        return self.end_local.strftime("%Y-%m-%dT%H:%M")

    def html(self) -> str:
        """The event's link, built here rather than by a template include or ``format_html``: a large clinic's
        week has thousands of them, and this is many times faster. Every text value is escaped."""
        a = self.appointment
        classes = [f"event tone-{self.tone}"]
        if self.grid:
            classes.append(f"r-{self.row} s-{self.span}")
        if self.closed:
            classes.append("flagged")
        if a.status == "cancelled":
            classes.append("cancelled")
        kind = self.kind
        if a.status != "scheduled":
            kind += f" · {a.get_status_display()}"
        if a.double_booked:
            kind += " · double-booked"
        e = html.escape
        flag = f'<span class="event-flag">Clinic closed: {e(self.closed)}</span>' if self.closed else ""
        handle = '<span class="resize" aria-hidden="true"></span>' if self.grid and self.editable else ""
        editable = ' data-editable="1"' if self.editable else ""
        return mark_safe(  # noqa: S308 -- every interpolated value is escaped above or is a number/ISO time
            f'<a draggable="false" class="{e(" ".join(classes))}" href="{e(self.url)}" data-id="{a.pk}" '
            f'data-version="{a.version}" data-start="{self.start_iso}" data-end="{self.end_iso}"{editable} '
            f'aria-describedby="cal-help"><span class="event-time">{e(self.time_label)}</span> '
            f'<span class="event-title">{e(self.title)}</span> <span class="event-kind">{e(kind)}</span>'
            f"{flag}{handle}</a>"
        )


@dataclass
class Block:
    label: str
    row: int
    span: int


@dataclass
class Column:
    label: str
    date: datetime.date
    clinician_id: int | None = None
    room_id: int | None = None
    closure: str = ""
    events: list = field(default_factory=list)
    blocks: list = field(default_factory=list)


@dataclass
class Cell:
    date: datetime.date
    clinician_id: int | None
    in_month: bool = True
    closure: str = ""
    events: list = field(default_factory=list)


def date_range(view: str, anchor: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day shown (inclusive): a day, a Monday-to-Sunday week, or six whole weeks for a month."""
    if view == "day":
        return anchor, anchor
    if view == "month":
        first = anchor.replace(day=1)
        start = first - datetime.timedelta(days=first.weekday())
        return start, start + datetime.timedelta(days=41)
    start = anchor - datetime.timedelta(days=anchor.weekday())
    return start, start + datetime.timedelta(days=6)


def step(view: str, anchor: datetime.date, direction: int) -> datetime.date:
    if view == "day":
        return anchor + datetime.timedelta(days=direction)
    if view == "month":
        month = anchor.month - 1 + direction
        return datetime.date(anchor.year + month // 12, month % 12 + 1, 1)
    return anchor + datetime.timedelta(days=7 * direction)


def utc_bounds(first: datetime.date, last: datetime.date, zone: str):
    start = recurrence.to_utc(datetime.datetime.combine(first, datetime.time()), zone)
    end = recurrence.to_utc(datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time()), zone)
    return start, end


def _clock(moment: datetime.datetime) -> str:
    return moment.strftime("%H:%M")


def events_for(
    appointments: list[Appointment],
    *,
    actor,
    zone: str,
    visible: set[int],
    closures: list[ClinicClosure],
) -> list[Event]:
    """One ``Event`` per appointment: the title is the clients' names where the reader may see them, else
    "Client #number"; group sessions with many clients show the count."""
    events = []
    detail = reverse("scheduling:detail", args=[0]).replace("/0/", "/{}/")
    for a in appointments:
        names = [c.display_name if c.pk in visible else f"Client #{c.number}" for c in a.client_rows]
        if len(names) > 2:
            title = f"{a.appointment_type.name}: {len(names)} clients"
        else:
            title = " & ".join(names) or a.appointment_type.name
        start, end = recurrence.to_local(a.start, zone), recurrence.to_local(a.end, zone)
        clinician_ids = a.clinician_ids
        closed = next((c.name for c in closures if c.covers(start.date(), a.location_id)), "")
        events.append(
            Event(
                appointment=a,
                title=title,
                kind=a.appointment_type.name,
                time_label=f"{_clock(start)}–{_clock(end)}",
                start_local=start,
                end_local=end,
                tone=a.appointment_type.colour,
                editable=a.is_open and policies.can_change(actor, clinician_ids),
                closed=closed,
                clinician_ids=clinician_ids,
                url=detail.format(a.pk),
            )
        )
    return events


def hour_span(events: list[Event]) -> tuple[int, int]:
    """The hours the time grid shows: 07:00 to 20:00, widened to fit earlier or later appointments."""
    first, last = FIRST_HOUR, LAST_HOUR
    for e in events:
        if e.start_local.date() == e.end_local.date():
            first = min(first, e.start_local.hour)
            last = max(last, math.ceil(e.end_local.hour + e.end_local.minute / 60))
    return first, min(last, 24)


def place(column: Column, event: Event, first_hour: int, last_hour: int) -> None:
    """Give an event its grid row and span inside ``column`` (clipped to the hours shown)."""
    day_start = datetime.datetime.combine(column.date, datetime.time(first_hour))
    rows = (last_hour - first_hour) * 60 // ROW_MINUTES
    top = (event.start_local - day_start).total_seconds() / 60 / ROW_MINUTES
    bottom = (event.end_local - day_start).total_seconds() / 60 / ROW_MINUTES
    top, bottom = max(0, int(top)), min(rows, math.ceil(bottom))
    event.row, event.span, event.grid = top + 1, max(1, bottom - top), True
    column.events.append(event)


def place_block(column: Column, block: BlockedTime, zone: str, first_hour: int, last_hour: int) -> None:
    day_start = datetime.datetime.combine(column.date, datetime.time(first_hour))
    rows = (last_hour - first_hour) * 60 // ROW_MINUTES
    start, end = recurrence.to_local(block.start, zone), recurrence.to_local(block.end, zone)
    top = max(0, int((start - day_start).total_seconds() / 60 / ROW_MINUTES))
    bottom = min(rows, math.ceil((end - day_start).total_seconds() / 60 / ROW_MINUTES))
    if bottom > top:
        column.blocks.append(Block(block.reason or "Unavailable", top + 1, bottom - top))


def closure_label(closures: list[ClinicClosure], day: datetime.date) -> str:
    names = [
        c.name if c.location_id is None else f"{c.name} ({c.location.name})"
        for c in closures
        if c.start_date <= day <= c.end_date
    ]
    return "; ".join(names)


def by_day(events: list[Event]) -> dict[datetime.date, list[Event]]:
    days = defaultdict(list)
    for e in events:
        days[e.start_local.date()].append(e)
    return days
