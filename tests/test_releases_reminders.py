"""Release reminders: the agency's officials hear of releases due in 10 and 3 business days, and overdue, once each."""

import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command

from cabinet.models import Profile
from decisions import release_reminders, releases
from decisions.release_reminders import ReleaseReminder
from tests.factories import AgencyFactory, MinuteFactory, ProactiveReleaseFactory, make_user
from tests.test_reminders import free_port, smtp_mailer

pytestmark = pytest.mark.django_db
D = datetime.date
Kind = ReleaseReminder.Kind


@pytest.fixture
def setting(db):
    mbie, msd = AgencyFactory(short_name="MBIE"), AgencyFactory(short_name="MSD")
    ours = make_user(Profile.Role.OFFICIAL, username="ours", agencies=[mbie])
    theirs = make_user(Profile.Role.OFFICIAL, username="theirs", agencies=[msd])
    # Decided Monday 2 February 2026: owed Tuesday 17 March (30 business days, Waitangi Day off).
    release = ProactiveReleaseFactory(minute=MinuteFactory(decision_date=D(2026, 2, 2)), agency=mbie)
    return release, ours, theirs


def test_milestones_in_business_days():
    owed = D(2026, 3, 17)  # a Tuesday
    assert release_reminders.milestone(owed, D(2026, 3, 2)) is None  # 11 business days before
    assert release_reminders.milestone(owed, D(2026, 3, 3)) == Kind.DUE_10  # 10 business days before
    assert release_reminders.milestone(owed, D(2026, 3, 11)) == Kind.DUE_10  # 4 before
    assert release_reminders.milestone(owed, D(2026, 3, 12)) == Kind.DUE_3  # 3 before (Thursday)
    assert release_reminders.milestone(owed, D(2026, 3, 17)) == Kind.DUE_3  # the day itself
    assert release_reminders.milestone(owed, D(2026, 3, 18)) == Kind.OVERDUE


def test_each_milestone_goes_once_to_the_agencys_officials(setting):
    release, ours, theirs = setting
    for day in (D(2026, 3, 2), D(2026, 3, 3), D(2026, 3, 4), D(2026, 3, 12), D(2026, 3, 18), D(2026, 3, 19)):
        release_reminders.run(on=day)
    sent = [(r.kind, r.planned_for) for r in ReleaseReminder.objects.filter(status="sent").order_by("planned_for")]
    assert sent == [(Kind.DUE_10, D(2026, 3, 3)), (Kind.DUE_3, D(2026, 3, 12)), (Kind.OVERDUE, D(2026, 3, 18))]
    assert {r.recipient for r in ReleaseReminder.objects.all()} == {ours}
    assert [message.to for message in mail.outbox] == [[ours.email]] * 3
    assert mail.outbox[2].subject.startswith("1 proactive release overdue or due soon")
    body = mail.outbox[2].body
    assert f"OVERDUE: 1\n\n- {release.minute.reference}: owed 17 March 2026, due" in body
    assert f"/releases/{release.pk}/" in body


def test_a_published_release_is_not_reminded_of(setting):
    release, ours, _ = setting
    release_reminders.plan(on=D(2026, 3, 3))
    releases.take(release, "publish", user=ours, published_date=D(2026, 3, 3), published_url="https://www.mbie.govt.nz/r")
    result = release_reminders.send(on=D(2026, 3, 3))
    assert (result.emails, result.withheld, len(mail.outbox)) == (0, 1, 0)
    assert release_reminders.plan(on=D(2026, 3, 18)) == 0


def test_a_delayed_release_is_reminded_of_by_its_new_date(setting):
    release, ours, _ = setting
    with time_machine.travel(D(2026, 3, 10)):
        releases.take(release, "delay", user=ours, reason="Announcement first", new_date=D(2026, 4, 28))
    assert release_reminders.plan(on=D(2026, 3, 18)) == 0  # not overdue: owed 28 April now
    assert release_reminders.plan(on=D(2026, 4, 14)) == 1
    assert ReleaseReminder.objects.get().kind == Kind.DUE_10


def test_sendreminders_runs_them_and_says_so(setting):
    out = io.StringIO()
    call_command("sendreminders", "--date", "2026-03-18", stdout=out)
    assert "Release reminders: planned 1 copy(ies); sent 1 email(s) about 1 release(s)" in out.getvalue()


def test_a_mail_server_that_is_down_loses_no_release_reminder_and_the_run_says_so(setting, settings):
    locmem = settings.MAILERS
    settings.MAILERS = smtp_mailer(free_port())  # nothing listens there: the connection is refused
    result = release_reminders.run(on=D(2026, 3, 18))
    assert (result.emails, result.undelivered) == (0, 1)
    assert "left waiting for the next run" in result.problems[0]
    copy = ReleaseReminder.objects.get()
    assert (copy.status, copy.claim_token, copy.message_id) == (ReleaseReminder.Status.PENDING, "", "")
    # The server is back: the next run sends the copy that waited.
    settings.MAILERS = locmem
    again = release_reminders.run(on=D(2026, 3, 19))
    assert (again.emails, again.undelivered) == (1, 0)
    assert ReleaseReminder.objects.get().status == ReleaseReminder.Status.SENT


def test_sendreminders_fails_when_a_release_reminder_was_not_delivered(setting):
    release, ours, _ = setting
    ours.email = ""
    ours.save()
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"1 release reminder copy\(ies\) were not delivered"):
        call_command("sendreminders", "--date", "2026-03-18", stdout=out)
    assert "Release reminder not sent: ours has no email address" in out.getvalue()
