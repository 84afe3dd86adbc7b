"""Two `manage.py sendreminders` processes at once (two cron hosts) against PostgreSQL: each reminder goes once."""

import datetime
import email
import email.policy
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from cabinet.models import Profile
from decisions.models import Reminder, ReminderDelivery
from decisions.release_reminders import ReleaseReminder
from tests.databases import database_url
from tests.factories import AgencyFactory, FollowUpFactory, MinuteFactory, ProactiveReleaseFactory, committee, make_user
from tests.test_reminders import day, smtp_server  # noqa: F401 (the SMTP server fixture)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs PostgreSQL (set DATABASE_URL): SQLite runs one writer at a time, so there is no race to test.",
    ),
    # The processes must see committed data; the seeded committees are restored afterwards.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ON = day("2026-03-20")


def make_work():
    """40 officials in 20 agencies, 3 clerks, 400 follow-ups in every state a reminder can be in on ON.

    And 11 overdue proactive releases: 10 of agencies with follow-ups, one of an agency with none (its official
    gets a digest of that release alone).
    """
    agencies = [AgencyFactory() for _ in range(20)]
    for index, agency in enumerate(agencies):
        for n in range(2):
            make_user(username=f"official{index}-{n}", agencies=[agency])
    for code in ("CAB", "ECO", None):
        clerk = make_user(Profile.Role.CLERK, username=f"clerk-{code}")
        if code:
            clerk.profile.committees.set([committee(code)])
    due_dates = [
        day("2026-03-06"),  # 10 business days overdue: escalated
        day("2026-03-13"),  # 5 overdue
        ON,  # due today
        day("2026-03-25"),  # 3 days before
        day("2026-04-02"),  # 10 days before
        None,  # the weekly list of undated report-backs
    ]
    for index in range(400):
        due_date = due_dates[index % len(due_dates)]
        FollowUpFactory(
            decision__minute=MinuteFactory(committee=committee(("CAB", "ECO", "SOU")[index % 3]),
                                           reference=f"{('CAB', 'ECO', 'SOU')[index % 3]}-26-MIN-{index + 1:04d}"),
            responsible_agency=agencies[index % len(agencies)],
            due_date=due_date, due_precision="day" if due_date else "none", due_text="",
        )
    releases_only = AgencyFactory()
    make_user(username="releases-only", agencies=[releases_only])
    for agency in [*agencies[::2], releases_only]:
        # Decided Monday 2 February 2026: owed Tuesday 17 March, so overdue on ON.
        ProactiveReleaseFactory(minute=MinuteFactory(decision_date=day("2026-02-02")), agency=agency)


def test_two_senders_at_once_deliver_every_reminder_exactly_once(smtp_server):  # noqa: F811
    make_work()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cabinet.settings", "DEBUG": "1", "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(settings.MAILERS["default"]["OPTIONS"]["port"]),
        "EMAIL_USE_TLS": "0", "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "manage.py", "sendreminders", "--date", ON.isoformat()]
    cwd = Path(__file__).resolve().parent.parent
    processes = [
        subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=300) for process in processes]
    for process, (out, err) in zip(processes, outputs):
        assert process.returncode == 0, f"{out}\n{err}"

    deliveries = ReminderDelivery.objects.select_related("recipient", "reminder")
    assert deliveries.count() > 400
    assert set(deliveries.values_list("status", flat=True)) == {ReminderDelivery.Status.SENT}
    assert not Reminder.objects.filter(deliveries__isnull=True).exists()

    # Each copy arrived exactly once: in its recipient's one email, whose Message-ID it records. (A digest lists
    # only the most pressing follow-ups of each section, so the copies are matched by Message-ID, not by line.)
    message_ids = Counter()
    for envelope in smtp_server.envelopes:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message_ids[(envelope.rcpt_tos[0], message["Message-ID"])] += 1
        body = message.get_body(preferencelist=("plain",)).get_content()
        listed = re.findall(r"/follow-ups/(\d+)/", body)
        assert len(listed) == len(set(listed))
    # Release reminders went in the same digests: each recorded with the Message-ID of its recipient's one email.
    release_copies = ReleaseReminder.objects.select_related("recipient")
    assert release_copies.count() == 10 * 2 + 1
    assert set(release_copies.values_list("status", flat=True)) == {ReleaseReminder.Status.SENT}
    emailed = {(d.recipient.email, d.message_id) for d in deliveries} | {(c.recipient.email, c.message_id) for c in release_copies}
    assert set(message_ids) == emailed
    assert max(message_ids.values()) == 1
    recipients = {d.recipient.email for d in deliveries} | {c.recipient.email for c in release_copies}
    assert len(recipients) == 40 + 3 + 1
    assert sorted(e.rcpt_tos[0] for e in smtp_server.envelopes) == sorted(recipients)

    # Between them they wrote each reminder and sent each email once (how they shared it is up to timing).
    planned = [int(re.search(r"planned (\d+) reminder", out).group(1)) for out, err in outputs]
    sent = [int(re.search(r"copy\(ies\) queued; sent (\d+) email", out).group(1)) for out, err in outputs]
    assert sum(planned) == Reminder.objects.count() == 400
    assert sum(sent) == len(smtp_server.envelopes) == len(recipients)


