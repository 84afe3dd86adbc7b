"""Benchmark: a folder of 50 generated release packs imported by `importminute` on one core (target: under 60 s).

Each pack is a PDF drawn from the invented samples (tests/pdfpacks.py): coversheet, a three-page Cabinet paper and
a two-page committee minute, every page watermarked, stamped and numbered, each with its own references. The
packs are written to a temporary folder and imported with `importminute --user bench-clerk <folder>`: each read
with its page geometry, split, parsed and saved in its own transaction. Reports CPU time of this one process (one
thread, so one core) and wall-clock time, and the pages read per second.

Runs alone (`.venv/bin/python bench/bench_packs.py [--packs 50]`) or from bench/run.py (as a script). The database is
a fresh SQLite file in the temporary folder (migrated first, not timed), or an empty one named by
BENCH_PACKS_DATABASE_URL. Writes bench/results/bench_packs.json.
"""

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
WORK = Path(tempfile.mkdtemp(prefix="bench_packs_"))
# Its own empty database, whatever DATABASE_URL the page bench runs on: BENCH_PACKS_DATABASE_URL to choose one.
os.environ["DATABASE_URL"] = os.environ.get("BENCH_PACKS_DATABASE_URL") or f"sqlite:///{WORK / 'bench.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from cabinet.models import Minute  # noqa: E402
from tests.pdfpacks import Document, build_pack, sample_text  # noqa: E402

SAMPLES = ROOT / "tests" / "samples"
TARGET_SECONDS = 60.0


def write_packs(folder, count):
    """`count` packs, each with its own references (ECO-25-MIN-1000, ECO-25-SUB-1000, ...); their total pages."""
    cover = sample_text(SAMPLES / "packs" / "invented-ECO-25-MIN-0101-coversheet.txt")
    paper = sample_text(SAMPLES / "packs" / "invented-ECO-25-SUB-0101-paper.txt")
    minute = sample_text(SAMPLES / "invented-ECO-25-MIN-0101.txt")
    pages = 0
    for number in range(count):
        minute_reference, paper_reference = f"ECO-25-MIN-{1000 + number}", f"ECO-25-SUB-{1000 + number}"
        cover_text, paper_text, minute_text = (
            text.replace("ECO-25-MIN-0101", minute_reference).replace("ECO-25-SUB-0101", paper_reference)
            for text in (cover, paper, minute)
        )
        content = build_pack([
            Document(cover_text), Document(paper_text, paper_reference), Document(minute_text, minute_reference),
        ])
        pages += len(PdfReader(io.BytesIO(content)).pages)
        (folder / f"pack-{number:03d}.pdf").write_bytes(content)
    return pages


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--packs", type=int, default=50, help="how many packs (default 50)")
    arguments = parser.parse_args(argv)
    call_command("migrate", verbosity=0)
    if Minute.objects.filter(reference__startswith="ECO-25-MIN-1").exists():
        sys.exit("The database already holds the bench's minutes: use an empty one (unset BENCH_PACKS_DATABASE_URL).")
    get_user_model().objects.get_or_create(username="bench-clerk")
    folder = WORK / "packs"
    folder.mkdir()
    pages = write_packs(folder, arguments.packs)
    out, err = io.StringIO(), io.StringIO()
    cpu_started, wall_started = time.process_time(), time.perf_counter()
    call_command("importminute", "--user", "bench-clerk", str(folder), stdout=out, stderr=err)
    cpu, wall = time.process_time() - cpu_started, time.perf_counter() - wall_started
    imported = Minute.objects.filter(reference__startswith="ECO-25-MIN-1").count()
    verdict = "meets" if cpu < TARGET_SECONDS and imported == arguments.packs else "misses"
    print(
        f"{arguments.packs} packs ({pages} pages, {imported} minutes imported) in {cpu:.1f} s on one core "
        f"({wall:.1f} s wall clock, {pages / cpu:.0f} pages/s): {verdict} the target of {TARGET_SECONDS:.0f} s"
    )
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "bench_packs.json").write_text(json.dumps({
        "packs": arguments.packs, "pages": pages, "imported": imported, "cpu_seconds": round(cpu, 2),
        "wall_seconds": round(wall, 2), "target_seconds": TARGET_SECONDS,
    }, indent=2))
    return 0 if verdict == "meets" else 1


if __name__ == "__main__":
    sys.exit(main())
