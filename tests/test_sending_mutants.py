"""Sending the reminder digests (decisions/reminders/sending.py): the rules its mutation run showed no test pinned.

First, a copy already sent is never sent again, on SQLite as on PostgreSQL (issue 15: the claim once took sent
copies too). The rest were written for the survivors of its first mutation run (docs/testing.md), each from the
README's "Reminders" section: retries and their back-off, which server replies are final, what is withheld, what
waits after the server is lost, and what a run logs.

Worked out on the 2026 calendar: March has no public holidays. A follow-up due Thursday 19 March gets its "due"
reminder that day; on Friday 20 March it is one business day overdue, and the next overdue reminder is five business
days after the due date, so nothing more is due about it that day.
"""

import datetime
import logging
import smtplib
import socket
import threading

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone

from cabinet.models import Profile
from decisions import release_reminders, reminders
from decisions.models import ReminderDelivery
from decisions.release_reminders import ReleaseReminder
from tests.factories import AgencyFactory, FollowUpFactory, MinuteFactory, ProactiveReleaseFactory, committee, make_user
from tests.test_reminders import free_port, smtp_mailer
from tests.test_reminders_monitoring import serve  # noqa: F401 (a real SMTP server answering as told)

pytestmark = pytest.mark.django_db

Status = ReminderDelivery.Status


def at(text):
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def crash_while_sending(monkeypatch, *, on, now):
    """A sender killed as it hands its first email to the mail server: what it claimed is left claimed."""
    def crash(self, messages):
        raise SystemExit("killed")

    with monkeypatch.context() as patch:
        patch.setattr(locmem.EmailBackend, "send_messages", crash)
        with pytest.raises(SystemExit, match="killed"):
            reminders.send_due(on=on, now=now)


def send_with_the_server_lost(monkeypatch, *, on, now):
    """A run whose mail server closes the connection at the first email: its result, and the emails it tried."""
    tried = []

    def disconnect(self, messages):
        tried.extend(messages)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    with monkeypatch.context() as patch:
        patch.setattr(locmem.EmailBackend, "send_messages", disconnect)
        return reminders.send_due(on=on, now=now), tried


def run(on, now):
    reminders.plan_reminders(on=on, now=now)
    return reminders.send_due(on=on, now=now)


def test_a_sent_copy_is_not_sent_again_with_the_next_days_reminder(agency):
    official = make_user(Profile.Role.OFFICIAL, username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency])
    first = FollowUpFactory(due_date=datetime.date(2026, 3, 19), responsible_agency=agency)
    run(datetime.date(2026, 3, 19), at("2026-03-19T07:00"))
    assert len(mail.outbox) == 1 and first.decision.minute.reference in mail.outbox[0].body
    sent = ReminderDelivery.objects.get()
    assert (sent.status, sent.attempts) == (Status.SENT, 1)
    sent_before = (sent.sent_at, sent.message_id, sent.claim_token, sent.attempts)

    # The next day another follow-up falls due: one email, about it alone.
    second = FollowUpFactory(due_date=datetime.date(2026, 3, 20), responsible_agency=agency)
    mail.outbox.clear()
    run(datetime.date(2026, 3, 20), at("2026-03-20T07:00"))
    assert [message.to for message in mail.outbox] == [[official.email]]
    body = mail.outbox[0].body
    assert second.decision.minute.reference in body
    assert first.decision.minute.reference not in body
    sent.refresh_from_db()
    assert (sent.sent_at, sent.message_id, sent.claim_token, sent.attempts) == sent_before
    assert ReminderDelivery.objects.filter(status=Status.SENT).count() == 2

    # And a run later the same day sends nothing at all.
    mail.outbox.clear()
    run(datetime.date(2026, 3, 20), at("2026-03-20T09:00"))
    assert mail.outbox == []


# Written for the mutation run of decisions/reminders/sending.py (docs/testing.md): each pins a rule the README's
# "Reminders" section states. Friday 20 March 2026 (ON) is a follow-up's due date; the "due" reminder goes that day.

ON = datetime.date(2026, 3, 20)
Reason = ReminderDelivery.Reason


