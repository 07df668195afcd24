"""Reading a request's query or form parameters that no Django form reads: ids, dates, moments, choices, text,
the page to go back to.

Anyone can type an address, so every value may be hostile: an impossible date (``2026-13-45`` matches the ISO
pattern and makes ``date`` raise), a digit ``int()`` refuses although ``str.isdigit()`` accepts it (``²``), a
number past the database's integer range, a NUL byte PostgreSQL refuses in a string, the same name twice. Each
helper answers the value or ``None`` (or the caller's default) and never raises, so a view shows its default or a
specific message instead of failing. ``data`` is ``request.GET``, ``request.POST`` or any mapping of strings; a
repeated name gives its last value, as ``QueryDict.get`` does.
"""

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme

MAX_ID = 2**63 - 1  # the largest primary key a BigAutoField holds
# Dates the pages can show and step through without leaving ``datetime``'s range (years 1 to 9999) on any side.
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2199, 12, 31)

T = TypeVar("T")


def whole_number(raw: object, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """``raw`` as an int in ``minimum..maximum`` when it is written in ASCII digits only, else None."""
    text = raw if isinstance(raw, str) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def get_id(data: Mapping[str, Any], name: str) -> int | None:
    """A row's id (a positive whole number within the database's range) or None."""
    return whole_number(data.get(name))


def get_ids(data: Any, name: str) -> list[int]:
    """Every valid id given for a repeated name (``?c=1&c=2``), in order, without repeats; bad ones are skipped."""
    values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
    numbers = (whole_number(value) for value in values)
    return list(dict.fromkeys(number for number in numbers if number is not None))


def get_date(data: Mapping[str, Any], name: str) -> datetime.date | None:
    """An ISO date (``2026-03-02``) between ``EARLIEST`` and ``LATEST``, or None for a missing or impossible one."""
    raw = data.get(name)
    try:
        day = parse_date(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    return day if day is not None and EARLIEST <= day <= LATEST else None


def get_datetime(data: Mapping[str, Any], name: str) -> datetime.datetime | None:
    """An ISO date and time (``2026-03-02T10:00``, with or without an offset) whose date lies between ``EARLIEST``
    and ``LATEST``, or None. A naive result is left naive: the caller knows which zone it was meant in."""
    raw = data.get(name)
    try:
        moment = parse_datetime(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    if moment is None or not EARLIEST <= moment.date() <= LATEST:
        return None
    if timezone.is_aware(moment):
        try:
            moment.astimezone(datetime.UTC)
        except OverflowError:
            return None
    return moment


def get_choice(data: Mapping[str, Any], name: str, choices: Any, default: T) -> str | T:
    """The value when it is one of ``choices`` (strings), else ``default``."""
    raw = data.get(name)
    return raw if isinstance(raw, str) and raw in choices else default


def get_text(data: Mapping[str, Any], name: str, max_length: int = 100) -> str:
    """Free text (a search), stripped, cut to ``max_length`` and without NUL characters, which PostgreSQL refuses
    in a query."""
    raw = data.get(name)
    return raw.replace("\x00", "").strip()[:max_length] if isinstance(raw, str) else ""


MAX_NEXT_LENGTH = 2000


def get_next(request: HttpRequest, data: Mapping[str, Any], name: str = "next") -> str:
    """A path on this host to go back to (``?next=/clients/12/``), or "": no other host or scheme (an open
    redirect), no ``/\\`` that browsers read as ``//``, no control characters, nothing longer than a real path."""
    target = data.get(name)
    if not isinstance(target, str) or not target.startswith("/") or len(target) > MAX_NEXT_LENGTH:
        return ""
    if any(ord(character) < 32 for character in target) or target.startswith(("//", "/\\")):
        return ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else ""
