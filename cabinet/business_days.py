"""Business-day arithmetic: weekends, New Zealand public holidays and the summer close-down excluded.

Counting and adding are O(1): a table of the business days in a span of years, built once per process
(and again, wider, when a date falls outside it), answers both with an index lookup.
"""

import datetime
from functools import lru_cache

import holidays
from django.conf import settings

SPAN_PADDING = 5  # years either side of a date asked about: the table is rebuilt rarely, and cheaply


@lru_cache(maxsize=256)
def _public_holidays(year):
    # National holidays only: regional anniversary days are not business-day exclusions.
    return frozenset(holidays.country_holidays("NZ", years=year).keys())


def is_public_holiday(day):
    return day in _public_holidays(day.year)


def _in_window(day, window):
    (start_month, start_day), (end_month, end_day) = window
    key = (day.month, day.day)
    if (start_month, start_day) <= (end_month, end_day):
        return (start_month, start_day) <= key <= (end_month, end_day)
    return key >= (start_month, start_day) or key <= (end_month, end_day)


def in_closedown(day):
    """Whether `day` falls in the summer close-down window (settings.SUMMER_CLOSEDOWN)."""
    return _in_window(day, settings.SUMMER_CLOSEDOWN)


def _is_business_day(day, window):
    if day.weekday() >= 5 or is_public_holiday(day):
        return False
    return window is None or not _in_window(day, window)


class _Calendar:
    """The business days from 1 January `first` to 31 December `last`, by date ordinal.

    `upto[i]` counts the business days from the first day of the span up to and including its i-th day;
    `ordinals` lists the business days in order, so the n-th one after a day is one index away.
    """

    def __init__(self, first, last, window):
        self.first, self.last, self.window = first, last, window
        self.start = datetime.date(first, 1, 1).toordinal()
        self.end = datetime.date(last, 12, 31).toordinal()
        self.upto, self.ordinals = [], []
        for ordinal in range(self.start, self.end + 1):
            if _is_business_day(datetime.date.fromordinal(ordinal), window):
                self.ordinals.append(ordinal)
            self.upto.append(len(self.ordinals))

    def covers(self, ordinal):
        return self.start <= ordinal <= self.end

    def count_upto(self, ordinal):
        return self.upto[ordinal - self.start]


_calendars = {}  # the close-down window (None: no close-down) -> its _Calendar


def _calendar(window, *days):
    """A table covering `days` for this close-down window, built or widened when needed."""
    calendar = _calendars.get(window)
    years = [day.year for day in days]
    if calendar is None or min(years) < calendar.first or max(years) > calendar.last:
        first = min(years + ([calendar.first] if calendar else [])) - SPAN_PADDING
        last = max(years + ([calendar.last] if calendar else [])) + SPAN_PADDING
        calendar = _calendars[window] = _Calendar(max(first, datetime.MINYEAR), min(last, datetime.MAXYEAR), window)
    return calendar


def _window(closedown):
    return tuple(settings.SUMMER_CLOSEDOWN) if closedown else None


def is_business_day(day, *, closedown=False):
    return _is_business_day(day, _window(closedown))


def add_business_days(day, count, *, closedown=False):
    """The date `count` business days after `day` (before it when `count` is negative)."""
    if count == 0:
        return day
    window = _window(closedown)
    # Far enough ahead or back: in any span of years at least a third of the days are business days.
    reach = datetime.timedelta(days=abs(count) * 3 + 40)
    calendar = _calendar(window, day, day + reach if count > 0 else day - reach)
    upto = calendar.count_upto(day.toordinal())  # business days up to and including `day`
    if count > 0:
        return datetime.date.fromordinal(calendar.ordinals[upto + count - 1])
    before = upto - (1 if _is_business_day(day, window) else 0)  # business days strictly before `day`
    return datetime.date.fromordinal(calendar.ordinals[before + count])


def business_days_between(start, end, *, closedown=False):
    """Business days after `start` up to and including `end`; negative when `end` is earlier."""
    if end < start:
        return -business_days_between(end, start, closedown=closedown)
    calendar = _calendar(_window(closedown), start, end)
    return calendar.count_upto(end.toordinal()) - calendar.count_upto(start.toordinal())


def publication_due_date(final_decision_date):
    """Proactive release: 30 business days after the final decision, close-down excluded."""
    return add_business_days(
        final_decision_date, settings.PROACTIVE_RELEASE_BUSINESS_DAYS, closedown=True
    )