def statuses():
    return sorted(ReminderDelivery.objects.values_list("recipient__username", "status", "reason", "attempts"))


@pytest.fixture
def aroha_and_ben(agency):
    return (
        make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency]),
        make_user(username="ben", email="ben@mbie.example.govt.nz", agencies=[agency]),
    )


@pytest.mark.parametrize("officials, owed", [(2, 1), (13, 20)])
def test_a_run_that_delivers_everything_logs_no_warning(officials, owed, agency, caplog):
    """The sender warns only of copies not sent, or sent and not recorded: a clean run has nothing to warn of,
    with a few copies or with 13 x 20 = 260 follow-up copies and as many release reminders in one batch."""
    people = [
        make_user(username=f"official{n:02d}", email=f"official{n:02d}@mbie.example.govt.nz", agencies=[agency])
        for n in range(officials)
    ]
    for n in range(owed):  # decided 2 February, owed Tuesday 17 March: overdue on the 20th
        ProactiveReleaseFactory(minute=MinuteFactory(decision_date=datetime.date(2026, 2, 2)), agency=agency)
        FollowUpFactory(due_date=ON, responsible_agency=agency, description=f"Report {n:02d}")
    reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00"))
    assert release_reminders.plan(on=ON) == officials * owed
    with caplog.at_level(logging.WARNING, logger="decisions.reminders.sending"):
        result = reminders.send_due(on=ON, now=at("2026-03-20T07:00"))
    assert (result.emails, result.items, result.releases) == (officials, officials * owed, officials * owed)
    assert (result.withheld, result.undelivered) == (0, 0)
    assert sorted(message.to[0] for message in mail.outbox) == [person.email for person in people]
    assert "Report 00" in mail.outbox[0].body and "PROACTIVE RELEASES OVERDUE" in mail.outbox[0].body
    assert [record.getMessage() for record in caplog.records] == []


def test_each_failed_attempt_doubles_the_wait_up_to_a_day_and_the_last_one_fails_the_copy(settings, agency):
    """README: a failed send is retried after 15 minutes, doubling up to a day; after max_attempts it is failed."""
    settings.REMINDERS = {**settings.REMINDERS, "max_attempts": 9}
    settings.MAILERS = smtp_mailer(free_port())  # nothing listens there
    make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency])
    FollowUpFactory(due_date=ON, responsible_agency=agency)
    now = at("2026-03-20T07:00")
    reminders.plan_reminders(on=ON, now=now)
    waits = []
    for attempt in range(1, 9):
        result = reminders.send_due(on=ON, now=now)
        copy = ReminderDelivery.objects.get()
        assert (copy.status, copy.attempts, copy.reason) == (Status.PENDING, attempt, "")
        assert (result.retrying, result.failed) == (1, 0)
        assert result.problems == {f"to be retried: {result.error}": 1}
        waits.append((copy.next_attempt_at - now) / datetime.timedelta(minutes=1))
        # A minute early, nothing is tried; on time, the next attempt.
        assert reminders.send_due(on=ON, now=copy.next_attempt_at - datetime.timedelta(minutes=1)).undelivered == 0
        now = copy.next_attempt_at
    assert waits == [15, 30, 60, 120, 240, 480, 960, 24 * 60]

    result = reminders.send_due(on=ON, now=now)
    copy = ReminderDelivery.objects.get()
    assert (copy.status, copy.attempts, copy.reason) == (Status.FAILED, 9, Reason.GAVE_UP)
    assert (result.retrying, result.failed) == (0, 1)
    assert result.problems == {f"failed after 9 attempts: {result.error}": 1}
    assert result.error.startswith("ConnectionRefusedError: ") and copy.last_error == result.error


