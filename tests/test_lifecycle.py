"""The follow-up lifecycle: each defect found on the officials' pages and in the admin, and a random walk of steps."""

import datetime
import random
import zoneinfo

import pytest
import time_machine
from django.template.defaultfilters import date as format_date
from django.urls import reverse

from cabinet.models import Profile
from decisions.lifecycle import LIFECYCLE, TransitionRefused
from decisions.models import DueDateChange, FollowUp, ProgressNote
from tests.factories import DecisionItemFactory, FollowUpFactory, MinuteFactory, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tuesday_10_march")]

D = datetime.date
TODAY = D(2026, 3, 10)  # a Tuesday
DUE = D(2026, 3, 31)
LONG = D(2026, 6, 30)  # more than a month after DUE: needs a clerk
SHORT = D(2026, 4, 20)  # within a month of DUE: moves at once


@pytest.fixture
def follow_up(agency, portfolio):
    minute = MinuteFactory(paper__lead_agency=agency)
    return FollowUpFactory(
        decision=DecisionItemFactory(minute=minute), responsible_agency=agency, responsible_portfolio=portfolio,
        due_date=DUE,
    )


def url(name, follow_up):
    return reverse(f"decisions:followup_{name}", args=[follow_up.pk])


def state(follow_up):
    """Everything a refused step must leave as it was."""
    follow_up.refresh_from_db()
    return (
        follow_up.status, follow_up.version, follow_up.due_date, follow_up.submitted_reference,
        list(follow_up.due_date_changes.values_list("pk", "status", "to_date", "decision_reason")),
        follow_up.notes.count(), follow_up.history.count(),
    )


def request_long_extension(client, follow_up):
    response = client.post(url("request_extension", follow_up), {
        "version": follow_up.version, "to_date": LONG.isoformat(), "reason": "Needs Budget decisions first.",
    })
    follow_up.refresh_from_db()
    assert response.status_code == 302 and follow_up.status == FollowUp.Status.EXTENSION_REQUESTED
    return follow_up.waiting_request()


def test_asking_again_while_a_long_extension_waits_is_a_409_not_a_500(client, official, follow_up):
    client.force_login(official)
    request_long_extension(client, follow_up)
    before = state(follow_up)
    page = client.get(url("request_extension", follow_up))
    assert page.status_code == 409 and "is already waiting for the Cabinet Office" in page.content.decode()
    again = client.post(url("request_extension", follow_up), {
        "version": follow_up.version, "to_date": "2026-07-31", "reason": "Longer still.",
    })
    assert again.status_code == 409
    assert state(follow_up) == before


def test_a_short_extension_while_one_waits_is_refused(client, official, follow_up):
    client.force_login(official)
    waiting = request_long_extension(client, follow_up)
    before = state(follow_up)
    with pytest.raises(TransitionRefused, match="already waiting for the Cabinet Office"):
        follow_up.take("request_extension", user=official, to_date=SHORT, reason="Shorter.")
    assert state(follow_up) == before and follow_up.waiting_request() == waiting


@pytest.mark.parametrize("name, data, user_fixture, status", [
    ("mark_submitted", {"reference": "CAB-26-SUB-0300"}, "official", "submitted"),
    ("set_due_date", {"to_date": "2026-05-29", "reason": "Agreed with the Minister's office."}, "clerk", "open"),
    ("discharge", {"reference": "CAB-26-SUB-0301", "paper_title": "Report-back"}, "clerk", "discharged"),
    ("close", {"status": "cancelled", "reason": "Overtaken by events."}, "clerk", "cancelled"),
])
def test_a_step_that_overtakes_a_waiting_request_closes_it_with_the_reason(
    request, client, official, follow_up, name, data, user_fixture, status
):
    client.force_login(official)
    waiting = request_long_extension(client, follow_up)
    user = request.getfixturevalue(user_fixture)
    client.force_login(user)
    response = client.post(url(name, follow_up), {"version": follow_up.version, **data})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    waiting.refresh_from_db()
    assert follow_up.status == status
    assert waiting.status == DueDateChange.Status.SUPERSEDED
    assert waiting.decided_by == user and waiting.decided_at is not None
    assert waiting.decision_reason == f"Overtaken: {LIFECYCLE[name].label.lower()}."
    assert follow_up.waiting_request() is None


