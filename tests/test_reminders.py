import datetime
import email
import email.policy
import logging
import socket
import threading

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cabinet import business_days
from cabinet.models import Profile
from decisions import reminders
from decisions.models import Reminder, ReminderDelivery
from tests.factories import AgencyFactory, FollowUpFactory, MinuteFactory, committee, make_user

pytestmark = pytest.mark.django_db

Kind, Status = Reminder.Kind, ReminderDelivery.Status
# March 2026 has no public holidays; Good Friday is 3 April and Easter Monday 6 April.
DUE = datetime.date(2026, 3, 20)  # a Friday


def day(text):
    return datetime.date.fromisoformat(text)


def at(text):
    """A moment in New Zealand time."""
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def due_follow_up(due_date=DUE, **fields):
    if due_date is None:
        fields.update(due_precision="none", due_text="")
    return FollowUpFactory(due_date=due_date, **fields)


def run(on, now=None):
    """What `sendreminders --date` does, on the function level."""
    now = now or at(f"{on}T07:00")
    plan = reminders.plan_reminders(on=on, now=now)
    sent = reminders.send_due(on=on, now=now)
    return plan, sent


def sent_to(address):
    return [message for message in mail.outbox if message.to == [address]]


@pytest.fixture
def official(agency, portfolio):
    return make_user(
        Profile.Role.OFFICIAL, username="official", email="official@mbie.example.govt.nz",
        agencies=[agency], portfolios=[portfolio],
    )


@pytest.fixture
def cab_clerk(db):
    clerk = make_user(Profile.Role.CLERK, username="cabclerk", email="cab@cabinet.example.govt.nz")
    clerk.profile.committees.set([committee("CAB")])
    return clerk


# When reminders fall due


def test_reminders_fall_due_10_and_3_business_days_before_on_the_day_and_every_5_overdue_across_easter(official, agency):
    follow_up = due_follow_up(responsible_agency=agency)
    planned = {}
    on = day("2026-03-02")
    while on <= day("2026-04-15"):
        if business_days.is_business_day(on):
            for p in reminders.plan_reminders(on=on).planned:
                planned[on] = (p.kind, p.offset, p.planned_for)
        on += datetime.timedelta(days=1)
    assert planned == {
        day("2026-03-06"): (Kind.DUE_SOON, -10, day("2026-03-06")),
        day("2026-03-17"): (Kind.DUE_SOON, -3, day("2026-03-17")),
        day("2026-03-20"): (Kind.DUE, 0, day("2026-03-20")),
        day("2026-03-27"): (Kind.OVERDUE, 5, day("2026-03-27")),
        # Ten business days overdue skips Good Friday and Easter Monday: the clerks are copied.
        day("2026-04-07"): (Kind.ESCALATED, 10, day("2026-04-07")),
        day("2026-04-14"): (Kind.ESCALATED, 15, day("2026-04-14")),
    }
    assert follow_up.reminders.count() == 6


def test_a_due_date_on_a_holiday_is_reminded_of_on_the_business_day_before():
    schedule = reminders.Schedule(reminders.config())
    easter_monday = day("2026-04-06")
    assert schedule.latest(easter_monday, day("2026-03-31")) == reminders.Step(Kind.DUE_SOON, -3, day("2026-03-31"))
    # Good Friday (3 April) is a holiday too: the "due" reminder goes on Thursday 2 April.
    assert schedule.latest(easter_monday, day("2026-04-02")) == reminders.Step(Kind.DUE, 0, day("2026-04-02"))
    assert schedule.latest(easter_monday, day("2026-04-10")) == reminders.Step(Kind.DUE, 0, day("2026-04-02"))
    assert schedule.latest(easter_monday, day("2026-04-13")) == reminders.Step(Kind.OVERDUE, 5, day("2026-04-13"))


