"""A run can be monitored: what the mail server accepted is counted per recipient, the rest is recorded as not sent
with why, a permanent refusal is final at once, and the command fails whenever anything due was not delivered.
Queued copies are checked again at send time. A digest stays short at any size."""

import threading

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from decisions import reminders
from decisions.models import Reminder, ReminderDelivery
from tests.factories import AgencyFactory, PortfolioFactory, make_user
from tests.test_reminders import at, day, due_follow_up, free_port, sent_to, smtp_mailer

pytestmark = pytest.mark.django_db

Kind, Status, Reason = Reminder.Kind, ReminderDelivery.Status, ReminderDelivery.Reason
ON = day("2026-03-20")  # a Friday: DUE in test_reminders is this day


class Server:
    """A real SMTP server answering as told: `data_reply` to every message, `refuse` (address: reply) per recipient."""

    def __init__(self, data_reply="250 Message accepted for delivery", refuse=None):
        self.data_reply, self.refuse = data_reply, refuse or {}
        self.envelopes, self.lock = [], threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply.startswith("250"):
            with self.lock:
                self.envelopes.append(envelope)
        return self.data_reply

    @property
    def received(self):
        return sorted(address for envelope in self.envelopes for address in envelope.rcpt_tos)


@pytest.fixture
def serve(settings):
    controllers = []

    def start(**replies):
        handler = Server(**replies)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        controllers.append(controller)
        settings.MAILERS = smtp_mailer(controller.port)
        return handler

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def two_officials(agency):
    return (
        make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency]),
        make_user(username="ben", email="ben@mbie.example.govt.nz", agencies=[agency]),
    )


def statuses():
    return sorted(ReminderDelivery.objects.values_list("recipient__username", "status", "reason", "attempts"))


# What the server accepted, and what it did not


def test_a_451_to_every_message_is_retried_then_failed_and_every_run_exits_non_zero(settings, serve, two_officials):
    settings.REMINDERS = {**settings.REMINDERS, "max_attempts": 2}
    server = serve(data_reply="451 4.3.0 Mailbox busy, try again later")
    due_follow_up(responsible_agency=two_officials[0].profile.agencies.get())

    with time_machine.travel(at("2026-03-20T07:00"), tick=False), pytest.raises(
        CommandError, match=r"Not everything due was delivered: 2 copy\(ies\) will be retried, 0 failed"
    ):
        call_command("sendreminders")
    assert statuses() == [("aroha", Status.PENDING, "", 1), ("ben", Status.PENDING, "", 1)]
    assert all("451" in error for error in ReminderDelivery.objects.values_list("last_error", flat=True))

    # The next business day, past the back-off: the second attempt is the last one.
    with time_machine.travel(at("2026-03-23T07:00"), tick=False), pytest.raises(
        CommandError, match=r"0 copy\(ies\) will be retried, 2 failed for good"
    ):
        call_command("sendreminders")
    assert statuses() == [("aroha", Status.FAILED, Reason.GAVE_UP, 2), ("ben", Status.FAILED, Reason.GAVE_UP, 2)]
    assert server.envelopes == []


def test_a_550_refusal_is_final_at_once_and_the_others_still_get_theirs(serve, two_officials, capsys):
    aroha, ben = two_officials
    server = serve(refuse={aroha.email: "550 5.1.1 No such mailbox"})
    due_follow_up(responsible_agency=aroha.profile.agencies.get())

    with pytest.raises(CommandError, match=r"0 copy\(ies\) will be retried, 1 failed for good"):
        call_command("sendreminders", "--date", "2026-03-20")
    assert server.received == [ben.email]
    assert statuses() == [("aroha", Status.FAILED, Reason.REFUSED, 1), ("ben", Status.SENT, "", 1)]
    refused = ReminderDelivery.objects.get(recipient=aroha)
    assert "550" in refused.last_error and "No such mailbox" in refused.last_error and refused.message_id == ""
    out = capsys.readouterr().out
    assert "sent 1 email(s) carrying 1 copy(ies)" in out and "1 copy(ies) refused for good" in out

    # Final: a later run does not try it again, and so has nothing undelivered to report.
    call_command("sendreminders", "--date", "2026-03-23")
    assert server.received == [ben.email]
    assert ReminderDelivery.objects.get(recipient=aroha).attempts == 1


