"""Benchmark: seconds per release pack (coversheet and public minute, HTML, PDF and the zip of both) over 100 minutes.

Each minute has six paragraphs, two of them with withheld spans, and its release lists two documents and two grounds.
Runs alone (`.venv/bin/python bench/bench_release_packs.py [--packs 100]`) or from bench/run.py. The database is a
throwaway test database made from DATABASE_URL (an in-memory SQLite one when unset); it is dropped afterwards.
Target: under 1 s of CPU a pack (one core: WeasyPrint lays out every page); the wall-clock time is printed beside it,
and on a machine shared with other work it is the longer one.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from cabinet.models import Agency, Committee, Minister, Minute, OIAGround, Paper, ProactiveRelease, ReleasedDocument  # noqa: E402
from decisions import release_pack  # noqa: E402
from decisions.models import DecisionItem, Redaction  # noqa: E402

TARGET_CPU_SECONDS = 1.0
PARAGRAPHS = [
    "noted that the Minister for Example has consulted relevant agencies on the proposal, including {secret};",
    "agreed to the approach set out in the paper, subject to:",
    "funding being met from existing baselines of {secret};",
    "noted that officials will report to the Minister for Example on implementation by the end of June 2026;",
    "invited the Minister for Example to report back to the Cabinet Economic Policy Committee by 30 September 2026;",
    "authorised the Minister for Example and the Minister of Finance jointly to make final decisions on the detailed design.",
]


def make_releases(count):
    agency = Agency.objects.create(name="Ministry of Benchmarks", short_name="MOB")
    minister = Minister.objects.create(name="Hon Bench Mark")
    cabinet = Committee.objects.filter(code="CAB").order_by("-valid_from").first()
    grounds = [OIAGround.objects.get(code="9(2)(j)"), OIAGround.objects.get(code="9(2)(b)(ii)")]
    released = []
    for n in range(1, count + 1):
        paper = Paper.objects.create(
            reference=f"CAB-26-SUB-{n + 5000:04d}", title=f"Benchmark policy proposal {n}", lead_agency=agency,
            paper_date=datetime.date(2026, 1, 28), date_precision="day",
        )
        minute = Minute.objects.create(
            reference=f"CAB-26-MIN-{n + 5000:04d}", committee=cabinet, decision_date=datetime.date(2026, 2, 2),
            title=paper.title, paper=paper, signatory="Rachel Hayward",
        )
        for number, text in enumerate(PARAGRAPHS, start=1):
            secret = f"Confidential Partner {n}-{number}"
            item = DecisionItem.objects.create(minute=minute, number=str(number), verb="noted", text=text.format(secret=secret))
            if "{secret}" in text:
                start = item.text.index(secret)
                Redaction.objects.create(decision=item, ground=grounds[number % 2], start=start, end=start + len(secret))
        release = ProactiveRelease.objects.create(minute=minute, agency=agency, minister=minister, is_redacted=True)
        release.grounds.set(grounds)
        ReleasedDocument.objects.create(release=release, document_date=paper.paper_date, title=paper.title,
                                        author="Office of the Minister for Example")
        ReleasedDocument.objects.create(release=release, document_date=minute.decision_date,
                                        title=f"{minute.title} {minute.reference} Minute", author="Cabinet Office")
        released.append(release.pk)
    return released


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--packs", type=int, default=100)
    arguments = parser.parse_args(argv)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        pks = make_releases(arguments.packs)
        release_pack.render_pdf("<p>warm up: fonts and Pango loaded once</p>")
        size, cpu, wall = 0, time.process_time(), time.perf_counter()
        for pk in pks:
            release = ProactiveRelease.objects.select_related("minute__committee", "minute__paper", "agency", "minister").get(pk=pk)
            size += len(release_pack.render_zip(release_pack.build_pack(release)))
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    per_pack, cpu_per_pack = wall / len(pks), cpu / len(pks)
    verdict = "meets" if cpu_per_pack < TARGET_CPU_SECONDS else "misses"
    print(
        f"{len(pks)} release packs in {wall:.1f} s: {per_pack:.3f} s a pack wall clock, {cpu_per_pack:.3f} s of CPU; "
        f"{size / len(pks) / 1024:.0f} KiB a zip: {verdict} the target of {TARGET_CPU_SECONDS:.0f} s of CPU a pack"
    )
    return 0 if cpu_per_pack < TARGET_CPU_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
