"""Read the text of a released Cabinet minute (no database): parse_minute and what it returns."""

from .minute import parse_minute
from .results import (
    NotAMinute,
    ParsedConfirmation,
    ParsedDecision,
    ParsedDocument,
    ParsedFollowUp,
    ParsedMinute,
    ParsedRedaction,
    ParsedRelease,
)

__all__ = [
    "NotAMinute",
    "ParsedConfirmation",
    "ParsedDecision",
    "ParsedDocument",
    "ParsedFollowUp",
    "ParsedMinute",
    "ParsedRedaction",
    "ParsedRelease",
    "parse_minute",
]
