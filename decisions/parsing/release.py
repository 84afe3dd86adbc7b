"""The proactive-release coversheet or cover note in front of a minute: who released it, when, what was withheld."""

import re

from cabinet.grounds import grounds_in_text

from .dates import DAY_DATE_PATTERN, parse_date, safe_date
from .redactions import SECTION_CODE
from .results import ParsedDocument, ParsedRelease
from .text import squash, unwrap_released_by

_COVER_MARKERS = re.compile(
    r"COVERSHEET|Date\s+to\s+be\s+published|proactively\s+released|Proactive\s+Release|List\s+of\s+documents",
    re.IGNORECASE,
)
_PUBLISH_DATE = re.compile(
    rf"(?:Date\s+to\s+be\s+published|(?:Proactive\s+)?Release\s+date|(?:^|\n)[ \t]*Date)\s*:?\s*{DAY_DATE_PATTERN}",
    re.IGNORECASE,
)
_CELL_END = r"(?=\t|\n|$)"
_MINISTER = re.compile(rf"(?:^|[\t\n])[ \t]*Ministers?[ \t]*[:\t][ \t]*(?P<value>[^\t\n]+?)[ \t]*{_CELL_END}")
_PORTFOLIO = re.compile(rf"(?:^|[\t\n])[ \t]*Portfolios?[ \t]*[:\t][ \t]*(?P<value>[^\t\n]+?)[ \t]*{_CELL_END}")
_TITLE = re.compile(rf"Title\s+of\s+(?:the\s+)?(?:Cabinet\s+)?paper[ \t]*[:\t][ \t]*(?P<value>[^\t\n]+?)[ \t]*{_CELL_END}", re.IGNORECASE)
_REDACTED = re.compile(r"Information\s+redacted\s*:?\s*(?P<answer>YES|NO)\b", re.IGNORECASE)
_RELEASED_BY = re.compile(
    r"(?:proactively\s+)?released\s+by\s+(?:the\s+)?(?P<by>[A-Z][^\n:;.,()]{2,100}?)(?:\s*\([A-Z]{2,8}\))?"  # "(DIA)"
    r"(?:,?\s+on\s+behalf\s+of\s+(?P<minister>(?:Rt\s+)?Hon\s+[^,.\n]{2,60}?)(?:,\s+(?P<office>Minister\s+(?:of|for)\s+[^.\n:]{2,80}?))?)?\s*[.:\n]",
)
# "redacted in accordance with MBIE's policy on Proactive Release": the agency that released it.
_AGENCY_POLICY = re.compile(r"(?P<agency>[A-Z][\w&]*(?:\s+(?:of\s+|and\s+|for\s+)?[A-Z][\w&]*){0,8})[’']s\s+[Pp]olicy\s+on\s+[Pp]roactive\s+[Rr]elease")
_ON_BEHALF_OF = re.compile(r"on\s+behalf\s+of\s+(?P<minister>(?:Rt\s+)?Hon\s+[A-Z][^,.\n]{2,60}?)\s*[,.\n]")
_MINISTER_OF = re.compile(r"^Minister\s+(?:of|for)\s+(?:the\s+)?(?P<portfolio>.+)$")
_DOCUMENT_LIST = re.compile(r"List\s+of\s+documents[^\n]*\n(?P<rows>.*?)(?=\n\s*Information\s+redacted|\Z)", re.IGNORECASE | re.DOTALL)
_HEADER_ROW = re.compile(r"^\s*Date\s+Title\s+Author\s*$", re.IGNORECASE)
# A sentence ends at its full stop or at a paragraph break; a PDF's text wraps sentences over lines.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n[ \t]*\n|\n(?=[ \t]*[A-Z][^\n]*\t)")
_ABOUT_GROUNDS = re.compile(r"withheld|withholding|redacted\s+(?:for|under)|grounds|reasons\s+of|sections?\s+[0-9]", re.IGNORECASE)
_CODE = re.compile(rf"(?<![\w(])(?:s(?:ection)?\s?)?(?P<code>{SECTION_CODE})", re.IGNORECASE)


def has_cover(text):
    return _COVER_MARKERS.search(text) is not None


def parse_release(cover):
    """What the coversheet says about the release, or None when the text has no cover."""
    if not has_cover(cover):
        return None
    release = ParsedRelease(
        publish_date=_publish_date(cover),
        minister=_cell(_MINISTER, cover),
        portfolios=_portfolios(_cell(_PORTFOLIO, cover)),
        title=_cell(_TITLE, cover),
        documents=_documents(cover),
        redacted=_redacted(cover),
        grounds=_grounds(cover),
    )
    if match := _RELEASED_BY.search(unwrap_released_by(cover)):
        release.released_by = squash(match["by"])
        release.minister = release.minister or (squash(match["minister"]) if match["minister"] else None)
        office = _MINISTER_OF.match(squash(match["office"] or match["by"]))
        if office and not release.portfolios:
            release.portfolios = [office["portfolio"]]
    if release.released_by is None and (match := _AGENCY_POLICY.search(cover)):
        release.released_by = squash(match["agency"])
    if release.minister is None and (match := _ON_BEHALF_OF.search(cover)):
        release.minister = squash(match["minister"])
    return release


def _publish_date(cover):
    match = _PUBLISH_DATE.search(cover)
    return safe_date(match["year"], match["month"], match["day"]) if match else None


def _cell(pattern, cover):
    match = pattern.search(cover)
    return squash(match["value"]) if match else None


def _portfolios(value):
    return [squash(part) for part in (value or "").split("/") if part.strip()]


def _documents(cover):
    match = _DOCUMENT_LIST.search(cover)
    if match is None:
        return []
    documents = []
    for row in match["rows"].split("\n"):
        cells = [squash(cell) for cell in row.split("\t") if cell.strip()]
        if len(cells) < 2 or _HEADER_ROW.match(" ".join(cells)):
            continue
        when, precision = parse_date(cells[0])
        title_cells = cells[1:] if when else cells
        documents.append(ParsedDocument(
            when, precision, title_cells[0], title_cells[1] if len(title_cells) > 1 else None,
        ))
    return documents


def _redacted(cover):
    match = _REDACTED.search(cover)
    return match["answer"].upper() == "YES" if match else None


def _grounds(cover):
    codes = []
    for sentence in _SENTENCE_END.split(cover):
        if not _ABOUT_GROUNDS.search(sentence):
            continue
        printed = [re.sub(r"\s+", "", match["code"]).lower() for match in _CODE.finditer(sentence)]
        for code in printed or [ground.code for ground in grounds_in_text(sentence)]:
            if code not in codes:
                codes.append(code)
    return codes
