"""A release pack read into its documents: the coversheet, the Cabinet paper, each minute and Report of Committee.

Agencies publish one PDF (or a web page) holding a coversheet, then the paper the Minister lodged, then the minute(s)
of decision, sometimes a Report of Committee. Each document starts where its first line is printed:
- a coversheet at "COVERSHEET" (or the first page, when it holds "Date to be published" and the list of documents);
- a paper at its "Office of the Minister ..." lines (with the classification printed just above them);
- a minute (a Report of Committee is one too) at its masthead: the classification, reference and body lines printed
  just above "Minute of Decision".
A document runs to the start of the next. No database here: decisions/packs.py plans and saves what this finds.
"""

import re
from dataclasses import dataclass, field

from cabinet.references import InvalidReference, find_references, parse_reference

from .masthead import find_classification
from .release import has_cover, parse_release
from .results import ParsedRelease
from .text import prepare, squash

COVERSHEET, PAPER, MINUTE, REPORT, UNREAD = "coversheet", "paper", "minute", "report", "unread"

_COVER_START = re.compile(r"^[ \t]*(?:COVERSHEET|Coversheet|Proactive\s+Release)\b", re.MULTILINE)
_PAPER_START = re.compile(r"^[ \t]*Office\s+of\s+the\s+(?:Prime\s+|Deputy\s+Prime\s+|Associate\s+)?Minister\b", re.MULTILINE)
_MINUTE_OF_DECISION = re.compile(r"^[ \t]*Minute\s+of\s+Decision\b", re.MULTILINE | re.IGNORECASE)
_REPORT_TITLE = re.compile(r"^[ \t]*Report\s+of\s+the\s+Cabinet\b[^\n]*Committee", re.MULTILINE)
# Lines a masthead is made of: classification, reference, "Cabinet", a committee's name over one or two lines.
_MASTHEAD_LINE = re.compile(
    r"^[ \t]*(?:$|(?:[A-Z]{3,20}\s*:\s*)?(?:TOP\s+SECRET|SECRET|CONFIDENTIAL|RESTRICTED|SENSITIVE|IN[\s-]+CONFIDENCE)[ \t]*$"
    r"|[A-Za-z]{2,4}\s*[-‐‑–]\s*[0-9]{2}\s*[-‐‑–]\s*(?:MIN|SUB)\b.*$|Cabinet\b[^.;:\n]{0,60}$|[^.;:\n]{0,60}Committee[ \t]*$)"
)
_CLASSIFICATION_LINE = re.compile(
    r"^[ \t]*(?:[A-Z]{3,20}\s*:\s*)?(?:TOP\s+SECRET|SECRET|CONFIDENTIAL|RESTRICTED|SENSITIVE|IN[\s-]+CONFIDENCE)[ \t]*$"
)
_MAX_MASTHEAD_LINES = 8
_MINISTER_OFFICE = re.compile(
    r"^[ \t]*Office\s+of\s+the\s+(?P<office>(?:Prime\s+|Deputy\s+Prime\s+|Associate\s+)?Minister(?:\s+(?:of|for)\s+(?P<portfolio>[^\n]+?))?)[ \t]*$",
    re.MULTILINE,
)
_CHAIR = re.compile(r"^[ \t]*Chair,?\s+[^\n]*$", re.MULTILINE)
_SECTION_AFTER_TITLE = re.compile(
    r"^[ \t]*(?:Proposal|Purpose|Executive\s+summary|Summary|Background|Introduction)[ \t]*$", re.MULTILINE | re.IGNORECASE,
)
_RECOMMENDATIONS = re.compile(r"^[ \t]*Recommendations?[ \t]*$", re.MULTILINE | re.IGNORECASE)
_PAPER_END = re.compile(r"^[ \t]*(?:Authorised\s+for\s+lodgement|Authorized\s+for\s+lodgement)\b", re.MULTILINE | re.IGNORECASE)
_RECOMMENDATION = re.compile(r"^[ \t]*(?P<number>[0-9]{1,2}(?:\.[0-9]{1,2}){0,2})[.)]?[ \t]+(?P<text>\S[^\n]*)$", re.MULTILINE)
_MAX_TITLE_LINES = 4


