"""Benchmark: the parser's accuracy on unseen minutes (tests/samples/unseen), per item and per follow-up.

The minutes were invented without reading the parser and are never used to fix it (their README says why), so unlike
the regression sets (tests/samples/regression*), their score estimates accuracy on minutes the parser has not met.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cabinet.references import InvalidReference, normalise_reference  # noqa: E402
from decisions.parsing import NotAMinute, parse_minute  # noqa: E402

UNSEEN = ROOT / "tests" / "samples" / "unseen"


def _verb(verb):
    words = " ".join((verb or "").lower().split())
    return {"agreed to": "agreed"}.get(words, words).replace(" ", "_")


def _reference(text):
    try:
        return normalise_reference(text or "")
    except InvalidReference:
        return None


def _due_matches(expected, got_date, got_precision):
    """A day must match exactly; a month by year and month; a half-year by year and half."""
    if expected["due"] is None:
        return got_date is None
    if got_date is None:
        return False
    year, month, day = (int(part) for part in expected["due"].split("-"))
    if expected["precision"] == "day":
        return (got_date.year, got_date.month, got_date.day) == (year, month, day)
    if expected["precision"] == "month":
        return (got_date.year, got_date.month) == (year, month)
    return (got_date.year, got_date.month <= 6) == (year, month <= 6)


def score(path):
    """(reference right, items right, items expected, follow-ups right, follow-ups expected, notes) for one minute."""
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    try:
        parsed = parse_minute(path.read_text(encoding="utf-8"))
    except NotAMinute as error:
        return False, 0, len(expected["items"]), 0, len(expected["follow_ups"]), [f"not a minute: {error}"]
    notes = []
    got_items = {decision.number: _verb(decision.verb) for decision in parsed.decisions}
    items_right = 0
    for number, verb in expected["items"]:
        if got_items.get(number) == verb:
            items_right += 1
        else:
            notes.append(f"item {number}: expected {verb or '(no verb)'!s}, got {got_items.get(number, 'nothing')}")
    extra = sorted(set(got_items) - {number for number, _ in expected["items"]})
    if extra:
        notes.append(f"items not in the minute: {', '.join(extra)}")
    got_follow_ups = [follow_up for follow_up in parsed.follow_ups if not follow_up.needs_confirmation]
    follow_ups_right = 0
    for want in expected["follow_ups"]:
        match = next((
            got for got in got_follow_ups
            if got.decision == want["decision"] and got.kind == want["kind"]
            and _due_matches(want, got.due_date, got.due_precision)
        ), None)
        if match is None:
            found = [(got.kind, str(got.due_date)) for got in got_follow_ups if got.decision == want["decision"]]
            notes.append(f"follow-up of {want['decision']}: expected {want['kind']} due {want['due']}, got {found or 'none'}")
        else:
            follow_ups_right += 1
    unexpected = len(got_follow_ups) - follow_ups_right
    if len(got_follow_ups) > len(expected["follow_ups"]):
        notes.append(f"{unexpected} follow-up(s) not in the minute")
    reference_right = _reference(parsed.reference) == normalise_reference(expected["reference"])
    if not reference_right:
        notes.append(f"reference: expected {expected['reference']}, got {parsed.reference}")
    return reference_right, items_right, len(expected["items"]), follow_ups_right, len(expected["follow_ups"]), notes


def run(verbose=True):
    """Print each minute's misses and the totals; returns (item accuracy, follow-up accuracy) as fractions."""
    paths = sorted(UNSEEN.glob("*.txt"))
    totals = [0, 0, 0, 0, 0]
    for path in paths:
        reference_right, *counts, notes = score(path)
        totals = [total + count for total, count in zip(totals, [reference_right, *counts])]
        if verbose and notes:
            print(f"{path.stem}:")
            for note in notes:
                print(f"    {note}")
    references, items_right, items, follow_ups_right, follow_ups = totals
    item_accuracy, follow_up_accuracy = items_right / max(items, 1), follow_ups_right / max(follow_ups, 1)
    print(
        f"unseen minutes: {len(paths)}; references {references}/{len(paths)}; "
        f"items {items_right}/{items} ({100 * item_accuracy:.0f}%); "
        f"follow-ups {follow_ups_right}/{follow_ups} ({100 * follow_up_accuracy:.0f}%)"
    )
    return item_accuracy, follow_up_accuracy


if __name__ == "__main__":
    run()
