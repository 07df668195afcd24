"""Recurring series in RFC 5545 terms, expanded with ``dateutil.rrule`` in the clinic's wall-clock time.

A rule is expanded as naive local datetimes (10:00 every Tuesday) and only then given the clinic's zone, so a
series keeps its 10:00 across daylight-saving changes instead of drifting by an hour. A local time that does
not exist (the skipped hour of a spring-forward night) lands an hour later, as a wall clock would show it; an
ambiguous one (the repeated hour in the fall) is the first of the two.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field
from itertools import islice

from dateutil import rrule
from django.core.exceptions import ValidationError

MAX_OCCURRENCES = 200
MAX_SPAN_DAYS = 2 * 366
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", -1: "last"}


@dataclass(frozen=True)
class Rule:
    """FREQ/INTERVAL/BYDAY/UNTIL/COUNT of one series. ``weekdays`` uses 0 = Monday; ``monthly_mode`` is
    ``day`` (BYMONTHDAY of the first date) or ``weekday`` (its nth weekday, BYDAY=2TU)."""

    frequency: str
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    monthly_mode: str = ""
    until: datetime.date | None = None
    count: int | None = None
    excluded: tuple[datetime.datetime, ...] = field(default=())

    @classmethod
    def of(cls, series) -> "Rule":
        excluded = tuple(datetime.datetime.fromisoformat(value) for value in series.excluded)
        return cls(
            series.frequency,
            series.interval,
            tuple(series.weekdays),
            series.monthly_mode,
            series.until,
            series.count,
            excluded,
        )


def nth_weekday(day: datetime.date) -> int:
    """Which weekday of its month ``day`` is: 1 to 4, or -1 when it is the last (a 5th is always the last)."""
    n = (day.day - 1) // 7 + 1
    return -1 if n == 5 else n


def validate(rule: Rule, first: datetime.date) -> None:
    """Refuse rules that never end, run too long, or would silently skip months; messages say what to change."""
    errors = []
    if rule.frequency not in ("WEEKLY", "MONTHLY"):
        errors.append("Choose weekly or monthly repetition.")
    if rule.until is None and rule.count is None:
        errors.append("A series must end: give an end date or a number of occurrences.")
    if rule.until is not None and rule.count is not None:
        errors.append("Give either an end date or a number of occurrences, not both.")
    if rule.count is not None and not 1 <= rule.count <= MAX_OCCURRENCES:
        errors.append(f"A series has 1 to {MAX_OCCURRENCES} occurrences.")
    if rule.until is not None:
        if rule.until < first:
            errors.append("The series' end date is before its first appointment.")
        elif (rule.until - first).days > MAX_SPAN_DAYS:
            errors.append("A series can run for at most two years; book a new one when it ends.")
    if not 1 <= rule.interval <= 12:
        errors.append("Repeat every 1 to 12 weeks or months.")
    if rule.frequency == "WEEKLY" and any(not 0 <= d <= 6 for d in rule.weekdays):
        errors.append("Choose days of the week.")
    if rule.frequency == "MONTHLY":
        if rule.monthly_mode not in ("day", "weekday"):
            errors.append("Choose monthly on the same date or on the same weekday.")
        elif rule.monthly_mode == "day" and first.day > 28:
            errors.append(
                f"Not every month has a day {first.day}, so some months would be skipped: "
                "start on day 1–28, or repeat on the same weekday (e.g. the last Friday)."
            )
    if errors:
        raise ValidationError(errors)


def _rrule(rule: Rule, first: datetime.date, start_time: datetime.time) -> rrule.rrule:
    kwargs = {
        "dtstart": datetime.datetime.combine(first, start_time),
        "interval": rule.interval,
        "wkst": rrule.MO,
    }
    if rule.count is not None:
        kwargs["count"] = rule.count
    else:
        kwargs["until"] = datetime.datetime.combine(rule.until, datetime.time.max)
    if rule.frequency == "WEEKLY":
        days = sorted(set(rule.weekdays) or {first.weekday()})
        return rrule.rrule(rrule.WEEKLY, byweekday=days, **kwargs)
    if rule.monthly_mode == "day":
        return rrule.rrule(rrule.MONTHLY, bymonthday=first.day, **kwargs)
    return rrule.rrule(rrule.MONTHLY, byweekday=rrule.weekday(first.weekday(), nth_weekday(first)), **kwargs)


def instances(rule: Rule, first: datetime.date, start_time: datetime.time) -> list[datetime.datetime]:
    """Every instance the rule makes (naive local wall-clock times), EXDATEs included, in order.

    COUNT counts these, as RFC 5545 does, so a skipped (excluded) date still uses up one of the count.
    """
    made = list(islice(_rrule(rule, first, start_time), MAX_OCCURRENCES + 1))
    if len(made) > MAX_OCCURRENCES:
        raise ValidationError(f"This series would make more than {MAX_OCCURRENCES} appointments; end it sooner.")
    return made


def occurrences(rule: Rule, first: datetime.date, start_time: datetime.time) -> list[datetime.datetime]:
    """The instances minus EXDATEs: the local start of every appointment the series holds."""
    excluded = set(rule.excluded)
    return [moment for moment in instances(rule, first, start_time) if moment not in excluded]


def to_utc(local: datetime.datetime, zone: str) -> datetime.datetime:
    """A naive wall-clock time in ``zone`` → an aware UTC datetime (a nonexistent time moves an hour on)."""
    aware = local.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    return aware.astimezone(datetime.UTC)


def to_local(moment: datetime.datetime, zone: str) -> datetime.datetime:
    """An aware datetime → the naive wall-clock time in ``zone``."""
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)


def rrule_text(rule: Rule, first: datetime.date) -> str:
    """The RRULE value (RFC 5545, section 3.3.10) for export and display."""
    parts = [f"FREQ={rule.frequency}"]
    if rule.interval != 1:
        parts.append(f"INTERVAL={rule.interval}")
    if rule.frequency == "WEEKLY":
        parts.append("BYDAY=" + ",".join(DAY_CODES[d] for d in sorted(set(rule.weekdays) or {first.weekday()})))
    elif rule.monthly_mode == "day":
        parts.append(f"BYMONTHDAY={first.day}")
    else:
        parts.append(f"BYDAY={nth_weekday(first)}{DAY_CODES[first.weekday()]}")
    if rule.count is not None:
        parts.append(f"COUNT={rule.count}")
    else:
        parts.append(f"UNTIL={rule.until:%Y%m%d}T235959")
    return ";".join(parts)


def describe(rule: Rule, first: datetime.date) -> str:
    """The rule in plain words, e.g. "Every 2 weeks on Tuesday and Thursday, 10 times"."""
    unit = "week" if rule.frequency == "WEEKLY" else "month"
    every = f"Every {rule.interval} {unit}s" if rule.interval > 1 else f"Every {unit}"
    if rule.frequency == "WEEKLY":
        names = [DAY_NAMES[d] for d in sorted(set(rule.weekdays) or {first.weekday()})]
        on = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    elif rule.monthly_mode == "day":
        on = f"day {first.day}"
    else:
        on = f"the {ORDINALS[nth_weekday(first)]} {DAY_NAMES[first.weekday()]}"
    end = f"{rule.count} times" if rule.count is not None else f"until {rule.until:%b %-d, %Y}"
    return f"{every} on {on}, {end}"