def test_a_missed_run_is_caught_up_with_the_latest_reminder_only(official, agency):
    due_follow_up(responsible_agency=agency)
    # Nothing ran since early March: on 30 March only the 5-day overdue reminder is due.
    plan, sent = run(day("2026-03-30"))
    assert [(p.kind, p.offset, p.planned_for) for p in plan.planned] == [(Kind.OVERDUE, 5, day("2026-03-27"))]
    assert sent.emails == 1


def test_planning_commits_each_batch_itself_and_refuses_to_run_inside_a_transaction(official, agency):
    """Each batch is its own transaction, committed before the next, so a second planner sees what is written. Inside
    a caller's transaction the batches would commit only with it: planning refuses, writing nothing."""
    from django.db import transaction

    due_follow_up(responsible_agency=agency)
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        reminders.plan_reminders(on=day("2026-03-30"))
    assert not Reminder.objects.exists()


@pytest.mark.parametrize("moment, sends", [
    ("2026-03-19T19:30:00+00:00", True),  # 8:30 am Friday 20 March in New Zealand, Thursday in UTC
    ("2026-03-20T10:59:00+00:00", True),  # 11:59 pm Friday in New Zealand
    ("2026-03-20T11:01:00+00:00", False),  # 12:01 am Saturday in New Zealand: no mail at weekends
])
def test_the_day_is_new_zealand_s(moment, sends, official, agency):
    due_follow_up(responsible_agency=agency)
    with time_machine.travel(datetime.datetime.fromisoformat(moment), tick=False):
        call_command("sendreminders")
    assert len(sent_to(official.email)) == (1 if sends else 0)


@pytest.mark.parametrize("holiday", ["2026-04-03", "2026-04-06", "2026-03-21"])
def test_nothing_is_planned_or_sent_on_holidays_and_weekends(holiday, official, agency, capsys):
    due_follow_up(due_date=day("2026-03-10"), responsible_agency=agency)
    call_command("sendreminders", "--date", holiday)
    assert "is not a business day" in capsys.readouterr().out
    assert not Reminder.objects.exists() and not mail.outbox


def test_digest_days():
    wednesday = Profile.Digest.WEDNESDAY
    assert reminders.is_digest_day(Profile.Digest.DAILY, day("2026-03-16"))
    assert reminders.is_digest_day(wednesday, day("2026-03-18"))
    assert not reminders.is_digest_day(wednesday, day("2026-03-17"))
    # Easter Monday is a holiday: Monday's digest goes on the Tuesday.
    assert reminders.is_digest_day(Profile.Digest.MONDAY, day("2026-04-07"))
    assert not reminders.is_digest_day(Profile.Digest.MONDAY, day("2026-04-08"))


# Who gets what


def test_each_recipient_gets_one_digest_of_all_their_items_with_the_highest_marking(official, agency):
    overdue = due_follow_up(due_date=day("2026-03-09"), responsible_agency=agency, description="Report on pipeline options")
    due_today = due_follow_up(due_date=day("2026-03-16"), responsible_agency=agency, description="Report on workforce")
    soon = due_follow_up(
        due_date=day("2026-03-19"), responsible_agency=agency, description="Report on funding",
        decision__minute__classification="sensitive", decision__minute__endorsement="budget",
    )
    other_agency = AgencyFactory(short_name="MSD", name="Ministry of Social Development")
    other = make_user(username="msd", email="official@msd.example.govt.nz", agencies=[other_agency])
    due_follow_up(due_date=day("2026-03-16"), responsible_agency=other_agency, description="Report on benefits")

    plan, sent = run(day("2026-03-16"))

    assert sent.emails == 2 and len(mail.outbox) == 2
    [message] = sent_to(official.email)
    assert message.subject == "[BUDGET : SENSITIVE] Cabinet follow-ups: 1 overdue, 1 due today, 1 due soon"
    html = message.alternatives[0].content
    for follow_up, phrase in [(overdue, "5 business days overdue"), (due_today, "Due 16 March 2026"), (soon, "Due 19 March 2026")]:
        reference = f"{follow_up.decision.minute.reference} para {follow_up.decision.number}"
        assert reference in message.body and reference in html
        assert follow_up.description in message.body and f"/follow-ups/{follow_up.pk}/" in message.body
        assert phrase in message.body
    # References and what is owed only: never the words of the decision, which may be withheld.
    assert "invited the Minister" not in message.body and "invited the Minister" not in html
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    [message] = sent_to(other.email)
    assert message.subject == "[IN CONFIDENCE] Cabinet follow-ups: 1 due today"
    assert "Report on benefits" in message.body and "pipeline" not in message.body


