"""Each step FollowUp.take() runs, called directly: what it records, what it leaves alone, and when it refuses.

The rules are the design's (docs/design.md, "The follow-up lifecycle"; README, "Using it"): a request for more than a
month waits for a clerk, who approves it (saying who agreed) or declines it (saying why); withdrawing or deciding puts
the follow-up back to open; each step saves with a new version; a refused step changes nothing.
"""

from datetime import date as D

import pytest
import time_machine
from django.utils import timezone

from cabinet.models import DatePrecision
from decisions.lifecycle import StaleChange, TransitionRefused
from decisions.models import DueDateChange, FollowUp, ProgressNote
from tests.factories import FollowUpFactory, MinuteFactory, PaperFactory, make_user

pytestmark = pytest.mark.django_db

S = FollowUp.Status
DUE = D(2026, 3, 31)
LONG = D(2026, 6, 30)  # three months after DUE: waits for a clerk


@pytest.fixture(autouse=True)
def tuesday_10_march_2026():
    with time_machine.travel("2026-03-10 10:00 +1300", tick=False):
        yield


@pytest.fixture
def follow_up(agency, portfolio):
    return FollowUpFactory(due_date=DUE, responsible_agency=agency, responsible_portfolio=portfolio)


def fresh(follow_up):
    return FollowUp.objects.get(pk=follow_up.pk)


def state(follow_up):
    """Everything a refused step must leave as it was."""
    follow_up = fresh(follow_up)
    return (
        follow_up.status, follow_up.version, follow_up.due_date, follow_up.due_precision, follow_up.lead_id,
        follow_up.submitted_reference, follow_up.closed_reason,
        list(follow_up.due_date_changes.values_list("pk", "status", "decision_reason", "approved_by")),
        follow_up.notes.count(), follow_up.history.count(),
    )


def waiting_long_request(follow_up, official):
    follow_up.take("request_extension", user=official, to_date=LONG, reason="Needs Budget decisions first.")
    return fresh(follow_up)


def test_a_note_is_recorded_with_its_author_and_leaves_the_follow_up_as_it_was(follow_up, official):
    said = follow_up.take("add_note", user=official, text="Consultation closes on Friday.")
    note = ProgressNote.objects.get()
    assert (note.follow_up_id, note.author, note.text) == (follow_up.pk, official, "Consultation closes on Friday.")
    assert said == "Progress note added."
    # A note is its own record: a form open on the follow-up is not made stale by it.
    assert (fresh(follow_up).version, fresh(follow_up).status) == (1, S.OPEN)


def test_a_stale_version_is_refused_and_changes_nothing(follow_up, official):
    before = state(follow_up)
    with pytest.raises(StaleChange, match="changed after version 7 was opened"):
        follow_up.take("add_note", user=official, version=7, text="Written on an old page.")
    assert state(follow_up) == before
    follow_up.take("request_extension", user=official, version=1, to_date=D(2026, 4, 14), reason="A fortnight more.")
    assert (fresh(follow_up).version, fresh(follow_up).due_date) == (2, D(2026, 4, 14))
    before = state(follow_up)
    with pytest.raises(StaleChange, match="changed after version 1 was opened"):
        fresh(follow_up).take("mark_submitted", user=official, version=1, reference="CAB-26-SUB-0103")
    assert state(follow_up) == before


def test_a_long_request_approved_moves_the_date_and_reopens(follow_up, official, clerk):
    follow_up = waiting_long_request(follow_up, official)
    assert (follow_up.status, follow_up.due_date) == (S.EXTENSION_REQUESTED, DUE)
    with pytest.raises(TransitionRefused, match="Say who agreed to the new date"):
        follow_up.take("decide_request", user=clerk, approve=True, approved_by="  ")
    follow_up = fresh(follow_up)
    said = follow_up.take("decide_request", user=clerk, approve=True, approved_by="Chair, ECO")
    follow_up = fresh(follow_up)
    change = follow_up.due_date_changes.get()
    assert (change.status, change.approved_by, change.decided_by) == (DueDateChange.Status.APPROVED, "Chair, ECO", clerk)
    assert (follow_up.status, follow_up.due_date, follow_up.due_precision) == (S.OPEN, LONG, DatePrecision.DAY)
    assert said == "Approved: the due date is now 30 June 2026."
    assert follow_up.version == 3  # the request, then the decision


def test_a_long_request_declined_keeps_the_date_and_reopens(follow_up, official, clerk):
    follow_up = waiting_long_request(follow_up, official)
    before = state(follow_up)
    with pytest.raises(TransitionRefused, match="Give the reason for declining"):
        follow_up.take("decide_request", user=clerk, approve=False, reason=" ")
    assert state(follow_up) == before
    follow_up = fresh(follow_up)
    said = follow_up.take("decide_request", user=clerk, approve=False, reason="The Budget is settled.")
    follow_up = fresh(follow_up)
    change = follow_up.due_date_changes.get()
    assert (change.status, change.decision_reason, change.decided_by) == (
        DueDateChange.Status.DECLINED, "The Budget is settled.", clerk,
    )
    assert (follow_up.status, follow_up.due_date) == (S.OPEN, DUE)
    assert said == "Declined: the due date stays 31 March 2026, and the agency sees your reason."


