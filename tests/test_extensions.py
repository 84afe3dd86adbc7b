"""Extensions at month ends: up to one month later the Cabinet Office is told; one day more needs the chair."""

from datetime import date as D

import pytest

from cabinet.models import DatePrecision
from decisions.lifecycle import TransitionRefused
from decisions.models import DueDateChange, FollowUp, one_month_after
from tests.factories import FollowUpFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("day", "a_month_later"), [
    (D(2026, 1, 15), D(2026, 2, 15)),
    (D(2026, 1, 31), D(2026, 2, 28)),  # February has no 31st: its last day
    (D(2026, 1, 28), D(2026, 2, 28)),
    (D(2028, 1, 31), D(2028, 2, 29)),  # leap year
    (D(2028, 2, 29), D(2028, 3, 29)),
    (D(2026, 3, 31), D(2026, 4, 30)),
    (D(2026, 8, 31), D(2026, 9, 30)),
    (D(2026, 12, 15), D(2027, 1, 15)),  # into the next year
    (D(2026, 12, 31), D(2027, 1, 31)),
    (D(2026, 11, 30), D(2026, 12, 30)),
])
def test_one_month_after_is_the_same_day_next_month_or_its_last_day(day, a_month_later):
    assert one_month_after(day) == a_month_later


@pytest.mark.parametrize(("due", "to_date"), [
    (D(2026, 6, 15), D(2026, 7, 15)),  # exactly one month
    (D(2026, 1, 31), D(2026, 2, 28)),  # 31 January -> 28 February is exactly one month
    (D(2028, 1, 31), D(2028, 2, 29)),
    (D(2026, 12, 31), D(2027, 1, 31)),
    (D(2026, 6, 15), D(2026, 6, 16)),
])
def test_up_to_exactly_one_month_the_date_moves_at_once(clerk, due, to_date):
    follow_up = FollowUpFactory(due_date=due, due_precision=DatePrecision.MONTH)
    follow_up.take("request_extension", user=clerk, to_date=to_date, reason="Consultation ran late.")
    follow_up.refresh_from_db()
    change = follow_up.due_date_changes.get()
    assert (change.tier, change.status, change.from_date, change.to_date) == (
        DueDateChange.Tier.NOTIFICATION, DueDateChange.Status.APPROVED, due, to_date,
    )
    assert change.approved_by == "" and change.decided_at is not None  # nobody agrees: the Office is told
    assert (follow_up.status, follow_up.due_date, follow_up.due_precision, follow_up.version) == (
        FollowUp.Status.OPEN, to_date, DatePrecision.DAY, 2,
    )


@pytest.mark.parametrize(("due", "to_date"), [
    (D(2026, 6, 15), D(2026, 7, 16)),  # one month and a day
    (D(2026, 1, 31), D(2026, 3, 1)),
    (D(2028, 1, 31), D(2028, 3, 1)),
    (D(2026, 1, 30), D(2026, 3, 1)),
    (D(2026, 12, 31), D(2027, 2, 1)),
])
def test_longer_than_one_month_waits_for_the_chair_and_keeps_the_date(clerk, due, to_date):
    follow_up = FollowUpFactory(due_date=due)
    follow_up.take("request_extension", user=clerk, to_date=to_date, reason="Needs new modelling.")
    follow_up.refresh_from_db()
    change = follow_up.due_date_changes.get()
    assert (change.tier, change.status, change.approved_by, change.decided_at) == (
        DueDateChange.Tier.CHAIR, DueDateChange.Status.PENDING, "", None,
    )
    assert (follow_up.status, follow_up.due_date, follow_up.version) == (FollowUp.Status.EXTENSION_REQUESTED, due, 2)


def test_an_undated_follow_up_gets_a_proposed_date_for_a_clerk_to_accept(clerk):
    follow_up = FollowUpFactory(due_date=None, due_precision=DatePrecision.NONE)
    with pytest.raises(TransitionRefused, match="propose one instead"):
        follow_up.take("request_extension", user=clerk, to_date=D(2026, 3, 1), reason="An extension of nothing.")
    assert not follow_up.due_date_changes.exists()
    follow_up.take("propose_due_date", user=clerk, to_date=D(2026, 3, 1), reason="Proposing a first date.")
    follow_up.refresh_from_db()
    change = follow_up.due_date_changes.get()
    assert (change.tier, change.status) == (DueDateChange.Tier.PROPOSED, DueDateChange.Status.PENDING)
    assert (follow_up.status, follow_up.due_date) == (FollowUp.Status.OPEN, None)