def test_a_weekly_digest_waits_for_its_day_and_then_lists_everything(official, agency):
    official.profile.digest = Profile.Digest.WEDNESDAY
    official.profile.save()
    due_follow_up(due_date=day("2026-03-19"), responsible_agency=agency)  # 3 days before: Monday 16 March
    due_follow_up(due_date=day("2026-03-20"), responsible_agency=agency)  # 10 days before: 6 March; 3: Tuesday 17

    for monday_or_tuesday, planned in (("2026-03-16", 2), ("2026-03-17", 1)):
        plan, sent = run(day(monday_or_tuesday))
        assert len(plan.planned) == planned and sent.emails == 0 and sent.waiting == 1
    assert ReminderDelivery.objects.filter(status=Status.PENDING).count() == 3

    plan, sent = run(day("2026-03-18"))
    assert sent.emails == 1 and sent.items == 3
    # One line per follow-up: its 10- and 3-day reminders are the same news.
    assert mail.outbox[0].subject == "[IN CONFIDENCE] Cabinet follow-ups: 2 due soon"
    assert not ReminderDelivery.objects.exclude(status=Status.SENT).exists()


def test_clerks_serving_the_committee_are_copied_once_it_is_escalated(official, agency, cab_clerk):
    eco_clerk = make_user(Profile.Role.CLERK, username="ecoclerk", email="eco@cabinet.example.govt.nz")
    eco_clerk.profile.committees.set([committee("ECO")])
    follow_up = due_follow_up(responsible_agency=agency)  # on a Cabinet (CAB) minute

    run(day("2026-03-27"))  # 5 business days overdue: the official only
    assert [m.to for m in mail.outbox] == [[official.email]]
    mail.outbox.clear()

    run(day("2026-04-07"))  # 10 business days overdue
    assert sorted(m.to[0] for m in mail.outbox) == [cab_clerk.email, official.email]
    assert "The Cabinet Office has been told." in sent_to(official.email)[0].body
    assert follow_up.reminders.get(offset=10).kind == Kind.ESCALATED


def test_follow_ups_of_a_committee_no_clerk_serves_go_to_every_clerk(agency, official, cab_clerk):
    other_clerk = make_user(Profile.Role.CLERK, username="clerk2", email="clerk2@cabinet.example.govt.nz")
    minute = MinuteFactory(reference="SOU-26-MIN-0001", committee=committee("SOU"))
    due_follow_up(responsible_agency=agency, decision__minute=minute)
    run(day("2026-04-07"))
    assert sorted(m.to[0] for m in mail.outbox) == sorted([official.email, cab_clerk.email, other_clerk.email])


def test_when_no_official_can_be_reached_the_clerks_get_the_reminder(cab_clerk, agency, caplog):
    nobody = make_user(username="noemail", email="", agencies=[agency])
    due_follow_up(responsible_agency=agency)
    with caplog.at_level(logging.WARNING, logger="decisions.reminders"):
        plan, sent = run(day("2026-03-20"))
    assert [m.to for m in mail.outbox] == [[cab_clerk.email]]
    assert plan.unreachable == {"noemail": 1}
    assert "noemail has no email address" in caplog.text
    assert reminders.reconcile(on=day("2026-03-20")).unreachable == [nobody.username]