@pytest.mark.parametrize("reply, status, reason", [
    ("554 5.6.0 Message refused", Status.FAILED, Reason.REFUSED),  # 5xx: final at once
    ("500 5.5.2 Syntax error", Status.FAILED, Reason.REFUSED),  # the first permanent code
    ("451 4.3.0 Mailbox busy, try again later", Status.PENDING, ""),  # 4xx: tried again later
])
def test_the_reply_to_the_message_decides_whether_it_is_tried_again(reply, status, reason, serve, aroha_and_ben):  # noqa: F811
    serve(data_reply=reply)
    FollowUpFactory(due_date=ON, responsible_agency=aroha_and_ben[0].profile.agencies.get())
    reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00"))
    result = reminders.send_due(on=ON, now=at("2026-03-20T07:00"))
    assert statuses() == [("aroha", status, reason, 1), ("ben", status, reason, 1)]
    # The server's words, decoded, as the last error of each copy.
    code, words = reply.split(" ", 1)
    assert set(ReminderDelivery.objects.values_list("last_error", flat=True)) == {f"SMTPDataError: {code} {words}"}
    if status == Status.FAILED:
        assert (result.failed, result.retrying) == (2, 0)
        assert result.problems == {f"refused for good: SMTPDataError: {code} {words}": 2}
    else:
        assert (result.failed, result.retrying) == (0, 2)
        assert result.problems == {f"to be retried: SMTPDataError: {code} {words}": 2}


@pytest.mark.parametrize("reply, status, reason", [
    ("550 5.1.1 No such mailbox", Status.FAILED, Reason.REFUSED),
    ("500 5.5.2 Syntax error", Status.FAILED, Reason.REFUSED),
    ("450 4.2.1 Mailbox busy", Status.PENDING, ""),
])
def test_the_reply_to_one_recipient_decides_whether_their_copy_is_tried_again(
    reply, status, reason, serve, aroha_and_ben  # noqa: F811
):
    aroha, ben = aroha_and_ben
    server = serve(refuse={aroha.email: reply})
    FollowUpFactory(due_date=ON, responsible_agency=aroha.profile.agencies.get())
    reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00"))
    reminders.send_due(on=ON, now=at("2026-03-20T07:00"))
    assert server.received == [ben.email]
    assert statuses() == [("aroha", status, reason, 1), ("ben", Status.SENT, "", 1)]
    assert ReminderDelivery.objects.get(recipient=aroha).last_error == f"{aroha.email} refused: {reply}"


