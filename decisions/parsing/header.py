"""Where a minute's parts are (cover, masthead, lead-in, items, signature) and what its lead-in says."""

import re
from dataclasses import dataclass
from datetime import date

from .committees import body_code
from .dates import DAY_DATE_PATTERN, WEEKDAY_PATTERN, safe_date
from .reference import REFERENCE
from .text import is_noise

_MINUTE_OF_DECISION = re.compile(r"Minute\s+of\s+Decision", re.IGNORECASE)
_ON_DATE = re.compile(rf"\bOn\s+(?:{WEEKDAY_PATTERN},?\s+)?{DAY_DATE_PATTERN},?\s+")
_ONE_SENTENCE_VERBS = r"noted|agreed|approved|authori[sz]ed|invited|directed|endorsed|confirmed|considered|discussed|received|thanked|accepted"
_BODY_WORDS = r"(?:Cabinet|the\s+[^,:;\n]{1,120}?Committee(?:\s*\([A-Z]{2,4}\))?)"
_ONE_SENTENCE = re.compile(rf"(?P<who>{_BODY_WORDS})\s+(?P<verb>{_ONE_SENTENCE_VERBS})\b(?!\s*:)")
_FOLLOWING_REFERENCE = re.compile(
    r"following\s+reference\s+from\s+(?P<referrer>[^\n]{1,200}?),\s*(?P<who>(?:the\s+)?Cabinet\b[^:;\n]{0,160}?)\s*:"
)
# The body's name may wrap onto a second line, but a line starting with a number is already an item
# (and one starting with "1" ends a lead-in whose colon was lost).
_WITH_COLON = re.compile(
    r"(?P<who>(?:[^:;\n]|\n(?![ \t]*[0-9])){1,300}?)(?:\s*:|(?=\s*\n[ \t]*(?:[-*•][ \t]*)?1[.)]?\s))"
)
_NAMES_A_BODY = re.compile(r"Cabinet|Committee|Ministers|\([A-Z]{2,4}\)")
_REPORT_OF = re.compile(
    r"made\s+the\s+following\s+decisions\s+on\s+the\s+work\s+of\s+(?P<committee>.+?)(?:\s+for\s+the\s+period\b.*)?$",
    re.DOTALL,
)
_WHO_ENDS = re.compile(r",|\s+having\s+been\b|\s+made\s+the\s+following\b")
_PRINTED_CODE = re.compile(r"\s*\([A-Z]{2,4}\)\s*$")
# No word boundary after "Cabinet": a watermark word may be glued to it ("Secretary of the CabinetMinister").
_SIGNATURE = re.compile(r"(?=[SC])(?<!the\s)(?<!The\s)\b(?:Secretary\s+of\s+the\s+Cabinet|Committee\s+Secretary\b|Cabinet\s+Secretary\b)")
_AFTER_ITEMS = re.compile(
    r"(?=[SHDPO\n])(?:(?<!the\s)\bSecretary\s+of\s+t\S*ab\S*|Hard-copy\s+\S*distribution|\bDistribution\s*:\s*\(see\s+over\)"
    r"|(?:^|\n)[ \t]*(?:Distribution|Present|Officials\s+present(?:\s+from)?)\s*:)"
)
_NAME_WORD = re.compile(r"^[A-Z][a-zA-Zāēīōū’'\-]+$|^(?:Dr|Mc|Mac)$")
_SENTENCE_END = re.compile(r"[.)]\s")
_MAX_MASTHEAD_LINES = 3
_MAX_NAME_WORDS = 4


@dataclass
class LeadIn:
    start: int
    end: int  # where the decision items begin
    date: date | None
    who: str
    verb: str | None = None  # set for the one-sentence form "On 14 April 2020, Cabinet noted the report ..."
    referrer: str | None = None


@dataclass
class Layout:
    minute_of_decision: re.Match | None
    lead_in: LeadIn | None
    cover_end: int  # the cover note or coversheet ends, and the minute's masthead starts, here
    header_start: int  # title and portfolios lie between here and the lead-in
    region_start: int
    region_end: int
    signatory: str | None
    is_signed: bool  # "Secretary of the Cabinet" or "Committee Secretary" is printed


@dataclass
class Body:
    code: str | None
    name: str | None
    report_of: str | None
    power_to_act: bool