@pytest.fixture
def large_agency(agency, portfolio, official):
    """The agency's official from the fixture, two more, its coordinator, and another agency's coordinator."""
    other_agency = AgencyFactory(short_name="MSD", name="Ministry of Social Development")
    people = {
        "official": official,
        "colleague": make_user(username="colleague", email="colleague@mbie.example.govt.nz", agencies=[agency]),
        "lead": make_user(username="lead", email="lead@mbie.example.govt.nz", agencies=[agency]),
        "coordinator": make_user(username="coord", email="coord@mbie.example.govt.nz", agencies=[agency]),
        "other_coordinator": make_user(username="msdcoord", email="coord@msd.example.govt.nz", agencies=[other_agency]),
    }
    for name in ("coordinator", "other_coordinator"):
        Profile.objects.filter(user=people[name]).update(is_coordinator=True)
    return people


def test_with_a_lead_only_the_lead_and_the_agency_s_coordinators_are_reminded(large_agency, agency):
    due_follow_up(responsible_agency=agency, lead=large_agency["lead"])
    plan, sent = run(day("2026-03-20"))
    assert sorted(m.to[0] for m in mail.outbox) == ["coord@mbie.example.govt.nz", "lead@mbie.example.govt.nz"]
    assert plan.deliveries == 2 and sent.emails == 2


def test_while_no_one_leads_every_official_of_the_agency_and_portfolio_is_reminded(large_agency, agency, portfolio):
    by_portfolio = make_user(username="treasury", email="t@treasury.example.govt.nz", portfolios=[portfolio])
    due_follow_up(responsible_agency=agency, responsible_portfolio=portfolio)
    run(day("2026-03-20"))
    assert sorted(m.to[0] for m in mail.outbox) == sorted([
        "official@mbie.example.govt.nz", "colleague@mbie.example.govt.nz", "lead@mbie.example.govt.nz",
        "coord@mbie.example.govt.nz", by_portfolio.email,
    ])  # never the other agency's coordinator


def test_a_lead_who_left_the_agency_leads_nothing_and_everyone_is_reminded_again(large_agency, agency):
    lead = large_agency["lead"]
    due_follow_up(responsible_agency=agency, lead=lead)
    lead.profile.agencies.clear()
    run(day("2026-03-20"))
    assert sorted(m.to[0] for m in mail.outbox) == [
        "colleague@mbie.example.govt.nz", "coord@mbie.example.govt.nz", "official@mbie.example.govt.nz",
    ]


def test_a_reminder_queued_for_a_lead_is_withheld_if_they_no_longer_see_it_when_sent(large_agency, agency):
    lead = large_agency["lead"]
    follow_up = due_follow_up(responsible_agency=agency, lead=lead)
    reminders.plan_reminders(on=day("2026-03-20"), now=at("2026-03-20T07:00"))
    lead.profile.agencies.clear()  # moved on between planning and sending: the send-time check still holds
    sent = reminders.send_due(on=day("2026-03-20"), now=at("2026-03-20T07:00"))
    assert [m.to[0] for m in mail.outbox] == ["coord@mbie.example.govt.nz"] and sent.withheld == 1
    assert ReminderDelivery.objects.get(reminder__follow_up=follow_up, recipient=lead).status == Status.WITHHELD


def test_undated_report_backs_go_to_the_clerks_once_a_week_until_a_date_is_set(cab_clerk, official, agency):
    report_back = due_follow_up(due_date=None, responsible_agency=agency, description="Return to Cabinet with advice")
    due_follow_up(due_date=None, kind="delegated_decision", responsible_agency=agency)  # may stay open-ended

    plan, sent = run(day("2026-03-16"))
    assert [p.planned_for for p in plan.planned] == [day("2026-03-16")]
    [message] = mail.outbox
    assert message.to == [cab_clerk.email]
    assert message.subject == "[IN CONFIDENCE] Cabinet follow-ups: 1 with no due date"
    assert "Return to Cabinet with advice" in message.body and "No due date set" in message.body

    for later_that_week in ("2026-03-17", "2026-03-20"):
        plan, sent = run(day(later_that_week))
        assert not plan.planned and not sent.emails
    plan, sent = run(day("2026-03-23"))
    assert sent.emails == 1

    report_back.due_date, report_back.due_precision = day("2026-06-30"), "day"
    report_back.save()
    plan, sent = run(day("2026-03-30"))
    assert not plan.planned and not sent.emails


