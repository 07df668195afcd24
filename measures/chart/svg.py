"""A score trend as a server-rendered SVG and the same numbers as table rows: no script, no inline style (the CSP
allows neither), colours from classes in ``measures/static/measures/measures.css``.

Built as strings here rather than by template loops: a chart of 200 scores is one ``<path>`` whose vertices are
dotted by an SVG marker, so the page stays small and renders in a few milliseconds however many scores there are.
Every text that reaches the markup is escaped by ``format_html``.
"""

import datetime
import zoneinfo
from dataclasses import dataclass
from html import escape

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from measures.selectors import Trend

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 12, 28


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    rows: SafeString
    summary: str


def _day(at: datetime.datetime, zone: zoneinfo.ZoneInfo) -> str:
    local = at.astimezone(zone)
    return f"{local:%b} {local.day}, {local.year}"


def build(trend: Trend, cutoff: int | None, zone: zoneinfo.ZoneInfo) -> Chart:
    """The SVG (band stripes, a dashed baseline, the line of scores, the latest score marked) and table rows."""
    spec = trend.instrument.spec
    low, high = spec.min_total, spec.max_total
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    points = trend.points
    n = len(points)

    def y(value: float) -> float:
        return round(TOP + plot_h * (1 - (value - low) / (high - low)), 1)

    def x(index: int) -> float:
        return round(LEFT + (plot_w * index / (n - 1) if n > 1 else plot_w / 2), 1)

    bands = spec.bands_for(cutoff)
    stripes = format_html_join(
        "",
        '<rect class="band band-{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
        (
            (b.level, LEFT, y(min(b.high + 1, high)), plot_w, round(y(b.low) - y(min(b.high + 1, high)), 1), b.label)
            for b in bands
        ),
    )
    ticks = format_html_join(
        "",
        '<text class="tick" x="34" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
        [(y(b.low), b.low) for b in bands] + [(y(high), high)],
    )
    path = "M" + " L".join(f"{x(i)},{y(p.total)}" for i, p in enumerate(points))
    first, last = points[0], points[-1]
    summary = (
        f"{trend.instrument.name}: {n} score{'s' if n != 1 else ''} from {_day(first.at, zone)} to "
        f"{_day(last.at, zone)}; baseline {trend.baseline.total}, latest {last.total} ({last.band}); "
        f"{trend.change_label}."
    )
    key = trend.instrument.key
    svg = format_html(
        '<svg class="trend" viewBox="0 0 {w} {h}" role="img" aria-labelledby="trend-{key}-title"'
        ' xmlns="http://www.w3.org/2000/svg"><title id="trend-{key}-title">{summary}</title>'
        '<defs><marker id="dot-{key}" class="dot" viewBox="0 0 6 6" refX="3" refY="3" markerWidth="6"'
        ' markerHeight="6" markerUnits="userSpaceOnUse"><circle cx="3" cy="3" r="2.5"/></marker></defs>'
        '{stripes}{ticks}<line class="baseline" x1="{left}" x2="{right}" y1="{base}" y2="{base}"/>'
        '<path class="line" d="{path}" marker-start="url(#dot-{key})" marker-mid="url(#dot-{key})"/>'
        '<circle class="dot last" cx="{lx}" cy="{ly}" r="5"/>'
        '<text class="tick" x="{left}" y="{bottom}">{first}</text>'
        '<text class="tick" x="{right}" y="{bottom}" text-anchor="end">{last}</text></svg>',
        w=WIDTH,
        h=HEIGHT,
        key=key,
        summary=summary,
        stripes=stripes,
        ticks=ticks,
        left=LEFT,
        right=WIDTH - RIGHT,
        base=y(trend.baseline.total),
        path=path,
        lx=x(n - 1),
        ly=y(last.total),
        bottom=HEIGHT - 8,
        first=f"{first.at.astimezone(zone):%b %Y}",
        last=f"{last.at.astimezone(zone):%b %Y}",
    )
    # Hundreds of rows: plain formatting with the standard library's escape (format_html per row costs ~10x more).
    labels = {p.band: escape(p.band) for p in points}
    rows = "".join(
        f"<tr><td>{_day(p.at, zone)}</td><td>{p.total}{' (prorated)' if p.prorated else ''}</td>"
        f"<td>{labels[p.band]}</td></tr>"
        for p in points
    )
    return Chart(svg, mark_safe(rows), summary)  # noqa: S308 - every text part is escaped above
