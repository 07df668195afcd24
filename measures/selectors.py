"""Reads of a client's scores that other apps may use (a progress note shows ``latest_scores``).

Callers have already crossed ``clients.access.get_chart`` for the clinical section (which audits the read); these
functions only shape the query."""

import datetime
from dataclasses import dataclass

from clients.records.models import Client
from measures.administrations.models import Administration, SafetyFlag, Status
from measures.instruments import scoring
from measures.instruments.models import Instrument


@dataclass(frozen=True)
class Point:
    pk: int
    at: datetime.datetime
    total: int
    band: str
    band_level: int | None
    prorated: bool


@dataclass(frozen=True)
class Trend:
    """One instrument's complete scores for a client, oldest first, with baseline, latest and reliable change."""

    instrument: Instrument
    points: list[Point]

    @property
    def baseline(self) -> Point:
        return self.points[0]

    @property
    def latest(self) -> Point:
        return self.points[-1]

    @property
    def change(self) -> str:
        if len(self.points) < 2:
            return ""
        return scoring.change(self.instrument.spec, self.baseline.total, self.latest.total)

    @property
    def change_label(self) -> str:
        return {scoring.IMPROVED: "Improved", scoring.WORSE: "Worse", scoring.NO_CHANGE: "No reliable change"}.get(
            self.change, "Only one score so far"
        )


def trends(client: Client) -> list[Trend]:
    """Every instrument the client has a complete score on (two queries, however many scores)."""
    rows = (
        Administration.objects.filter(client=client, status=Status.COMPLETE)
        .order_by("instrument_id", "completed_at", "pk")
        .values_list("pk", "instrument_id", "completed_at", "total", "band", "band_level", "prorated")
    )
    by_instrument: dict[int, list[Point]] = {}
    for pk, instrument_id, at, total, band, level, prorated in rows:
        by_instrument.setdefault(instrument_id, []).append(Point(pk, at, total, band, level, prorated))
    instruments = Instrument.objects.in_bulk(list(by_instrument))
    result = [Trend(instruments[pk], points) for pk, points in by_instrument.items()]
    return sorted(result, key=lambda trend: trend.instrument.name)


@dataclass(frozen=True)
class LatestScore:
    instrument: str
    loinc_total: str
    total: int
    band: str
    completed_at: datetime.datetime
    change: str


def latest_scores(client: Client) -> list[LatestScore]:
    """The latest complete score of each instrument, with reliable change from the client's first (baseline)."""
    return [
        LatestScore(
            trend.instrument.name,
            trend.instrument.loinc_total,
            trend.latest.total,
            trend.latest.band,
            trend.latest.at,
            trend.change_label,
        )
        for trend in trends(client)
    ]


def administrations(client: Client):
    """Every administration of the client, newest first (page it with ``core.paging.window``)."""
    return (
        Administration.objects.filter(client=client)
        .select_related("instrument", "administered_by__user")
        .order_by("-completed_at", "-pk")
    )


def open_flags(client: Client) -> list[SafetyFlag]:
    return list(
        SafetyFlag.objects.filter(client=client, responded_at__isnull=True)
        .select_related("administration__instrument")
        .order_by("raised_at")
    )
