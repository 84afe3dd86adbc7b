"""A second regression set (it began as held-out minutes; rules were fixed against it): invented minutes shaped like
real proactive releases after PDF/web extraction.

Every expectation below was written by reading the sample text, not by running the parser. The samples
imitate agency coversheets (MfE, Treasury, DIA, MSD, MoH, MoT, MFAT, MBIE, DPMC, Oranga Tamariki), page
headers and footers, spliced watermark words, flattened tables of appropriations, Report of Committee tables,
withheld paragraphs and wrapped lines that begin with a number ("1 July 2025;", "3 of the Bill", "2 above").
"""

import json
from pathlib import Path

import pytest

from decisions.parsing import NotAMinute, parse_minute

REGRESSION2 = Path(__file__).parent / "samples" / "regression2"
FIRST_LINE = "# Invented for tests: not a real minute."

N = None  # a sub-paragraph or withheld paragraph with no verb of its own
# The project's convention (tests/test_parsing.py): "agreed to <do x>" / "agreed to the <x>" has the verb "agreed to".

# name: (numbering and verbs, follow-ups as (decision, kind, due_date, due_precision))
EXPECTED = {
    "h2-01-mfe-eco-multipage-separate-lines.txt": (
        [("1", "noted"), ("2", "noted"), ("3", "agreed to"), ("3.1", N), ("3.2", N), ("4", "agreed"),
         ("5", "agreed"), ("6", "noted"), ("7", "invited"), ("8", "invited"), ("9", "directed")],
        [("7", "report_back", "2026-04-30", "day"),
         ("8", "drafting_instructions", None, "none"),
         ("9", "report_back", "2025-09-30", "month")],
    ),
    "h2-02-treasury-cab-appropriations.txt": (
        [("1", "noted"), ("2", "agreed to"), ("3", "approved"), ("4", "agreed"), ("5", "agreed"),
         ("6", "authorised"), ("7", "invited")],
        [("6", "delegated_decision", None, "none"),
         ("7", "report_back", "2025-03-31", "month")],
    ),
    "h2-03-dia-leg-bill-introduction.txt": (
        [("1", "noted"), ("2", "noted"), ("2.1", N), ("2.2", N), ("3", "approved"), ("4", "agreed"),
         ("5", "agreed"), ("5.1", N), ("5.2", N), ("6", "noted")],
        [],
    ),
    "h2-04-msd-sou-number-own-line.txt": (
        [("1", "noted"), ("2", "agreed to"), ("2.1", N), ("2.2", N), ("3", "noted"), ("4", N),
         ("5", "agreed in principle"), ("6", "directed"), ("7", "invited")],
        [("6", "report_back", "2025-07-31", "day"),
         ("7", "report_back", "2025-10-31", "month")],
    ),
    "h2-05-moh-cab-following-reference-sou.txt": (
        [("1", "noted"), ("2", "agreed"), ("3", "agreed to"), ("4", "noted"), ("5", N), ("6", "invited"),
         ("7", "directed")],
        [("6", "report_back", "2026-04-30", "day"),
         ("7", "direction", None, "none")],
    ),
    "h2-06-mot-eco-flattened-one-line.txt": (
        [("1", "noted"), ("2", "agreed"), ("3", "agreed"), ("3.1", N), ("3.2", N), ("4", "agreed to"),
         ("5", "invited"), ("6", "authorised"), ("7", "noted")],
        [("5", "report_back", "2024-11-30", "month"),
         ("6", "delegated_decision", None, "none")],
    ),
    "h2-07-mfat-fps-restricted-indented.txt": (
        [("1", "noted"), ("2", N), ("3", "agreed"), ("3.1", N), ("3.2", N), ("3.3", N), ("4", "approved"),
         ("5", "authorised"), ("6", "noted"), ("7", "invited")],
        [("5", "delegated_decision", None, "none"),
         ("7", "report_back", None, "none")],
    ),
    "h2-08-report-of-eco-tabs.txt": (
        [("1", "confirmed"), ("2", "confirmed")],
        [],
    ),
    "h2-09-report-of-leg-flattened.txt": (
        [("1", "confirmed"), ("2", "confirmed"), ("3", "amended")],
        [],
    ),
    "h2-10-aph-power-to-act.txt": (
        [("1", "noted"), ("2", "noted"), ("3", "noted"), ("4", "noted"), ("5", "agreed")],
        [],
    ),
    "h2-11-exp-quoted-recommendations.txt": (
        [("1", "noted"), ("2", "noted"), ("3", "rescinded"), ("4", "agreed"), ("5", "agreed to"), ("6", "agreed to"),
         ("7", "directed")],
        [("7", "report_back", "2024-09-30", "day")],
    ),
    "h2-12-dpmc-cab-oral-one-sentence.txt": (
        [("1", "noted")],
        [("1", "report_back", "2025-04-14", "day")],
    ),
    "h2-13-sou-layout-three-levels.txt": (
        [("1", "noted"), ("2", "agreed to"), ("2.1", N), ("2.1.1", N), ("2.1.2", N), ("2.2", N), ("3", "agreed"),
         ("4", "directed"), ("5", "directed"), ("6", "invited")],
        [("4", "direction", None, "none"),
         ("5", "report_back", "2025-03-31", "day"),
         ("6", "report_back", "2025-12-31", "half")],
    ),
    "h2-14-eco-web-html-lists.txt": (
        [("1", "noted"), ("2", "agreed"), ("2.1", N), ("2.2", N), ("3", "agreed in principle"), ("4", "invited"),
         ("4.1", N), ("4.2", N), ("5", "noted")],
        [("4", "report_back", "2025-06-30", "day")],
    ),
    "h2-15-mot-cab-markdown-bold.txt": (
        [("1", "noted"), ("2", "approved"), ("2.1", N), ("2.2", N), ("3", "agreed"), ("4", "directed"),
         ("5", "invited")],
        [("4", "report_back", None, "none"),
         ("5", "report_back", "2026-06-30", "half")],
    ),
    "h2-16-cab-bill-inline-sub-items.txt": (
        [("1", "noted"), ("2", "noted"), ("3", "approved"), ("4", "agreed"), ("5", "agreed"), ("5.1", N),
         ("5.2", N), ("5.3", N), ("6", "noted"), ("7", "invited")],
        [("7", "drafting_instructions", None, "none")],
    ),
    "h2-17-treasury-exp-budget-sensitive-table.txt": (
        [("1", "noted"), ("2", "agreed to"), ("2.1", N), ("2.2", N), ("2.3", N), ("3", "approved"), ("4", "agreed"),
         ("5", "authorised"), ("6", "agreed"), ("7", "invited")],
        [("5", "delegated_decision", None, "none"),
         ("7", "report_back", "2026-03-31", "month")],
    ),
    "h2-18-ot-sou-withheld-gap.txt": (
        [("1", "noted"), ("2", "noted"), ("3", N), ("4", N), ("8", "agreed to"), ("9", "agreed"), ("10", "invited")],
        [("10", "report_back", "2025-02-28", "month")],
    ),
    "h2-19-dia-cab-orders-paragraph-wrap.txt": (
        [("1", "authorised"), ("2", "noted"), ("3", "agreed to"), ("4", "noted")],
        [],
    ),
    "h2-20-dpmc-web-fffd-nbsp.txt": (
        [("1", "noted"), ("2", "agreed"), ("3", "agreed"), ("4", N), ("5", "authorised"), ("6", "invited")],
        [("5", "delegated_decision", None, "none"),
         ("6", "report_back", "2026-04-30", "day")],
    ),
    "h2-21-mbie-eco-three-pages-wraps.txt": (
        [("1", "noted"), ("2", "noted"), ("3", "agreed to"), ("3.1", N), ("3.2", N), ("3.3", N), ("4", "agreed"),
         ("4.1", N), ("4.2", N), ("5", "noted"), ("6", "noted"), ("7", N), ("8", "authorised"), ("9", "invited"),
         ("10", "directed"), ("11", "invited"), ("11.1", N), ("11.2", N)],
        [("8", "delegated_decision", None, "none"),
         ("9", "drafting_instructions", None, "none"),
         ("10", "direction", None, "none"),
         ("11", "report_back", "2025-03-31", "month")],
    ),
    "h2-22-cbc-power-to-act-verbs.txt": (
        [("1", "endorsed"), ("2", "confirmed"), ("3", "accepted"), ("4", "reaffirmed"), ("5", "delegated"),
         ("6", "requested"), ("7", "invited")],
        [("5", "delegated_decision", None, "none"),
         ("6", "direction", None, "none"),
         ("7", "report_back", "2025-12-31", "year")],
    ),
    "h2-23-moj-sou-bullets-watermark.txt": (
        [("1", "noted"), ("2", "agreed"), ("2.1", N), ("2.2", N), ("3", "agreed"), ("4", "invited")],
        [("4", "report_back", "2026-03-31", "day")],
    ),
}

