"""A score trend as a server-rendered SVG: no script, no inline style (the CSP allows neither), colours from
classes in ``measures/static/measures/measures.css``. The same numbers are in a table beside it for screen
readers; the SVG itself is ``role="img"`` with a text summary."""

from dataclasses import dataclass

from measures.selectors import Trend

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 12, 28


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    level: int
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bands: list[Rect]
    path: str
    dots: list[tuple[float, float]]
    baseline_y: float
    ticks: list[tuple[float, int]]
    first: str
    last: str
    summary: str


def build(trend: Trend, cutoff: int | None) -> Chart:
    """Geometry for ``measures/_trend.svg``: band stripes, the line, the baseline."""
    spec = trend.instrument.spec
    low, high = spec.min_total, spec.max_total
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: float) -> float:
        return round(TOP + plot_h * (1 - (value - low) / (high - low)), 1)

    points = trend.points
    n = len(points)

    def x(index: int) -> float:
        return round(LEFT + (plot_w * index / (n - 1) if n > 1 else plot_w / 2), 1)

    bands = [
        Rect(
            LEFT,
            y(b.high + 1 if b.high < high else high),
            plot_w,
            round(y(b.low) - y(min(b.high + 1, high)), 1),
            b.level,
            b.label,
        )
        for b in spec.bands_for(cutoff)
    ]
    dots = [(x(i), y(p.total)) for i, p in enumerate(points)]
    path = "M" + " L".join(f"{px},{py}" for px, py in dots)
    ticks = [(y(b.low), b.low) for b in spec.bands_for(cutoff)] + [(y(high), high)]
    summary = (
        f"{trend.instrument.name}: {n} scores from {points[0].at:%b %-d, %Y} to {points[-1].at:%b %-d, %Y}; "
        f"baseline {trend.baseline.total}, latest {trend.latest.total} ({trend.latest.band}); {trend.change_label}."
    )
    return Chart(
        WIDTH,
        HEIGHT,
        bands,
        path,
        dots,
        y(trend.baseline.total),
        ticks,
        f"{points[0].at:%b %Y}",
        f"{points[-1].at:%b %Y}",
        summary,
    )
