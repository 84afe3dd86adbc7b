"""The dry run and the reconciliation (decisions/reminders/checks.py): what its first mutation run showed unpinned.

The dry run shows what a real run would send: the copies already waiting in the outbox as well as what it would
plan, less copies no longer needed (README, "Reminders": closed follow-ups and moved due dates are not sent). The
reconciliation finds every reminder due without its row, however many there are, and is ok only with no loose end.
March 2026 has no public holidays; Friday 20 March is a follow-up's due date.
"""

import datetime

import pytest

from cabinet.models import Profile
from decisions import reminders
from decisions.models import Reminder, ReminderDelivery
from decisions.reminders import Reconciliation
from tests.factories import FollowUpFactory, make_user
from tests.test_reminders import at
from tests.test_sending_mutants import crash_while_sending

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 3, 20)


def described(email):
    return sorted(line["description"] for section in email.sections for line in section["lines"])


def test_the_dry_run_shows_copies_waiting_for_a_weekly_digest_less_those_no_longer_needed(agency, clerk):
    aroha = make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency])
    Profile.objects.filter(user=aroha).update(digest=Profile.Digest.WEDNESDAY)
    kept, closed, moved = (
        FollowUpFactory(due_date=datetime.date(2026, 3, 19), responsible_agency=agency, description=description)
        for description in ("Report on pipelines", "Report on benefits", "Report on housing")
    )
    # A report-back with no due date: the clerks' weekly reminder, planned on Mondays.
    Profile.objects.filter(user=clerk).update(digest=Profile.Digest.WEDNESDAY)
    dated_since = FollowUpFactory(due_date=None, due_precision="none", due_text="", responsible_agency=agency)
    # Monday 16 March: each is 3 business days away; the copies wait for Wednesday.
    reminders.plan_reminders(on=datetime.date(2026, 3, 16))
    reminders.send_due(on=datetime.date(2026, 3, 16))
    assert sorted(ReminderDelivery.objects.values_list("recipient__username", "status")) == [
        *[("aroha", ReminderDelivery.Status.PENDING)] * 3, ("clerk", ReminderDelivery.Status.PENDING),
    ]
    closed.take("close", user=clerk, status="cancelled", reason="Overtaken by the Budget.")
    moved.due_date = datetime.date(2026, 4, 30)
    moved.save()
    dated_since.due_date, dated_since.due_precision = datetime.date(2026, 6, 30), "day"
    dated_since.save()

    tuesday, wednesday = datetime.date(2026, 3, 17), datetime.date(2026, 3, 18)
    plan = reminders.plan_reminders(on=tuesday, dry_run=True)
    assert plan.planned == []  # nothing new: the dry run is about the outbox alone
    assert reminders.preview(on=tuesday, plan=plan) == ([], [aroha])  # the clerk's one copy is no longer needed

    plan = reminders.plan_reminders(on=wednesday, dry_run=True)
    emails, waiting = reminders.preview(on=wednesday, plan=plan)
    assert [email.recipient for email in emails] == [aroha] and waiting == []
    assert described(emails[0]) == ["Report on pipelines"]
    assert emails[0].subject == "[IN CONFIDENCE] Cabinet follow-ups: 1 due soon"
    assert kept.description == "Report on pipelines"


def test_the_dry_run_s_subject_is_the_one_the_run_then_sends(agency, clerk):
    """The dry run renders only each digest's subject (not its bodies): the same words the real email carries."""
    from django.core import mail

    make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency])
    FollowUpFactory(due_date=datetime.date(2026, 3, 19), responsible_agency=agency)  # a day overdue on Friday
    FollowUpFactory(due_date=ON, responsible_agency=agency)  # due on Friday itself
    FollowUpFactory(
        due_date=datetime.date(2026, 3, 24), responsible_agency=agency, decision__minute__classification="sensitive"
    )
    emails, _ = reminders.preview(on=ON, plan=reminders.plan_reminders(on=ON, dry_run=True))
    reminders.plan_reminders(on=ON)
    reminders.send_due(on=ON)
    assert sorted((email.recipient.email, email.subject) for email in emails) == sorted(
        (message.to[0], message.subject) for message in mail.outbox
    )
    assert [email.subject for email in emails if email.recipient.username == "aroha"] == [
        "[SENSITIVE] Cabinet follow-ups: 1 overdue, 1 due today, 1 due soon"
    ]


def test_the_dry_run_shows_waiting_copies_and_new_reminders_together_each_recipient_once(agency):
    aroha = make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency])
    ben = make_user(username="ben", email="ben@mbie.example.govt.nz", agencies=[agency])
    for person in (aroha, ben):
        Profile.objects.filter(user=person).update(digest=Profile.Digest.FRIDAY)
    FollowUpFactory(due_date=datetime.date(2026, 3, 19), responsible_agency=agency, description="Report on pipelines")
    reminders.plan_reminders(on=datetime.date(2026, 3, 16))  # waiting for Friday
    FollowUpFactory(due_date=ON, responsible_agency=agency, description="Report on benefits")  # due on Friday itself
    plan = reminders.plan_reminders(on=ON, dry_run=True)
    assert len(plan.planned) == 2  # the first is now a day overdue: its "due" reminder was missed; and the second's
    emails, waiting = reminders.preview(on=ON, plan=plan)
    assert [email.recipient for email in emails] == [aroha, ben] and waiting == []
    for email in emails:
        assert described(email) == ["Report on benefits", "Report on pipelines"]


