"""Finding a client: one search box for names, client numbers, birth dates and phone numbers.

How a query is read (``parse_query``), the same on every database:

- **Names**: every word typed must begin a word of the client's legal first or last name or preferred name
  ("jor riv" finds Jordan Rivers). Case and accents never matter: names and queries are folded the same way
  (``fold``: "jose" finds "José", "MULLER" finds "Müller"). Apostrophes are dropped from queries and names are
  stored both split and joined, so "O'Brien", "OBrien" and "o brien" find each other.
- **Typos** (PostgreSQL only): when fewer than a page of names start with the words typed, names close enough
  by trigram word similarity (``pg_trgm``) are added after them, closest first, so "Jordna Rivres" or "Rivrs"
  finds Jordan Rivers. A common beginning such as "mari" already fills pages and gets no guesses. SQLite has
  no trigram index, so there a name must match as described above.
- **Birth date**: 1990-04-12 (ISO), or month first: 04/12/1990, 4-12-1990, 4.12.1990, 4/12/90. A two-digit
  year means the most recent such date that is not in the future (in 2026, 4/12/90 is 1990 and 4/12/15 is 2015).
- **Client number or phone**: digits, with or without phone punctuation. Up to 9 digits are tried as a client
  number; 7 or more digits also find phone numbers containing them, punctuation ignored ("555-0142" finds
  "(312) 555-0142"). A leading 1 of an 11-digit North American number is ignored.

Words, a date and digits combine: "rivers 4/12/90" finds Jordan Rivers born on that day. Results come best
first: an exact client number, then names whose words all match, then closer spellings, then by name.

Names live folded in ``Client.search_name`` and digits in ``Client.phone_digits``; ``Client.save`` refreshes
both through ``refresh_search_fields``. On PostgreSQL the text matching runs in the SECURITY DEFINER functions
of migration 0005 over GIN trigram indexes: row-level security lets the planner use an index only for
leakproof operators, which LIKE and the trigram operators are not, so inside ``SET ROLE hearth_app`` a plain
query would read the clinic's every row. The functions filter by the clinic in ``app.current_organization``
themselves and return ids only; the outer query still runs under row-level security and the caller's
``visible_clients`` scope.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from accounts.people.models import Membership
from clients import access, policies

MAX_QUERY_LENGTH = 100
NAME_ORDER = ("legal_last_name", "legal_first_name", "pk")
MAX_NUMBER_DIGITS = 9
MIN_PHONE_DIGITS = 7
# Trigram word similarity a misspelled name needs (0 to 1). 0.4 finds "Rivrs" (0.5) and "Jordna Rivres" (0.41) for
# Jordan Rivers; lower thresholds flood long lists with unrelated names.
TYPO_THRESHOLD = 0.4
# Close spellings are looked for only when names starting with the typed words number fewer than this (one
# page): "mari" has thousands of exact word starts and needs no guesses, "Rivrs" has none.
TYPOS_BELOW = 25
# A name search on PostgreSQL lists at most this many clients, best first (see ``find_clients``).
RESULT_CAP = 200
# What a row of results shows (clients/_client_results.html): a client has 34 columns, and loading them all for
# every row of every keystroke's page is wasted. The primary clinician's name comes as an annotated column
# (``clinician_name``), not as two more model instances a row.
RESULT_FIELDS = ("number", "legal_first_name", "legal_last_name", "preferred_name", "date_of_birth", "status")

# Letters that Unicode does not decompose into a base letter and an accent.
_EXTRA_FOLDS = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"})
_APOSTROPHES = re.compile(r"['’‘ʼ`´]")
_WORD = re.compile(r"[^\W_]+")
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_US_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})")
_DIGITS = re.compile(r"\+?[0-9().-]*[0-9][0-9().-]*")
_SEPARATORS = re.compile(r"[\s,;]+")


def fold(text: str) -> str:
    """Lower-case without accents: "Nguyễn" → "nguyen", "Łukasz" → "lukasz", "Straße" → "strasse"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_EXTRA_FOLDS)


def name_tokens(value: str) -> list[str]:
    """The searchable words of one name: its parts, and all parts joined ("O'Brien" → o, brien, obrien)."""
    parts = _WORD.findall(fold(value))
    return [*parts, "".join(parts)] if len(parts) > 1 else parts


def search_name_for(*names: str) -> str:
    """The ``search_name`` column: every token once, space-separated, with a space at each end so that
    ``LIKE '% jor%'`` finds word starts and ``LIKE '% jordan %'`` whole words."""
    tokens = list(dict.fromkeys(token for name in names for token in name_tokens(name)))
    return f" {' '.join(tokens)} " if tokens else ""


