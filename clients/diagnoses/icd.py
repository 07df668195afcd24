"""ICD-10-CM codes from the code set shipped by ``simple-icd-10-cm``: lookup, billability and search.

The package loads about 98,000 entries when first imported (a couple of seconds), so it is imported on first
use, not at start-up. Only leaf codes are billable: a category such as F41 or a code that needs a 7th character
is refused with a message saying why.
"""

import re
import warnings
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ValidationError

SEARCH_LIMIT = 20
CODE_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")


@dataclass(frozen=True)
class Code:
    code: str
    description: str


def _icd():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the package reads its data with importlib's legacy API
        import simple_icd_10_cm

    return simple_icd_10_cm


@cache
def _billable() -> tuple[tuple[str, str, str], ...]:
    """Every billable code as (code, description, lower-case "code description" for matching), in code order."""
    icd = _icd()
    rows = []
    for code in icd.get_all_codes(with_dots=True):
        if icd.is_chapter_or_block(code) or not icd.is_leaf(code):
            continue
        description = icd.get_description(code)
        rows.append((code, description, f"{code.lower()} {code.replace('.', '').lower()} {description.lower()}"))
    return tuple(rows)


def normalize(raw: str) -> str:
    """``f411`` → ``F41.1`` when that is a code; otherwise the trimmed, upper-case input."""
    code = raw.strip().upper()
    if "." not in code and len(code) > 3:
        dotted = f"{code[:3]}.{code[3:]}"
        if _icd().is_valid_item(dotted):
            return dotted
    return code


def billable_code(raw: str) -> Code:
    """The billable code ``raw`` names, or ValidationError with a message a clinician can act on."""
    code = normalize(raw)
    icd = _icd()
    if not code:
        raise ValidationError("Enter an ICD-10-CM code, or search by words and pick one.")
    if not CODE_SHAPE.match(code) or not icd.is_valid_item(code) or icd.is_chapter_or_block(code):
        raise ValidationError(f"“{raw.strip()[:20]}” is not an ICD-10-CM code. Search by words to find the right one.")
    if not icd.is_leaf(code):
        examples = ", ".join(icd.get_children(code)[:3])
        raise ValidationError(
            f"{code} ({icd.get_description(code)}) is not billable: choose a more specific code, such as {examples}."
        )
    return Code(code, icd.get_description(code))


def search(query: str, *, limit: int = SEARCH_LIMIT) -> list[Code]:
    """Billable codes whose code starts with ``query``, or whose code and description contain all its words."""
    query = query.strip().lower()[:100]
    if len(query) < 2:
        return []
    compact = query.replace(".", "")
    words = query.split()
    matches = []
    looks_like_code = CODE_SHAPE.match(query.upper()) or (len(words) == 1 and re.match(r"^[a-z][0-9]", query))
    for code, description, haystack in _billable():
        if looks_like_code:
            hit = code.lower().startswith(query) or code.replace(".", "").lower().startswith(compact)
        else:
            hit = all(word in haystack for word in words)
        if hit:
            matches.append(Code(code, description))
            if len(matches) >= limit:
                break
    return matches