def test_with_the_server_down_every_copy_waits_and_the_run_exits_non_zero(settings, two_officials):
    due_follow_up(responsible_agency=two_officials[0].profile.agencies.get())
    settings.MAILERS = smtp_mailer(free_port())  # nothing listens there
    with pytest.raises(CommandError, match=r"The mail server could not be used \(ConnectionRefusedError"):
        call_command("sendreminders", "--date", "2026-03-20")
    assert statuses() == [("aroha", Status.PENDING, "", 1), ("ben", Status.PENDING, "", 1)]


def test_a_recipient_whose_address_was_removed_since_queueing_is_not_recorded_sent(serve, two_officials):
    aroha, ben = two_officials
    server = serve()
    due_follow_up(responsible_agency=aroha.profile.agencies.get())
    reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00"))
    aroha.email = ""
    aroha.save()

    with pytest.raises(CommandError, match=r"1 failed for good"):
        call_command("sendreminders", "--date", "2026-03-20")
    assert server.received == [ben.email]
    assert statuses() == [("aroha", Status.FAILED, Reason.NO_ADDRESS, 0), ("ben", Status.SENT, "", 1)]


def test_when_everything_due_is_delivered_the_run_exits_zero(serve, two_officials, capsys):
    server = serve()
    due_follow_up(responsible_agency=two_officials[0].profile.agencies.get())
    call_command("sendreminders", "--date", "2026-03-20")
    assert len(server.envelopes) == 2
    assert "sent 2 email(s) carrying 2 copy(ies)" in capsys.readouterr().out


# Checked again at send time


@pytest.mark.parametrize("change", ["moved", "deactivated"])
def test_a_recipient_moved_or_deactivated_since_queueing_gets_nothing_more_about_it(change, serve, agency, capsys):
    portfolio = PortfolioFactory()
    aroha = make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency], portfolios=[portfolio])
    ben = make_user(username="ben", email="ben@mbie.example.govt.nz", agencies=[agency])
    server = serve()
    follow_up = due_follow_up(responsible_agency=agency, responsible_portfolio=portfolio)
    assert reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00")).deliveries == 2

    if change == "moved":
        aroha.profile.agencies.set([AgencyFactory(short_name="MSD", name="Ministry of Social Development")])
        aroha.profile.portfolios.set([])
    else:
        aroha.is_active = False
        aroha.save()
    call_command("sendreminders", "--date", "2026-03-20")  # withheld on purpose: not a failure

    assert server.received == [ben.email]
    reason = Reason.NOT_RESPONSIBLE if change == "moved" else Reason.INACTIVE
    assert statuses() == [("aroha", Status.WITHHELD, reason, 0), ("ben", Status.SENT, "", 1)]
    assert "Withheld 1 copy(ies)" in capsys.readouterr().out
    # And nothing more about it later either: the next reminder is not planned for them.
    call_command("sendreminders", "--date", "2026-03-27")
    assert server.received == [ben.email, ben.email]
    assert not ReminderDelivery.objects.filter(recipient=aroha, reminder__follow_up=follow_up, status=Status.SENT)


def test_a_sent_copy_is_never_claimed_again(two_officials):
    """The claim takes waiting copies only: a copy already sent is not in the next day's email (SQLite too)."""
    aroha, _ = two_officials
    agency = aroha.profile.agencies.get()
    first = due_follow_up(due_date=day("2026-03-19"), responsible_agency=agency, description="Report on pipelines")
    reminders.plan_reminders(on=day("2026-03-16"), now=at("2026-03-16T07:00"))
    reminders.send_due(on=day("2026-03-16"), now=at("2026-03-16T07:00"))
    sent = ReminderDelivery.objects.get(recipient=aroha)
    assert sent.status == Status.SENT and len(sent_to(aroha.email)) == 1
    mail.outbox.clear()

    second = due_follow_up(due_date=day("2026-03-20"), responsible_agency=agency, description="Report on workforce")
    reminders.plan_reminders(on=day("2026-03-17"), now=at("2026-03-17T07:00"))
    # The first follow-up has no new reminder on the 17th (its 3-day one was the 16th's); the second does.
    result = reminders.send_due(on=day("2026-03-17"), now=at("2026-03-17T07:00"))

    [message] = sent_to(aroha.email)
    assert "Report on workforce" in message.body and "Report on pipelines" not in message.body
    assert result.items == 2  # one copy each for aroha and ben: the new reminder only
    again = ReminderDelivery.objects.get(pk=sent.pk)
    assert (again.message_id, again.sent_at, again.attempts) == (sent.message_id, sent.sent_at, 1)
    assert second.reminders.get().deliveries.filter(status=Status.SENT).count() == 2
    assert first.reminders.get().deliveries.filter(status=Status.SENT).count() == 2