def digits_of(value: str) -> str:
    return re.sub(r"[^0-9]", "", value)


def refresh_search_fields(client, update_fields=None):
    """Recompute ``search_name`` and ``phone_digits`` before a save; returns ``update_fields`` widened to
    include them when a name or the phone is among the fields being saved (``None`` stays ``None``)."""
    client.search_name = search_name_for(client.legal_first_name, client.legal_last_name, client.preferred_name)
    client.phone_digits = digits_of(client.phone)
    if update_fields is None:
        return None
    sources = {"legal_first_name", "legal_last_name", "preferred_name", "phone"}
    fields = set(update_fields)
    if fields & sources:
        fields |= {"search_name", "phone_digits"}
    return fields


# --- Reading the query ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """What the search box asked for. ``problem`` explains input that looked like a date but is not one."""

    words: tuple[str, ...] = ()
    birth_date: datetime.date | None = None
    digits: str = ""
    problem: str = ""

    def __bool__(self) -> bool:
        return bool(self.words or self.birth_date or self.digits or self.problem)

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def number(self) -> int | None:
        if self.digits and len(self.digits) <= MAX_NUMBER_DIGITS:
            return int(self.digits)
        return None

    @property
    def phone(self) -> str:
        digits = self.digits[1:] if len(self.digits) == 11 and self.digits.startswith("1") else self.digits
        return digits if len(digits) >= MIN_PHONE_DIGITS else ""


def expand_two_digit_year(year: int, month: int, day: int, today: datetime.date) -> datetime.date:
    """A birth date is never in the future: the latest century that keeps the date on or before ``today``."""
    century = today.year // 100 * 100
    for candidate in (century + year, century - 100 + year):
        try:
            born = datetime.date(candidate, month, day)
        except ValueError:
            continue
        if born <= today:
            return born
    raise ValueError("no such date")


def parse_birth_date(token: str, today: datetime.date) -> datetime.date | None:
    """A date in one of the accepted formats; ``ValueError`` if it has a date's shape but no such day exists,
    ``None`` if it does not look like a date at all."""
    if match := _ISO_DATE.fullmatch(token):
        year, month, day = (int(part) for part in match.groups())
        return datetime.date(year, month, day)
    if match := _US_DATE.fullmatch(token):
        month, day, year_text = int(match[1]), int(match[2]), match[3]
        if len(year_text) == 2:
            return expand_two_digit_year(int(year_text), month, day, today)
        return datetime.date(int(year_text), month, day)
    return None


def query_words(text: str) -> list[str]:
    """Folded words of typed text; apostrophes join ("O'Brien" → obrien), other punctuation separates."""
    return _WORD.findall(fold(_APOSTROPHES.sub("", text)))


def parse_query(raw: str, *, today: datetime.date) -> Query:
    """Split the search box into name words, at most one birth date, and digits (number or phone)."""
    words: list[str] = []
    digits: list[str] = []
    birth_date = None
    problem = ""
    for token in _SEPARATORS.split(raw.strip()[:MAX_QUERY_LENGTH]):
        if not token:
            continue
        try:
            born = parse_birth_date(token, today)
        except ValueError:
            problem = f"“{token}” is not a date. Enter a birth date as month/day/year (04/12/1990) or 1990-04-12."
            continue
        if born is not None:
            if birth_date is not None and born != birth_date:
                problem = "Enter one date of birth at a time."
            birth_date = birth_date or born
        elif _DIGITS.fullmatch(token):
            digits.append(digits_of(token))
        else:
            words.extend(query_words(token))
    return Query(tuple(dict.fromkeys(words)), birth_date, "".join(digits), problem)


# --- Searching -----------------------------------------------------------------------------------------------


def _typo_tolerant() -> bool:
    return connection.vendor == "postgresql"


def _name_matches(query: Query, scope: QuerySet | None, cap: int) -> list[int]:
    """Ids of the best ``cap`` name matches among ``scope`` (``None``: the whole clinic), from the PostgreSQL
    function (see migration 0005). The scope goes in as a subquery, so it is read in the same statement, as the
    request's role (row-level security and all), before the function runs."""
    # The longest word goes first: the function's index scan starts from it, the others are checked after.
    words = sorted(query.words, key=len, reverse=True)
    starts, whole = [f"% {word}%" for word in words], [f"% {word} %" for word in words]
    scope_sql, scope_params = "NULL::bigint[]", ()
    if scope is not None:
        try:
            sql, scope_params = scope.values("pk").query.sql_with_params()
        except EmptyResultSet:  # a scope that can match no one (``.none()``)
            return []
        scope_sql = f"ARRAY({sql})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT hearth_client_name_matches(%s, %s, %s, %s::real, %s, %s, {scope_sql})",
            [query.text, starts, whole, TYPO_THRESHOLD, TYPOS_BELOW, cap, *scope_params],
        )
        return [row[0] for row in cursor.fetchall()]


