"""An instrument's definition (validated data) and its scoring: pure functions, no database.

Every instrument is data: items on one answer scale, the number of missing answers its published rules let a total
be prorated over, severity bands or a cut-off, critical items, and the reliability and reference standard deviation
that reliable change (Jacobson & Truax 1991) is computed from. ``parse`` refuses a definition that could not be
scored unambiguously (bands with gaps or overlaps, a band outside the possible range), so a clinic adding an
instrument finds out when it is loaded, not when a client's score is wrong.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError

COMPLETE, INCOMPLETE = "complete", "incomplete"
IMPROVED, NO_CHANGE, WORSE = "improved", "no_change", "worse"
Z_95 = 1.96


@dataclass(frozen=True)
class Item:
    number: int
    text: str
    critical: bool = False


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str
    level: int

    def holds(self, total: int) -> bool:
        return self.low <= total <= self.high


@dataclass(frozen=True)
class Definition:
    key: str
    name: str
    stem: str
    scale: tuple[tuple[int, str], ...]
    items: tuple[Item, ...]
    prorate_max_missing: int
    bands: tuple[Band, ...]
    default_cutoff: int | None
    reliability: float
    reference_sd: float

    @property
    def values(self) -> frozenset[int]:
        return frozenset(value for value, _ in self.scale)

    @property
    def min_total(self) -> int:
        return min(self.values) * len(self.items)

    @property
    def max_total(self) -> int:
        return max(self.values) * len(self.items)

    def bands_for(self, cutoff: int | None = None) -> tuple[Band, ...]:
        """The published bands, or for an instrument read against a cut-off, "below" and "at or above" it."""
        if self.bands:
            return self.bands
        cut = cutoff if cutoff is not None else self.default_cutoff
        if cut is None:
            return ()
        return (
            Band(self.min_total, cut - 1, "Below cut-off", 1),
            Band(cut, self.max_total, "At or above cut-off", 5),
        )

    @property
    def reliable_change(self) -> float:
        """The smallest difference between two totals that is reliable at the 95% level (Jacobson & Truax):
        1.96 * sqrt(2) * SD * sqrt(1 - r)."""
        return Z_95 * math.sqrt(2) * self.reference_sd * math.sqrt(1 - self.reliability)


def _int(data: dict, key: str, default: Any = ...) -> int:
    value = data.get(key, default)
    if value is ... or isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{key!r} must be a whole number.")
    return value


def parse(data: dict) -> Definition:
    """Read and check an instrument's definition (the JSON a clinic loads); raises ``ValidationError``."""
    try:
        scale = tuple((_int(s, "value"), str(s["label"])) for s in data["scale"])
        items = tuple(
            Item(_int(i, "number"), str(i["text"]).strip(), bool(i.get("critical", False))) for i in data["items"]
        )
        bands = tuple(
            Band(_int(b, "min"), _int(b, "max"), str(b["label"]), _int(b, "level", 1)) for b in data.get("bands", [])
        )
        cutoff = data.get("default_cutoff")
        definition = Definition(
            key=str(data["key"]),
            name=str(data["name"]),
            stem=str(data.get("stem", "")),
            scale=scale,
            items=items,
            prorate_max_missing=_int(data, "prorate_max_missing", 0),
            bands=bands,
            default_cutoff=None if cutoff is None else _int(data, "default_cutoff"),
            reliability=float(data["reliability"]),
            reference_sd=float(data["reference_sd"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValidationError(f"The instrument definition is incomplete or malformed ({error}).") from None
    if not items or len(scale) < 2:
        raise ValidationError("An instrument needs items and an answer scale of at least two answers.")
    if [item.number for item in items] != list(range(1, len(items) + 1)):
        raise ValidationError("Items must be numbered 1, 2, 3… in order.")
    if len(definition.values) != len(scale) or min(definition.values) < 0:
        raise ValidationError("Answer values must be distinct and not negative.")
    if not 0 <= definition.prorate_max_missing < len(items):
        raise ValidationError("The number of answers that may be missing must be less than the number of items.")
    if not 0 < definition.reliability < 1 or definition.reference_sd <= 0:
        raise ValidationError("Reliability must be between 0 and 1 and the reference SD above 0.")
    if bands and cutoff is not None:
        raise ValidationError("Give either severity bands or a cut-off, not both.")
    if not bands and cutoff is None:
        raise ValidationError("Give severity bands or a cut-off.")
    check_bands(definition.bands_for(), definition.min_total, definition.max_total)
    return definition


def check_bands(bands: Sequence[Band], low: int, high: int) -> None:
    """Bands must cover ``low`` to ``high`` exactly once each: every total falls in one band."""
    expected = low
    for band in sorted(bands, key=lambda b: b.low):
        if band.low != expected or band.high < band.low:
            raise ValidationError(f"Bands must run from {low} to {high} without gaps or overlaps (at {band.label}).")
        expected = band.high + 1
    if expected != high + 1:
        raise ValidationError(f"Bands must end at the highest possible total, {high}.")


@dataclass(frozen=True)
class Score:
    status: str
    total: int | None
    prorated: bool
    band: Band | None
    answered: int
    critical_items: tuple[int, ...]


def clean_answers(definition: Definition, answers: Sequence[int | None]) -> list[int | None]:
    """One answer (or None) per item, each on the scale; raises ``ValidationError`` naming the bad item."""
    if len(answers) != len(definition.items):
        raise ValidationError(f"Expected {len(definition.items)} answers, got {len(answers)}.")
    cleaned: list[int | None] = []
    for item, answer in zip(definition.items, answers, strict=True):
        if answer is not None and (isinstance(answer, bool) or answer not in definition.values):
            raise ValidationError(f"Item {item.number}: choose one of the answers offered.")
        cleaned.append(answer)
    return cleaned


def score(definition: Definition, answers: Sequence[int | None], *, cutoff: int | None = None) -> Score:
    """Total and band of one administration.

    Missing answers are never counted as zero. Where the instrument's rules allow it (``prorate_max_missing``),
    a total with that many missing answers or fewer is prorated: the mean of the answered items times the number
    of items, rounded half up. Anything more missing is ``incomplete`` with no total. A critical item counts as
    endorsed when answered above its lowest value, whether or not the questionnaire is complete.
    """
    cleaned = clean_answers(definition, answers)
    given = [a for a in cleaned if a is not None]
    floor = min(definition.values)
    critical = tuple(
        item.number
        for item, answer in zip(definition.items, cleaned, strict=True)
        if item.critical and answer is not None and answer > floor
    )
    missing = len(cleaned) - len(given)
    if not given or missing > definition.prorate_max_missing:
        return Score(INCOMPLETE, None, False, None, len(given), critical)
    if missing:
        exact = Decimal(sum(given)) * len(cleaned) / len(given)
        total = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    else:
        total = sum(given)
    band = next((b for b in definition.bands_for(cutoff) if b.holds(total)), None)
    return Score(COMPLETE, total, bool(missing), band, len(given), critical)


def change(definition: Definition, baseline: int, latest: int) -> str:
    """Reliable change from ``baseline`` to ``latest`` (higher is worse on every shipped instrument)."""
    difference = latest - baseline
    if abs(difference) < definition.reliable_change:
        return NO_CHANGE
    return WORSE if difference > 0 else IMPROVED
