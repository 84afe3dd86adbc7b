"""A declined request is emailed to the official who asked (and the lead, if another), from the outbox, by sendreminders."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from decisions import reminders
from decisions.models import DueDateChange, FollowUp, RequestNotice
from tests.factories import DecisionItemFactory, FollowUpFactory, MinuteFactory, make_user
from tests.test_reminders import free_port, smtp_mailer

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 3, 31)
LONG = datetime.date(2026, 6, 30)  # more than a month after DUE: waits for a clerk
REASON = "The committee needs it before the Budget."


@pytest.fixture(autouse=True)
def tuesday():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 10, tzinfo=zoneinfo.ZoneInfo("Pacific/Auckland")), tick=False):
        yield


@pytest.fixture
def follow_up(agency, portfolio):
    minute = MinuteFactory(reference="CAB-26-MIN-0042", paper__lead_agency=agency, classification="sensitive")
    return FollowUpFactory(
        decision=DecisionItemFactory(minute=minute, number="7"), responsible_agency=agency,
        responsible_portfolio=portfolio, due_date=DUE, description="Report back on pipeline options",
    )


@pytest.fixture
def lead(agency):
    return make_user(username="lead", first_name="Aroha", agencies=[agency])


def ask(client, official, follow_up):
    client.force_login(official)
    response = client.post(reverse("decisions:followup_request_extension", args=[follow_up.pk]), {
        "version": follow_up.version, "to_date": LONG.isoformat(), "reason": "Needs Budget decisions first.",
    })
    assert response.status_code == 302
    follow_up.refresh_from_db()
    return follow_up.waiting_request()


def decide(client, clerk, follow_up, **data):
    client.force_login(clerk)
    follow_up.refresh_from_db()
    return client.post(reverse("decisions:followup_decide_request", args=[follow_up.pk]), {"version": follow_up.version, **data})


def test_a_decline_is_queued_with_the_decision_and_sent_by_sendreminders_to_the_asker_and_the_lead(
    client, official, clerk, lead, follow_up,
):
    follow_up.take("assign_lead", user=official, lead=lead)
    waiting = ask(client, official, follow_up)
    assert decide(client, clerk, follow_up, decision="decline", reason=REASON).status_code == 302

    # Written with the decision, sent by nobody yet.
    assert sorted(RequestNotice.objects.filter(change=waiting).values_list("recipient__username", "status")) == [
        ("lead", "pending"), ("official", "pending"),
    ]
    assert mail.outbox == []

    call_command("sendreminders", stdout=open("/dev/null", "w"))
    assert sorted(message.to[0] for message in mail.outbox) == [lead.email, official.email]
    [to_official] = [message for message in mail.outbox if message.to == [official.email]]
    assert to_official.subject == "[SENSITIVE] Request declined: CAB-26-MIN-0042 para 7"
    for body in (to_official.body, to_official.alternatives[0].content):
        assert REASON in body and "30 June 2026" in body and "31 March 2026" in body
        assert f"/follow-ups/{follow_up.pk}/" in body
    assert "declined your request" in to_official.body
    [to_lead] = [message for message in mail.outbox if message.to == [lead.email]]
    assert "Kia ora Aroha" in to_lead.body and "declined official's request" in to_lead.body
    assert to_official.extra_headers["Auto-Submitted"] == "auto-generated"
    assert set(RequestNotice.objects.values_list("status", flat=True)) == {"sent"}

    mail.outbox.clear()
    call_command("sendreminders", stdout=open("/dev/null", "w"))
    assert mail.outbox == []  # each is sent once


def test_the_lead_who_asked_gets_one_email(client, official, clerk, follow_up):
    follow_up.take("assign_lead", user=official, lead=official)
    ask(client, official, follow_up)
    decide(client, clerk, follow_up, decision="decline", reason=REASON)
    assert reminders.send_notices().sent == 1
    assert [message.to for message in mail.outbox] == [[official.email]]


def test_a_decline_refused_or_an_approval_queues_nothing(client, official, clerk, follow_up):
    waiting = ask(client, official, follow_up)
    response = decide(client, clerk, follow_up, decision="decline")  # no reason
    assert response.status_code == 200 and "Enter the reason for declining" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == DueDateChange.Status.PENDING and not RequestNotice.objects.exists()
    response = decide(client, clerk, follow_up, decision="approve", approved_by="Chair, Cabinet")
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.due_date == LONG and not RequestNotice.objects.exists()


def test_a_proposed_date_declined_says_it_still_has_none(client, official, clerk, agency, portfolio):
    undated = FollowUpFactory(
        responsible_agency=agency, responsible_portfolio=portfolio, due_date=None, due_precision="none", due_text="",
    )
    undated.take("propose_due_date", user=official, to_date=LONG, reason="After the Budget.")
    undated.refresh_from_db()
    undated.take("decide_request", user=clerk, approve=False, reason="Too late.")
    reminders.send_notices()
    [message] = mail.outbox
    assert "set the due date" in message.body and "still has no due date" in message.body and "Too late." in message.body


def test_recipients_are_checked_again_when_it_is_sent(client, official, clerk, lead, follow_up):
    follow_up.take("assign_lead", user=official, lead=lead)
    ask(client, official, follow_up)
    decide(client, clerk, follow_up, decision="decline", reason=REASON)
    lead.profile.agencies.clear()  # moved on: may no longer see it
    official.email = ""
    official.save()
    result = reminders.send_notices()
    assert (result.sent, result.withheld, result.failed) == (0, 1, 1)
    assert mail.outbox == []
    assert dict(RequestNotice.objects.values_list("recipient__username", "reason")) == {
        "lead": "not_responsible", "official": "no_address",
    }


def test_a_mail_server_failure_keeps_the_notice_for_the_next_run(client, official, clerk, follow_up, settings):
    ask(client, official, follow_up)
    decide(client, clerk, follow_up, decision="decline", reason=REASON)
    settings.MAILERS = smtp_mailer(free_port())  # nothing listens there
    result = reminders.send_notices()
    notice = RequestNotice.objects.get()
    assert (result.retrying, notice.status, notice.attempts) == (1, "pending", 1)
    assert notice.next_attempt_at > datetime.datetime.now(datetime.UTC)
    assert "ConnectionRefusedError" in notice.last_error
    assert FollowUp.objects.get(pk=follow_up.pk).status == FollowUp.Status.OPEN

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with time_machine.travel(notice.next_attempt_at, tick=False):
        assert reminders.send_notices().sent == 1
    assert [message.to for message in mail.outbox] == [[official.email]]
