import datetime

import pytest

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