def test_closing_a_follow_up_cancels_its_waiting_reminders(official, agency):
    official.profile.digest = Profile.Digest.FRIDAY
    official.profile.save()
    follow_up = due_follow_up(responsible_agency=agency)
    run(day("2026-03-17"))
    delivery = ReminderDelivery.objects.get()
    assert delivery.status == Status.PENDING

    follow_up.take("close", user=make_user(Profile.Role.CLERK), status="cancelled", reason="Overtaken by the Budget.")
    plan, sent = run(day("2026-03-20"))
    delivery.refresh_from_db()
    assert delivery.status == Status.CANCELLED and sent.cancelled == 1
    assert not plan.planned and not mail.outbox


def test_a_reminder_planned_before_the_due_date_moved_is_not_sent(official, agency):
    official.profile.digest = Profile.Digest.WEDNESDAY
    official.profile.save()
    follow_up = due_follow_up(responsible_agency=agency)
    run(day("2026-03-17"))  # 3 days before 20 March, waiting for Wednesday

    follow_up.due_date = day("2026-04-30")
    follow_up.save()
    plan, sent = run(day("2026-03-18"))
    assert ReminderDelivery.objects.get().status == Status.CANCELLED
    assert not plan.planned and not mail.outbox

    # 10 business days before the new date, across ANZAC Day observed (Monday 27 April): a Wednesday.
    plan, sent = run(day("2026-04-15"))
    assert [(p.kind, p.due_date, p.planned_for) for p in plan.planned] == [
        (Kind.DUE_SOON, day("2026-04-30"), day("2026-04-15"))
    ]
    assert "Due 30 April 2026" in mail.outbox[0].body


def test_a_second_run_the_same_day_sends_nothing(official, agency, capsys):
    due_follow_up(responsible_agency=agency)
    call_command("sendreminders", "--date", "2026-03-20")
    call_command("sendreminders", "--date", "2026-03-20")
    assert len(mail.outbox) == 1
    out = capsys.readouterr().out
    assert "planned 1 reminder(s), 1 copy(ies) queued; sent 1 email(s)" in out
    assert "planned 0 reminder(s), 0 copy(ies) queued; sent 0 email(s)" in out
    assert "Reconciliation: every reminder due has its row" in out


def test_reconciliation_reports_reminders_due_without_a_row(official, agency):
    follow_up = due_follow_up(responsible_agency=agency)
    check = reminders.reconcile(on=DUE)
    assert [(p.follow_up_id, p.kind) for p in check.missing] == [(follow_up.pk, Kind.DUE)] and not check.ok
    reminders.plan_reminders(on=DUE)
    assert reminders.reconcile(on=DUE).ok


