"""Benchmark: a clerk downloads the follow-up list of 50,000 follow-ups as CSV and as XLSX: time and peak memory.

Builds a register of 50,000 owed follow-ups (5,000 minutes of five bodies, each follow-up with a history row, so
"last change" is read as in production) in its own PostgreSQL database `exports_bench` (created for the run and
dropped afterwards, on the server of DATABASE_URL, default postgres://postgres@127.0.0.1:5432), then runs each
download in a fresh Python process through the whole stack (Django's test client: middleware, need to know, the
list's filter, the access log) and reads the file to its end. Each process reports the wall-clock time, its CPU
time (the export runs on one core), and its peak resident memory (VmHWM) beside its resident memory before
the download. Target for XLSX: under 10 s and under 200 MB.

Runs alone (`.venv/bin/python bench/bench_exports.py [--rows 50000] [--keep] [--strict]`) or from `make bench`
(bench/run.py runs every bench/bench_*.py). Prints the table and writes bench/results/bench_exports.json.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")  # a throwaway key, in-memory mail
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/exports_bench")
DATABASE = "exports_bench"
ROWS = 50_000
TARGETS = {"xlsx": (10.0, 200), "csv": (10.0, 200)}  # seconds, MB of peak resident memory
CODES = ["CAB", "ECO", "SOU", "FPS", "EXP"]
ITEMS_PER_MINUTE = 10


def memory_mb(field):
    """VmHWM (peak) or VmRSS (now) of this process, in MB. Not getrusage's ru_maxrss: exec keeps the parent's peak."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def make_data(rows):
    """`rows` owed follow-ups (open, waiting on an extension or submitted: all on the list by default), one per
    decision item, on minutes of five bodies with a mix of markings; a clerk to download them."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import get_user_model
    from simple_history.utils import bulk_create_with_history

    from cabinet.models import Agency, Classification, Committee, DatePrecision, Minute, Portfolio, Profile
    from decisions.models import DecisionItem, FollowUp, number_sort_key

    committees = [Committee.objects.filter(code=code).order_by("-valid_from").first() for code in CODES]
    agencies = Agency.objects.bulk_create(Agency(name=f"Ministry of Example {n}", short_name=f"MOE{n}") for n in range(40))
    portfolios = Portfolio.objects.bulk_create(Portfolio(name=f"Example Affairs {n}") for n in range(30))
    markings = [(Classification.IN_CONFIDENCE, "")] * 8 + [(Classification.SENSITIVE, ""), (Classification.SENSITIVE, "BUDGET")]
    minute_count = -(-rows // ITEMS_PER_MINUTE)
    minutes = []
    for n in range(minute_count):
        committee = committees[n % len(committees)]
        number = n // len(committees) + 1
        classification, endorsement = markings[n % len(markings)]
        minutes.append(Minute(
            reference=f"{committee.code}-25-MIN-{number:04d}", year=2025, number=number, committee=committee,
            decision_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=n % 365), title=f"Example policy {n}",
            classification=classification, endorsement=endorsement,
        ))
    minutes = Minute.objects.bulk_create(minutes, batch_size=2000)
    items = DecisionItem.objects.bulk_create((
        DecisionItem(
            minute=minute, number=str(paragraph), sort_key=number_sort_key(str(paragraph)), verb=DecisionItem.Verb.INVITED,
            text=f"invited the Minister for Example Affairs to report back to the Committee on options {paragraph};",
        )
        for minute in minutes for paragraph in range(1, ITEMS_PER_MINUTE + 1)
    ), batch_size=5000)[:rows]
    statuses = [FollowUp.Status.OPEN] * 8 + [FollowUp.Status.EXTENSION_REQUESTED, FollowUp.Status.SUBMITTED]
    follow_ups = []
    for n, item in enumerate(items):
        status = statuses[n % len(statuses)]
        due = datetime.date(2025, 6, 1) + datetime.timedelta(days=n % 600)
        follow_ups.append(FollowUp(
            decision=item, minute=item.minute, kind=FollowUp.Kind.REPORT_BACK,
            description=f"Report back on options for the example programme, stage {n}",
            responsible_agency=agencies[n % len(agencies)], responsible_portfolio=portfolios[n % len(portfolios)],
            responsible_text="the Minister for Example Affairs", report_to=committees[0],
            due_date=due, due_precision=DatePrecision.DAY, due_text=f"by {due:%-d %B %Y}",
            original_due_date=due, original_due_precision=DatePrecision.DAY, status=status,
            submitted_reference="CAB-26-SUB-0001" if status == FollowUp.Status.SUBMITTED else "",
        ))
    bulk_create_with_history(follow_ups, FollowUp, batch_size=5000)
    user = get_user_model().objects.create(username="bench-clerk", email="clerk@cabinet.example.govt.nz", is_staff=True)
    Profile.objects.create(user=user, role=Profile.Role.CLERK)
    TOTP.activate(user, generate_totp_secret())  # clerks have a second factor, as real ones must
    return FollowUp.objects.count()


def measure(extension):
    """In this (fresh) process: the clerk's download of the whole list, read to its end. Prints one JSON line."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    clerk = get_user_model().objects.get(username="bench-clerk")
    client = Client()
    client.force_login(clerk)
    client.get("/follow-ups/?kind=direction")  # warm imports, templates and the session
    before = memory_mb("VmRSS")
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(f"/follow-ups/export.{extension}")
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({
        "format": extension, "status": response.status_code, "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2), "peak_rss_mb": round(memory_mb("VmHWM"), 1), "rss_before_mb": round(before, 1),
        "bytes": size, "csv_lines": lines if extension == "csv" else None,
    }))


