"""Dates as minutes print them ("2 February 2026") and due dates with their precision ("by mid-2026")."""

import calendar
import re
from datetime import date, timedelta
from typing import NamedTuple

from .results import DAY, HALF, MONTH, NO_PRECISION, YEAR

_MONTH_NUMBERS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
MONTH_PATTERN = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)(?![a-z])\.?"
)
WEEKDAY_PATTERN = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
DAY_DATE_PATTERN = (
    rf"(?P<day>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{MONTH_PATTERN}),?\s+(?P<year>[0-9]{{4}})(?![0-9])"
)

_DAY_DATE = re.compile(DAY_DATE_PATTERN, re.IGNORECASE)
_MONTH_DATE = re.compile(rf"(?P<month>{MONTH_PATTERN}),?\s+(?P<year>[0-9]{{4}})", re.IGNORECASE)
_YEAR_DATE = re.compile(r"[0-9]{4}")

_COUNTS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "nine": 9, "twelve": 12, "eighteen": 18}
_QUARTERS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_FIRST_HALF = ("mid", "middle", "early", "first")

_DUE = re.compile(
    rf"""\b(?=by|before|no|not|on|at|in|during|within|later)(?:
      (?:by|before|no\s+later\s+than|not\s+later\s+than|on\s+or\s+before)\s+(?:{WEEKDAY_PATTERN},?\s+)?(?:the\s+)?
        (?P<day>[0-9]{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<day_month>{MONTH_PATTERN})(?:,?\s+(?P<day_year>[0-9]{{4}}))?
    | (?:by|before|at)\s+(?:the\s+)?end(?:\s+of|-)\s*(?:the\s+)?
        (?:(?P<quarter>first|second|third|fourth)\s+quarter\s+(?:of\s+)?|Q(?P<quarter_number>[1-4])\s+)(?P<quarter_year>[0-9]{{4}})
    | (?:by|before|at)\s+(?:the\s+)?end(?:\s+of|-)\s*(?P<end_month>{MONTH_PATTERN})(?:,?\s+(?P<end_month_year>[0-9]{{4}}))?
    | (?:by|before|at)\s+(?:the\s+)?end\s+of\s+(?:the\s+)?(?P<fy_start>[0-9]{{4}})/(?P<fy_end>[0-9]{{2}}(?:[0-9]{{2}})?)
        (?:\s+(?:financial|fiscal)\s+year)?
    | (?:by|before|at)\s+(?:the\s+)?end(?:\s+of|-)\s*(?:(?:the\s+)?(?:calendar\s+)?year\s+)?(?P<end_year>[0-9]{{4}})(?!/[0-9])
    | (?:by|before|at)\s+(?:the\s+)?end\s+of\s+(?P<which_year>the|this|next)\s+
        (?:(?P<financial>financial|fiscal)\s+|calendar\s+)?year(?!\s*[0-9])
    | later\s+(?P<which_later>this)\s+year
    | (?:by|in|during|before|no\s+later\s+than)\s+(?:(?:early|mid|late)[-\s]?)?(?P<month>{MONTH_PATTERN})\s+(?P<month_year>[0-9]{{4}})
    | (?:by|in|during|before)\s+(?:the\s+)?(?P<half>mid|middle\s+of|early|late|first\s+half\s+of|second\s+half\s+of)[-\s]*(?P<half_year>[0-9]{{4}})
    | (?:by|in|during|within)\s+(?P<year>[0-9]{{4}})
    | (?:within|in)\s+(?P<count>[0-9]{{1,2}}|{"|".join(_COUNTS)})\s+(?P<unit>weeks?|months?)
        (?P<event>\s+(?:of|after|from|following)\s+(?!(?:this|today|now|the\s+date\s+of\s+this|the\s+decision)\b)
          [^;:,.]{{1,80}}?(?=\s+(?:on|to|by|with)\s|[;:,.]|$))?
    )(?![0-9])""",
    re.IGNORECASE | re.VERBOSE,
)


class Due(NamedTuple):
    date: date | None
    precision: str
    text: str | None


NO_DUE = Due(None, NO_PRECISION, None)


def month_number(word):
    return _MONTH_NUMBERS[word.lower()[:3]]


def safe_date(year, month, day):
    """The date, or None when the printed day does not exist (31 February, OCR damage)."""
    try:
        return date(int(year), month if isinstance(month, int) else month_number(month), int(day))
    except ValueError:
        return None


def parse_date(text):
    """A printed date and its precision: "2 February 2026" (day), "February 2026" (month), "2026" (year).

    A month or year stands for its last day, as due dates do.
    """
    text = " ".join((text or "").split()).strip(" .,;")
    if match := _DAY_DATE.fullmatch(text):
        value = safe_date(match["year"], match["month"], match["day"])
        return (value, DAY) if value else (None, NO_PRECISION)
    if (match := _MONTH_DATE.fullmatch(text)) and (value := _month_end(int(match["year"]), month_number(match["month"]))):
        return value, MONTH
    if _YEAR_DATE.fullmatch(text) and 1 <= int(text) <= 9999:
        return date(int(text), 12, 31), YEAR
    return None, NO_PRECISION