@dataclass
class ParsedPaper:
    reference: str | None = None
    title: str | None = None
    portfolios: list[str] = field(default_factory=list)
    classification: str | None = None
    recommendations: list[tuple[str, str]] = field(default_factory=list)  # (number, text)
    warnings: list[str] = field(default_factory=list)

    def as_json(self):
        return {
            "reference": self.reference,
            "title": self.title,
            "portfolios": list(self.portfolios),
            "classification": self.classification,
            "recommendations": [{"number": number, "text": text} for number, text in self.recommendations],
            "warnings": list(self.warnings),
        }


@dataclass
class PackDocument:
    kind: str
    text: str
    pages: list[int] = field(default_factory=list)  # page numbers in the PDF; empty for text
    furniture: list[str] = field(default_factory=list)  # stamps and headers removed from its pages
    paper: ParsedPaper | None = None
    release: ParsedRelease | None = None
    warnings: list[str] = field(default_factory=list)

    def page_label(self):
        if not self.pages:
            return ""
        first, last = self.pages[0], self.pages[-1]
        return f"page {first}" if first == last else f"pages {first}–{last}"

    def furniture_references(self, type_):
        """References printed in this document's page headers, of one type (MIN or SUB)."""
        found = []
        for line in self.furniture:
            for reference in find_references(line):
                if reference.type == type_ and str(reference) not in found:
                    found.append(str(reference))
        return found


@dataclass
class SourcePage:
    number: int
    text: str
    furniture: list[str] = field(default_factory=list)


def split_pack(pages):
    """The documents in a pack, in order. `pages`: SourcePage list (a text is one page, or pages split at form feeds)."""
    lines = []  # (page number, line)
    for page in pages:
        lines.extend((page.number, line) for line in prepare_lines(page.text))
    if not lines:
        return []
    text = "\n".join(line for _, line in lines)
    offsets, position = [], 0
    for _, line in lines:
        offsets.append(position)
        position += len(line) + 1
    starts = _starts(text, [line for _, line in lines], offsets)
    furniture = {page.number: page.furniture for page in pages}
    documents = []
    bounds = [*sorted(starts.items()), (len(lines), None)]
    if bounds[0][0] > 0:
        bounds.insert(0, (0, None))
    for (start, kind), (end, _) in zip(bounds, bounds[1:]):
        chunk = lines[start:end]
        body = "\n".join(line for _, line in chunk).strip("\n")
        if not body.strip():
            continue
        numbers = sorted({number for number, _ in chunk})
        document = PackDocument(kind or _kind_of(body), body, numbers, [item for n in numbers for item in furniture.get(n, [])])
        documents.append(document)
    documents = _merged(documents)
    for document in documents:
        if document.kind == COVERSHEET:
            document.release = parse_release(document.text)
        elif document.kind == PAPER:
            document.paper = parse_paper(document.text, document.furniture_references("SUB"))
    return documents


def _merged(documents):
    """Unrecognised lines just before a minute are its masthead (one this module could not read: "Copy No: ..."); a
    coversheet with a lead-in in it is a release flattened into one text, coversheet and minute together."""
    merged = []
    for document in documents:
        if document.kind == COVERSHEET and _has_lead_in(document.text):
            document.kind = MINUTE
        if merged and merged[-1].kind == UNREAD and document.kind == MINUTE:
            before = merged.pop()
            document.text = f"{before.text}\n{document.text}"
            document.pages = sorted({*before.pages, *document.pages})
            document.furniture = before.furniture + [cell for cell in document.furniture if cell not in before.furniture]
        merged.append(document)
    return merged


def _has_lead_in(text):
    from .header import find_lead_in

    return find_lead_in(text) is not None


def prepare_lines(text):
    if not text.strip():
        return []
    try:
        return prepare(text).split("\n")
    except ValueError:  # binary or empty: nothing on this page to read
        return []