def test_a_decision_is_its_own_entry_and_never_rewords_the_request(client, official, clerk, follow_up):
    client.force_login(official)
    waiting = request_long_extension(client, follow_up)
    asked = (waiting.requested_by, waiting.requested_at, waiting.reason, waiting.from_date, waiting.to_date)
    with time_machine.travel(datetime.datetime(2026, 3, 10, 15, tzinfo=zoneinfo.ZoneInfo("Pacific/Auckland")), tick=False):
        client.force_login(clerk)
        response = client.post(url("decide_request", follow_up), {
            "version": follow_up.version, "decision": "decline", "reason": "The committee needs it before the Budget.",
        })
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.requested_by, waiting.requested_at, waiting.reason, waiting.from_date, waiting.to_date) == asked
    assert (waiting.status, waiting.decided_by, waiting.decision_reason) == (
        "declined", clerk, "The committee needs it before the Budget."
    )
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.due_date) == ("open", DUE)

    client.force_login(official)
    page = client.get(follow_up.get_absolute_url()).content.decode()
    assert f"Asked to move the due date from {format_date(DUE)} to {format_date(LONG)}" in page
    assert f"Declined the request to move the due date to {format_date(LONG)}. The committee needs it before the Budget." in page
    assert "10 March 2026, 3:00 p.m." in page and "10 March 2026, 10:00 a.m." in page  # each entry its own time


def test_declining_needs_a_reason(client, official, clerk, follow_up):
    client.force_login(official)
    request_long_extension(client, follow_up)
    before = state(follow_up)
    client.force_login(clerk)
    response = client.post(url("decide_request", follow_up), {"version": follow_up.version, "decision": "decline"})
    assert response.status_code == 200 and "Enter the reason for declining" in response.content.decode()
    assert state(follow_up) == before


def test_the_trail_says_who_agreed_only_when_someone_did(client, official, clerk, follow_up):
    client.force_login(official)
    client.post(url("request_extension", follow_up), {"version": 1, "to_date": SHORT.isoformat(), "reason": "Consultation."})
    client.force_login(clerk)
    client.post(url("set_due_date", follow_up), {"version": 2, "to_date": "2026-05-29", "reason": "Agreed."})
    page = client.get(follow_up.get_absolute_url()).content.decode()
    assert "Notified: within one month" not in page and "agreed by" not in page
    assert "Set by the Cabinet Office" in page and "committee chair" not in page
    assert f"Moved the due date from {format_date(DUE)} to {format_date(SHORT)} (within one month" in page


def test_each_step_says_what_happened(client, official, follow_up):
    client.force_login(official)
    short = client.post(url("request_extension", follow_up), {
        "version": 1, "to_date": SHORT.isoformat(), "reason": "Consultation.",
    }, follow=True)
    assert "Due date moved to 20 April 2026; the Cabinet Office has been told." in short.content.decode()
    long = client.post(url("request_extension", follow_up), {
        "version": 2, "to_date": LONG.isoformat(), "reason": "Budget.",
    }, follow=True)
    assert "Request sent: the due date stays 20 April 2026 until a clerk decides." in long.content.decode()


def test_with_no_step_open_the_page_says_who_holds_it_instead_of_an_empty_actions_heading(client, official, reader, follow_up):
    client.force_login(official)
    client.post(url("mark_submitted", follow_up), {"version": 1, "reference": "CAB-26-SUB-0300"})
    page = client.get(follow_up.get_absolute_url()).content.decode()
    assert ">Actions<" not in page and "What happens next" in page and "Submitted as CAB-26-SUB-0300" in page
    client.force_login(reader)
    page = client.get(follow_up.get_absolute_url()).content.decode()
    assert ">Actions<" not in page and "What happens next" in page


def test_an_official_withdraws_their_waiting_request(client, official, follow_up):
    client.force_login(official)
    waiting = request_long_extension(client, follow_up)
    response = client.post(url("withdraw_request", follow_up), {"version": follow_up.version, "reason": "Paper ready after all."})
    assert response.status_code == 302
    waiting.refresh_from_db()
    follow_up.refresh_from_db()
    assert (waiting.status, waiting.decided_by, waiting.decision_reason) == ("withdrawn", official, "Paper ready after all.")
    assert (follow_up.status, follow_up.due_date) == ("open", DUE)