def test_a_sender_waits_for_another_s_claim_of_a_recipient_and_then_takes_none_of_their_copies():
    """A claim takes each recipient whole: their follow-up copies and release reminders, under a lock on them.

    Here a second sender holds the lock on Aroha mid-claim. The run waits for it (seen waiting on a lock), the
    second sender takes her copy and her release reminder and commits, and the run then takes neither: she gets
    one email, from the other sender, never two halves. Ben, whom nobody else holds, gets his from this run.
    """
    from django.core import mail

    from decisions import release_reminders, reminders

    agency = AgencyFactory()
    aroha = make_user(username="aroha", email="aroha@mbie.example.govt.nz", agencies=[agency])
    make_user(username="ben", email="ben@mbie.example.govt.nz", agencies=[agency])
    FollowUpFactory(due_date=ON, responsible_agency=agency)
    ProactiveReleaseFactory(minute=MinuteFactory(decision_date=day("2026-02-02")), agency=agency)
    now = timezone.make_aware(datetime.datetime(2026, 3, 20, 7))
    reminders.plan_reminders(on=ON, now=now)
    assert release_reminders.plan(on=ON) == 2

    other = psycopg.connect(database_url())  # the second sender, in the middle of its claim of Aroha
    other.execute("SELECT id FROM auth_user WHERE id = %s FOR NO KEY UPDATE", [aroha.pk])
    outcome = {}

    def send():
        try:
            outcome["result"] = reminders.send_due(on=ON, now=now)
        finally:
            connections.close_all()

    run = threading.Thread(target=send)
    run.start()
    try:
        waiting = 0
        for _ in range(200):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
                    "AND query LIKE %s",
                    ['%FROM "auth_user"%FOR NO KEY UPDATE%'],
                )
                (waiting,) = cursor.fetchone()
            if waiting or not run.is_alive():
                break
            time.sleep(0.05)
        assert waiting == 1, "the run did not wait for the other sender's claim of Aroha"
        for table in (ReminderDelivery._meta.db_table, ReleaseReminder._meta.db_table):
            other.execute(
                f"UPDATE {table} SET status = 'sending', claim_token = 'other', claimed_at = %s WHERE recipient_id = %s",
                [now, aroha.pk],
            )
        other.commit()
    finally:
        other.close()
        run.join(timeout=60)
    result = outcome["result"]
    assert [message.to for message in mail.outbox] == [["ben@mbie.example.govt.nz"]]
    assert (result.emails, result.items, result.releases) == (1, 1, 1)
    assert set(ReminderDelivery.objects.filter(recipient=aroha).values_list("status", "claim_token")) == {("sending", "other")}
    assert set(ReleaseReminder.objects.filter(recipient=aroha).values_list("status", "claim_token")) == {("sending", "other")}
