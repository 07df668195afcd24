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
