"""Release reminders: the agency's officials hear of releases due in 10 and 3 business days, and overdue, once each.

They go in the reminder digest (decisions/reminders/sending.py), in its own sections, with the follow-ups.
"""

import datetime
import io
import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import CommandError, call_command

from cabinet.models import Profile
from decisions import release_reminders, releases, reminders
from decisions.models import ReminderDelivery
from decisions.release_reminders import ReleaseReminder
from tests.factories import AgencyFactory, MinuteFactory, ProactiveReleaseFactory, make_user
from tests.test_reminders import at, due_follow_up, free_port, smtp_mailer

pytestmark = pytest.mark.django_db
D = datetime.date
Kind = ReleaseReminder.Kind


def run(on, now=None):
    """What `sendreminders --date` does: plan both kinds, then send the digests."""
    now = now or at(f"{on}T07:00")
    reminders.plan_reminders(on=on, now=now)
    release_reminders.plan(on=on)
    return reminders.send_due(on=on, now=now)


@pytest.fixture
def setting(db):
    mbie, msd = AgencyFactory(short_name="MBIE"), AgencyFactory(short_name="MSD")
    ours = make_user(Profile.Role.OFFICIAL, username="ours", agencies=[mbie])
    theirs = make_user(Profile.Role.OFFICIAL, username="theirs", agencies=[msd])
    # Decided Monday 2 February 2026: owed Tuesday 17 March (30 business days, Waitangi Day off).
    release = ProactiveReleaseFactory(
        minute=MinuteFactory(decision_date=D(2026, 2, 2), title="Pipeline consenting"), agency=mbie
    )
    return release, ours, theirs


def test_milestones_in_business_days():
    owed = D(2026, 3, 17)  # a Tuesday
    assert release_reminders.milestone(owed, D(2026, 3, 2)) is None  # 11 business days before
    assert release_reminders.milestone(owed, D(2026, 3, 3)) == Kind.DUE_10  # 10 business days before
    assert release_reminders.milestone(owed, D(2026, 3, 11)) == Kind.DUE_10  # 4 before
    assert release_reminders.milestone(owed, D(2026, 3, 12)) == Kind.DUE_3  # 3 before (Thursday)
    assert release_reminders.milestone(owed, D(2026, 3, 17)) == Kind.DUE_3  # the day itself
    assert release_reminders.milestone(owed, D(2026, 3, 18)) == Kind.OVERDUE


def test_each_milestone_goes_once_to_the_agencys_officials_in_their_digest(setting):
    release, ours, theirs = setting
    for on in (D(2026, 3, 2), D(2026, 3, 3), D(2026, 3, 4), D(2026, 3, 12), D(2026, 3, 18), D(2026, 3, 19)):
        run(on)
    sent = [(r.kind, r.planned_for) for r in ReleaseReminder.objects.filter(status="sent").order_by("planned_for")]
    assert sent == [(Kind.DUE_10, D(2026, 3, 3)), (Kind.DUE_3, D(2026, 3, 12)), (Kind.OVERDUE, D(2026, 3, 18))]
    assert {r.recipient for r in ReleaseReminder.objects.all()} == {ours}
    assert [message.to for message in mail.outbox] == [[ours.email]] * 3
    headings = ["PROACTIVE RELEASES DUE WITHIN 10 BUSINESS DAYS: 1", "PROACTIVE RELEASES DUE WITHIN 3 BUSINESS DAYS: 1",
                "PROACTIVE RELEASES OVERDUE: 1"]
    for message, heading in zip(mail.outbox, headings, strict=True):
        assert heading in message.body
    assert "1 release(s) overdue" in mail.outbox[2].subject
    body = mail.outbox[2].body
    # Owed 17 March, sent Wednesday 18 March: 1 business day overdue.
    assert f"{release.minute.reference}: Proactive release of Pipeline consenting (now: due)" in body
    assert "Due 17 March 2026, 1 business day overdue" in body
    assert f"/releases/{release.pk}/" in body
    assert f"/releases/{release.pk}/" in mail.outbox[2].alternatives[0].content


def test_one_digest_carries_the_follow_ups_and_the_releases_and_a_second_run_sends_nothing(setting):
    release, ours, _ = setting
    due_follow_up(due_date=D(2026, 3, 16), responsible_agency=release.agency, description="Report on pipeline options")
    sent = run(D(2026, 3, 18))
    assert (sent.emails, sent.items, sent.releases) == (1, 1, 1)
    [email] = mail.outbox
    assert email.to == [ours.email]
    assert "OVERDUE: 1" in email.body and "Report on pipeline options" in email.body
    assert "PROACTIVE RELEASES OVERDUE: 1" in email.body and "Pipeline consenting" in email.body
    message_id = email.extra_headers["Message-ID"]
    assert set(ReminderDelivery.objects.values_list("status", "message_id")) == {("sent", message_id)}
    assert set(ReleaseReminder.objects.values_list("status", "message_id")) == {("sent", message_id)}

    again = run(D(2026, 3, 18), now=at("2026-03-18T09:00"))
    assert (again.emails, again.releases, len(mail.outbox)) == (0, 0, 1)


