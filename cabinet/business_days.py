"""Business-day arithmetic: weekends, New Zealand public holidays and the summer close-down excluded."""

import datetime
from functools import lru_cache

import holidays
from django.conf import settings


@lru_cache(maxsize=64)
def _public_holidays(year):
    # National holidays only: regional anniversary days are not business-day exclusions.
    return frozenset(holidays.country_holidays("NZ", years=year).keys())


def is_public_holiday(day):
    return day in _public_holidays(day.year)


def in_closedown(day):
    """Whether `day` falls in the summer close-down window (settings.SUMMER_CLOSEDOWN)."""
    (start_month, start_day), (end_month, end_day) = settings.SUMMER_CLOSEDOWN
    key = (day.month, day.day)
    if (start_month, start_day) <= (end_month, end_day):
        return (start_month, start_day) <= key <= (end_month, end_day)
    return key >= (start_month, start_day) or key <= (end_month, end_day)


def is_business_day(day, *, closedown=False):
    if day.weekday() >= 5 or is_public_holiday(day):
        return False
    return not (closedown and in_closedown(day))


def add_business_days(day, count, *, closedown=False):
    """The date `count` business days after `day` (before it when `count` is negative)."""
    step = datetime.timedelta(days=1 if count >= 0 else -1)
    remaining = abs(count)
    while remaining:
        day += step
        if is_business_day(day, closedown=closedown):
            remaining -= 1
    return day


def business_days_between(start, end, *, closedown=False):
    """Business days after `start` up to and including `end`; negative when `end` is earlier."""
    if end < start:
        return -business_days_between(end, start, closedown=closedown)
    count, day = 0, start
    one = datetime.timedelta(days=1)
    while day < end:
        day += one
        if is_business_day(day, closedown=closedown):
            count += 1
    return count


def publication_due_date(final_decision_date):
    """Proactive release: 30 business days after the final decision, close-down excluded."""
    return add_business_days(
        final_decision_date, settings.PROACTIVE_RELEASE_BUSINESS_DAYS, closedown=True
    )