def test_a_proposed_date_declined_says_the_date_is_still_to_be_set(clerk, official, agency):
    follow_up = FollowUpFactory(due_date=None, due_precision=DatePrecision.NONE, responsible_agency=agency)
    follow_up.take("propose_due_date", user=official, to_date=LONG, reason="After the Budget.")
    follow_up = fresh(follow_up)
    assert follow_up.status == S.OPEN  # a proposal is no extension: the follow-up stays open
    said = follow_up.take("decide_request", user=clerk, approve=False, reason="Set it for May instead.")
    assert said == "Declined: the due date is still to be set, and the agency sees your reason."
    assert fresh(follow_up).due_date is None


def test_a_withdrawn_request_reopens_with_the_date_as_it_was(follow_up, official):
    follow_up = waiting_long_request(follow_up, official)
    follow_up.take("withdraw_request", user=official)
    follow_up = fresh(follow_up)
    change = follow_up.due_date_changes.get()
    assert (change.status, change.decision_reason) == (DueDateChange.Status.WITHDRAWN, "Withdrawn by the agency.")
    assert (follow_up.status, follow_up.due_date, follow_up.version) == (S.OPEN, DUE, 3)


def test_submitting_overtakes_a_waiting_request_and_stays_submitted(follow_up, official, clerk):
    follow_up = waiting_long_request(follow_up, official)
    said = follow_up.take("mark_submitted", user=official, reference="CAB-26-SUB-0101")
    follow_up = fresh(follow_up)
    change = follow_up.due_date_changes.get()
    assert (change.status, change.decision_reason) == (DueDateChange.Status.SUPERSEDED, "Overtaken: mark submitted.")
    assert (follow_up.status, follow_up.submitted_reference) == (S.SUBMITTED, "CAB-26-SUB-0101")
    assert follow_up.submitted_at == timezone.now()
    assert said.startswith("Marked submitted as CAB-26-SUB-0101")
    # A clerk's new date on a submitted follow-up leaves it submitted.
    follow_up.take("set_due_date", user=clerk, to_date=LONG, reason="Considered at the June meeting.")
    follow_up = fresh(follow_up)
    assert (follow_up.status, follow_up.due_date) == (S.SUBMITTED, LONG)


def test_a_clerk_sets_a_date_recorded_as_set_and_approved(follow_up, clerk):
    follow_up.take("set_due_date", user=clerk, to_date=LONG, reason="Agreed at ECO.")
    follow_up = fresh(follow_up)
    change = follow_up.due_date_changes.get()
    assert (change.tier, change.status, change.from_date, change.to_date, change.decided_by) == (
        DueDateChange.Tier.SET, DueDateChange.Status.APPROVED, DUE, LONG, clerk,
    )
    assert (follow_up.due_date, follow_up.due_precision, follow_up.version) == (LONG, DatePrecision.DAY, 2)


def test_discharged_by_a_minute_or_a_paper(agency, portfolio, clerk):
    by_minute = FollowUpFactory(due_date=DUE, responsible_agency=agency)
    minute = MinuteFactory()
    by_minute.take("discharge", user=clerk, by=minute)
    by_minute = fresh(by_minute)
    assert (by_minute.status, by_minute.discharged_by_minute, by_minute.discharged_by_paper) == (S.DISCHARGED, minute, None)
    assert by_minute.closed_at == timezone.now()

    by_paper = FollowUpFactory(due_date=DUE, responsible_agency=agency)
    paper = PaperFactory(reference="CAB-26-SUB-0301")
    by_paper.take("discharge", user=clerk, by=paper)
    by_paper = fresh(by_paper)
    assert (by_paper.status, by_paper.discharged_by_minute, by_paper.discharged_by_paper) == (S.DISCHARGED, None, paper)

    by_new_paper = FollowUpFactory(due_date=DUE, responsible_agency=agency)
    said = by_new_paper.take("discharge", user=clerk, new_paper=("CAB-26-SUB-0202", "Report back on the levy"))
    by_new_paper = fresh(by_new_paper)
    recorded = by_new_paper.discharged_by_paper
    assert (recorded.reference, recorded.title, recorded.lead_agency) == ("CAB-26-SUB-0202", "Report back on the levy", agency)
    assert recorded.paper_date == D(2026, 3, 10)
    assert said == f"Recorded as discharged by {recorded}."


