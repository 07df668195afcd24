"""What a template version's ``schema`` may hold, and how a note's answers are checked against it.

    {"sections": [{"key": "data", "heading": "Data", "help": "...",
                   "fields": [{"key": "observations", "label": "What you observed", "type": "text",
                               "required": true, "help": "..."}, ...]}]}

Field types: ``text`` (plain), ``rich_text`` (HTML, sanitised with nh3 on save), ``choice`` and ``multiple``
(``choices``: a list of strings), ``scale`` (whole numbers from ``min`` to ``max``), ``date`` (ISO). Keys are short
slugs unique in the template; answers are stored by field key.
"""

import datetime
import re
from dataclasses import dataclass
from typing import Any

import nh3

FIELD_TYPES = ("text", "rich_text", "choice", "multiple", "scale", "date")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RICH_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "b", "i", "u"}
MAX_TEXT = 20_000


class SchemaError(ValueError):
    """A template that cannot be used, with every problem found, one sentence each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _field_problems(where: str, field: Any, keys: set[str]) -> list[str]:
    if not isinstance(field, dict):
        return [f"{where} must be an object with a key, a label and a type."]
    problems = []
    key, kind = field.get("key"), field.get("type")
    if not isinstance(key, str) or not KEY.match(key):
        problems.append(f"{where}: the key must be a short lower-case name such as “mood” (got {key!r}).")
    elif key in keys:
        problems.append(f"{where}: the key “{key}” is used twice.")
    else:
        keys.add(key)
    if not str(field.get("label") or "").strip():
        problems.append(f"{where}: give it a label.")
    if kind not in FIELD_TYPES:
        problems.append(f"{where}: the type must be one of {', '.join(FIELD_TYPES)} (got {kind!r}).")
    if kind in ("choice", "multiple"):
        choices = field.get("choices")
        if not isinstance(choices, list) or len(choices) < 2 or not all(isinstance(c, str) and c for c in choices):
            problems.append(f"{where}: a {kind} field needs at least two choices, each a piece of text.")
    if kind == "scale":
        low, high = field.get("min"), field.get("max")
        if not isinstance(low, int) or not isinstance(high, int) or low >= high:
            problems.append(f"{where}: a scale needs whole-number min and max, min below max.")
    if not isinstance(field.get("required", False), bool):
        problems.append(f"{where}: “required” is true or false.")
    return problems


def validate_schema(schema: Any) -> None:
    """Raise SchemaError listing everything wrong with ``schema``; return quietly if it can be used."""
    if not isinstance(schema, dict) or not isinstance(schema.get("sections"), list) or not schema["sections"]:
        raise SchemaError(["A template is an object with a non-empty list of “sections”."])
    problems: list[str] = []
    keys: set[str] = set()
    for s_index, section in enumerate(schema["sections"], start=1):
        where = f"Section {s_index}"
        if not isinstance(section, dict):
            problems.append(f"{where} must be an object with a heading and fields.")
            continue
        if not str(section.get("heading") or "").strip():
            problems.append(f"{where}: give it a heading.")
        fields = section.get("fields")
        if not isinstance(fields, list) or not fields:
            problems.append(f"{where}: list at least one field.")
            continue
        for f_index, field in enumerate(fields, start=1):
            problems += _field_problems(f"{where}, field {f_index}", field, keys)
    if problems:
        raise SchemaError(problems)


def fields_of(schema: dict) -> list[dict]:
    return [field for section in schema["sections"] for field in section["fields"]]


def sanitise_rich_text(html: str) -> str:
    return nh3.clean(html, tags=RICH_TAGS, attributes={}, url_schemes=set())


@dataclass
class Checked:
    """Answers converted to what is stored, the type errors by field key, and the required fields left empty."""

    answers: dict
    errors: dict[str, str]
    missing: list[str]


def _empty(value: Any) -> bool:
    return value in (None, "", []) or (isinstance(value, str) and not value.strip())


def _convert(field: dict, raw: Any) -> Any:
    """The stored form of one answer; ValueError with the message to show when it does not fit the field."""
    kind, label = field["type"], field["label"]
    if kind == "multiple":
        values = raw if isinstance(raw, list) else [raw]
        values = [v for v in values if not _empty(v)]
        if any(not isinstance(v, str) or v not in field["choices"] for v in values):
            raise ValueError(f"{label}: choose only from the listed options.")
        return values
    if isinstance(raw, list):
        raw = raw[-1] if raw else ""
    if _empty(raw):
        return ""
    if not isinstance(raw, str | int):
        raise ValueError(f"{label}: this answer is not text.")
    text = str(raw)
    if kind in ("text", "rich_text"):
        if len(text) > MAX_TEXT:
            raise ValueError(f"{label}: keep this under {MAX_TEXT:,} characters.")
        return sanitise_rich_text(text) if kind == "rich_text" else text
    if kind == "choice":
        if text not in field["choices"]:
            raise ValueError(f"{label}: choose one of the listed options.")
        return text
    if kind == "scale":
        try:
            number = int(text)
        except ValueError:
            raise ValueError(f"{label}: enter a whole number from {field['min']} to {field['max']}.") from None
        if not field["min"] <= number <= field["max"]:
            raise ValueError(f"{label}: enter a whole number from {field['min']} to {field['max']}.")
        return number
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"{label}: enter a date such as 2027-03-14.") from None


def check_answers(schema: dict, raw: dict) -> Checked:
    """Convert ``raw`` answers (from a form or a stored draft) field by field. Unknown keys are dropped; a value
    that does not fit its field is reported and not stored."""
    answers, errors, missing = {}, {}, []
    for field in fields_of(schema):
        key = field["key"]
        try:
            value = _convert(field, raw.get(key, ""))
        except ValueError as error:
            errors[key] = str(error)
            continue
        answers[key] = value
        if field.get("required") and _empty(value):
            missing.append(field["label"])
    return Checked(answers, errors, missing)
