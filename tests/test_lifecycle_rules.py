"""The lifecycle's rules, step by step, against every status, with and without a waiting request and a due date.

The expected answers are written out here from the rules as a clerk would state them (docs/design.md, "The
follow-up lifecycle"), not read from decisions/lifecycle.py's table.
"""

import datetime
import itertools

import pytest

from decisions import lifecycle
from decisions.models import DueDateChange, FollowUp

S = FollowUp.Status
OWED = {S.OPEN, S.EXTENSION_REQUESTED, S.SUBMITTED}  # still owed: open, waiting on a longer extension, submitted
NOT_SUBMITTED = {S.OPEN, S.EXTENSION_REQUESTED}
DUE = datetime.date(2026, 3, 31)

# step: (statuses it starts from, a request must be waiting (True) / must not (False) / either (None),
#        the follow-up must be dated (True) / undated (False) / either (None), clerks only, overtakes a waiting request)
RULES = {
    # Notes while anything is still owed.
    "add_note": (OWED, None, None, False, False),
    # An extension of a dated, open follow-up, when no other request waits.
    "request_extension": ({S.OPEN}, False, True, False, False),
    # A first date for an undated, open follow-up, when no other request waits.
    "propose_due_date": ({S.OPEN}, False, False, False, False),
    # Only a waiting request can be withdrawn or decided.
    "withdraw_request": (NOT_SUBMITTED, True, None, False, False),
    "decide_request": (NOT_SUBMITTED, True, None, True, False),
    # Submitting overtakes a waiting request; a submitted follow-up cannot be submitted again.
    "mark_submitted": (NOT_SUBMITTED, None, None, False, True),
    # The clerks' own steps, on anything still owed, overtake a waiting request.
    "set_due_date": (OWED, None, None, True, True),
    "discharge": (OWED, None, None, True, True),
    "close": (OWED, None, None, True, True),
    # The lead is chosen while the work is under way.
    "assign_lead": (NOT_SUBMITTED, None, None, False, False),
}


def test_the_table_has_exactly_these_steps():
    assert set(lifecycle.LIFECYCLE) == set(RULES)


@pytest.mark.parametrize("name", sorted(RULES))
def test_who_may_take_each_step_and_whether_it_overtakes_a_waiting_request(name):
    _, _, _, clerks_only, overtakes = RULES[name]
    step = lifecycle.LIFECYCLE[name]
    assert step.role == (lifecycle.CLERK if clerks_only else lifecycle.OFFICIAL)
    assert step.overtakes_waiting is overtakes


def allowed(name, status, waiting, dated):
    sources, must_wait, must_be_dated, _, _ = RULES[name]
    return (
        status in sources
        and (must_wait is None or must_wait == waiting)
        and (must_be_dated is None or must_be_dated == dated)
    )


CASES = list(itertools.product(sorted(RULES), list(S), [False, True], [False, True]))


@pytest.mark.parametrize(("name", "status", "waiting", "dated"), CASES)
def test_each_step_from_each_state(name, status, waiting, dated):
    follow_up = FollowUp(status=status, due_date=DUE if dated else None)
    request = DueDateChange(to_date=datetime.date(2026, 6, 30)) if waiting else None
    reason = lifecycle.refusal(follow_up, name, waiting=request)
    assert (reason is None) is allowed(name, status, waiting, dated)
    if reason is not None:
        assert reason.endswith(".") and reason[0].isupper()


def test_the_waiting_request_is_named_before_anything_else():
    # Asking for an extension while one waits: the person is told about the waiting request (and its date),
    # even when the follow-up is not open either.
    request = DueDateChange(to_date=datetime.date(2026, 6, 30))
    for status in (S.OPEN, S.EXTENSION_REQUESTED):
        reason = lifecycle.refusal(FollowUp(status=status, due_date=DUE), "request_extension", waiting=request)
        assert reason.startswith("A request to move the due date to 30 June 2026 is already waiting")


@pytest.mark.parametrize(("name", "status", "waiting", "dated", "says"), [
    ("add_note", S.DISCHARGED, False, True, "This follow-up is discharged: “Add a progress note” is not open to it."),
    ("mark_submitted", S.SUBMITTED, False, True, "This follow-up is submitted: “Mark submitted” is not open to it."),
    ("withdraw_request", S.OPEN, False, True, "No request about the due date is waiting for a decision."),
    ("decide_request", S.EXTENSION_REQUESTED, False, True, "No request about the due date is waiting for a decision."),
    ("request_extension", S.OPEN, False, False, "This follow-up has no due date yet: propose one instead"),
    ("propose_due_date", S.OPEN, False, True, "This follow-up already has a due date: ask for an extension instead."),
])
def test_each_refusal_says_why(name, status, waiting, dated, says):
    follow_up = FollowUp(status=status, due_date=DUE if dated else None)
    assert lifecycle.refusal(follow_up, name, waiting=None).startswith(says)


@pytest.mark.django_db
def test_who_may_take_each_step(agency, portfolio, official, clerk, reader):
    from tests.factories import AgencyFactory, DecisionItemFactory, FollowUpFactory, MinuteFactory, make_user

    follow_up = FollowUpFactory(
        decision=DecisionItemFactory(minute=MinuteFactory()), responsible_agency=agency, responsible_portfolio=portfolio,
        due_date=DUE,
    )
    stranger = make_user(agencies=[AgencyFactory(short_name="MSD")], username="stranger")
    for name, (_, _, _, clerks_only, _) in RULES.items():
        assert lifecycle.may_take(clerk, follow_up, name), name
        assert lifecycle.may_take(official, follow_up, name) is not clerks_only, name
        assert not lifecycle.may_take(stranger, follow_up, name), name
        assert not lifecycle.may_take(reader, follow_up, name), name


def test_the_table_cannot_be_changed_at_run_time():
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'role'"):
        lifecycle.LIFECYCLE["discharge"].role = lifecycle.OFFICIAL
    assert lifecycle.LIFECYCLE["discharge"].role == lifecycle.CLERK


def test_the_waiting_request_is_named_never_passed_by_position():
    with pytest.raises(TypeError, match="positional argument"):
        lifecycle.refusal(FollowUp(status=S.OPEN, due_date=DUE), "add_note", None)
