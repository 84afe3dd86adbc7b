"""Text that lost its structure on the way from a web page or a scan: flat lists and OCR debris before a verb."""

import re
from pathlib import Path

import pytest

from decisions.parsing import parse_minute

SAMPLES = Path(__file__).parent / "samples"
PRINTED_ITEM = re.compile(r"^(?P<number>[0-9]+(?:\.[0-9]+)*) (?P<text>\S.*)$")
PAGE_FOOTER = re.compile(r"^[0-9]+ [0-9a-z]{10} [0-9]{4}-[0-9]{2}-[0-9]{2} ")


def printed_numbers_and_flattened(name, bullet):
    """The item numbers as the sample prints them, and the sample with every number replaced by `bullet` at one
    indent (as a web page's nested list arrives when copied), its page footer and header dropped."""
    numbers, lines = [], []
    for line in (SAMPLES / name).read_text(encoding="utf-8").split("\n"):
        if PAGE_FOOTER.match(line) or line == "ECO-25-MIN-0101":
            continue
        if match := PRINTED_ITEM.match(line):
            numbers.append(match["number"])
            line = f"{bullet}{match['text']}"
        lines.append(line)
    return numbers, "\n".join(lines)


@pytest.mark.parametrize("bullet", ["- ", "• ", ""], ids=["dashes", "bullets", "plain-lines"])
def test_a_flattened_list_gets_its_original_numbering_back_flagged_as_inferred(bullet):
    numbers, flattened = printed_numbers_and_flattened("invented-ECO-25-MIN-0101.txt", bullet)
    minute = parse_minute(flattened)

    assert numbers == ["1", "2", "3", "4", "5", "5.1", "5.2", "5.3", "6", "7", "8", "9"]  # as printed
    assert [decision.number for decision in minute.decisions] == numbers
    assert any("inferred to be its sub-items 5.1, 5.2" in warning for warning in minute.warnings)
    assert minute.decisions[6].text == "s9(2)(f)(iv)" and minute.decisions[6].is_redacted


def test_the_dash_bullet_sample_with_its_indentation_lost_keeps_its_sub_items():
    text = (SAMPLES / "regression" / "h11-dash-bullets.txt").read_text(encoding="utf-8")
    flattened = re.sub(r"^[ \t]+- ", "- ", text, flags=re.MULTILINE)
    assert flattened != text

    minute = parse_minute(flattened)

    assert [(decision.number, decision.verb) for decision in minute.decisions] == [
        ("1", "noted"), ("2", "agreed"), ("2.1", None), ("2.2", None), ("3", "authorised"), ("4", "invited"),
    ]


def test_ocr_debris_between_a_number_and_its_verb_does_not_swallow_the_item():
    minute = parse_minute(
        "On 23 July 2025, Cabinet:\n\n"
        "1 noted that 14 regional airports have applied for support;\n"
        "2 er noted that the fund is oversubscribed;\n"
        "3 st legal agreed that the Minister may decide;\n"
        "4 invited the Minister for Regional Development to report back to Cabinet in February 2026.\n"
    )

    assert [(decision.number, decision.verb, decision.text[:12]) for decision in minute.decisions] == [
        ("1", "noted", "noted that 1"), ("2", "noted", "noted that t"), ("3", "agreed", "agreed that "),
        ("4", "invited", "invited the "),
    ]


def test_words_a_sentence_starts_with_are_not_taken_for_debris():
    minute = parse_minute(
        "On 23 July 2025, Cabinet:\n\n1 noted that the fund is oversubscribed;\n2 it was agreed that the Minister may decide.\n"
    )

    assert "2 it was agreed that the Minister may decide." in minute.decisions[0].text  # a line of item 1, words kept
