"""Markup rules every template and widget follows, checked over the source so a new page cannot slip past them."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("*.html", "*.py", "*.js")
SKIPPED_DIRS = {".venv", "node_modules", ".git", "tests", "var"}
HTMX_NAMES = "|".join(
    (
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "target",
        "trigger",
        "swap",
        "swap-oob",
        "push-url",
        "sync",
        "select",
        "include",
        "headers",
        "vals",
        "confirm",
        "indicator",
        "boost",
        "on",
    )
)
BARE_HTMX = re.compile(rf"(?<![-\w])hx-({HTMX_NAMES})\b")


def _sources():
    for pattern in SOURCES:
        for path in ROOT.rglob(pattern):
            if not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts):
                yield path


def test_htmx_attributes_are_written_as_valid_data_attributes():
    """htmx reads ``data-hx-*`` as well as ``hx-*``; only the first is valid HTML, so pages validate."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BARE_HTMX.search(line)
    ]
    assert offenders == []


def test_the_check_finds_a_bare_attribute():
    assert BARE_HTMX.search('<form hx-post="/x/">') and not BARE_HTMX.search('<form data-hx-post="/x/">')


RAW_DATETIME = re.compile(r"""datetime=["']\{\{(?![^}]*\|iso_datetime)[^}]*\}\}""")


def test_time_elements_write_their_datetime_through_iso_datetime():
    """``date:'c'`` keeps microseconds, which HTML's datetime syntax refuses; ``iso_datetime`` writes seconds."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _sources()
        if path.suffix == ".html"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if RAW_DATETIME.search(line)
    ]
    assert offenders == []


def test_the_check_finds_a_raw_datetime():
    assert RAW_DATETIME.search("""<time datetime="{{ e.at|date:'c' }}">""")
    assert not RAW_DATETIME.search('<time datetime="{{ e.at|iso_datetime }}">')


TABLE_WRAP = re.compile(r"<div\b[^>]*\bclass=\"[^\"]*\btable-wrap\b[^\"]*\"[^>]*>")
# The label may be a template expression, itself holding quotes: aria-label="{{ day|date:"F Y" }}".
FOCUSABLE_REGION = re.compile(
    r'^<div class="table-wrap" tabindex="0" role="region" aria-label="(?:[^"{]|\{\{[^}]+\}\})+">$'
)


def test_scroll_regions_are_labelled_regions_reachable_by_keyboard():
    """A ``.table-wrap`` scrolls sideways on a narrow screen; keyboard users can scroll it only if it takes focus
    (axe: scrollable-region-focusable), and a focusable region needs a name. One markup everywhere."""
    found = [
        (f"{path.relative_to(ROOT)}", tag)
        for path in _sources()
        if path.suffix == ".html"
        for tag in TABLE_WRAP.findall(path.read_text(encoding="utf-8"))
    ]
    assert len(found) > 30
    assert [(path, tag) for path, tag in found if not FOCUSABLE_REGION.match(tag)] == []