def test_a_server_that_turns_the_connection_away_with_a_5xx_greeting_is_tried_again(settings, aroha_and_ben):
    """A 554 greeting refuses the connection, not the message: the copies wait for the next run, like a server down."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def greet():
        for _ in range(2):  # the run's one connection, and a spare
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.sendall(b"554 5.3.2 Not accepting mail now\r\n")
                connection.recv(1024)

    thread = threading.Thread(target=greet, daemon=True)
    thread.start()
    settings.MAILERS = smtp_mailer(listener.getsockname()[1])
    try:
        FollowUpFactory(due_date=ON, responsible_agency=aroha_and_ben[0].profile.agencies.get())
        reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00"))
        result = reminders.send_due(on=ON, now=at("2026-03-20T07:00"))
    finally:
        listener.close()
    assert result.error.startswith("SMTPConnectError")
    assert statuses() == [("aroha", Status.PENDING, "", 1), ("ben", Status.PENDING, "", 1)]
    assert (result.retrying, result.failed) == (2, 0)


@pytest.mark.parametrize("code", [451, 554])
def test_a_long_error_is_kept_to_its_first_thousand_characters(code, monkeypatch, aroha_and_ben):
    def refuse(self, messages):
        raise smtplib.SMTPDataError(code, b"x" * 1500)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse)
    FollowUpFactory(due_date=ON, responsible_agency=aroha_and_ben[0].profile.agencies.get())
    reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00"))
    reminders.send_due(on=ON, now=at("2026-03-20T07:00"))
    errors = list(ReminderDelivery.objects.values_list("last_error", flat=True))
    assert errors == [f"SMTPDataError: {code} {'x' * 1500}"[:1000]] * 2
    assert len(errors[0]) == 1000


def test_a_backend_that_quietly_sends_nothing_leaves_the_copies_to_be_tried_again(settings, aroha_and_ben):
    """fail_silently: the backend reports 0 sent instead of raising. Not delivered: tried again, not recorded sent."""
    settings.MAILERS = {"default": {**smtp_mailer(free_port())["default"]}}
    settings.MAILERS["default"]["OPTIONS"] = {**settings.MAILERS["default"]["OPTIONS"], "fail_silently": True}
    FollowUpFactory(due_date=ON, responsible_agency=aroha_and_ben[0].profile.agencies.get())
    reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00"))
    result = reminders.send_due(on=ON, now=at("2026-03-20T07:00"))
    assert (result.emails, result.items, result.retrying, result.failed) == (0, 0, 2, 0)
    assert statuses() == [("aroha", Status.PENDING, "", 1), ("ben", Status.PENDING, "", 1)]
    text = "The mail backend reported the email not sent."
    assert set(ReminderDelivery.objects.values_list("last_error", flat=True)) == {text}
    assert result.problems == {f"to be retried: {text}": 2}


def test_every_copy_no_longer_needed_is_cancelled_in_batches_and_the_rest_wait(settings, aroha_and_ben, agency):
    """Closed, undated since, dated since: cancelled (README: "a reminder planned before the due date moved is
    cancelled"); a follow-up unchanged keeps its waiting copies. Two copies an UPDATE, so five take three."""
    settings.REMINDERS = {**settings.REMINDERS, "batch_size": 2}
    clerk = make_user(Profile.Role.CLERK, username="cabclerk", email="cab@cabinet.example.govt.nz")
    clerk.profile.committees.set([committee("CAB")])
    for person in (*aroha_and_ben, clerk):
        Profile.objects.filter(user=person).update(digest=Profile.Digest.FRIDAY)
    monday = datetime.date(2026, 3, 16)  # 3 business days before Thursday 19 March
    closed = FollowUpFactory(due_date=datetime.date(2026, 3, 19), responsible_agency=agency)
    undated_since = FollowUpFactory(due_date=datetime.date(2026, 3, 19), responsible_agency=agency)
    unchanged = FollowUpFactory(due_date=datetime.date(2026, 3, 19), responsible_agency=agency)
    dated_since = FollowUpFactory(due_date=None, due_precision="none", due_text="", responsible_agency=agency)
    reminders.plan_reminders(on=monday, now=at("2026-03-16T07:00"))
    assert reminders.send_due(on=monday, now=at("2026-03-16T07:00")).waiting == 3
    assert ReminderDelivery.objects.filter(status=Status.PENDING).count() == 7  # 3 x 2 officials, 1 clerk

    closed.take("close", user=clerk, status="cancelled", reason="Overtaken by the Budget.")
    undated_since.due_date, undated_since.due_precision = None, "none"
    undated_since.save()
    dated_since.due_date, dated_since.due_precision = datetime.date(2026, 6, 30), "day"
    dated_since.save()
    result = reminders.send_due(on=datetime.date(2026, 3, 17), now=at("2026-03-17T07:00"))

    assert result.cancelled == 5 and mail.outbox == []
    cancelled = ReminderDelivery.objects.filter(status=Status.CANCELLED)
    assert sorted(cancelled.values_list("reminder__follow_up", "recipient__username")) == sorted([
        (closed.pk, "aroha"), (closed.pk, "ben"), (undated_since.pk, "aroha"), (undated_since.pk, "ben"),
        (dated_since.pk, "cabclerk"),
    ])
    waiting = ReminderDelivery.objects.filter(status=Status.PENDING)
    assert sorted(waiting.values_list("reminder__follow_up", "recipient__username")) == [
        (unchanged.pk, "aroha"), (unchanged.pk, "ben"),
    ]


@pytest.fixture
def two_releases(agency):
    """Two releases of the agency's, both owed Tuesday 17 March, so overdue on Friday 20 March."""
    return [
        ProactiveReleaseFactory(
            minute=MinuteFactory(decision_date=datetime.date(2026, 2, 2), title=title), agency=agency
        )
        for title in ("Pipeline consenting", "Water storage")
    ]


def test_a_release_no_longer_theirs_is_withheld_and_their_next_one_still_goes(two_releases, agency):
    aroha = make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency])
    assert release_reminders.plan(on=ON) == 2
    first, second = ReleaseReminder.objects.order_by("pk")
    first.release.agency = AgencyFactory(short_name="DIA")
    first.release.save()
    result = reminders.send_due(on=ON, now=at("2026-03-20T07:00"))
    [message] = mail.outbox
    assert message.to == [aroha.email]
    assert second.release.minute.title in message.body and first.release.minute.title not in message.body
    assert (result.emails, result.releases, result.withheld) == (1, 1, 1)
    assert dict(ReleaseReminder.objects.values_list("pk", "status")) == {
        first.pk: ReleaseReminder.Status.WITHHELD, second.pk: ReleaseReminder.Status.SENT,
    }


