"""Which browsers Hearth supports, so an outdated one gets a notice instead of a half-working page.

The floor is set by what the pages use: <dialog> (idle warning), ES modules, fetch and CSS :has().
"""

import re

MINIMUM_VERSIONS = {"Edge": 109, "Chrome": 109, "Firefox": 121, "Safari": 16}
_PATTERNS = [
    ("Edge", re.compile(r"Edg/(\d+)")),
    ("Chrome", re.compile(r"(?:Chrome|CriOS)/(\d+)")),
    ("Firefox", re.compile(r"(?:Firefox|FxiOS)/(\d+)")),
    ("Safari", re.compile(r"Version/(\d+)(?:\.\d+)*.*Safari/")),
]


def is_outdated(user_agent: str) -> bool:
    """True for Internet Explorer and for known browsers older than the floor; unknown agents get no notice."""
    if "Trident/" in user_agent or "MSIE " in user_agent:
        return True
    for name, pattern in _PATTERNS:
        match = pattern.search(user_agent)
        if match:
            return int(match.group(1)) < MINIMUM_VERSIONS[name]
    return False


def browser_support(request) -> dict:
    """Context processor: ``outdated_browser`` for the notice in the base layout."""
    return {"outdated_browser": is_outdated(request.META.get("HTTP_USER_AGENT", ""))}
