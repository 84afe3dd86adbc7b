"""Which of the references in a release is the minute's own: masthead, coversheet, cover note, page headers, hint."""

import re

from cabinet.references import (
    LEGACY_MINUTE_PATTERN, LEGACY_PAPER_PATTERN, MODERN_PATTERN, InvalidReference, parse_reference,
)

REFERENCE = re.compile(
    rf"(?<![A-Za-z])(?:{MODERN_PATTERN}|{LEGACY_MINUTE_PATTERN}|{LEGACY_PAPER_PATTERN})(?![0-9])"
)
_MINUTE_WORD = re.compile(r"\bMinute\b", re.IGNORECASE)
_CELL_BREAK = re.compile(r"[\t\n]")

MASTHEAD = 4  # printed above "Minute of Decision"
NAMED_AS_MINUTE = 3  # "Cabinet Minute SWC-19-MIN-0085", a coversheet row "... CAB-26-MIN-0018 Minute", page headers
COVER_NOTE = 2  # "(CAB-19-MIN-0336 refers)" or "(CAB-19-MIN-223)" in the release's cover note
IN_PASSING = 1


def minute_references(text):
    """(position, Reference) for every minute reference in `text`, in order."""
    found = []
    for match in REFERENCE.finditer(text):
        try:
            reference = parse_reference(match.group())
        except InvalidReference:
            continue
        if reference.is_minute:
            found.append((match, reference))
    return found


def cover_candidates(cover):
    """Scored minute references in a cover note or coversheet."""
    scored = []
    for match, reference in minute_references(cover):
        cell_start = max(cover.rfind("\t", 0, match.start()), cover.rfind("\n", 0, match.start())) + 1
        cell_end = _CELL_BREAK.search(cover, match.end())
        cell = cover[cell_start:cell_end.start() if cell_end else len(cover)]
        if _MINUTE_WORD.search(cell) and len(cell) < 400:
            scored.append((NAMED_AS_MINUTE, reference))
        elif _in_brackets(cover, match):
            scored.append((COVER_NOTE, reference))
        else:
            scored.append((IN_PASSING, reference))
    return scored


def header_candidates(header):
    """Scored minute references between "Minute of Decision" and the lead-in: printed first, the minute's own;
    in brackets ("Title (CAB-19-MIN-0169 refers)"), a cross-reference."""
    scored = []
    for match, reference in minute_references(header):
        if not header[:match.start()].strip():
            scored.append((MASTHEAD, reference))
        elif not _in_brackets(header, match):
            scored.append((IN_PASSING, reference))
    return scored


def _in_brackets(text, match):
    before = text[max(0, match.start() - 2):match.start()].rstrip()
    after = text[match.end():match.end() + 10].lstrip().removeprefix("refers").lstrip()
    return before.endswith(("(", "[")) and after.startswith((")", "]"))


def choose_reference(candidates, hint):
    """The minute's reference (canonical text) and warnings when the choice is not certain."""
    warnings = []
    hinted = _hinted(hint, warnings)
    best_score = max((score for score, _ in candidates), default=0)
    best = list(dict.fromkeys(str(reference) for score, reference in candidates if score == best_score))
    if hinted and (not best or hinted in best or best_score < NAMED_AS_MINUTE):
        if best and hinted not in best:
            warnings.append(f"The reference given ({hinted}) was used, but the text names {', '.join(best)}.")
        return hinted, warnings
    if not best:
        return None, warnings
    if hinted:
        warnings.append(f"The text names the minute {best[0]}, not {hinted} as given; {best[0]} was used.")
    if len(best) > 1:
        warnings.append(f"The minute's reference is uncertain ({', '.join(best)}); {best[0]} was used.")
    elif best_score == IN_PASSING:
        warnings.append(f"The reference {best[0]} was found only in passing; check it is this minute's.")
    return best[0], warnings


def _hinted(hint, warnings):
    if not hint:
        return None
    try:
        reference = parse_reference(hint)
    except InvalidReference:
        found = minute_references(str(hint))
        if not found:
            warnings.append(f"The reference given (“{hint}”) is not a Cabinet reference and was ignored.")
            return None
        reference = found[0][1]
    return str(reference if reference.is_minute else reference.counterpart() or reference)
