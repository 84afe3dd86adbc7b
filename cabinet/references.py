"""Cabinet references (`CAB-26-MIN-0018`, `CAB Min (10) 39/8`): parse every real-world variant, print one form."""

import re
from dataclasses import dataclass

# Hyphen look-alikes found in text copied from released PDFs and web pages.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212-"
_DASH = rf"\s*[{_DASHES}]\s*"

MODERN_PATTERN = (
    rf"(?P<body>[A-Za-z]{{2,4}}){_DASH}(?P<yy>\d{{2}}){_DASH}(?P<type>MIN|SUB|Min|Sub|min|sub)"
    rf"{_DASH}(?P<number>\d{{1,4}})(?:\.(?P<suffix>\d{{1,3}}))?(?:\s+(?P<revised>Revised|REVISED|revised))?"
)
# Before 2015: minutes `CAB Min (10) 39/8` (meeting 39, item 8), papers `CAB (09) 61`.
LEGACY_MINUTE_PATTERN = (
    r"(?P<lbody>[A-Z]{2,4})\s+(?:Min|MIN)\s*\(\s*(?P<lyy>\d{2})\s*\)\s*(?P<meeting>\d{1,3})\s*/\s*(?P<item>\d{1,3})"
)
LEGACY_PAPER_PATTERN = r"(?P<pbody>[A-Z]{2,4})\s*\(\s*(?P<pyy>\d{2})\s*\)\s*(?P<pnumber>\d{1,4})"

_ANY = re.compile(
    rf"(?<![A-Za-z])(?:{MODERN_PATTERN}|{LEGACY_MINUTE_PATTERN}|{LEGACY_PAPER_PATTERN})(?![\d])"
)
_WRAPPING = re.compile(r"^[\s\[(]*(?P<inner>.*?)(?:\s+refers)?[\s\])]*$", re.IGNORECASE | re.DOTALL)

MINUTE = "MIN"
PAPER = "SUB"


class InvalidReference(ValueError):
    """The text is not a Cabinet reference in any form we know."""


@dataclass(frozen=True)
class Reference:
    body: str
    year: int
    type: str  # MINUTE or PAPER
    number: int
    suffix: str = ""
    is_revised: bool = False
    meeting: int | None = None  # pre-2015 minutes only
    is_legacy: bool = False

    def __str__(self):
        yy = f"{self.year % 100:02d}"
        if self.is_legacy and self.type == MINUTE:
            return f"{self.body} Min ({yy}) {self.meeting}/{self.number}"
        if self.is_legacy:
            return f"{self.body} ({yy}) {self.number}"
        text = f"{self.body}-{yy}-{self.type}-{self.number:04d}"
        return f"{text}.{self.suffix}" if self.suffix else text

    @property
    def is_minute(self):
        return self.type == MINUTE

    def counterpart(self):
        """The paper of a minute or the minute of a paper: they share body, year and number."""
        if self.is_legacy:
            return None
        other = PAPER if self.is_minute else MINUTE
        return Reference(self.body, self.year, other, self.number, self.suffix)


def _from_match(match):
    groups = match.groupdict()
    if groups["body"]:
        return Reference(
            body=groups["body"].upper(),
            year=2000 + int(groups["yy"]),
            type=groups["type"].upper(),
            number=int(groups["number"]),
            suffix=groups["suffix"] or "",
            is_revised=bool(groups["revised"]),
        )
    if groups["lbody"]:
        return Reference(
            body=groups["lbody"].upper(),
            year=2000 + int(groups["lyy"]),
            type=MINUTE,
            number=int(groups["item"]),
            meeting=int(groups["meeting"]),
            is_legacy=True,
        )
    return Reference(
        body=groups["pbody"].upper(),
        year=2000 + int(groups["pyy"]),
        type=PAPER,
        number=int(groups["pnumber"]),
        is_legacy=True,
    )


def parse_reference(text):
    """Parse one reference, allowing brackets and a trailing "refers" around it."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidReference("Enter a reference such as CAB-26-MIN-0018.")
    inner = _WRAPPING.match(text).group("inner").strip()
    match = _ANY.fullmatch(inner)
    if match is None:
        raise InvalidReference(
            f"“{text.strip()[:60]}” is not a Cabinet reference. "
            "Use the form BODY-YY-MIN-NNNN (for example CAB-26-MIN-0018), or CAB Min (10) 39/8 before 2015."
        )
    return _from_match(match)


def normalise_reference(text):
    return str(parse_reference(text))


def find_references(text):
    """Every reference in running text, in order of appearance, without repeats."""
    seen, found = set(), []
    for match in _ANY.finditer(text or ""):
        reference = _from_match(match)
        if str(reference) not in seen:
            seen.add(str(reference))
            found.append(reference)
    return found