def find_due(text, decided_on=None):
    """The first due date in a follow-up's wording, and warnings about how it was read."""
    match = _DUE.search(text or "")
    if match is None:
        return NO_DUE, []
    wording = " ".join(match.group().split())
    value, precision, warning = _due_from_match(match, decided_on)
    if value is None:
        return Due(None, NO_PRECISION, wording), [warning or f"the due date “{wording}” could not be read"]
    return Due(value, precision, wording), [warning] if warning else []


def _due_from_match(match, decided_on):
    groups = match.groupdict()
    if groups["day"]:
        year = groups["day_year"] or _inferred_year(decided_on, month_number(groups["day_month"]))
        return _dated(safe_date(year, groups["day_month"], groups["day"]) if year else None, DAY, match, groups["day_year"])
    if groups["quarter_year"]:
        quarter = int(groups["quarter_number"] or _QUARTERS[groups["quarter"].lower()])
        return _month_end(int(groups["quarter_year"]), quarter * 3), MONTH, None
    if groups["end_month"]:
        month = month_number(groups["end_month"])
        year = groups["end_month_year"] or _inferred_year(decided_on, month)
        return _dated(_month_end(int(year), month) if year else None, MONTH, match, groups["end_month_year"])
    if groups["end_year"]:
        return _year_end(int(groups["end_year"])), YEAR, None
    if groups["fy_start"]:
        return _financial_year_end(groups["fy_start"], groups["fy_end"])
    if which := groups["which_year"] or groups["which_later"]:
        return _year_named(match, which.lower(), groups["financial"], decided_on)
    if groups["month"]:
        return _month_end(int(groups["month_year"]), month_number(groups["month"])), MONTH, None
    if groups["half"]:
        month = 6 if groups["half"].lower().startswith(_FIRST_HALF) else 12
        return _month_end(int(groups["half_year"]), month), HALF, None
    if groups["year"]:
        return _year_end(int(groups["year"])), YEAR, None
    return _relative_due(groups, decided_on, match)


def _dated(value, precision, match, printed_year):
    if value is None:
        return None, NO_PRECISION, None
    if printed_year:
        return value, precision, None
    return value, precision, f"the year of “{' '.join(match.group().split())}” is not printed: {value.year} was assumed"


def _inferred_year(decided_on, month):
    if decided_on is None:
        return None
    return decided_on.year + (1 if month < decided_on.month else 0)


def _year_named(match, which, financial, decided_on):
    """A due date that names no year ("the end of the year", "this financial year", "next year"): counted from the
    decision date, with a warning."""
    wording = " ".join(match.group().split())
    if decided_on is None:
        return None, NO_PRECISION, f"the due date “{wording}” is relative and the decision date is unknown"
    year = decided_on.year + (which == "next")
    if financial:
        year += decided_on.month > 6
        value, precision = _month_end(year, 6), MONTH
    else:
        value, precision = _year_end(year), YEAR
    if value is None:
        return None, NO_PRECISION, None
    return value, precision, f"the year of “{wording}” is not printed: {value.isoformat()} was assumed"


def _financial_year_end(start, end):
    """The end of a New Zealand financial year ("2025/26"): 30 June of its second calendar year."""
    year = int(start) + 1
    if not (str(year).endswith(end) and len(end) in (2, 4)):
        return None, NO_PRECISION, f"the financial year “{start}/{end}” is not a real one"
    return _month_end(year, 6), MONTH, None


def _relative_due(groups, decided_on, match):
    wording = f"{groups['count']} {groups['unit']}"
    if groups["event"]:
        printed = " ".join(match.group().split())
        return None, NO_PRECISION, f"the due date “{printed}” counts from an event whose date is not known"
    if decided_on is None:
        return None, NO_PRECISION, f"the due date “{wording}” is relative and the decision date is unknown"
    count = _COUNTS.get(groups["count"].lower()) or int(groups["count"])
    try:
        value = _after(decided_on, count, weeks=groups["unit"].lower().startswith("week"))
    except (OverflowError, ValueError):
        return None, NO_PRECISION, None
    return value, DAY, f"the due date {value.isoformat()} was computed from the decision date ({wording})"


def _after(start, count, *, weeks):
    if weeks:
        return start + timedelta(weeks=count)
    months = start.month - 1 + count
    year, month = start.year + months // 12, months % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _month_end(year, month):
    return date(year, month, calendar.monthrange(year, month)[1]) if 1 <= year <= 9999 else None


def _year_end(year):
    return date(year, 12, 31) if 1 <= year <= 9999 else None
