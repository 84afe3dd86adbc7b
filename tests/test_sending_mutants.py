"""A copy already sent is never sent again, on SQLite as on PostgreSQL (issue 15: the claim once took sent copies too).

Worked out on the 2026 calendar: March has no public holidays. A follow-up due Thursday 19 March gets its "due"
reminder that day; on Friday 20 March it is one business day overdue, and the next overdue reminder is five business
days after the due date, so nothing more is due about it that day.
"""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from cabinet.models import Profile
from decisions import reminders
from decisions.models import ReminderDelivery
from tests.factories import FollowUpFactory, make_user

pytestmark = pytest.mark.django_db

Status = ReminderDelivery.Status


def at(text):
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


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