def test_a_weekly_digest_keeps_release_reminders_for_its_day(setting):
    _, ours, _ = setting
    ours.profile.digest = Profile.Digest.FRIDAY
    ours.profile.save()
    assert run(D(2026, 3, 18)).emails == 0  # a Wednesday
    assert ReleaseReminder.objects.get().status == ReleaseReminder.Status.PENDING
    assert run(D(2026, 3, 20)).releases == 1
    assert "PROACTIVE RELEASES OVERDUE: 1" in mail.outbox[0].body


def test_a_published_release_is_not_reminded_of(setting):
    release, ours, _ = setting
    release_reminders.plan(on=D(2026, 3, 3))
    releases.take(release, "publish", user=ours, published_date=D(2026, 3, 3), published_url="https://www.mbie.govt.nz/r")
    result = reminders.send_due(on=D(2026, 3, 3), now=at("2026-03-03T07:00"))
    assert (result.emails, result.withheld, len(mail.outbox)) == (0, 1, 0)
    assert ReleaseReminder.objects.get().status == ReleaseReminder.Status.WITHHELD
    assert release_reminders.plan(on=D(2026, 3, 18)) == 0


def test_a_release_no_longer_the_officials_agencys_is_withheld_but_their_follow_ups_go(setting):
    release, ours, _ = setting
    due_follow_up(due_date=D(2026, 3, 16), responsible_agency=release.agency)
    reminders.plan_reminders(on=D(2026, 3, 18), now=at("2026-03-18T07:00"))
    release_reminders.plan(on=D(2026, 3, 18))
    release.agency = AgencyFactory(short_name="DIA")
    release.save()
    sent = reminders.send_due(on=D(2026, 3, 18), now=at("2026-03-18T07:00"))
    assert (sent.emails, sent.items, sent.releases, sent.withheld) == (1, 1, 0, 1)
    assert "PROACTIVE RELEASES" not in mail.outbox[0].body
    assert ReleaseReminder.objects.get().status == ReleaseReminder.Status.WITHHELD


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
    assert "Release reminders: planned 1 copy(ies); 1 sent in the digests." in out.getvalue()
    assert "sent 1 email(s)" in out.getvalue()


def test_a_mail_server_that_is_down_loses_nothing_and_the_run_says_so(setting, settings):
    release, ours, _ = setting
    due_follow_up(due_date=D(2026, 3, 16), responsible_agency=release.agency)
    locmem_mailers = settings.MAILERS
    settings.MAILERS = smtp_mailer(free_port())  # nothing listens there: the connection is refused
    with time_machine.travel(at("2026-03-18T07:00"), tick=False):
        with pytest.raises(CommandError, match="The mail server could not be used"):
            call_command("sendreminders", stdout=io.StringIO())
    assert ReminderDelivery.objects.get().status == ReminderDelivery.Status.PENDING
    copy = ReleaseReminder.objects.get()
    assert (copy.status, copy.claim_token, copy.message_id) == (ReleaseReminder.Status.PENDING, "", "")
    # The server is back: the next run sends both in one digest.
    settings.MAILERS = locmem_mailers
    with time_machine.travel(at("2026-03-19T07:00"), tick=False):
        call_command("sendreminders", stdout=io.StringIO())
    [email] = mail.outbox
    assert "\nPROACTIVE RELEASES OVERDUE: 1\n" in email.body and "\nOVERDUE: 1\n" in email.body
    assert ReleaseReminder.objects.get().status == ReminderDelivery.objects.get().status == "sent"


def test_a_server_lost_while_sending_leaves_both_waiting_and_the_next_digest_keeps_its_message_id(setting, monkeypatch):
    release, ours, _ = setting
    due_follow_up(due_date=D(2026, 3, 16), responsible_agency=release.agency)
    tried = []

    def disconnect(self, messages):
        tried.extend(messages)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", disconnect)
    sent = run(D(2026, 3, 18))
    monkeypatch.undo()
    assert (sent.emails, sent.undelivered) == (0, 2) and sent.error
    assert ReminderDelivery.objects.get().status == ReminderDelivery.Status.PENDING
    assert (ReleaseReminder.objects.get().status, ReleaseReminder.objects.get().claim_token) == ("pending", "")

    again = run(D(2026, 3, 19))
    assert (again.emails, again.items, again.releases) == (1, 1, 1)
    [email] = mail.outbox
    assert email.extra_headers["Message-ID"] == tried[0].extra_headers["Message-ID"]
    assert ReleaseReminder.objects.get().message_id == email.extra_headers["Message-ID"]


def test_sendreminders_fails_when_a_release_reminder_was_not_delivered(setting):
    release, ours, _ = setting
    ours.email = ""
    ours.save()
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"Not everything due was delivered: 0 copy\(ies\) will be retried, 1 failed"):
        call_command("sendreminders", "--date", "2026-03-18", stdout=out)
    assert "release reminder(s) not sent: ours has no email address" in out.getvalue()
