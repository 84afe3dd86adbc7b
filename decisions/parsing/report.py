"""The table of a Report of Committee: each committee minute with what Cabinet did to it (confirmed, amended ...)."""

import re

from .items import VERBS
from .reference import minute_references
from .results import ParsedConfirmation, ParsedDecision
from .text import is_junk, words

_OUTCOME = re.compile(
    r"\b(?:NOT\s+CONFIRMED|CONFIRMED|AMENDED|REFERRED\s+BACK|REFERRED|NOTED|WITHDRAWN|RESCINDED"
    r"|Not\s+confirmed|Confirmed|Amended|Referred\s+back|Referred|Withdrawn|Rescinded)\b"
)
_MAX_TITLE_WORDS = 40


def find_confirmations(region, own_reference):
    """Committee minutes listed in a Report of Committee, in order, each with its outcome."""
    listed = [(match, reference) for match, reference in minute_references(region) if str(reference) != own_reference]
    confirmations = []
    for index, (match, reference) in enumerate(listed):
        row_end = listed[index + 1][0].start() if index + 1 < len(listed) else len(region)
        row = region[match.end():row_end]
        outcome = _OUTCOME.search(row)
        title_words = [word for word in words(row[:outcome.start()] if outcome else row) if not is_junk(word)]
        confirmations.append(ParsedConfirmation(
            reference=str(reference),
            title=" ".join(title_words[:_MAX_TITLE_WORDS]) or None,
            outcome=" ".join(outcome.group().lower().split()) if outcome else None,
        ))
    return confirmations


def confirmation_items(confirmations):
    """The rows of a Report of Committee as decision items numbered in order: "confirmed GOV-19-MIN-0024: ..."."""
    items = []
    for number, row in enumerate(confirmations, start=1):
        verb = (row.outcome or "").partition(" ")[0]
        text = " ".join(part for part in (row.outcome, f"{row.reference}:", row.title) if part)
        items.append(ParsedDecision(str(number), verb if verb in VERBS else None, text))
    return items