def test_a_deactivated_official_s_release_reminders_are_withheld_quietly(two_releases, agency, caplog):
    """Withheld on purpose: no email, no copy counted as failed, and no warning (it has no follow-up copies)."""
    aroha = make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency])
    assert release_reminders.plan(on=ON) == 2
    aroha.is_active = False
    aroha.save()
    with caplog.at_level(logging.WARNING, logger="decisions.reminders.sending"):
        result = reminders.send_due(on=ON, now=at("2026-03-20T07:00"))
    assert mail.outbox == []
    assert (result.emails, result.withheld, result.undelivered) == (0, 2, 0)
    assert set(ReleaseReminder.objects.values_list("status", flat=True)) == {ReleaseReminder.Status.WITHHELD}
    assert [record.getMessage() for record in caplog.records] == []


def test_a_copy_for_someone_without_an_address_says_so_in_the_run_s_problems(aroha_and_ben):
    aroha, ben = aroha_and_ben
    FollowUpFactory(due_date=ON, responsible_agency=aroha.profile.agencies.get())
    reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00"))
    aroha.email = ""
    aroha.save()
    result = reminders.send_due(on=ON, now=at("2026-03-20T07:00"))
    assert [message.to for message in mail.outbox] == [[ben.email]]
    assert (result.emails, result.failed, result.retrying) == (1, 1, 0)
    assert result.problems == {"not sent: aroha has no email address": 1}


@pytest.mark.parametrize("claim_recipients", [1, 25])
def test_a_server_lost_at_the_first_email_leaves_everyone_s_copies_waiting_one_attempt_on(
    claim_recipients, settings, monkeypatch, agency
):
    """Whether the others' copies were claimed with the first recipient's (25 at a time) or not yet (1 at a time),
    every copy and release reminder waits for the next run, unclaimed, and is delivered then; only the first
    email was tried."""
    settings.REMINDERS = {**settings.REMINDERS, "claim_recipients": claim_recipients}
    people = [make_user(username=name, email=f"{name}@mbie.example.govt.nz", agencies=[agency]) for name in ("a", "b", "c")]
    FollowUpFactory(due_date=ON, responsible_agency=agency)
    ProactiveReleaseFactory(minute=MinuteFactory(decision_date=datetime.date(2026, 2, 2)), agency=agency)  # overdue
    reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00"))
    assert release_reminders.plan(on=ON) == 3
    result, tried = send_with_the_server_lost(monkeypatch, on=ON, now=at("2026-03-20T07:00"))
    assert [message.to for message in tried] == [[people[0].email]]
    assert result.error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert (result.emails, result.retrying, result.failed) == (0, 6, 0)  # 3 copies, 3 release reminders
    assert statuses() == [(name, Status.PENDING, "", 1) for name in ("a", "b", "c")]
    assert set(ReleaseReminder.objects.values_list("status", "claim_token")) == {(ReleaseReminder.Status.PENDING, "")}

    result = reminders.send_due(on=ON, now=at("2026-03-20T07:15"))  # the first copy's back-off is 15 minutes
    assert (result.emails, result.items, result.releases, result.undelivered) == (3, 3, 3, 0)
    assert statuses() == [(name, Status.SENT, "", 2) for name in ("a", "b", "c")]
    assert set(ReleaseReminder.objects.values_list("status", flat=True)) == {ReleaseReminder.Status.SENT}


