"""Release reminders: the agency's officials hear of releases due in 10 and 3 business days, and overdue, once each."""

import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from cabinet.models import Profile
from decisions import release_reminders, releases
from decisions.release_reminders import ReleaseReminder
from tests.factories import AgencyFactory, MinuteFactory, ProactiveReleaseFactory, make_user

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
