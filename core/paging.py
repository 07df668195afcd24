"""Paging without counting: one page of rows and whether another follows, from a single read of ``per_page + 1``.

Django's ``Paginator`` counts every row first. Under PostgreSQL row-level security a ``COUNT(*)`` of a large
clinic's table reads its every index entry (about 6 ms for 100,000 clients), on each page load and each
keystroke of a live search, to print a number nobody needs to page through a list sorted by name. A ``Window``
reads one row past the page instead: the total is known only when the last page is reached.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest

# What a page is read from: a QuerySet (sliced into one LIMIT/OFFSET query) or any sliceable sequence.
Rows = Sequence | QuerySet

# A page number past this is treated as page 1: it keeps the slice's OFFSET within what every database accepts.
MAX_PAGE = 100_000


def page_number(raw: object) -> int:
    """A page number from the request; anything that is not a whole number from 1 to ``MAX_PAGE`` is page 1."""
    try:
        number = int(str(raw))
    except ValueError:
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


@dataclass(frozen=True)
class Window:
    """One page of ``rows`` (page ``number``, 1-based); ``count`` is the total when it is known (no next page),
    else ``None``. ``capped`` means the rows stop at a ``limit`` although more would match."""

    rows: list
    number: int
    per_page: int
    has_next: bool
    capped: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.rows)

    @property
    def count(self) -> int | None:
        return None if self.has_next or self.capped else self.end_index

    def __iter__(self) -> Iterator:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def window(items: Rows, number: int, per_page: int, *, limit: int | None = None) -> Window:
    """Page ``number`` of ``items`` (a QuerySet or any sliceable sequence), read as one slice of at most
    ``per_page + 1`` rows. ``limit`` caps how far paging goes: rows past it are never shown, and the page that
    reaches it says ``capped`` when more would follow. A page past the end falls back to page 1."""
    if limit is not None:
        number = min(number, max(-(-limit // per_page), 1))
    start = (number - 1) * per_page
    cap = limit if limit is not None and start + per_page >= limit else None
    stop = cap + 1 if cap is not None else start + per_page + 1
    rows = list(items[start:stop])
    if not rows and number > 1:
        return window(items, 1, per_page, limit=limit)
    if cap is not None:
        return Window(rows[: cap - start], number, per_page, has_next=False, capped=len(rows) > cap - start)
    return Window(rows[:per_page], number, per_page, has_next=len(rows) > per_page)


def page_of(request: HttpRequest, items: Rows, per_page: int, param: str = "page") -> Window:
    """The page of ``items`` that ``request.GET[param]`` asks for (a bad or missing value is page 1).

    Screens with several lists give each its own ``param`` so their pagers move independently."""
    return window(items, page_number(request.GET.get(param)), per_page)
