"""Keeping PHI out of ticket titles, which travel in email and notifications.

``find_phi(title)`` names what it found: a client's name (legal or preferred first name with the last name, or a
distinctive surname on its own) or client number known to the clinic, a date that could be a birth date, an SSN,
a phone number or an email address. It errs on the side of caution: a person can always reword a title, while a
leaked name cannot be recalled. It reads the clinic's clients through the tenant-filtered manager, so it must run
inside the clinic's context (every request and task does).
"""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils import timezone

TITLE_GUIDANCE = (
    "Titles travel in email, so they must not hold PHI: no client names or numbers, birth dates, SSNs, phone "
    "numbers or email addresses. Put those in the description."
)

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
SSN = re.compile(r"(?<![\d-])(?:\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4}|\d{9})(?![\d-])")
PHONE = re.compile(
    r"(?<![\d-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-]?)\d{3}[\s.-]?\d{4}(?![\d-])"
    r"|(?<![\d-])\d{3}[.-]\d{4}(?![\d-])"
)
# Year first (1990-04-12) or US order (04/12/1990, 4/12/90); one separator throughout. A two-digit year needs a slash
# or hyphen, so that version numbers such as 5.2.19 are not taken for dates.
NUMERIC_DATE = re.compile(
    r"(?<![\d.])(?:(?P<y1>\d{4})(?P<s1>[-/.])(?P<m1>\d{1,2})(?P=s1)(?P<d1>\d{1,2})"
    r"|(?P<m2>\d{1,2})(?P<s2>[-/.])(?P<d2>\d{1,2})(?P=s2)(?P<y2>\d{4})"
    r"|(?P<m3>\d{1,2})(?P<s3>[-/])(?P<d3>\d{1,2})(?P=s3)(?P<y3>\d{2}))(?![\d.])"
)
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
WORDY_DATE = re.compile(
    rf"\b(?:(?P<mon1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon2>{_MONTH})\.?,?\s+(?P<y2>\d{{4}}))\b",
    re.IGNORECASE,
)
WORD = re.compile(r"[a-z][a-z'-]*")
NUMBER = re.compile(r"(?<![\d.-])#?(\d{3,7})(?![\d.-])")

# Surnames that are also everyday words (or so common they identify nobody) are flagged only with a first name.
# A title such as "Billing page won't load" must stay possible even if a client is called Page.
_ORDINARY_WORDS = """
    page bill bills price cash banks bank hall wood woods hill hills west east north south long short love may
    june april march august rose white black green brown gray grey grant king young bell lane street field fields
    stone park parks ford rivers river lake lakes brook brooks moss marsh rich little strong sharp fox wolf bird
    swan crane hawk crow finch wren day days night week weeks month year summer winter spring fall frost snow
    rain storm cross church chapel castle tower gate gates wall walls bridge mill mills well wells pool ward
    warden marshall sheriff judge baker cook cooke carpenter mason taylor turner porter walker hunter fisher
    farmer miller smith clark clerk chamberlain steward parsons bishop dean pope abbott prior friar monk
    knight squire major sergeant fuller draper weaver dyer potter barber butcher sawyer cooper archer bowman
    glass gold silver steel iron lead stamp post mail note notes form forms chart charts record records claim
    claims case cases test tests check checks payment payments plan plans goal goals visit visits session
    sessions group groups staff office desk front back home login report reports error errors issue issues
    help support ticket tickets vendor update updates new old good best hope joy faith grace patience
    charity honor noble free freeman english french welsh scott irish german rush sweet person child
    jones williams johnson davis wilson moore thomas jackson martin lee harris lewis robinson allen
"""
ORDINARY_WORDS = frozenset(_ORDINARY_WORDS.split())


@dataclass(frozen=True)
class Finding:
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.kind} (“{self.text}”)"


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("’", "'"))


def _name_words(name: str) -> list[str]:
    return _words(name)


def _contains_sequence(words: list[str], sequence: list[str]) -> bool:
    if not sequence:
        return False
    size = len(sequence)
    return any(words[i : i + size] == sequence for i in range(len(words) - size + 1))


def _could_be_birth_date(year: int, month: int, day: int, today: date) -> bool:
    try:
        found = date(year, month, day)
    except ValueError:
        return False
    return date(today.year - 130, 1, 1) <= found <= today