# A digest at any size


def test_a_large_digest_counts_everything_lists_the_most_pressing_and_links_to_the_rest(client, agency, settings):
    official = make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency])
    other_agency = AgencyFactory(short_name="MSD", name="Ministry of Social Development")
    # 14 follow-ups 5 business days overdue (due Friday 13 March), 1 escalated (due 6 March), 2 due soon.
    overdue = [
        due_follow_up(due_date=day("2026-03-13"), responsible_agency=agency, description=f"Overdue report {n:02d}")
        for n in range(14)
    ]
    escalated = due_follow_up(due_date=day("2026-03-06"), responsible_agency=agency, description="Escalated report")
    for n in range(2):
        due_follow_up(due_date=day("2026-04-02"), responsible_agency=agency, description=f"Soon report {n}")
    not_theirs = due_follow_up(due_date=day("2026-03-13"), responsible_agency=other_agency, description="Not theirs")

    reminders.plan_reminders(on=ON, now=at("2026-03-20T07:00"))
    reminders.send_due(on=ON, now=at("2026-03-20T07:00"))

    [message] = sent_to(official.email)
    assert message.subject == "[IN CONFIDENCE] Cabinet follow-ups: 15 overdue, 2 due soon"
    body, html = message.body, message.alternatives[0].content
    assert "OVERDUE: 15, 1 escalated to the Cabinet Office" in body and "1 escalated to the Cabinet Office." in html
    # The escalated one (10 business days overdue) first, then 9 of the 14 alike; the other 5 are counted.
    listed = [line for line in body.splitlines() if line.startswith("- [")]
    assert len(listed) == 10 + 2
    assert "Escalated report" in listed[0]
    assert sum("Overdue report" in line for line in listed) == 9
    assert "And 5 more: http" in body and "And 5 more: see them in your follow-up list" in html

    # The link is the official's follow-up list filtered to what is overdue: all 15 of theirs, none of another's.
    link = next(line for line in body.splitlines() if line.startswith("And 5 more: ")).removeprefix("And 5 more: ")
    assert link.startswith(f"{settings.SITE_URL}{reverse('decisions:followup_list')}?")
    client.force_login(official)
    with time_machine.travel(at("2026-03-20T09:00"), tick=False):
        response = client.get(link.removeprefix(settings.SITE_URL))
    page = response.content.decode()
    assert response.status_code == 200
    for follow_up in [*overdue, escalated]:
        assert follow_up.description in page
    assert "Soon report" not in page and not_theirs.description not in page


def test_a_digest_is_the_same_length_for_20_or_200_follow_ups(agency):
    official = make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency])

    def length(count, on):
        for _ in range(count):
            due_follow_up(due_date=on, responsible_agency=agency)
        mail.outbox.clear()
        reminders.plan_reminders(on=on, now=at(f"{on}T07:00"))
        reminders.send_due(on=on, now=at(f"{on}T07:00"))
        [message] = sent_to(official.email)
        return len(message.body.splitlines()), message.subject

    small, small_subject = length(20, day("2026-03-23"))
    large, large_subject = length(200, day("2026-03-24"))
    assert small == large
    assert small_subject.endswith("20 due today") and large_subject.endswith("200 due today")


def test_the_dry_run_lists_the_same_short_digest(agency, capsys):
    make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency])
    for _ in range(12):
        due_follow_up(due_date=ON, responsible_agency=agency)
    call_command("sendreminders", "--dry-run", "--date", "2026-03-20")
    out = capsys.readouterr().out
    assert "Due today: 12" in out and "and 2 more: http" in out
    assert out.count("(due 20 March 2026)") == 10
    assert not Reminder.objects.exists() and not mail.outbox
