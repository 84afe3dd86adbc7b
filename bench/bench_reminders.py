"""Benchmark: `sendreminders` over 10,000 and 20,000 owed follow-ups, against the raw select of the same rows.

For each size, on a fresh database: the floor (the raw SQL that selects the rows a run plans from, best of
three), then a dry run, a first run and a second run the same day, each timed with its queries counted, as a
multiple of the floor. Targets: under 5 s at 10,000 and 10 s at 20,000, and at most 50x the floor. For reference,
"digests alone" is the time to build the first run's emails with nothing written or sent.

Runs alone (`.venv/bin/python bench/bench_reminders.py [--sizes 10000,20000] [--profile]`) or from bench/run.py
(`main()`). The database comes from DATABASE_URL (default: PostgreSQL `wt_reminders_bench` on 127.0.0.1),
created for the run and dropped afterwards (`<name>_bench` unless the name already has "bench" in it). Mail goes to Django's in-memory outbox. Prints the table and writes
it to bench/results/bench_reminders.json.
"""

import argparse
import collections
import cProfile
import datetime
import io
import json
import os
import pstats
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")  # in-memory mail, a throwaway key
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wt_reminders_bench")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.mail import make_msgid  # noqa: E402
from django.core.checks.urls import check_url_config  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from cabinet.business_days import add_business_days  # noqa: E402
from cabinet.models import Agency, Committee, DatePrecision, Minute, Portfolio, Profile  # noqa: E402
from decisions.models import DecisionItem, FollowUp, Reminder, ReminderDelivery, number_sort_key  # noqa: E402
from decisions.reminders import FollowUpLines, plan_reminders, reminder_email  # noqa: E402
from decisions.reminders.checks import add_planned_items  # noqa: E402

SIZES = (10_000, 20_000)
TARGET_SECONDS = {10_000: 5.0, 20_000: 10.0}
TARGET_RATIO = 50
ON = datetime.date(2026, 3, 16)  # a Monday
CODES = ["CAB", "ECO", "SOU", "FPS", "EXP"]
AGENCIES, PORTFOLIOS, OFFICIALS_PER_AGENCY = 40, 30, 3

# The rows a run plans from, with what its digests print: the floor a run is measured against.
FLOOR_SQL = """
SELECT f.id, f.due_date, f.kind, f.responsible_agency_id, f.responsible_portfolio_id, f.description,
       d.number, m.reference, m.classification, m.endorsement, c.code
FROM decisions_followup f
JOIN decisions_decisionitem d ON d.id = f.decision_id
JOIN cabinet_minute m ON m.id = d.minute_id
JOIN cabinet_committee c ON c.id = m.committee_id
WHERE f.status IN ('open', 'extension') AND (f.due_date IS NOT NULL OR f.kind = 'report_back')
ORDER BY f.id
"""