def test_nothing_to_withdraw_is_a_409(client, official, follow_up):
    client.force_login(official)
    before = state(follow_up)
    response = client.post(url("withdraw_request", follow_up), {"version": 1})
    assert response.status_code == 409 and "No request about the due date is waiting" in response.content.decode()
    assert state(follow_up) == before


def test_an_undated_report_back_gets_a_proposed_date_not_an_extension(client, official, clerk, follow_up):
    follow_up.due_date, follow_up.due_precision = None, "none"
    follow_up.save()
    client.force_login(official)
    before = state(follow_up)
    refused = client.post(url("request_extension", follow_up), {"version": follow_up.version, "to_date": "2026-05-29", "reason": "r"})
    assert refused.status_code == 409 and "propose one instead" in refused.content.decode()
    assert state(follow_up) == before
    proposed = client.post(url("propose_due_date", follow_up), {
        "version": follow_up.version, "to_date": "2026-05-29", "reason": "Consultation ends in May.",
    }, follow=True)
    assert "Due date of 29 May 2026 proposed: a clerk accepts it or sets another." in proposed.content.decode()
    follow_up.refresh_from_db()
    proposal = follow_up.waiting_request()
    assert (follow_up.status, follow_up.due_date, proposal.tier) == ("open", None, "proposed")

    client.force_login(clerk)
    accepted = client.post(url("decide_request", follow_up), {"version": follow_up.version, "decision": "approve"})
    assert accepted.status_code == 302  # a proposal needs no chair's agreement
    follow_up.refresh_from_db()
    proposal.refresh_from_db()
    assert (follow_up.due_date, follow_up.due_precision, proposal.status) == (D(2026, 5, 29), "day", "approved")


def test_a_clerk_sets_another_date_instead_of_a_proposal(client, official, clerk, follow_up):
    follow_up.due_date, follow_up.due_precision = None, "none"
    follow_up.save()
    follow_up.take("propose_due_date", user=official, to_date=D(2026, 5, 29), reason="Consultation ends in May.")
    proposal = follow_up.waiting_request()
    client.force_login(clerk)
    client.post(url("set_due_date", follow_up), {"version": follow_up.version, "to_date": "2026-04-30", "reason": "Before the recess."})
    follow_up.refresh_from_db()
    proposal.refresh_from_db()
    assert follow_up.due_date == D(2026, 4, 30) and proposal.status == "superseded"


def test_a_direct_post_cannot_reopen_a_submitted_follow_up(client, official, follow_up):
    client.force_login(official)
    client.post(url("mark_submitted", follow_up), {"version": 1, "reference": "CAB-26-SUB-0300"})
    before = state(follow_up)
    response = client.post(url("request_extension", follow_up), {"version": 2, "to_date": LONG.isoformat(), "reason": "r"})
    assert response.status_code == 409 and "This follow-up is submitted" in response.content.decode()
    assert state(follow_up) == before and before[0] == "submitted"


def test_no_note_on_a_closed_follow_up(client, official, clerk, follow_up):
    follow_up.take("close", user=clerk, status="cancelled", reason="Overtaken.")
    client.force_login(official)
    before = state(follow_up)
    response = client.post(url("add_note", follow_up), {"text": "Too late."})
    assert response.status_code == 409
    assert state(follow_up) == before and not ProgressNote.objects.exists()


def test_officials_cannot_take_clerks_steps_even_through_take(official, follow_up):
    before = state(follow_up)
    for name, data in [
        ("set_due_date", {"to_date": LONG, "reason": "r"}), ("close", {"status": "cancelled", "reason": "r"}),
    ]:
        with pytest.raises(TransitionRefused, match="You cannot"):
            follow_up.take(name, user=official, **data)
    assert state(follow_up) == before


# The admin: no lost updates through inline rows, no 500s.


def test_a_stale_decision_item_page_cannot_put_a_submitted_follow_up_back_to_open(client, official, clerk, follow_up):
    client.force_login(clerk)
    change_url = reverse("admin:decisions_decisionitem_change", args=[follow_up.decision.pk])
    page = client.get(change_url)
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "minute"}
    data["minute"] = follow_up.decision.minute.pk
    follow_up.take("mark_submitted", user=official, reference="CAB-26-SUB-0300")
    formsets = {
        f"{inline.formset.prefix}-{key}": value
        for inline in page.context["inline_admin_formsets"]
        for key, value in inline.formset.management_form.initial.items()
    }
    response = client.post(change_url, {**data, **formsets, "text": "invited the Minister to report back;"})
    assert response.status_code in (200, 302)
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.submitted_reference) == ("submitted", "CAB-26-SUB-0300")