def test_closed_as_cancelled_or_superseded_and_nothing_else(follow_up, clerk, agency):
    before = state(follow_up)
    with pytest.raises(TransitionRefused, match="Close a follow-up as cancelled or superseded"):
        follow_up.take("close", user=clerk, status=S.DISCHARGED, reason="Wrong button.")
    assert state(follow_up) == before
    follow_up = fresh(follow_up)
    said = follow_up.take("close", user=clerk, status=S.CANCELLED, reason="Withdrawn by the Minister.")
    follow_up = fresh(follow_up)
    assert (follow_up.status, follow_up.closed_reason, follow_up.superseded_by) == (
        S.CANCELLED, "Withdrawn by the Minister.", None,
    )
    assert said == "Closed as cancelled."

    other = FollowUpFactory(due_date=DUE, responsible_agency=agency)
    later = FollowUpFactory(due_date=LONG, responsible_agency=agency).decision
    other.take("close", user=clerk, status=S.SUPERSEDED, reason="Replaced by the June decision.", decision=later)
    other = fresh(other)
    assert (other.status, other.superseded_by) == (S.SUPERSEDED, later)


def test_a_lead_is_one_of_the_officials_who_may_act(follow_up, official, agency):
    stranger = make_user(username="stranger")
    before = state(follow_up)
    with pytest.raises(TransitionRefused, match="^stranger is not an official of its agency or portfolio"):
        follow_up.take("assign_lead", user=official, lead=stranger)
    assert state(follow_up) == before
    gone = make_user(agencies=[agency], username="gone", is_active=False)
    with pytest.raises(TransitionRefused, match="is not an official of its agency or portfolio"):
        fresh(follow_up).take("assign_lead", user=official, lead=gone)
    assert state(follow_up) == before

    colleague = make_user(agencies=[agency], username="colleague", first_name="Aroha", last_name="Ngata")
    said = fresh(follow_up).take("assign_lead", user=official, lead=colleague)
    assert (fresh(follow_up).lead, fresh(follow_up).version) == (colleague, 2)
    assert said.startswith("Aroha Ngata now leads it")
    said = fresh(follow_up).take("assign_lead", user=official, lead=None)
    assert fresh(follow_up).lead is None
    assert said == "No lead now: reminders go to every official of the agency."


def test_the_waiting_request_is_read_from_prefetched_changes_too(follow_up, official):
    follow_up = waiting_long_request(follow_up, official)
    prefetched = FollowUp.objects.prefetch_related("due_date_changes").get(pk=follow_up.pk)
    assert prefetched.waiting_request() == follow_up.waiting_request() == follow_up.due_date_changes.get()
    follow_up.take("withdraw_request", user=official)
    prefetched = FollowUp.objects.prefetch_related("due_date_changes").get(pk=follow_up.pk)
    assert prefetched.waiting_request() is None and fresh(follow_up).waiting_request() is None


def test_the_steps_offered_are_those_that_would_be_taken(follow_up, official, clerk, reader):
    assert set(follow_up.available_steps(official)) == {
        "add_note", "request_extension", "mark_submitted", "assign_lead",
    }
    assert set(follow_up.available_steps(clerk)) == {
        "add_note", "request_extension", "mark_submitted", "assign_lead", "set_due_date", "discharge", "close",
    }
    assert follow_up.available_steps(reader) == []
    follow_up = waiting_long_request(follow_up, official)
    assert set(follow_up.available_steps(official)) == {"add_note", "withdraw_request", "mark_submitted", "assign_lead"}


def test_a_follow_up_changed_hundreds_of_times_still_takes_the_current_version(follow_up, official):
    # Versions are compared as numbers: the page's version (read from the form) equals the record's.
    FollowUp.objects.filter(pk=follow_up.pk).update(version=300)
    page_version = int("300")
    fresh(follow_up).take("request_extension", user=official, version=page_version, to_date=D(2026, 4, 14), reason="A fortnight.")
    assert fresh(follow_up).version == 301


def test_a_status_read_from_a_form_closes_as_superseded(follow_up, clerk, agency):
    later = FollowUpFactory(due_date=LONG, responsible_agency=agency).decision
    fresh(follow_up).take("close", user=clerk, status="superseded", reason="Replaced.", decision=later)
    assert (fresh(follow_up).status, fresh(follow_up).superseded_by) == (S.SUPERSEDED, later)


def test_only_declining_needs_a_reason(follow_up, official, clerk):
    change = waiting_long_request(follow_up, official).waiting_request()
    change.close(DueDateChange.Status.WITHDRAWN, user=official)
    change.refresh_from_db()
    assert (change.status, change.decision_reason, change.decided_by) == (DueDateChange.Status.WITHDRAWN, "", official)


def test_a_status_read_from_a_form_closes_as_cancelled(follow_up, clerk):
    fresh(follow_up).take("close", user=clerk, status="cancelled", reason="Withdrawn by the Minister.")
    assert fresh(follow_up).status == S.CANCELLED


def test_a_proposed_date_is_accepted_without_saying_who_agreed(clerk, official, agency):
    # Only a longer extension needs someone's agreement (the committee chair's); a proposed first date does not.
    follow_up = FollowUpFactory(due_date=None, due_precision=DatePrecision.NONE, responsible_agency=agency)
    follow_up.take("propose_due_date", user=official, to_date=LONG, reason="After the Budget.")
    fresh(follow_up).take("decide_request", user=clerk, approve=True)
    follow_up = fresh(follow_up)
    assert (follow_up.due_date, follow_up.due_date_changes.get().status) == (LONG, DueDateChange.Status.APPROVED)