def make_data(owed):
    """`owed` follow-ups still owed and as many closed, on minutes of five committees; 120 officials, 5 clerks."""
    committees = {code: Committee.objects.filter(code=code).order_by("-valid_from").first() for code in CODES}
    agencies = Agency.objects.bulk_create(
        Agency(name=f"Ministry of Example {n}", short_name=f"MOE{n}") for n in range(AGENCIES)
    )
    portfolios = Portfolio.objects.bulk_create(Portfolio(name=f"Example Affairs {n}") for n in range(PORTFOLIOS))
    User = get_user_model()
    officials = AGENCIES * OFFICIALS_PER_AGENCY
    users = User.objects.bulk_create(
        [User(username=f"official{n}", email=f"official{n}@example.govt.nz") for n in range(officials)]
        + [User(username=f"clerk{n}", email=f"clerk{n}@cabinet.example.govt.nz") for n in range(len(CODES))]
    )
    profiles = Profile.objects.bulk_create(
        Profile(user=user, role=Profile.Role.CLERK if user.username.startswith("clerk") else Profile.Role.OFFICIAL)
        for user in users
    )
    official_profiles, clerks = profiles[:officials], profiles[officials:]
    Profile.agencies.through.objects.bulk_create(
        Profile.agencies.through(profile_id=profile.pk, agency_id=agencies[n // OFFICIALS_PER_AGENCY].pk)
        for n, profile in enumerate(official_profiles)
    )
    Profile.portfolios.through.objects.bulk_create(
        Profile.portfolios.through(profile_id=profile.pk, portfolio_id=portfolios[n % PORTFOLIOS].pk)
        for n, profile in enumerate(official_profiles)
        if n % 4 == 0
    )
    Profile.committees.through.objects.bulk_create(
        Profile.committees.through(profile_id=profile.pk, committee_id=committees[code].pk)
        for profile, code in zip(clerks, CODES)
    )
    total = owed * 2
    minutes = Minute.objects.bulk_create(
        (
            Minute(
                reference=f"{CODES[n % 5]}-{18 + n // 9000}-MIN-{n % 9000 + 1:04d}", year=2018 + n // 9000,
                number=n % 9000 + 1, committee=committees[CODES[n % 5]],
                decision_date=ON - datetime.timedelta(days=120), title=f"Example proposal {n}",
            )
            for n in range(total // 4)
        ),
        batch_size=2000,
    )
    items = DecisionItem.objects.bulk_create(
        (
            DecisionItem(
                minute=minute, number=str(n), sort_key=number_sort_key(str(n)), verb="invited",
                text="invited the Minister to report back;",
            )
            for minute in minutes
            for n in range(1, 5)
        ),
        batch_size=2000,
    )
    # Due dates from 60 business days ago to 40 ahead; one in twenty is a report-back still needing a date.
    # Every other follow-up is closed (cancelled): a register holds its history too.
    due_dates = [add_business_days(ON, offset) for offset in range(-60, 41)]
    follow_ups, closed_at = [], timezone.now()
    for n, item in enumerate(items):
        due_date = None if n % 40 == 0 else due_dates[(n // 2) % len(due_dates)]
        follow_ups.append(FollowUp(
            decision=item, minute_id=item.minute_id, description=f"Report back on example {n}",
            responsible_agency=agencies[(n // 2) % AGENCIES], responsible_portfolio=portfolios[n % PORTFOLIOS],
            due_date=due_date, original_due_date=due_date,
            due_precision=DatePrecision.DAY if due_date else DatePrecision.NONE,
            original_due_precision=DatePrecision.DAY if due_date else DatePrecision.NONE,
            **({} if n % 2 == 0 else {
                "status": FollowUp.Status.CANCELLED, "closed_at": closed_at, "closed_reason": "Overtaken by events.",
            }),
        ))
    FollowUp.objects.bulk_create(follow_ups, batch_size=2000)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
            # Write out the data set-up's dirty pages now, so no checkpoint of them lands inside a measured run.
            cursor.execute("CHECKPOINT")


def floor():
    best = None
    for _ in range(3):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL)
            rows = cursor.fetchall()
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
    return best, len(rows)


class QueryTimes:
    """Database time per statement shape (its first words), to find where a run waits."""

    def __init__(self):
        self.seconds, self.count = collections.Counter(), collections.Counter()

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            shape = re.sub(r"\s+", " ", sql)[:150]
            self.seconds[shape] += time.perf_counter() - started
            self.count[shape] += 1

    def print(self, label):
        print(f"\n--- database time: {label}")
        for shape, seconds in self.seconds.most_common(12):
            print(f"  {seconds:7.3f} s {self.count[shape]:>5}x  {shape}")


def digests_alone():
    """Seconds to build the emails a first run sends, and nothing else: its plan (as a dry run makes it), each
    follow-up's line, each recipient's digest with its MIME message; nothing written, nothing sent. Run before the
    first run (after it, there is nothing left to plan). However the outbox were kept, a first run takes at least
    this with these templates and Django's mail classes."""
    started = time.perf_counter()
    plan = plan_reminders(on=ON, dry_run=True)
    lines = FollowUpLines(ON).load({planned.follow_up_id for planned in plan.planned})
    items = collections.defaultdict(list)
    add_planned_items(items, plan.planned, lines)  # as the dry run's preview does
    users = get_user_model().objects.select_related("profile").in_bulk(list(items))
    for user_id, theirs in items.items():
        reminder_email(users[user_id], theirs, on=ON, message_id=make_msgid()).message()
    return time.perf_counter() - started, len(items)


def measure(label, argv, profile=False):
    mail.outbox = []
    out = io.StringIO()
    profiler = cProfile.Profile() if profile else None
    times = QueryTimes()
    # Queries are counted by the wrapper, not by Django's CaptureQueriesContext: that would have the driver write
    # out each statement with its parameters (the first run's arrays of 38,000 keys too), which a real run never does.
    with connection.execute_wrapper(times):
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        try:
            call_command("sendreminders", *argv, "--date", ON.isoformat(), stdout=out, stderr=io.StringIO())
            status = "ok"
        except Exception as error:  # a run that did not deliver everything still counts its time
            status = f"{type(error).__name__}: {error}"
        finally:
            if profiler:
                profiler.disable()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if profiler:
        times.print(label)
        print(f"\n--- profile: {label}")
        pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(int(os.environ.get("BENCH_LINES", "25")))
    # A digest stays readable at any size: its longest plain-text body, and the most follow-ups it lists.
    longest = max((len(message.body.splitlines()) for message in mail.outbox), default=0)
    listed = max((sum(line.startswith("- [") for line in message.body.splitlines()) for message in mail.outbox), default=0)
    return {"run": label, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
            "database_seconds": round(sum(times.seconds.values()), 3), "queries": sum(times.count.values()),
            "emails": len(mail.outbox), "longest_digest_lines": longest, "most_listed": listed, "status": status}


def bench_size(owed, profile=False):
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        # The database is dropped afterwards: the one named only when its name says it is for benches.
        name = settings_dict["NAME"]
        settings_dict["TEST"]["NAME"] = name if "bench" in name else f"{name}_bench"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    # Each run is timed as `manage.py sendreminders` runs it: after Django has started, URLconf included (its
    # system checks load that before the command starts; call_command skips them). Otherwise the first run
    # measured pays that 0.5 s of importing for the process.
    check_url_config(None)
    try:
        make_data(owed)
        owed_count = FollowUp.objects.active().count()
        floor_seconds, rows = floor()
        dry_run = measure("dry run", ["--dry-run"], profile)
        alone = min(digests_alone() for _ in range(2))  # the second with the body templates already compiled
        runs = [
            dry_run,
            measure("first run", [], profile),
            measure("second run", [], profile),
        ]
        copies = ReminderDelivery.objects.count()
        unsent = ReminderDelivery.objects.exclude(status=ReminderDelivery.Status.SENT).count()
        reminders = Reminder.objects.count()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    target = TARGET_SECONDS.get(owed, owed / 2000)
    for run in runs:
        run["ratio"] = round(run["seconds"] / floor_seconds, 1)
        run["meets_target"] = run["seconds"] < target and run["ratio"] <= TARGET_RATIO
    return {
        "owed": owed_count, "floor_seconds": round(floor_seconds, 4), "floor_rows": rows, "target_seconds": target,
        "target_ratio": TARGET_RATIO, "digests_alone": {"seconds": round(alone[0], 3), "emails": alone[1],
                                                         "ratio": round(alone[0] / floor_seconds, 1)},
        "reminders": reminders, "copies": copies, "copies_not_sent": unsent, "runs": runs,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(size) for size in SIZES), help="owed follow-ups, comma-separated")
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile of each run")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when a run misses its target")
    args = parser.parse_args(argv)
    results = []
    for owed in (int(size) for size in args.sizes.split(",")):
        result = bench_size(owed, profile=args.profile)
        results.append(result)
        print(
            f"Reminders on {connection.vendor}, {result['owed']:,} owed follow-ups, run for {ON:%A %-d %B %Y}: "
            f"{result['reminders']:,} reminders, {result['copies']:,} copies ({result['copies_not_sent']:,} not sent)"
        )
        print(f"  {'raw select (floor)':<20} {result['floor_seconds']:>8.3f} s  {result['floor_rows']:,} rows")
        for run in result["runs"]:
            verdict = "meets" if run["meets_target"] else "MISSES"
            print(
                f"  {run['run']:<20} {run['seconds']:>8.3f} s  {run['ratio']:>5.1f}x floor  "
                f"(Python {run['cpu_seconds']:.2f} s, database {run['database_seconds']:.2f} s)  {run['queries']:>5} queries  "
                f"{run['emails']:>4} emails (longest {run['longest_digest_lines']} lines, {run['most_listed']} listed)  "
                f"{verdict} the target (< {result['target_seconds']:g} s, "
                f"<= {TARGET_RATIO}x){'' if run['status'] == 'ok' else '  ' + run['status']}"
            )
        alone = result["digests_alone"]
        print(
            f"  {'digests alone':<20} {alone['seconds']:>8.3f} s  {alone['ratio']:>5.1f}x floor  "
            f"(the first run's {alone['emails']} emails built, nothing written or sent: the least a first run can take)"
        )
    print(f"  load average while measuring: {', '.join(f'{load:.1f}' for load in os.getloadavg())} "
          f"(on {os.cpu_count()} CPUs; wall-clock times grow with it)")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_reminders.json").write_text(json.dumps(
        {"database": connection.vendor, "date": ON.isoformat(), "sizes": results}, indent=2,
    ))
    missed = not all(run["meets_target"] for result in results for run in result["runs"])
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