def _starts(text, lines, offsets):
    """{line index: kind} where each document begins."""
    starts = {}
    previous_paper_line = -10
    for match in _PAPER_START.finditer(text):
        index = _line_at(offsets, match.start())
        if index - previous_paper_line > 3:  # "Office of the Minister for X" / "Office of the Minister of Y": one start
            starts[_back_over_classification(lines, index)] = PAPER
        previous_paper_line = index
    for match in _MINUTE_OF_DECISION.finditer(text):
        index = _line_at(offsets, match.start())
        starts[_back_over_masthead(lines, index)] = MINUTE
    for match in _REPORT_TITLE.finditer(text):
        index = _line_at(offsets, match.start())
        if not any(kind == MINUTE and 0 <= index - start <= 40 for start, kind in starts.items()):
            starts[_back_over_masthead(lines, index)] = MINUTE
    # One coversheet a pack, in front: a later "Proactive Release" line is a paper's own section heading.
    cover = _COVER_START.search(text)
    if cover is not None and (index := _line_at(offsets, cover.start())) < min(starts, default=len(lines)):
        starts[index] = COVERSHEET
    return starts


def _line_at(offsets, position):
    low, high = 0, len(offsets) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if offsets[middle] <= position:
            low = middle
        else:
            high = middle - 1
    return low


def _back_over_masthead(lines, index):
    start = index
    for candidate in range(index - 1, max(-1, index - 1 - _MAX_MASTHEAD_LINES), -1):
        if not _MASTHEAD_LINE.match(lines[candidate]):
            break
        if lines[candidate].strip():
            start = candidate
    return start


def _back_over_classification(lines, index):
    start = index
    for candidate in range(index - 1, max(-1, index - 4), -1):
        line = lines[candidate]
        if line.strip() and not _CLASSIFICATION_LINE.match(line):
            break
        if line.strip():
            start = candidate
    return start


def _kind_of(text):
    """What a stretch with no start of its own is: a coversheet, or a minute with no masthead (a web copy), or unread."""
    if has_cover(text) and not _has_lead_in(text):
        return COVERSHEET  # a cover note names the minute it releases ("(CAB-19-MIN-0336 refers)")
    return MINUTE if _looks_like_minute(text) else UNREAD


def _looks_like_minute(text):
    return _has_lead_in(text) or bool(re.search(r"\b[A-Z]{2,4}\s*[-‐‑–]\s*[0-9]{2}\s*[-‐‑–]\s*MIN\b", text))


def parse_paper(text, header_references=()):
    """What a Cabinet paper says about itself: reference, title, portfolios, classification, recommendations."""
    paper = ParsedPaper(classification=find_classification(text, len(text)))
    references = [str(reference) for reference in find_references(text) if reference.type == "SUB"]
    paper.reference = (references or list(header_references) or [None])[0]
    offices = list(_MINISTER_OFFICE.finditer(text))
    for office in offices:
        if office["portfolio"]:
            name = squash(office["portfolio"])
            if name not in paper.portfolios:
                paper.portfolios.append(name)
    paper.title = _paper_title(text, offices)
    if paper.title is None:
        paper.warnings.append("The paper's title was not found.")
    paper.recommendations = _recommendations(text)
    if not paper.recommendations:
        paper.warnings.append("The paper's recommendations were not found.")
    return paper


def _paper_title(text, offices):
    chair = _CHAIR.search(text)
    start = chair.end() if chair else (offices[-1].end() if offices else 0)
    section = _SECTION_AFTER_TITLE.search(text, start)
    block = text[start:section.start() if section else start + 400]
    lines = [squash(line) for line in block.split("\n") if line.strip()]
    lines = [line for line in lines if not _CLASSIFICATION_LINE.match(line) and not _is_reference(line)]
    return " ".join(lines[:_MAX_TITLE_LINES]) or None


def _is_reference(line):
    try:
        parse_reference(line)
    except InvalidReference:
        return False
    return True


def _recommendations(text):
    headings = list(_RECOMMENDATIONS.finditer(text))
    if not headings:
        return []
    heading = headings[-1]  # the last "Recommendations" heading: the summary may name the section earlier
    end = _PAPER_END.search(text, heading.end())
    block = text[heading.end():end.start() if end else len(text)]
    found = []
    matches = list(_RECOMMENDATION.finditer(block))
    for match, following in zip(matches, [*matches[1:], None]):
        body = block[match.start("text"):following.start() if following else len(block)]
        found.append((match["number"], squash(body)))
    return found