def test_a_stale_minute_page_cannot_revert_another_clerks_correction_of_an_item(client, clerk, follow_up):
    minute = follow_up.decision.minute
    item = follow_up.decision
    client.force_login(clerk)
    change_url = reverse("admin:cabinet_minute_change", args=[minute.pk])
    page = client.get(change_url)
    data = {}
    for formset in page.context["inline_admin_formsets"]:
        fs = formset.formset
        data.update({f"{fs.prefix}-{key}": value for key, value in fs.management_form.initial.items()})
        for form in fs.forms:
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if value is not None:
                    data[form.add_prefix(name)] = value.pk if hasattr(value, "pk") else value
    main = page.context["adminform"].form
    for name, field in main.fields.items():
        value = main.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, (list, tuple)) or hasattr(value, "__iter__") and not isinstance(value, str):
            data[name] = [v.pk if hasattr(v, "pk") else v for v in value]
        else:
            data[name] = value.pk if hasattr(value, "pk") else value

    item.text = "invited the Minister for Resources to report back by 30 June 2026;"  # another clerk's correction
    item.save()
    data["title"] = "A new title"
    response = client.post(change_url, data)
    assert response.status_code == 200 and "after you opened this page" in response.content.decode()
    item.refresh_from_db()
    minute.refresh_from_db()
    assert item.text == "invited the Minister for Resources to report back by 30 June 2026;"
    assert minute.title != "A new title"


def test_the_admin_cannot_set_a_status(client, clerk, follow_up):
    client.force_login(clerk)
    page = client.get(reverse("admin:decisions_followup_change", args=[follow_up.pk]))
    assert "status" not in page.context["adminform"].form.fields
    assert "due_date" not in page.context["adminform"].form.fields
    assert "open it in the tracker" in page.content.decode()


def test_history_revert_is_not_offered(client, clerk, follow_up):
    client.force_login(clerk)
    record = follow_up.history.first()
    url_ = reverse("admin:decisions_followup_simple_history", args=[follow_up.pk, record.history_id])
    page = client.get(url_)
    assert page.status_code in (200, 403) and b"Revert" not in page.content
    before = state(follow_up)
    response = client.post(url_, {"description": "changed"})
    assert response.status_code in (302, 403) or response.status_code < 500
    assert state(follow_up) == before


def test_admin_bulk_discharge_goes_through_the_lifecycle(client, official, clerk, follow_up):
    client.force_login(official)
    waiting = request_long_extension(client, follow_up)
    from tests.factories import PaperFactory

    PaperFactory(reference="CAB-26-SUB-0400")
    client.force_login(clerk)
    response = client.post(reverse("admin:decisions_followup_changelist"), {
        "action": "mark_discharged", "_selected_action": [follow_up.pk], "confirm": "1",
        "reason": "Considered.", "reference": "CAB-26-SUB-0400",
    })
    assert response.status_code == 302
    follow_up.refresh_from_db()
    waiting.refresh_from_db()
    assert follow_up.status == "discharged" and waiting.status == "superseded"
    assert follow_up.history.first().history_user == clerk


# A random walk: any sequence of steps by any role leaves the follow-up consistent, and no page answers 5xx.

STEP_DATA = {
    "add_note": lambda rng: {"text": "Progress."},
    "request_extension": lambda rng: {"to_date": rng.choice([SHORT, LONG, D(2026, 3, 1)]).isoformat(), "reason": "Because."},
    "propose_due_date": lambda rng: {"to_date": "2026-05-29", "reason": "Because."},
    "withdraw_request": lambda rng: {"reason": rng.choice(["", "No longer needed."])},
    "decide_request": lambda rng: rng.choice([
        {"decision": "approve", "approved_by": "Chair, ECO"}, {"decision": "approve"},
        {"decision": "decline", "reason": "Not agreed."}, {"decision": "decline"},
    ]),
    "mark_submitted": lambda rng: {"reference": rng.choice(["CAB-26-SUB-0300", "CAB-26-MIN-0001", "nonsense"])},
    "set_due_date": lambda rng: {"to_date": rng.choice(["2026-04-30", "2026-08-31"]), "reason": "Agreed."},
    "discharge": lambda rng: {"reference": "CAB-26-SUB-0500", "paper_title": "Report-back"},
    "close": lambda rng: {"status": rng.choice(["cancelled", "superseded", "discharged"]), "reason": "Done."},
    "assign_lead": lambda rng: {"lead": rng.choice(["", "1", "2", "999"])},
}