def _full_year(text: str, today: date) -> int:
    """4/12/90 → 1990, 4/12/15 → 2015: the most recent year ending in those digits."""
    year = int(text)
    return year + (2000 if 2000 + year <= today.year else 1900)


def find_dates(title: str, today: date) -> list[Finding]:
    found = []
    for match in NUMERIC_DATE.finditer(title):
        if match["y1"]:
            year, month, day = int(match["y1"]), int(match["m1"]), int(match["d1"])
        elif match["y2"]:
            year, month, day = int(match["y2"]), int(match["m2"]), int(match["d2"])
        else:
            year, month, day = _full_year(match["y3"], today), int(match["m3"]), int(match["d3"])
        if _could_be_birth_date(year, month, day, today):
            found.append(Finding("a date that could be a birth date", match.group(0)))
    for match in WORDY_DATE.finditer(title):
        month = MONTHS[(match["mon1"] or match["mon2"]).lower()]
        day, year = int(match["d1"] or match["d2"]), int(match["y1"] or match["y2"])
        if _could_be_birth_date(year, month, day, today):
            found.append(Finding("a date that could be a birth date", match.group(0)))
    return found


def find_patterns(title: str, today: date) -> list[Finding]:
    """The PHI a title can show without knowing the clinic's clients."""
    found = [Finding("an email address", m.group(0)) for m in EMAIL.finditer(title)]
    without_emails = EMAIL.sub(" ", title)
    found += [Finding("an SSN", m.group(0)) for m in SSN.finditer(without_emails)]
    without_ssns = SSN.sub(" ", without_emails)
    dates = find_dates(without_ssns, today)
    found += dates
    without_dates = WORDY_DATE.sub(" ", NUMERIC_DATE.sub(" ", without_ssns))
    found += [Finding("a phone number", m.group(0).strip()) for m in PHONE.finditer(without_dates)]
    return found


def find_client_references(title: str) -> list[Finding]:
    """Names and numbers of the clinic's clients in ``title`` (two indexed-size queries at most)."""
    from clients.records.models import Client

    words = _words(title)
    found: list[Finding] = []
    candidates = set()
    for size in (1, 2, 3):  # surnames of up to three words ("de la cruz")
        candidates.update(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))
    if candidates:
        clients = (
            Client.objects.annotate(last_lower=Lower("legal_last_name"))
            .filter(last_lower__in=candidates)
            .only("legal_first_name", "legal_last_name", "preferred_name")
        )
        reported = set()
        for client in clients:
            last = _name_words(client.legal_last_name)
            if not last:
                continue
            firsts = {tuple(_name_words(n)) for n in (client.legal_first_name, client.preferred_name) if n}
            full_names = [list(first) + last for first in firsts] + [last + list(first) for first in firsts]
            kind, match = (
                "a client's name",
                next((" ".join(n) for n in full_names if _contains_sequence(words, n)), None),
            )
            if match is None and (len(last) > 1 or last[0] not in ORDINARY_WORDS):
                kind, match = "a client's surname", " ".join(last)
            if match and match not in reported:
                reported.add(match)
                found.append(Finding(kind, _original(title, match)))
    numbers = {int(n) for n in NUMBER.findall(title)}
    if numbers:
        for number in Client.objects.filter(number__in=numbers).values_list("number", flat=True).order_by("number"):
            found.append(Finding("a client number", str(number)))
    return found


def _original(title: str, lowered: str) -> str:
    """The words as the person typed them, for the message."""
    pattern = r"[\s,]+".join(re.escape(part) for part in lowered.split())
    match = re.search(pattern, title.replace("’", "'"), re.IGNORECASE)
    return match.group(0) if match else lowered


def find_phi(title: str, today: date | None = None) -> list[Finding]:
    today = today or timezone.localdate()
    return find_patterns(title, today) + find_client_references(title)


def validate_title(title: str, today: date | None = None) -> None:
    """Raise a ValidationError naming each kind of PHI found in ``title``."""
    findings = find_phi(title, today)
    if findings:
        listed = "; ".join(str(f) for f in findings)
        raise ValidationError(
            f"Titles must not hold PHI. Remove {listed}, and put it in the description instead.",
            code="phi",
        )
