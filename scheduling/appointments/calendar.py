"""Laying appointments out for the day, week, month and list views, in the reader's time zone.

The time grid has one CSS grid row per five minutes; an event's position is a pair of classes (``r-<row>``
start, ``s-<rows>`` span) defined in ``calendar-grid.css``, because the Content-Security-Policy forbids inline
styles. Everything here is plain Python over rows the selectors loaded: no queries.
"""

import datetime
import functools
import gc
import html
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.safestring import mark_safe

from scheduling import policies
from scheduling.appointments import recurrence
from scheduling.appointments.models import ClinicClosure
from scheduling.appointments.selectors import CalendarRow
from scheduling.availability.models import BlockedTime

ROW_MINUTES = 5
FIRST_HOUR, LAST_HOUR = 7, 20
VIEWS = ("day", "week", "month", "list")


RESIZE_HANDLE = '<span class="resize" aria-hidden="true"></span>'
EDITABLE = ' data-editable="1"'


@dataclass(slots=True)
class Event:
    """An appointment placed on the calendar: its texts in the reader's time zone, and where it sits.

    ``classes`` and ``body`` hold the event link's markup except its grid position, escaped once by
    ``events_for``: a large clinic's week has thousands of events, and a template include (or ``format_html``)
    per event took most of the page's time.
    """

    appointment: CalendarRow
    title: str
    kind: str
    time_label: str
    start_local: datetime.datetime
    end_local: datetime.datetime
    start_iso: str
    end_iso: str
    editable: bool
    closed: str
    clinician_ids: tuple[int, ...]
    classes: str
    body: str
    row: int = 1
    span: int = 1
    grid: bool = False
    href: str = ""
    inner: str = ""  # the link's content (time, title, kind, flag), reused by a continuation

    def markup(self) -> str:
        """The event's link: ``classes`` and ``body`` are escaped already; row and span are numbers."""
        if self.grid:
            handle = RESIZE_HANDLE if self.editable else ""
            return f'<a draggable="false" class="{self.classes} r-{self.row} s-{self.span}{self.body}{handle}</a>'
        return f'<a draggable="false" class="{self.classes}{self.body}</a>'


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _iso(moment: datetime.datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:{moment.minute:02d}"


def options_html(choices: list[tuple[str, str, bool]]) -> str:
    """A select's options from (value, label, selected): the filter lists every clinician and room, and a
    template loop over them cost more than the rest of a small calendar's page."""
    return mark_safe(  # noqa: S308 -- values and labels are escaped
        "".join(
            f'<option value="{_e(value)}"{" selected" if selected else ""}>{_e(label)}</option>'
            for value, label, selected in choices
        )
    )


def events_html(events: list[Event]) -> str:
    """The links of several events, as one string (a template loop over thousands of them is slow)."""
    return mark_safe("".join([e.markup() for e in events]))  # noqa: S308 -- Event.markup is escaped


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

    def markup(self, first_hour: int, hour_rows: int) -> str:
        """The time grid's column (built here for the same reason as ``Event.markup``)."""
        closed = ", clinic closed" if self.closure else ""
        flag = f'<span class="closed">Closed: {_e(self.closure)}</span>' if self.closure else ""
        clinician = f' data-clinician="{self.clinician_id}"' if self.clinician_id else ""
        blocks = "".join(f'<div class="blocked r-{b.row} s-{b.span}">{_e(b.label)}</div>' for b in self.blocks)
        events = "".join([e.markup() for e in self.events])
        return (
            f'<section class="cal-column" aria-label="{_e(self.label)}{closed}">'
            f'<h3 class="cal-head">{_e(self.label)}{flag}</h3>'
            f'<div class="cal-slots h-{hour_rows}" data-date="{self.date.isoformat()}" data-first-hour="{first_hour}"'
            f"{clinician}>{blocks}{events}</div></section>"
        )


@dataclass
class Cell:
    date: datetime.date
    clinician_id: int | None
    in_month: bool = True
    closure: str = ""
    events: list = field(default_factory=list)

    @property
    def events_html(self) -> str:
        return events_html(self.events)

    def markup(self) -> str:
        """The week table's cell of one clinician and day (built here for the same reason as ``Event.html``)."""
        closed = f'<span class="closed">Closed: {_e(self.closure)}</span>' if self.closure else ""
        return (
            f'<td class="cal-cell{" closed-day" if self.closure else ""}" data-date="{self.date.isoformat()}" '
            f'data-clinician="{self.clinician_id}">{closed}{"".join(e.markup() for e in self.events)}</td>'
        )


def collector_paused(view):
    """Pause Python's cyclic garbage collector while a calendar page is built (a decorator for its view).

    A week of 50 clinicians allocates over ten thousand small objects that live until the view returns. Every
    700 of them set off a collection, and those promote them until a full one walks the whole heap: measured,
    that was a quarter of the page's time. None of them form cycles, so reference counting frees them when the
    view returns, and by the time the collector resumes there is nothing left for it to do.
    """

    @functools.wraps(view)
    def paused(*args, **kwargs):
        was_enabled = gc.isenabled()  # someone may have disabled it on purpose: leave that alone
        if was_enabled:
            gc.disable()
        try:
            return view(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused


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
    return f"{moment.hour:02d}:{moment.minute:02d}"


def events_for(
    appointments: list[CalendarRow],
    *,
    actor,
    visible: set[int],
    closures: list[ClinicClosure],
) -> list[Event]:
    """One ``Event`` per appointment: the title is the clients' names where the reader may see them, else
    "Client #number"; group sessions with many clients show the count.

    Appointments share times, types and clinicians, so what derives from those alone is worked out once.
    """
    events = []
    detail = reverse("scheduling:detail", args=[0]).replace("/0/", "/{}/")
    times: dict = {}
    kinds: dict = {}
    may_change: dict[tuple[int, ...], bool] = {}  # the policy's answer depends only on the clinicians
    for a in appointments:
        names = [c.display_name if c.pk in visible else f"Client #{c.number}" for c in a.client_rows]
        title = f"{a.type_name}: {len(names)} clients" if len(names) > 2 else (" & ".join(names) or a.type_name)
        when = times.get((a.start, a.end))
        if when is None:
            start, end = a.start.replace(tzinfo=None), a.end.replace(tzinfo=None)
            when = times[a.start, a.end] = (start, end, f"{_clock(start)}–{_clock(end)}", _iso(start), _iso(end))
        start, end, time_label, start_iso, end_iso = when
        closed = next((c.name for c in closures if c.covers(start.date(), a.location_id)), "") if closures else ""
        editable = False
        if a.is_open:
            editable = may_change.get(a.clinician_ids)
            if editable is None:
                editable = may_change[a.clinician_ids] = policies.can_change(actor, a.clinician_ids)
        kind = kinds.get((a.type_name, a.colour, a.status, a.double_booked))
        if kind is None:
            label = a.type_name
            if a.status != "scheduled":
                label += f" · {a.status_label}"
            if a.double_booked:
                label += " · double-booked"
            cancelled = " cancelled" if a.status == "cancelled" else ""
            kind = kinds[a.type_name, a.colour, a.status, a.double_booked] = (
                _e(f"event tone-{a.colour}{cancelled}"),
                _e(label),
            )
        classes, kind_html = kind
        if closed:
            classes += " flagged"
            flag = f'<span class="event-flag">Clinic closed: {_e(closed)}</span>'
        else:
            flag = ""
        href = detail.format(a.pk)
        inner = (
            f'<span class="event-time">{time_label}</span> <span class="event-title">{_e(title)}</span> '
            f'<span class="event-kind">{kind_html}</span>{flag}'
        )
        body = (
            f'" href="{href}" data-id="{a.pk}" data-version="{a.version}" data-start="{start_iso}" '
            f'data-end="{end_iso}"{EDITABLE if editable else ""} aria-describedby="cal-help">{inner}'
        )
        events.append(
            Event(
                a,
                title,
                a.type_name,
                time_label,
                start,
                end,
                start_iso,
                end_iso,
                editable,
                closed,
                a.clinician_ids,
                classes,
                body,
                href=href,
                inner=inner,
            )
        )
    return events


def continuation(event: Event, day: datetime.date) -> Event:
    """The part of an appointment that runs past midnight (in the reader's zone) into ``day``, drawn from the
    top of that day's column and saying where it began. It is a link to the appointment, not draggable: a drag
    or arrow key on it would compute the new start from this segment's position, not the appointment's."""
    began = event.start_local
    body = (
        f'" href="{event.href}" data-continued="1">'
        f'<span class="event-continued">Continued from {began:%a %b} {began.day}:</span> {event.inner}'
    )
    return Event(
        event.appointment,
        event.title,
        event.kind,
        event.time_label,
        datetime.datetime.combine(day, datetime.time()),
        event.end_local,
        event.start_iso,
        event.end_iso,
        False,
        event.closed,
        event.clinician_ids,
        event.classes + " continued",
        body,
        href=event.href,
        inner=event.inner,
    )


def segments(events: list[Event], first: datetime.date, last: datetime.date) -> list[tuple[datetime.date, Event]]:
    """Each event with the shown day (``first`` to ``last``) it is drawn on: its start day, and a continuation on
    each later day it runs into, so an appointment from 23:00 to 01:00 shows on both days of the grid."""
    shown = []
    for e in events:
        day = e.start_local.date()
        if first <= day <= last:
            shown.append((day, e))
        if e.end_local.date() != day:  # past midnight (rare): until the day holding its last minute
            last_day = (e.end_local - datetime.timedelta(microseconds=1)).date()
            later = day + datetime.timedelta(days=1)
            while later <= last_day:
                if first <= later <= last:
                    shown.append((later, continuation(e, later)))
                later += datetime.timedelta(days=1)
    return shown


def hour_span(shown: list[tuple[datetime.date, Event]]) -> tuple[int, int]:
    """The hours the time grid shows: 07:00 to 20:00, widened to fit earlier or later appointments (a part
    drawn on a day runs from its start, or midnight for a continuation, to its end or midnight)."""
    first, last = FIRST_HOUR, LAST_HOUR
    for day, e in shown:
        start, end = e.start_local, e.end_local
        first = min(first, start.hour)
        if end.date() == day:
            last = max(last, math.ceil(end.hour + end.minute / 60))
        elif end.date() > day:
            last = 24
    return first, min(last, 24)


def place(column: Column, event: Event, first_hour: int, last_hour: int) -> None:
    """Give an event its grid row and span inside ``column`` (clipped to the hours shown)."""
    day_start = datetime.datetime.combine(column.date, datetime.time(first_hour))
    rows = (last_hour - first_hour) * 60 // ROW_MINUTES
    top = (event.start_local - day_start).total_seconds() / 60 / ROW_MINUTES
    bottom = (event.end_local - day_start).total_seconds() / 60 / ROW_MINUTES
    # Clipped to the hours shown, never off the grid: at least one row at its edge.
    top = min(max(0, int(top)), rows - 1)
    bottom = max(min(rows, math.ceil(bottom)), top + 1)
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