def test_a_claim_size_below_one_still_claims_one_recipient_at_a_time(settings, aroha_and_ben):
    settings.REMINDERS = {**settings.REMINDERS, "claim_recipients": 0}
    FollowUpFactory(due_date=ON, responsible_agency=aroha_and_ben[0].profile.agencies.get())
    reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00"))
    result = reminders.send_due(on=ON, now=at("2026-03-20T07:00"))
    assert (result.emails, result.items) == (2, 2)
    assert statuses() == [("aroha", Status.SENT, "", 1), ("ben", Status.SENT, "", 1)]


@pytest.mark.parametrize("error", [
    ConnectionResetError(104, "Connection reset by peer"), smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
])
def test_a_connection_that_fails_to_close_after_the_emails_went_changes_nothing(error, monkeypatch, aroha_and_ben):
    """The server accepted both emails; losing the connection at the goodbye does not undo that."""
    def close(self):
        raise error

    monkeypatch.setattr(locmem.EmailBackend, "close", close)
    FollowUpFactory(due_date=ON, responsible_agency=aroha_and_ben[0].profile.agencies.get())
    reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00"))
    result = reminders.send_due(on=ON, now=at("2026-03-20T07:00"))
    assert (result.emails, result.items, result.undelivered, result.error) == (2, 2, 0, "")
    assert statuses() == [("aroha", Status.SENT, "", 1), ("ben", Status.SENT, "", 1)]


def test_a_sender_slower_than_the_claim_timeout_is_overtaken_and_says_so(monkeypatch, agency, caplog):
    """README: a sender's claim lapses after 30 minutes and another run sends the rows again, with the same
    Message-ID. A sender that was only slow then finds nothing of its own left to record, and warns."""
    aroha = make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency])
    ProactiveReleaseFactory(minute=MinuteFactory(decision_date=datetime.date(2026, 2, 2)), agency=agency)
    FollowUpFactory(due_date=ON, responsible_agency=agency)
    reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00"))
    release_reminders.plan(on=ON)
    send, overtaking = locmem.EmailBackend.send_messages, {}

    def slow(self, messages):
        if "run" not in overtaking:  # while this email is on its way, another host's run, 31 minutes later
            overtaking["run"] = None
            overtaking["run"] = reminders.send_due(on=ON, now=at("2026-03-20T07:31"))
        return send(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", slow)
    with caplog.at_level(logging.WARNING, logger="decisions.reminders.sending"):
        reminders.send_due(on=ON, now=at("2026-03-20T07:00"))
    other = overtaking["run"]
    assert (other.emails, other.items, other.releases) == (1, 1, 1)
    # The one duplicate the design allows: the same digest twice, with one Message-ID, recorded once.
    assert [message.to for message in mail.outbox] == [[aroha.email]] * 2
    assert mail.outbox[0].extra_headers["Message-ID"] == mail.outbox[1].extra_headers["Message-ID"]
    copy, release_copy = ReminderDelivery.objects.get(), ReleaseReminder.objects.get()
    assert (copy.status, copy.attempts, copy.message_id) == (Status.SENT, 1, mail.outbox[0].extra_headers["Message-ID"])
    assert (release_copy.status, release_copy.message_id) == (ReleaseReminder.Status.SENT, copy.message_id)
    assert sorted(record.getMessage() for record in caplog.records) == [
        "0 of 1 copies sent were recorded sent.", "0 of 1 release reminder copies sent were recorded sent.",
    ]


def test_a_copy_no_longer_theirs_is_withheld_and_the_rest_of_the_digest_still_goes(agency, portfolio):
    """README: "gets nothing more about it ... the others still get theirs", within one digest too."""
    aroha = make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency], portfolios=[portfolio])
    by_agency = FollowUpFactory(due_date=ON, responsible_agency=agency, description="Report on pipelines")
    by_portfolio = FollowUpFactory(
        due_date=ON, responsible_agency=AgencyFactory(short_name="MSD"), responsible_portfolio=portfolio,
        description="Report on benefits",
    )
    reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00"))
    aroha.profile.portfolios.clear()
    result = reminders.send_due(on=ON, now=at("2026-03-20T07:00"))
    [message] = mail.outbox
    assert "Report on pipelines" in message.body and "Report on benefits" not in message.body
    assert (result.emails, result.items, result.withheld) == (1, 1, 1)
    assert dict(ReminderDelivery.objects.values_list("reminder__follow_up", "status")) == {
        by_agency.pk: Status.SENT, by_portfolio.pk: Status.WITHHELD,
    }