def find_layout(text, watermark):
    found = _MINUTE_OF_DECISION.search(text)
    lead_in = find_lead_in(text, found.end() if found else 0)
    if lead_in is None and found:
        lead_in = find_lead_in(text, 0)
    if found and lead_in and found.start() > lead_in.start:
        found = None
    cover_end = _masthead_start(text, found.start()) if found else (lead_in.start if lead_in else 0)
    region_start = lead_in.end if lead_in else (found.end() if found else 0)
    signatory, region_end, is_signed = find_signature(text, region_start, watermark)
    return Layout(
        minute_of_decision=found, lead_in=lead_in, cover_end=cover_end,
        header_start=found.end() if found else cover_end,
        region_start=region_start, region_end=region_end, signatory=signatory, is_signed=is_signed,
    )


def find_lead_in(text, start=0):
    """The first "On <date>, <body>:" (or one-sentence "On <date>, Cabinet noted ...") from `start`."""
    for on_date in _ON_DATE.finditer(text, start):
        when = safe_date(on_date["year"], on_date["month"], on_date["day"])
        position = on_date.end()
        if match := _ONE_SENTENCE.match(text, position):
            return LeadIn(on_date.start(), match.start("verb"), when, match["who"], verb=match["verb"].lower())
        if match := _FOLLOWING_REFERENCE.match(text, position):
            return LeadIn(on_date.start(), match.end(), when, match["who"], referrer=match["referrer"])
        match = _WITH_COLON.match(text, position)
        if match and _NAMES_A_BODY.search(match["who"]):
            return LeadIn(on_date.start(), match.end(), when, match["who"])
    return None


def describe_body(who):
    """The body a lead-in names, and what else it says: Power to Act, the committee a report covers."""
    who = " ".join(who.split())
    report = _REPORT_OF.search(who)
    core = _WHO_ENDS.split(who, maxsplit=1)[0].strip()
    name = _PRINTED_CODE.sub("", re.sub(r"^the\s+", "", core)).strip() or None
    return Body(
        code=body_code(core),
        name=name,
        report_of=body_code(report["committee"]) if report else None,
        power_to_act="power to act" in who.lower(),
    )


def find_signature(text, start, watermark):
    """The signatory's name, where the decision items end (at the signature or distribution list), and if it is signed."""
    signature = _SIGNATURE.search(text, start)
    end = min((match.start() for match in (signature, _AFTER_ITEMS.search(text, start)) if match), default=len(text))
    if signature is None or signature.start() > end:
        return None, end, signature is not None
    name, name_start = _name_before(text, signature.start(), watermark)
    return name, min(end, name_start), True


def _name_before(text, position, watermark):
    before = text[max(0, position - 120):position]
    tokens = list(re.finditer(r"\S+", before))
    while tokens and (tokens[-1].group().islower() or tokens[-1].group() in watermark):
        tokens.pop()
    name = []
    while tokens and len(name) < _MAX_NAME_WORDS:
        word = tokens[-1].group()
        if not _NAME_WORD.match(word) or is_noise(word, watermark):
            break
        name.insert(0, tokens.pop())
    if len(name) < 2:
        return None, position
    return " ".join(token.group() for token in name), position - len(before) + name[0].start()


def _masthead_start(text, position):
    """Where the masthead ("CAB-19-MIN-0223", "Cabinet", a committee's name) printed above "Minute of Decision" starts."""
    start, lines = position, 0
    while start > 0 and lines < _MAX_MASTHEAD_LINES:
        line_begin = text.rfind("\n", 0, start - 1) + 1
        line = text[line_begin:start]
        if "\t" in line:
            break
        if (sentence_end := _last_sentence_end(line)) is not None:
            return line_begin + sentence_end
        if line.strip():
            lines += 1
        start = line_begin
    return start


def _last_sentence_end(line):
    # "(CC BY 4.0) CAB-19-MIN-0223 Cabinet": a full stop or bracket ends the cover, unless it is part of a reference.
    references = [match.span() for match in REFERENCE.finditer(line)]
    ends = [
        match.end() for match in _SENTENCE_END.finditer(line)
        if not any(start <= match.start() < end for start, end in references)
    ]
    return ends[-1] if ends else None


def has_another_minute(text, layout):
    return _MINUTE_OF_DECISION.search(text, layout.region_end) is not None


def masthead_words(text, layout):
    if layout.minute_of_decision is None:
        return ""
    return text[layout.cover_end:layout.minute_of_decision.start()]
