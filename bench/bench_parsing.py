"""Benchmark: minutes parsed per second on one core, over the test samples repeated (target: 500 or more)."""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from decisions.parsing import parse_minute  # noqa: E402

SAMPLES = ROOT / "tests" / "samples"
TARGET_PER_SECOND = 500


def minutes_per_second(texts, seconds):
    """Parsing rate per second of this process's CPU time (one thread, so one core) and of wall-clock time."""
    parsed, cpu_started, wall_started = 0, time.process_time(), time.perf_counter()
    while time.process_time() - cpu_started < seconds:
        for text in texts:
            parse_minute(text)
        parsed += len(texts)
    return parsed / (time.process_time() - cpu_started), parsed / (time.perf_counter() - wall_started)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="CPU seconds to keep parsing (default 3)")
    parser.add_argument(
        "--with-regression", action="store_true", help="also parse the regression minutes in tests/samples/regression",
    )
    arguments = parser.parse_args()
    paths = sorted(SAMPLES.glob("*.txt"))
    if arguments.with_regression:
        paths += sorted((SAMPLES / "regression").glob("*.txt"))
    texts = [path.read_text(encoding="utf-8") for path in paths]
    for text in texts:
        parse_minute(text)  # warm up: compile every regular expression once
    per_cpu_second, per_wall_second = minutes_per_second(texts, arguments.seconds)
    verdict = "meets" if per_cpu_second >= TARGET_PER_SECOND else "misses"
    print(
        f"{per_cpu_second:.0f} minutes/s on one core ({per_wall_second:.0f}/s wall clock) "
        f"over {len(texts)} samples repeated: {verdict} the target of {TARGET_PER_SECOND}/s"
    )


if __name__ == "__main__":
    main()