def check_invariants(follow_up):
    follow_up.refresh_from_db()
    waiting = list(follow_up.due_date_changes.filter(status=DueDateChange.Status.PENDING))
    assert len(waiting) <= 1
    if follow_up.is_closed or follow_up.status == FollowUp.Status.SUBMITTED:
        assert not waiting
    assert (follow_up.status == FollowUp.Status.EXTENSION_REQUESTED) == any(c.tier == "chair" for c in waiting)
    assert all(record.history_user_id for record in follow_up.history.filter(history_type="~"))
    assert all(record.history_user_id for record in DueDateChange.history.filter(follow_up_id=follow_up.pk))


# 50 walks of 40 steps: 2,000 steps through the pages in every run of the suite.
@pytest.mark.parametrize("seed", range(50))
def test_random_steps_by_random_roles_keep_the_lifecycle_whole(client, clerk, official, reader, agency, portfolio, seed):
    rng = random.Random(seed)
    outsider = make_user(Profile.Role.OFFICIAL, username="outsider")
    minute = MinuteFactory(paper__lead_agency=agency)
    due_date = rng.choice([DUE, None])
    follow_up = FollowUpFactory(
        decision=DecisionItemFactory(minute=minute), responsible_agency=agency, responsible_portfolio=portfolio,
        due_date=due_date, due_precision="day" if due_date else "none",
    )
    users = [clerk, official, reader, outsider]
    for _ in range(40):
        user = rng.choice(users)
        name = rng.choice(list(LIFECYCLE))
        client.force_login(user)
        follow_up.refresh_from_db()
        version = follow_up.version if rng.random() < 0.9 else follow_up.version - 1
        data = {"version": version, **STEP_DATA[name](rng)}
        response = (client.get if rng.random() < 0.2 and name != "add_note" else client.post)(url(name, follow_up), data)
        assert response.status_code < 500, (seed, user.username, name, data)
        if user is outsider:
            assert response.status_code == 404
        check_invariants(follow_up)


# Forms as GOV.UK writes them.


@pytest.mark.parametrize("to_date, doubt", [
    ("2026-04-04", "4 April 2026 is a weekend"),
    ("2026-04-06", "6 April 2026 is a public holiday"),  # Easter Monday
    ("2027-06-30", "30 June 2027 is more than a year ahead"),
    ("2025-12-01", "1 December 2025 is before the decision"),
])
def test_an_unlikely_date_is_confirmed_not_refused(client, clerk, follow_up, to_date, doubt):
    follow_up.decision.minute.decision_date = D(2026, 2, 16)
    follow_up.decision.minute.save()
    client.force_login(clerk)
    before = state(follow_up)
    asked = client.post(url("set_due_date", follow_up), {"version": 1, "to_date": to_date, "reason": "Back-filled."})
    content = asked.content.decode()
    assert asked.status_code == 200 and f"Check the date: {doubt}" in content
    assert content.count(f"Check the date: {doubt}") == 2  # once in the summary, once by the field: no more
    assert "<title>Error: " in content
    assert state(follow_up) == before
    confirmed = client.post(url("set_due_date", follow_up), {
        "version": 1, "to_date": to_date, "reason": "Back-filled.", "confirm_date": "on",
    })
    assert confirmed.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.due_date == D.fromisoformat(to_date)


@pytest.mark.parametrize("to_date", ["0026-05-01", "2206-05-01"])
def test_an_absurd_year_is_refused_even_when_confirmed(client, clerk, follow_up, to_date):
    client.force_login(clerk)
    before = state(follow_up)
    response = client.post(url("set_due_date", follow_up), {
        "version": 1, "to_date": to_date, "reason": "Typo.", "confirm_date": "on",
    })
    assert response.status_code == 200 and "Enter a due date between 2006 and 2036" in response.content.decode()
    assert state(follow_up) == before


def test_each_missing_field_has_its_own_message(client, clerk, follow_up):
    client.force_login(clerk)
    content = client.post(url("set_due_date", follow_up), {"version": 1}).content.decode()
    assert "Enter the due date" in content and "Enter the reason" in content
    assert "This field is required" not in content