@pytest.mark.parametrize("given_the_plan", [False, True])
def test_every_reminder_due_without_its_row_is_found_however_many_batches_it_takes(given_the_plan, settings, agency):
    """Four at a time (a batch size of 1, four times over): the first and the last of six are missing."""
    settings.REMINDERS = {**settings.REMINDERS, "batch_size": 1}
    make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency])
    first = FollowUpFactory(due_date=datetime.date(2026, 6, 30), responsible_agency=agency)  # nothing due yet
    middle = [FollowUpFactory(due_date=ON, responsible_agency=agency) for _ in range(4)]
    check = reminders.reconcile(on=ON)
    assert [planned.follow_up_id for planned in check.missing] == [follow_up.pk for follow_up in middle]
    assert not check.ok
    reminders.plan_reminders(on=ON)
    assert reminders.reconcile(on=ON).ok

    # Since that run: the first is due today after all, and a last one is added, neither planned.
    first.due_date = ON
    first.save()
    last = FollowUpFactory(due_date=ON, responsible_agency=agency)
    plan = reminders.plan_reminders(on=ON, dry_run=True) if given_the_plan else None
    check = reminders.reconcile(on=ON, plan=plan)
    assert [(planned.follow_up_id, planned.kind) for planned in check.missing] == [
        (first.pk, Reminder.Kind.DUE), (last.pk, Reminder.Kind.DUE),
    ]


def test_the_check_is_ok_only_with_no_loose_end_of_any_kind():
    clean = {"missing": [], "nobody": 0, "unreachable": [], "failed": 0, "stuck": 0}
    assert Reconciliation(**clean).ok
    for field, loose_end in [("missing", ["a reminder"]), ("nobody", 1), ("unreachable", ["aroha"]), ("failed", 1),
                             ("stuck", 1)]:
        assert not Reconciliation(**{**clean, field: loose_end}).ok, field


def test_the_dry_run_lists_everyone_due_today_whoever_waits_for_another_day(agency):
    """Sorted by address, a weekly recipient ("aroha", Wednesdays) comes before a daily one ("ben"), on a Friday."""
    aroha = make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency])
    ben = make_user(username="ben", email="ben@mbie.example.govt.nz", agencies=[agency])
    Profile.objects.filter(user=aroha).update(digest=Profile.Digest.WEDNESDAY)
    FollowUpFactory(due_date=ON, responsible_agency=agency, description="Report on pipelines")
    emails, waiting = reminders.preview(on=ON, plan=reminders.plan_reminders(on=ON, dry_run=True))
    assert [email.recipient for email in emails] == [ben] and waiting == [aroha]
    assert described(emails[0]) == ["Report on pipelines"]


def test_the_dry_run_shows_a_crashed_sender_s_copies_once_its_claim_has_lapsed(monkeypatch, agency):
    """README: a sender that crashes leaves its rows claimed; 30 minutes later they are sent again. Until then
    another run would leave them alone, and so does the dry run."""
    aroha = make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency])
    FollowUpFactory(due_date=ON, responsible_agency=agency, description="Report on pipelines")
    reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00"))

    crash_while_sending(monkeypatch, on=ON, now=at("2026-03-20T07:00"))

    for minutes_later, shown in ((10, []), (29, []), (31, ["Report on pipelines"])):
        plan = reminders.plan_reminders(on=ON, dry_run=True)
        emails, _ = reminders.preview(on=ON, plan=plan, now=at("2026-03-20T07:00") + datetime.timedelta(minutes=minutes_later))
        assert [described(email) for email in emails] == ([shown] if shown else []), minutes_later
        assert [email.recipient for email in emails] == ([aroha] if shown else [])


def test_a_reminder_of_an_open_follow_up_with_no_one_to_send_it_to_is_a_loose_end(agency, clerk):
    """No official of the agency and no clerk with an address: the reminder is written, to no one."""
    clerk.email = ""
    clerk.save()
    follow_up = FollowUpFactory(due_date=ON, responsible_agency=agency)
    plan = reminders.plan_reminders(on=ON)
    assert len(plan.planned) == 1 and plan.deliveries == 0
    check = reminders.reconcile(on=ON)
    assert (check.nobody, check.missing, check.ok) == (1, [], False)
    follow_up.take("close", user=clerk, status="cancelled", reason="Overtaken by the Budget.")
    assert reminders.reconcile(on=ON).nobody == 0  # closed: nothing more is owed
