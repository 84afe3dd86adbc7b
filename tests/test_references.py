import pytest

from cabinet.references import InvalidReference, find_references, normalise_reference, parse_reference


@pytest.mark.parametrize(
    ("printed", "canonical"),
    [
        ("CAB-26-MIN-0018", "CAB-26-MIN-0018"),
        ("CAB-19-MIN-219", "CAB-19-MIN-0219"),
        ("CAB\u201019\u2011MIN\u20130029", "CAB-19-MIN-0029"),
        ("CAB-19- MIN-0029", "CAB-19-MIN-0029"),
        ("SOC-15-MIN-0034.01", "SOC-15-MIN-0034.01"),
        ("SOC-15-MIN-0034.01 Revised", "SOC-15-MIN-0034.01"),
        ("[CAB-19-MIN-0199]", "CAB-19-MIN-0199"),
        ("(CAB-19-MIN-0169 refers)", "CAB-19-MIN-0169"),
        ("ECO-24-SUB-0048", "ECO-24-SUB-0048"),
        ("cab-26-min-0018", "CAB-26-MIN-0018"),
        ("CAB Min (10) 39/8", "CAB Min (10) 39/8"),
        ("ERD Min (10) 11/1", "ERD Min (10) 11/1"),
        ("CAB (09) 61", "CAB (09) 61"),
    ],
)
def test_every_printed_variant_normalises_to_one_form(printed, canonical):
    assert normalise_reference(printed) == canonical


def test_parts_are_parsed():
    reference = parse_reference("SOC-15-MIN-0034.01 Revised")
    assert (reference.body, reference.year, reference.type, reference.number, reference.suffix) == (
        "SOC", 2015, "MIN", 34, "01"
    )
    assert reference.is_revised
    assert str(reference.counterpart()) == "SOC-15-SUB-0034.01"
    legacy = parse_reference("CAB Min (10) 39/8")
    assert (legacy.year, legacy.meeting, legacy.number, legacy.is_legacy) == (2010, 39, 8, True)


@pytest.mark.parametrize("text", ["", "   ", "hello", "CAB-26-MIN-", "CAB-26-XYZ-0001", "CAB-26-MIN-00018", "26-MIN-0018"])
def test_malformed_references_are_refused_with_a_clear_message(text):
    with pytest.raises(InvalidReference, match="reference"):
        parse_reference(text)


def test_references_are_found_in_running_text():
    text = "confirmed the decisions (CAB-19-MIN-0169 refers), see SWC-19-MIN-0085 and CAB Min (10) 39/8; CAB-19-MIN-0169."
    assert [str(r) for r in find_references(text)] == ["CAB-19-MIN-0169", "SWC-19-MIN-0085", "CAB Min (10) 39/8"]


@pytest.mark.parametrize("text", [
    "CAB-26-MIN-0018 and CAB-26-MIN-0019",
    "CAB-26-MIN-0018 agreed",
    "CAB-26-MIN-0018.01 Revised twice",
    "[CAB-19-MIN-0199] and more",
    "CAB Min (10) 39/8 item",
    "CAB (09) 61 onwards",
    "see CAB-26-MIN-0018",
])
def test_a_reference_with_words_around_it_is_refused(text):
    with pytest.raises(InvalidReference, match="is not a Cabinet reference"):
        parse_reference(text)


@pytest.mark.parametrize(("printed", "canonical"), [
    ("(CAB-19-MIN-0169 REFERS)", "CAB-19-MIN-0169"),  # any case
    ("[CAB-19-MIN-0169 Refers]", "CAB-19-MIN-0169"),
    ("CAB-19-\nMIN-0029", "CAB-19-MIN-0029"),  # broken over two lines of a PDF
    ("[CAB-19-MIN-0199\n]", "CAB-19-MIN-0199"),
])
def test_wrapping_is_removed_in_any_case_and_across_lines(printed, canonical):
    assert normalise_reference(printed) == canonical


def test_the_refusal_quotes_the_first_sixty_characters():
    text = "A" * 59 + "BC" + "D" * 20
    with pytest.raises(InvalidReference, match=f"^“{'A' * 59}B” is not a Cabinet reference"):
        parse_reference(f"  {text}  ")


@pytest.mark.parametrize("text", [None, "", "   \n", 18])
def test_nothing_to_read_asks_for_a_reference(text):
    with pytest.raises(InvalidReference, match="^Enter a reference such as CAB-26-MIN-0018.$"):
        parse_reference(text)


def test_only_the_word_revised_marks_a_reference_revised():
    assert [parse_reference(text).is_revised for text in ("CAB Min (10) 39/8", "CAB (09) 61", "CAB-26-MIN-0018")] == [
        False, False, False,
    ]
    assert not parse_reference("CAB-26-MIN-0018").counterpart().is_revised


def test_references_are_values_equal_by_content_and_unchangeable():
    import dataclasses

    assert parse_reference("CAB-26-MIN-18") == parse_reference("[CAB‑26‑MIN‑0018]")
    assert len({parse_reference("CAB-26-MIN-18"), parse_reference("cab-26-min-0018")}) == 1
    reference = parse_reference("CAB-26-MIN-0018")
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'number'"):
        reference.number = 19
    assert str(reference) == "CAB-26-MIN-0018"


def test_a_paper_and_its_minute_are_each_others_counterpart():
    paper, minute = parse_reference("ECO-24-SUB-0048"), parse_reference("ECO-24-MIN-0048")
    assert (paper.is_minute, minute.is_minute) == (False, True)
    assert (paper.counterpart(), minute.counterpart()) == (minute, paper)
    assert parse_reference("CAB (09) 61").is_minute is False and parse_reference("CAB Min (10) 39/8").is_minute is True
    assert parse_reference("CAB (09) 61").counterpart() is None