def run_child(extension, database_url):
    environment = {**os.environ, "DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, __file__, "--measure", extension], env=environment, capture_output=True, text=True, check=False,
    )
    if result.returncode:
        sys.exit(f"The {extension} export failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS, help="follow-ups to export")
    parser.add_argument("--keep", action="store_true", help="keep the database for the next run, and reuse one kept")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 when an export misses its target")
    parser.add_argument("--measure", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        return measure(args.measure)

    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("The export bench runs on PostgreSQL: set DATABASE_URL=postgres://...")
    connection.settings_dict["TEST"]["NAME"] = DATABASE  # its own database, whatever DATABASE_URL names
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=args.keep)
    database_url = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**{
        **connection.settings_dict, "HOST": connection.settings_dict["HOST"] or "127.0.0.1",
        "PORT": connection.settings_dict["PORT"] or 5432,
    })
    try:
        from decisions.models import FollowUp

        started = time.perf_counter()
        count = FollowUp.objects.count() or make_data(args.rows)
        print(f"{count:,} follow-ups ready in {time.perf_counter() - started:.0f} s; exporting them as a clerk ...", flush=True)
        connection.close()
        results = [run_child(extension, database_url) for extension in ("csv", "xlsx")]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keep)

    print(f"Exports of {count:,} follow-ups on PostgreSQL, one Python process each (fresh), read to the end")
    missed = []
    for result in results:
        seconds, megabytes = TARGETS[result["format"]]
        meets = result["status"] == 200 and result["seconds"] < seconds and result["peak_rss_mb"] < megabytes
        result["meets_target"] = meets
        if not meets:
            missed.append(result["format"])
        rows = f"{result['csv_lines'] - 1:,} rows" if result["csv_lines"] else ""
        print(
            f"  {result['format'].upper():<5} {result['seconds']:>6.2f} s (CPU {result['cpu_seconds']:.2f} s)  "
            f"peak memory {result['peak_rss_mb']:>6.1f} MB (before the download {result['rss_before_mb']:.1f} MB)  "
            f"{result['bytes'] / 1e6:>5.1f} MB file {rows:<12} {'meets' if meets else 'MISSES'} the target "
            f"(< {seconds:g} s, < {megabytes} MB)"
        )
    print(f"  load average while measuring: {', '.join(f'{load:.1f}' for load in os.getloadavg())} "
          f"(on {os.cpu_count()} CPUs; wall-clock times grow with it)")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_exports.json").write_text(json.dumps({"follow_ups": count, "targets": TARGETS, "results": results}, indent=2))
    if missed and args.strict:
        sys.exit(1)


if __name__ == "__main__":
    main()