def test_copies_failing_together_are_failed_or_retried_each_by_its_own_attempts(settings, agency):
    """With two attempts allowed: Friday's copy fails for the first time; on Monday it goes again in one digest with
    Monday's new copy, and the server is down again: Friday's is failed for good, Monday's waits for its second try."""
    settings.REMINDERS = {**settings.REMINDERS, "max_attempts": 2}
    settings.MAILERS = smtp_mailer(free_port())  # nothing listens there
    make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency])
    FollowUpFactory(due_date=ON, responsible_agency=agency, description="Report on pipelines")
    reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00"))
    assert reminders.send_due(on=ON, now=at("2026-03-20T07:00")).retrying == 1

    monday = datetime.date(2026, 3, 23)
    FollowUpFactory(due_date=monday, responsible_agency=agency, description="Report on benefits")
    reminders.plan_reminders(on=monday, now=at("2026-03-23T07:00"))
    result = reminders.send_due(on=monday, now=at("2026-03-23T07:00"))
    assert (result.failed, result.retrying, result.undelivered) == (1, 1, 2)
    assert result.problems == {f"failed after 2 attempts: {result.error}": 1, f"to be retried: {result.error}": 1}
    assert sorted(ReminderDelivery.objects.values_list("reminder__follow_up__description", "status", "attempts")) == [
        ("Report on benefits", Status.PENDING, 1), ("Report on pipelines", Status.FAILED, 2),
    ]


def test_a_server_lost_while_resending_a_crashed_run_s_digest_counts_everyone_still_waiting(monkeypatch, agency):
    """The crashed run's digest (aroha's) goes first; the server is lost then, so Ben's and Cai's release reminders,
    due the same run, are not sent either: all three are counted as to be retried, and all go with the next run."""
    aroha = make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency])
    FollowUpFactory(due_date=ON, responsible_agency=agency)
    reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00"))

    crash_while_sending(monkeypatch, on=ON, now=at("2026-03-20T07:00"))
    assert ReminderDelivery.objects.get().status == Status.SENDING

    msd = AgencyFactory(short_name="MSD")
    ben = make_user(username="ben", email="ben@msd.example.govt.nz", agencies=[msd])
    cai = make_user(username="cai", email="cai@msd.example.govt.nz", agencies=[msd])
    ProactiveReleaseFactory(minute=MinuteFactory(decision_date=datetime.date(2026, 2, 2)), agency=msd)  # overdue
    assert release_reminders.plan(on=ON) == 2
    result, tried = send_with_the_server_lost(monkeypatch, on=ON, now=at("2026-03-20T07:31"))  # the crashed run's claim has lapsed
    assert [message.to for message in tried] == [[aroha.email]]
    assert (result.emails, result.retrying, result.failed) == (0, 3, 0)
    assert set(ReleaseReminder.objects.values_list("status", flat=True)) == {ReleaseReminder.Status.PENDING}

    result = reminders.send_due(on=ON, now=at("2026-03-20T07:46"))  # past aroha's copy's 15-minute back-off
    assert sorted(message.to[0] for message in mail.outbox) == [aroha.email, ben.email, cai.email]
    assert (result.emails, result.items, result.releases, result.undelivered) == (3, 1, 2, 0)


