import datetime
import functools

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cabinet.business_days import (
    add_business_days, business_days_between, in_closedown, is_business_day, publication_due_date,
)

D = datetime.date


def test_weekends_are_not_business_days():
    assert not is_business_day(D(2026, 2, 7))  # Saturday
    assert not is_business_day(D(2026, 2, 8))  # Sunday
    assert is_business_day(D(2026, 2, 9))


@pytest.mark.parametrize(
    "holiday",
    [
        D(2026, 1, 1), D(2026, 1, 2), D(2026, 2, 6),  # New Year, day after, Waitangi Day
        D(2026, 4, 3), D(2026, 4, 6),  # Good Friday, Easter Monday
        D(2026, 4, 27),  # ANZAC Day on a Saturday, Mondayised
        D(2026, 6, 1), D(2026, 7, 10), D(2026, 10, 26),  # King's Birthday, Matariki, Labour Day
        D(2026, 12, 25), D(2026, 12, 28),  # Christmas; Boxing Day on a Saturday, Mondayised
    ],
)
def test_new_zealand_public_holidays_are_not_business_days(holiday):
    assert not is_business_day(holiday)


def test_regional_anniversary_days_are_business_days():
    assert is_business_day(D(2026, 1, 26))  # Wellington Anniversary Day is regional only


def test_closedown_window_wraps_the_new_year():
    assert in_closedown(D(2025, 12, 24)) is False
    assert in_closedown(D(2025, 12, 29)) and in_closedown(D(2026, 1, 15))
    assert in_closedown(D(2026, 1, 16)) is False
    assert is_business_day(D(2026, 1, 13)) and not is_business_day(D(2026, 1, 13), closedown=True)


def test_adding_business_days_skips_weekends_and_holidays():
    # Thursday 5 February 2026 + 1: Friday is Waitangi Day, then the weekend.
    assert add_business_days(D(2026, 2, 5), 1) == D(2026, 2, 9)
    assert add_business_days(D(2026, 2, 9), -1) == D(2026, 2, 5)
    assert add_business_days(D(2026, 2, 9), 0) == D(2026, 2, 9)


def test_counting_business_days_between_dates():
    assert business_days_between(D(2026, 2, 5), D(2026, 2, 9)) == 1
    assert business_days_between(D(2026, 2, 9), D(2026, 2, 5)) == -1
    assert business_days_between(D(2026, 3, 2), D(2026, 3, 2)) == 0
    # Across Easter 2026: Good Friday 3 April and Easter Monday 6 April.
    assert business_days_between(D(2026, 4, 2), D(2026, 4, 7)) == 1


def test_publication_due_date_of_cab_26_min_0018_matches_its_coversheet():
    # Decided 2 February 2026; the coversheet gives 17 March 2026 (Waitangi Day excluded).
    assert publication_due_date(D(2026, 2, 2)) == D(2026, 3, 17)


def test_publication_due_date_skips_the_summer_closedown():
    # Decided Friday 11 December 2026: 9 business days to Thursday 24 December, the close-down from 25 December
    # to 15 January, then 21 more from Monday 18 January 2027 (Wellington Anniversary is regional).
    due = publication_due_date(D(2026, 12, 11))
    assert due == add_business_days(D(2027, 1, 15), 21)
    assert due == D(2027, 2, 16)  # Waitangi Day 6 February 2027 is a Saturday, Mondayised to 8 February.


# The table against a plain day-by-day count, written here from the rules: weekends, the national public
# holidays `holidays` lists for New Zealand, and (for proactive release) the close-down window.

@functools.cache
def reference_holidays(year):
    return holidays.country_holidays("NZ", years=year)


def reference_is_business_day(day, closedown):
    if day.weekday() >= 5 or day in reference_holidays(day.year):
        return False
    if closedown:
        month_day = (day.month, day.day)
        return not (month_day >= (12, 25) or month_day <= (1, 15))
    return True


def reference_between(start, end, closedown):
    sign, low, high = (1, start, end) if start <= end else (-1, end, start)
    days = (low + datetime.timedelta(days=n) for n in range(1, (high - low).days + 1))
    return sign * sum(reference_is_business_day(day, closedown) for day in days)


def reference_add(day, count, closedown):
    step = datetime.timedelta(days=1 if count > 0 else -1)
    for _ in range(abs(count)):
        day += step
        while not reference_is_business_day(day, closedown):
            day += step
    return day


dates = st.dates(min_value=D(1995, 1, 1), max_value=D(2045, 12, 31))


@settings(max_examples=200, deadline=None)
@given(start=dates, days=st.integers(min_value=-800, max_value=800), closedown=st.booleans())
def test_counting_matches_a_day_by_day_count(start, days, closedown):
    end = start + datetime.timedelta(days=days)
    assert business_days_between(start, end, closedown=closedown) == reference_between(start, end, closedown)


@settings(max_examples=200, deadline=None)
@given(day=dates, count=st.integers(min_value=-300, max_value=300), closedown=st.booleans())
def test_adding_matches_a_day_by_day_walk(day, count, closedown):
    assert add_business_days(day, count, closedown=closedown) == reference_add(day, count, closedown)


def test_a_range_ending_on_a_holiday_does_not_count_the_holiday():
    # Thursday 2 April 2026 to Good Friday 3 April: the Friday is a holiday, so no business day.
    assert business_days_between(D(2026, 4, 2), D(2026, 4, 3)) == 0
    # To Easter Monday 6 April: Good Friday, the weekend and Easter Monday are all off.
    assert business_days_between(D(2026, 4, 1), D(2026, 4, 6)) == 1  # Thursday 2 April only
    # Back from a holiday: the holiday itself is the start, so only the days after it count.
    assert business_days_between(D(2026, 4, 6), D(2026, 4, 1)) == -1
    # Adding from a holiday lands on the next business day; subtracting on the one before.
    assert add_business_days(D(2026, 4, 3), 1) == D(2026, 4, 7)
    assert add_business_days(D(2026, 4, 3), -1) == D(2026, 4, 2)


