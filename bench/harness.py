"""Timing and reporting shared by every scenario: what a timed request is, how it is measured, the table."""

import gc
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from time import perf_counter

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.signin.signals import SESSION_ORGANIZATION_KEY
from tenancy.models import Organization


@dataclass(frozen=True)
class Case:
    """One request to time. ``expect`` must appear in the response, so a redirect or empty page fails loudly."""

    label: str
    client: Client
    path: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    expect: str = ""
    method: str = "get"
    # At most this many timed requests (and a tenth as many warm-ups) for a slow page; None: the run's count.
    samples: int | None = None
    # The scenario's signed-in baseline: the rows after it also get their p95 divided by this row's.
    signed_in_baseline: bool = False

    def send(self) -> HttpResponse:
        return getattr(self.client, self.method)(self.path, self.params, headers=self.headers)

    def check(self) -> int:
        """Send once, verify the answer, and return how many queries it took."""
        with CaptureQueriesContext(connection) as queries:
            response = self.send()
        if response.status_code != 200:
            raise RuntimeError(f"{self.label}: {self.path} answered {response.status_code}, expected 200")
        if self.expect not in response.content.decode():
            raise RuntimeError(f"{self.label}: {self.path} does not contain {self.expect!r}")
        return len(queries)


@dataclass(frozen=True)
class Result:
    """A case's timings in milliseconds and the query count of one request."""

    label: str
    timings_ms: list[float]
    queries: int
    signed_in_baseline: bool = False

    @property
    def p50(self) -> float:
        return statistics.median(self.timings_ms)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.timings_ms, n=100, method="inclusive")[94]

    @property
    def max(self) -> float:
        return max(self.timings_ms)


def clinic_client(organization: Organization, user: AbstractBaseUser | None = None) -> Client:
    """A client on the clinic's host, signed in as ``user`` the way the login view would (see conftest.py)."""
    client = Client(HTTP_HOST=f"{organization.slug}.{settings.HEARTH_BASE_DOMAIN}")
    if user is not None:
        client.force_login(user)
        session = client.session
        session[SESSION_ORGANIZATION_KEY] = organization.pk
        session.save()
    return client


def measure(cases: Sequence[Case], *, warmup: int, iterations: int) -> list[Result]:
    """Time every case ``iterations`` times, round-robin, so slow drift of the machine hits all cases alike.

    Queries are counted on a separate, untimed request: capturing them slows the database cursor down.
    """
    for i in range(warmup):
        for case in cases:
            if case.samples is None or i < max(2, case.samples // 10):
                case.send()
    queries = [case.check() for case in cases]
    timings: list[list[float]] = [[] for _ in cases]
    gc.collect()
    for i in range(iterations):
        for case, times in zip(cases, timings, strict=True):
            if case.samples is not None and i >= case.samples:
                continue
            start = perf_counter()
            case.send()
            times.append((perf_counter() - start) * 1000)
    return [Result(c.label, t, q, c.signed_in_baseline) for c, t, q in zip(cases, timings, queries, strict=True)]


def database() -> str:
    """Which database the numbers are for: they differ a lot between SQLite and PostgreSQL."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    return f"SQLite {connection.Database.sqlite_version}"


def table(results: Sequence[Result]) -> str:
    """The report; the first result is the baseline that the ratio column divides by. Rows after a scenario's
    signed-in baseline are also divided by that row's p95 (``p95/signed``): what the page costs beyond signing in."""
    baseline = results[0].p95
    width = max(len(r.label) for r in results)
    header = (
        f"{'scenario':<{width}}  {'p50 ms':>8}  {'p95 ms':>8}  {'max ms':>8}  {'n':>4}  {'p95/base':>8}  "
        f"{'p95/signed':>10}  {'queries':>7}"
    )
    lines = [header, "-" * len(header)]
    signed_in: float | None = None
    for r in results:
        if r.signed_in_baseline:
            signed_in = r.p95
        ratio = r.p95 / baseline
        signed = f"{r.p95 / signed_in:>9.1f}x" if signed_in else f"{'':>10}"
        lines.append(
            f"{r.label:<{width}}  {r.p50:>8.2f}  {r.p95:>8.2f}  {r.max:>8.2f}  {len(r.timings_ms):>4}  "
            f"{ratio:>7.1f}x  {signed}  {r.queries:>7}"
        )
    return "\n".join(lines)