REPORTS = {"h2-08-report-of-eco-tabs.txt": "ECO", "h2-09-report-of-leg-flattened.txt": "LEG"}


def text_of(name):
    return (REGRESSION2 / name).read_text(encoding="utf-8")


def test_every_file_has_an_expectation_and_says_it_is_invented():
    names = sorted(path.name for path in REGRESSION2.glob("*.txt"))
    assert names == sorted(EXPECTED)
    assert len(names) >= 20
    for name in names:
        assert text_of(name).splitlines()[0] == FIRST_LINE


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_numbering_and_verbs(name):
    minute = parse_minute(text_of(name))

    assert [(item.number, item.verb) for item in minute.decisions] == EXPECTED[name][0]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_follow_ups(name):
    follow_ups = parse_minute(text_of(name)).as_json()["follow_ups"]

    assert [(f["decision"], f["kind"], f["due_date"], f["due_precision"]) for f in follow_ups] == EXPECTED[name][1]


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_reports_of_committee_are_read_as_reports(name):
    minute = parse_minute(text_of(name))

    assert (minute.kind, minute.report_of) == ("report", REPORTS[name])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_cut_of_a_minute_is_read_or_refused_with_a_message(name):
    """Text cut anywhere (a truncated download, a page torn off) is read as far as it goes or refused, never crashes."""
    text = text_of(name)
    outcomes = []
    for cut in range(0, len(text), max(1, len(text) // 23)):
        for piece in (text[:cut], text[cut:]):
            try:
                minute = parse_minute(piece)
            except NotAMinute as error:
                assert str(error).endswith(".")
                outcomes.append("refused")
            else:
                numbers = [item.number for item in minute.decisions]
                assert all(numbers) and len(set(numbers)) == len(numbers)
                assert json.loads(json.dumps(minute.as_json()))["decisions"] is not None
                outcomes.append("read")
    assert "read" in outcomes and "refused" in outcomes  # the whole text is read; the empty cut is refused
