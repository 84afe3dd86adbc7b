"""Benchmark: a reminder run (plan and send) over 10,000 open follow-ups, its time and queries; then a second run.

Runs alone (`.venv/bin/python bench/bench_reminders.py`) on a throwaway database: an in-memory SQLite one,
or with DATABASE_URL set a `test_<name>` PostgreSQL database that is dropped afterwards. Mail goes to
Django's in-memory outbox. Prints the figures and writes them to bench/results/bench_reminders.json.
"""

import datetime
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")  # in-memory mail, a throwaway key

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cabinet.business_days import add_business_days  # noqa: E402
from cabinet.models import Agency, Committee, DatePrecision, Minute, Portfolio, Profile  # noqa: E402
from decisions import reminders  # noqa: E402
from decisions.models import DecisionItem, FollowUp, Reminder, ReminderDelivery, number_sort_key  # noqa: E402

FOLLOW_UPS = 10_000
ON = datetime.date(2026, 3, 16)  # a Monday
CODES = ["CAB", "ECO", "SOU", "FPS", "EXP"]


def make_data():
    committees = {code: Committee.objects.filter(code=code).order_by("-valid_from").first() for code in CODES}
    agencies = Agency.objects.bulk_create(Agency(name=f"Ministry of Example {n}", short_name=f"MOE{n}") for n in range(50))
    portfolios = Portfolio.objects.bulk_create(Portfolio(name=f"Example Affairs {n}") for n in range(30))
    User = get_user_model()
    users = User.objects.bulk_create(
        [User(username=f"official{n}", email=f"official{n}@example.govt.nz") for n in range(100)]
        + [User(username=f"clerk{n}", email=f"clerk{n}@cabinet.example.govt.nz") for n in range(len(CODES))]
    )
    profiles = Profile.objects.bulk_create(
        Profile(user=user, role=Profile.Role.CLERK if user.username.startswith("clerk") else Profile.Role.OFFICIAL)
        for user in users
    )
    officials, clerks = profiles[:100], profiles[100:]
    Profile.agencies.through.objects.bulk_create(
        Profile.agencies.through(profile_id=profile.pk, agency_id=agencies[n // 2].pk) for n, profile in enumerate(officials)
    )
    Profile.portfolios.through.objects.bulk_create(
        Profile.portfolios.through(profile_id=profile.pk, portfolio_id=portfolios[n % 30].pk)
        for n, profile in enumerate(officials)
    )
    Profile.committees.through.objects.bulk_create(
        Profile.committees.through(profile_id=profile.pk, committee_id=committees[code].pk)
        for profile, code in zip(clerks, CODES)
    )
    minutes = Minute.objects.bulk_create(
        Minute(
            reference=f"{CODES[n % 5]}-26-MIN-{n + 1:04d}", year=2026, number=n + 1, committee=committees[CODES[n % 5]],
            decision_date=ON - datetime.timedelta(days=120), title=f"Example proposal {n}",
        )
        for n in range(FOLLOW_UPS // 4)
    )
    items = DecisionItem.objects.bulk_create(
        DecisionItem(
            minute=minute, number=str(n), sort_key=number_sort_key(str(n)), verb="invited",
            text="invited the Minister to report back;",
        )
        for minute in minutes
        for n in range(1, 5)
    )
    # Due dates from 60 business days ago to 40 ahead; one in twenty is a report-back still needing a date.
    due_dates = [add_business_days(ON, offset) for offset in range(-60, 41)]
    follow_ups = []
    for n, item in enumerate(items):
        due_date = None if n % 20 == 0 else due_dates[n % len(due_dates)]
        follow_ups.append(FollowUp(
            decision=item, minute_id=item.minute_id, description=f"Report back on example {n}",
            responsible_agency=agencies[n % 50], responsible_portfolio=portfolios[n % 30],
            due_date=due_date, original_due_date=due_date,
            due_precision=DatePrecision.DAY if due_date else DatePrecision.NONE,
            original_due_precision=DatePrecision.DAY if due_date else DatePrecision.NONE,
        ))
    FollowUp.objects.bulk_create(follow_ups, batch_size=1000)


def measure(label, work):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        outcome = work()
        seconds = time.perf_counter() - started
    return {"run": label, "seconds": round(seconds, 3), "queries": len(queries), **outcome}


def plan():
    result = reminders.plan_reminders(on=ON)
    return {"reminders": len(result.planned), "copies": result.deliveries}


def send():
    mail.outbox = []
    result = reminders.send_due(on=ON)
    return {"emails": result.emails, "copies": result.items}


def check():
    result = reminders.reconcile(on=ON)
    return {"missing": len(result.missing)}


def main():
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        make_data()
        open_follow_ups = FollowUp.objects.active().count()
        results = [
            measure("first run: plan", plan),
            measure("first run: send", send),
            measure("second run: plan", plan),
            measure("second run: send", send),
            measure("reconciliation", check),
        ]
        first, second = results[:2], results[2:4]
        results += [
            {"run": "first run in all", "seconds": round(sum(r["seconds"] for r in first), 3),
             "queries": sum(r["queries"] for r in first)},
            {"run": "second run in all", "seconds": round(sum(r["seconds"] for r in second), 3),
             "queries": sum(r["queries"] for r in second)},
        ]
        assert not ReminderDelivery.objects.exclude(status=ReminderDelivery.Status.SENT).exists()
        total = Reminder.objects.count()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(f"Reminders on {connection.vendor}, {open_follow_ups:,} open follow-ups, run for {ON:%A %-d %B %Y}:")
    for row in results:
        extra = ", ".join(f"{key} {value:,}" for key, value in row.items() if key not in ("run", "seconds", "queries"))
        print(f"  {row['run']:<22} {row['seconds']:>7.2f} s  {row['queries']:>4} queries" + (f"  ({extra})" if extra else ""))
    print(f"  reminder rows in all: {total:,}")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_reminders.json").write_text(json.dumps(
        {"database": connection.vendor, "open_follow_ups": open_follow_ups, "date": ON.isoformat(), "runs": results},
        indent=2,
    ))


if __name__ == "__main__":
    main()