# Delivery guarantees


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback, collecting what it is sent."""

    class Collect:
        def __init__(self):
            self.envelopes, self.lock = [], threading.Lock()

        async def handle_DATA(self, server, session, envelope):
            with self.lock:
                self.envelopes.append(envelope)
            return "250 Message accepted for delivery"

    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = smtp_mailer(controller.port)
    yield handler
    controller.stop()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp_mailer(port):
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 5},
        }
    }


def test_a_real_smtp_server_receives_each_digest_once_with_its_headers(smtp_server, official, agency, cab_clerk):
    due_follow_up(responsible_agency=agency)
    due_follow_up(due_date=None, responsible_agency=agency)
    call_command("sendreminders", "--date", "2026-03-20")
    call_command("sendreminders", "--date", "2026-03-20")

    assert sorted(e.rcpt_tos[0] for e in smtp_server.envelopes) == sorted([official.email, cab_clerk.email])
    for envelope in smtp_server.envelopes:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        delivery = ReminderDelivery.objects.get(recipient__email=envelope.rcpt_tos[0])
        assert delivery.status == Status.SENT and delivery.attempts == 1
        assert message["Message-ID"] == delivery.message_id == f"<reminder-{delivery.pk}@cabinet.example.govt.nz>"
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["Subject"].startswith("[IN CONFIDENCE] Cabinet follow-ups: ")
        assert message.get_content_type() == "multipart/alternative"
        plain, html = message.iter_parts()
        assert plain.get_content_type() == "text/plain" and "Kia ora" in plain.get_content()
        assert html.get_content_type() == "text/html" and "<table" in html.get_content()


def test_with_the_mail_server_down_nothing_is_lost_and_the_next_run_delivers(settings, official, agency):
    due_follow_up(responsible_agency=agency)
    settings.MAILERS = smtp_mailer(free_port())  # nothing listens there
    now = at("2026-03-20T07:00")

    with time_machine.travel(now, tick=False), pytest.raises(CommandError, match="Nothing is lost"):
        call_command("sendreminders")
    delivery = ReminderDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.PENDING, 1)
    assert "ConnectionRefusedError" in delivery.last_error
    assert delivery.next_attempt_at == now + datetime.timedelta(minutes=15)

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    plan, sent = run(day("2026-03-20"), now=now)  # too soon: waiting out its back-off
    assert not sent.emails
    plan, sent = run(day("2026-03-23"), now=at("2026-03-23T07:00"))
    delivery.refresh_from_db()
    assert sent.emails == 1 and (delivery.status, delivery.attempts) == (Status.SENT, 2)


def test_after_the_last_attempt_a_failed_reminder_is_shown_to_clerks_who_can_resend_it(
    settings, client, clerk, official, agency
):
    settings.REMINDERS = {**settings.REMINDERS, "max_attempts": 2}
    settings.MAILERS = smtp_mailer(free_port())
    due_follow_up(responsible_agency=agency)
    for monday in ("2026-03-20", "2026-03-23"):
        plan, sent = run(day(monday))
        assert sent.error
    delivery = ReminderDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 2) and sent.failed == 1
    assert reminders.reconcile(on=day("2026-03-23")).failed == 1

    client.force_login(clerk)
    changelist = reverse("admin:decisions_reminderdelivery_changelist")
    response = client.get(changelist, {"status__exact": "failed"})
    assert response.status_code == 200 and b"ConnectionRefusedError" in response.content
    response = client.post(changelist, {"action": "resend", ACTION_CHECKBOX_NAME: [delivery.pk]}, follow=True)
    assert b"1 reminder(s) will be sent again at the next run." in response.content
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.resends) == (Status.PENDING, 0, 1)
    assert delivery.history.first().history_user == clerk

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    plan, sent = run(day("2026-03-24"), now=timezone.now())
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert mail.outbox[0].extra_headers["Message-ID"] == delivery.message_id != f"<reminder-{delivery.pk}@cabinet.example.govt.nz>"
    assert client.get(reverse("admin:decisions_reminder_changelist")).status_code == 200
    assert client.get(reverse("admin:decisions_reminder_change", args=[delivery.reminder_id])).status_code == 200


def test_a_crash_between_sending_and_recording_resends_with_the_same_message_id(monkeypatch, official, agency):
    due_follow_up(responsible_agency=agency)
    due_follow_up(due_date=day("2026-03-19"), responsible_agency=agency)
    send = locmem.EmailBackend.send_messages

    def send_then_die(self, messages):
        send(self, messages)
        raise SystemExit("killed")

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", send_then_die)
    with pytest.raises(SystemExit, match="killed"):
        run(day("2026-03-19"))
    monkeypatch.undo()
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {Status.SENDING}

    plan, sent = run(day("2026-03-19"), now=at("2026-03-19T07:10"))  # the claim is still fresh
    assert not sent.emails and reminders.reconcile(on=day("2026-03-19"), now=at("2026-03-19T07:10")).ok
    plan, sent = run(day("2026-03-19"), now=at("2026-03-19T07:31"))  # the crashed sender's claim timed out
    assert sent.emails == 1
    first, again = mail.outbox
    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"]
    assert first.extra_headers["Message-ID"].startswith("<reminders-")
    assert set(ReminderDelivery.objects.values_list("status", "message_id")) == {
        (Status.SENT, first.extra_headers["Message-ID"])
    }


def test_a_run_takes_the_same_queries_for_5_or_40_follow_ups(official, agency, cab_clerk):
    def queries(count, on):
        for _ in range(count):
            due_follow_up(due_date=on, responsible_agency=agency)
            due_follow_up(due_date=None, responsible_agency=agency)
        with CaptureQueriesContext(connection) as captured:
            run(on)
        return len(captured)

    # Planning: profiles and their agencies, portfolios and committees (4); follow-ups, a batch and the
    # empty end (2); reminders already there (1); in one transaction: savepoint, insert the reminders
    # (returning their keys), insert copies, release (4), and on PostgreSQL the setting that has each
    # foreign-key check use its index from the first (1). Sending: copies no longer needed (1), who has mail
    # waiting: follow-up copies and release reminders (2), those people and the official's scope for
    # access.may_see (2; the clerk's needs none); in one transaction (its savepoint and release here, 2), a lock
    # on both recipients, one claim of their copies (returning them) and one of their release reminders for the
    # same digests (3; none here, so none read or recorded); their reminders, their follow-ups' lines, and one
    # update recording both emails sent (3). The Cabinet cycle
    # (decisions/meetings.py): the batch's report-backs and their committees' meetings, to count to a lodgement
    # deadline (2), and the emailed follow-ups' meetings, for their "lodge by" lines (1).
    small = queries(5, day("2026-03-16"))
    large = queries(40, day("2026-03-17"))
    assert small == large == 27 + (connection.vendor == "postgresql")


# The command


def test_dry_run_prints_what_would_be_sent_and_writes_nothing(official, agency, cab_clerk, capsys):
    due_follow_up(responsible_agency=agency, description="Report on pipeline options")
    due_follow_up(due_date=None, responsible_agency=agency, description="Return with further advice")
    call_command("sendreminders", "--dry-run", "--date", "2026-03-27")
    out = capsys.readouterr().out
    assert "nothing is written and nothing is sent" in out
    assert f"To {official.email}" in out and f"To {cab_clerk.email}" in out
    assert "Report on pipeline options (due 20 March 2026, 5 business day(s) overdue)" in out
    assert "Return with further advice (no due date)" in out
    assert not Reminder.objects.exists() and not mail.outbox


def test_date_must_be_a_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("sendreminders", "--date", "20/03/2026")


def test_on_the_demo_data_the_dry_run_lists_an_overdue_reminder_and_the_undated_cab_26_min_0018(capsys):
    with time_machine.travel(at("2026-03-02T09:00"), tick=False):
        call_command("loaddemo")
    capsys.readouterr()
    call_command("sendreminders", "--dry-run", "--date", "2026-03-09")
    out = capsys.readouterr().out
    clerk_email = out.split("To clerk@cabinet.example.govt.nz (clerk)")[1].split("\n\n")[0]
    assert "Report-backs with no due date: please set one:" in clerk_email
    assert "CAB-26-MIN-0018 para 4: Return to Cabinet with further advice" in clerk_email
    assert "business day(s) overdue)" in out and "Overdue:" in out
    assert not Reminder.objects.exists()


def test_the_planner_sends_its_columns_as_array_text_and_refuses_a_value_that_would_need_quoting():
    from decisions.reminders.planning import _array

    assert _array([3, 14, None]) == "{3,14,NULL}"
    assert _array([datetime.date(2026, 3, 16), None]) == "{2026-03-16,NULL}"
    assert _array(["due_soon", "overdue"]) == "{due_soon,overdue}"
    for value in ["a,b", "due soon", '"', "{x}", 1.5, datetime.datetime(2026, 3, 16, 10)]:
        with pytest.raises(ValueError):
            _array([value])