def test_a_digest_of_257_copies_for_one_official_logs_no_warning(agency, caplog):
    """One more than CPython's cached small integers: the withheld check compares counts, not objects."""
    aroha = make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency])
    decision = FollowUpFactory(due_date=ON, responsible_agency=agency).decision
    for _ in range(256):
        FollowUpFactory(decision=decision, due_date=ON, responsible_agency=agency, responsible_portfolio=None)
    reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00"))
    with caplog.at_level(logging.WARNING, logger="decisions.reminders.sending"):
        result = reminders.send_due(on=ON, now=at("2026-03-20T07:00"))
    assert (result.emails, result.items, result.withheld) == (1, 257, 0)
    assert [message.to for message in mail.outbox] == [[aroha.email]]
    assert [record.getMessage() for record in caplog.records] == []


def test_a_digest_greets_by_first_name_or_username_and_says_how_often_it_comes(agency):
    """The digest's words come from the recipient's profile: "Kia ora <first name>" (the username when there is none),
    and "every business day" for a daily digest, "on Fridays" for a weekly one (the README's Reminders section).
    Friday 20 March 2026 is both a business day and the weekly recipient's day."""
    aroha = make_user(username="aroha", email="aroha@mbie.example.govt.nz", first_name="Aroha", agencies=[agency])
    ben = make_user(username="ben", email="ben@mbie.example.govt.nz", agencies=[agency])
    ben.profile.digest = Profile.Digest.FRIDAY
    ben.profile.save()
    FollowUpFactory(due_date=ON, responsible_agency=agency)
    run(ON, at("2026-03-20T07:00"))
    bodies = {message.to[0]: message.body for message in mail.outbox}

    assert "Kia ora Aroha," in bodies[aroha.email] and "You get these emails every business day," in bodies[aroha.email]
    assert "Kia ora ben," in bodies[ben.email] and "You get these emails on Fridays," in bodies[ben.email]


def test_a_digest_section_lists_the_most_overdue_first_then_the_soonest_due(agency):
    """Within a section the most pressing line comes first (the digest shows only the first ten): the most
    business days overdue, then the earliest due date, whatever the references' order. Friday 20 March 2026."""
    from decisions.reminders.emails import FollowUpLines, release_line

    less_overdue = FollowUpFactory(due_date=datetime.date(2026, 3, 18), responsible_agency=agency)  # 2 days
    more_overdue = FollowUpFactory(due_date=datetime.date(2026, 3, 16), responsible_agency=agency)  # 4 days
    later = FollowUpFactory(due_date=datetime.date(2026, 3, 27), responsible_agency=agency)
    sooner = FollowUpFactory(due_date=datetime.date(2026, 3, 25), responsible_agency=agency)
    lines = FollowUpLines(ON)
    lines.load([less_overdue.pk, more_overdue.pk, later.pk, sooner.pk])
    assert [lines[f.pk].section for f in (less_overdue, more_overdue, later, sooner)] == ["overdue"] * 2 + ["due_soon"] * 2
    assert sorted([less_overdue.pk, more_overdue.pk], key=lambda pk: lines[pk].sort) == [more_overdue.pk, less_overdue.pk]
    assert sorted([later.pk, sooner.pk], key=lambda pk: lines[pk].sort) == [sooner.pk, later.pk]

    # Proactive releases: owed Tuesday 17 March (decided 2 February) and Friday 13 March (decided 29 January).
    owed_17 = ProactiveReleaseFactory(minute=MinuteFactory(decision_date=datetime.date(2026, 2, 2)), agency=agency)
    owed_13 = ProactiveReleaseFactory(minute=MinuteFactory(decision_date=datetime.date(2026, 1, 29)), agency=agency)
    released = {release.pk: release_line(release, ON) for release in (owed_17, owed_13)}
    assert released[owed_13.pk].days_overdue > released[owed_17.pk].days_overdue > 0
    assert sorted(released, key=lambda pk: released[pk].sort) == [owed_13.pk, owed_17.pk]
    # One still to come is not overdue at all: the digest prints "N business days overdue" for any but 0.
    upcoming = ProactiveReleaseFactory(minute=MinuteFactory(decision_date=datetime.date(2026, 2, 9)), agency=agency)
    line = release_line(upcoming, ON)
    assert upcoming.owed_date > ON and line is not None and line.section != "release_overdue"
    assert line.days_overdue == 0