def _phone_filter(phone: str) -> Q:
    if not _typo_tolerant():
        return Q(phone_digits__contains=phone)
    return Q(pk__in=RawSQL("SELECT hearth_client_phone_matches(%s)", [phone]))


class RankedClients:
    """Name matches in the PostgreSQL function's order, read a slice at a time (``core.paging.window``).

    A slice ``[start:stop]`` asks the function for the best ``stop`` ids only (a common beginning such as "mari"
    then stops walking the name index after a page instead of after ``RESULT_CAP`` matches), and loads that
    slice's clients through the same ``visible_clients`` query, so nothing the person may not see slips in.
    The function's order is stable as ``stop`` grows, so page 2 continues page 1.
    """

    def __init__(self, query: Query, clients: QuerySet, *, narrowed: bool) -> None:
        self.query = query
        self.clients = clients
        self.scope = clients if narrowed else None

    def ids(self, stop: int) -> list[int]:
        if self.query.number is None:
            return _name_matches(self.query, self.scope, stop)
        # Digits typed with the name: an exact client number goes first, so rank the whole (small) scope.
        ids = _name_matches(self.query, self.scope, RESULT_CAP + 1)
        exact = set(self.clients.filter(pk__in=ids, number=self.query.number).values_list("pk", flat=True))
        return sorted(ids, key=lambda pk: pk not in exact)[:stop]  # stable

    def __getitem__(self, index: slice) -> list:
        wanted = self.ids(index.stop)[index.start : index.stop]
        rows = {client.pk: client for client in self.clients.filter(pk__in=wanted)} if wanted else {}
        return [rows[pk] for pk in wanted if pk in rows]


@dataclass(frozen=True)
class Found:
    """Search results, best first; ``limit`` is how many of them may be paged through (``RESULT_CAP`` for a
    ranked name search on PostgreSQL, ``None`` for no limit)."""

    clients: QuerySet | RankedClients
    limit: int | None = None


def find_clients(actor: Membership, query: Query) -> Found:
    """The clients ``actor`` may see (``access.visible_clients``) that match ``query``, best first.

    Nothing is counted: results are read a page at a time (``core.paging.window``). On PostgreSQL a name search
    asks the matching function for the ids of the best matches up to the end of the page being shown, and never
    past ``RESULT_CAP`` (ranking every "j" or "mari" of a large clinic would cost more than anyone reads). When the
    search is already narrower (a clinician's caseload, a birth date, digits), those clients go to the function as
    its scope (a subquery of the same statement), so no one outside it is ranked.
    Never logged and never audited with its text: a query is a name, a birth date or a phone number, all PHI.
    """
    clients = (
        access.visible_clients(actor)
        .only(*RESULT_FIELDS)
        .annotate(clinician_name=F("primary_clinician__user__full_name"))
    )
    if not query:
        return Found(clients.order_by(*NAME_ORDER))
    if query.problem:
        return Found(clients.none())
    ranks: list = []
    if query.birth_date:
        clients = clients.filter(date_of_birth=query.birth_date)
    if query.digits:
        matches = []
        if query.number is not None:
            matches.append(Q(number=query.number))
            ranks.append(Case(When(number=query.number, then=1), default=0, output_field=IntegerField()))
        if query.phone:
            matches.append(_phone_filter(query.phone))
        if not matches:
            return Found(clients.none())
        clients = clients.filter(reduce(or_, matches))
    if query.words and _typo_tolerant():
        # When something already narrows the search (a caseload, a birth date, digits), those clients are the
        # function's scope.
        narrowed = bool(query.birth_date or query.digits) or not policies.sees_all_clients(actor)
        return Found(RankedClients(query, clients, narrowed=narrowed), limit=RESULT_CAP)
    if query.words:
        whole = reduce(and_, (Q(search_name__contains=f" {word} ") for word in query.words))
        starts = reduce(and_, (Q(search_name__contains=f" {word}") for word in query.words))
        clients = clients.filter(starts)
        ranks.append(Case(When(whole, then=Value(2)), default=Value(1), output_field=IntegerField()))
    names = [f"rank_{i}" for i in range(len(ranks))]
    clients = clients.annotate(**dict(zip(names, ranks, strict=True)))
    return Found(clients.order_by(*(F(name).desc() for name in names), *NAME_ORDER))