def test_31_january_to_28_february():
    # 2026: February has 20 weekdays, Waitangi Day (Friday 6 February) is a holiday: 19.
    assert business_days_between(D(2026, 1, 31), D(2026, 2, 28)) == 19
    # 2027: Waitangi Day falls on Saturday 6 February and is observed on Monday 8 February: 19 again.
    assert business_days_between(D(2027, 1, 31), D(2027, 2, 28)) == 19
    # 2028, a leap year, to the 28th: Waitangi Day is Sunday 6 February, observed Monday 7: 19.
    assert business_days_between(D(2028, 1, 31), D(2028, 2, 28)) == 19


def test_dates_far_from_the_first_asked_widen_the_table():
    assert business_days_between(D(1990, 3, 1), D(1990, 3, 8)) == 5  # Thursday to Thursday
    assert add_business_days(D(2090, 3, 2), 5) == D(2090, 3, 9)  # Thursday 2 March 2090 + a week


def test_a_long_step_far_from_any_date_asked_before():
    # 3,000 business days is about twelve years: further than the table's padding either side of the dates asked
    # about, so the table must be built far enough in the direction of the step. Years no other test asks about.
    assert add_business_days(D(2300, 6, 1), 3000) == reference_add(D(2300, 6, 1), 3000, False)
    assert add_business_days(D(2400, 6, 1), -3000) == reference_add(D(2400, 6, 1), -3000, False)
    assert add_business_days(D(2500, 6, 1), 3000, closedown=True) == reference_add(D(2500, 6, 1), 3000, True)


def test_the_close_down_counts_only_when_asked_for():
    # Thursday 24 December 2026; Christmas on the Friday, the weekend, Boxing Day Mondayised to the 28th.
    assert add_business_days(D(2026, 12, 24), 1) == D(2026, 12, 29)
    assert business_days_between(D(2026, 12, 24), D(2026, 12, 31)) == 3  # 29, 30 and 31 December
    assert is_business_day(D(2026, 12, 29))
    # With the close-down (25 December to 15 January): Monday 18 January 2027 is the next business day.
    assert add_business_days(D(2026, 12, 24), 1, closedown=True) == D(2027, 1, 18)


def test_the_close_down_window_includes_both_of_its_ends(settings):
    assert in_closedown(D(2026, 12, 25)) and in_closedown(D(2027, 1, 15))
    assert not in_closedown(D(2026, 12, 24)) and not in_closedown(D(2027, 1, 16))
    # A window that does not wrap the new year, starting and ending on business days.
    settings.SUMMER_CLOSEDOWN = ((3, 9), (3, 13))  # Monday 9 to Friday 13 March 2026
    assert in_closedown(D(2026, 3, 9)) and in_closedown(D(2026, 3, 13))
    assert not in_closedown(D(2026, 3, 6)) and not in_closedown(D(2026, 3, 16))
    assert not is_business_day(D(2026, 3, 9), closedown=True) and is_business_day(D(2026, 3, 16), closedown=True)
    assert add_business_days(D(2026, 3, 6), 1, closedown=True) == D(2026, 3, 16)
    # A wrapping window starting on a business day: Wednesday 23 December 2026 to Friday 8 January 2027.
    settings.SUMMER_CLOSEDOWN = ((12, 23), (1, 8))
    assert in_closedown(D(2026, 12, 23)) and in_closedown(D(2027, 1, 8)) and not in_closedown(D(2026, 12, 22))
    assert add_business_days(D(2026, 12, 22), 1, closedown=True) == D(2027, 1, 11)


def test_the_close_down_is_named_never_passed_by_position():
    with pytest.raises(TypeError, match="positional argument"):
        is_business_day(D(2026, 12, 29), True)
    with pytest.raises(TypeError, match="positional argument"):
        add_business_days(D(2026, 12, 29), 1, True)
    with pytest.raises(TypeError, match="positional argument"):
        business_days_between(D(2026, 12, 29), D(2026, 12, 30), True)


def test_a_count_over_decades_far_from_any_date_asked_before():
    # Sixty years, starting near the first year the table covers: the count is the whole span's, however the
    # table is laid out. Years no other test asks about.
    start, end = D(1500, 1, 1), D(1560, 1, 1)
    assert business_days_between(start, end) == reference_between(start, end, False)
    assert business_days_between(end, start) == -reference_between(start, end, False)


def test_a_close_down_of_one_day(settings):
    settings.SUMMER_CLOSEDOWN = ((3, 10), (3, 10))  # Tuesday 10 March only
    assert in_closedown(D(2026, 3, 10))
    assert not in_closedown(D(2026, 3, 9)) and not in_closedown(D(2026, 3, 11))
    assert add_business_days(D(2026, 3, 9), 1, closedown=True) == D(2026, 3, 11)


def test_a_long_step_back_from_before_any_date_asked():
    # Earlier than every date the other tests ask about, so the table must be built backwards from the day itself.
    assert add_business_days(D(1200, 6, 1), -3000) == reference_add(D(1200, 6, 1), -3000, False)


def test_a_step_of_six_thousand_business_days():
    # About 24 years: the table must reach at least count / 0.68 days ahead (about 250 business days a year).
    assert add_business_days(D(2700, 6, 1), 6000) == reference_add(D(2700, 6, 1), 6000, False)
