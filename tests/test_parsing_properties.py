"""Property tests of the minute parser: any input gives a ParsedMinute or NotAMinute, and JSON of the agreed shape."""

import json
import re
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from decisions.models import NUMBER_PATTERN
from decisions.parsing import NotAMinute, ParsedMinute, parse_minute

SAMPLES = sorted((Path(__file__).parent / "samples").glob("*.txt"))
SAMPLE_TEXTS = [path.read_text(encoding="utf-8") for path in SAMPLES]

TOP_KEYS = {
    "reference", "body", "date", "title", "portfolios", "classification", "signatory",
    "decisions", "follow_ups", "release", "warnings",
}
DECISION_KEYS = {"number", "verb", "printed_verb", "text", "redactions"}
REDACTION_KEYS = {"ground", "label"}
FOLLOW_UP_KEYS = {"decision", "kind", "responsible", "report_to", "due_date", "due_precision", "due_text"}
RELEASE_KEYS = {"publish_date", "minister", "redacted", "grounds"}
PRECISIONS = {"day", "month", "half", "year", "none"}
KINDS = {"report_back", "direction", "delegated_decision", "drafting_instructions", "other"}

# Words and marks that minutes are made of, so random text reaches the parser's deeper paths.
MINUTE_PIECES = [
    "On 2 February 2026, Cabinet:", "On 1 July 2025, the Cabinet Economic Policy Committee:", "Minute of Decision",
    "1 noted that", "2 agreed", "2.1", "3.", "- ", "**invited**", "invited the Minister for Resources to report back to Cabinet",
    "by 30 September 2025", "by mid-2026", "in March 2026", "within three months", "authorised the Minister to make final decisions",
    ";", ":", ".", "\n", "\n\n", "\t", " ", "s9(2)(f)(iv)", "[REDACTED]", "Negotiations", "[withheld under 9(2)(j)]",
    "Out of scope", "CAB-26-MIN-0018", "(CAB-19-MIN-0169 refers)", "CAB Min (10) 39/8", "Portfolios Foreign Affairs / Resources",
    "Rachel Hayward", "Secretary of the Cabinet", "Hard-copy distribution:", "1 883jp3jkpp 2019-07-09 11:05:40",
    "releasedForeign", "Proactively", "COVERSHEET", "Date to be published\t17 March 2026", "Information redacted\n\nYES",
    "BUDGET : SENSITIVE", "Report of the Cabinet Legislation Committee: Period Ended 1 May 2026", "GOV-19-MIN-0024 CONFIRMED",
    "having been authorised by Cabinet to have Power to Act [CAB-19-MIN-0199]", "following reference from the Cabinet Legislation Committee (LEG),",
    "On 31 February 2026, Cabinet:", "On 31 December 9999, Cabinet noted", "\ufffd", "~~", "by 31 March",
]


def assert_valid(minute):
    assert isinstance(minute, ParsedMinute)
    data = json.loads(json.dumps(minute.as_json()))
    assert set(data) == TOP_KEYS
    assert all(isinstance(value, str) for value in data["portfolios"] + data["warnings"])
    numbers = [decision["number"] for decision in data["decisions"]]
    assert len(numbers) == len(set(numbers))  # the register keeps one paragraph per number
    assert all(re.match(NUMBER_PATTERN, number) for number in numbers)
    for decision in data["decisions"]:
        assert set(decision) == DECISION_KEYS
        assert all(set(redaction) == REDACTION_KEYS for redaction in decision["redactions"])
    for follow_up in data["follow_ups"]:
        assert set(follow_up) == FOLLOW_UP_KEYS
        assert follow_up["due_precision"] in PRECISIONS
        assert follow_up["kind"] in KINDS
        assert (follow_up["due_date"] is None) == (follow_up["due_precision"] == "none")
    if data["release"] is not None:
        assert set(data["release"]) == RELEASE_KEYS


def parse_or_refuse(text):
    try:
        minute = parse_minute(text)
    except NotAMinute as error:
        assert str(error)
        return
    assert_valid(minute)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
@example("")
@example("\x00\x01\x02")
@example("On 31 February 2026, Cabinet:\n1 noted that x.")
def test_any_unicode_text_is_parsed_or_refused(text):
    parse_or_refuse(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary())
def test_binary_decoded_as_latin_1_is_parsed_or_refused(data):
    parse_or_refuse(data.decode("latin-1"))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(MINUTE_PIECES), st.text(max_size=8)), max_size=40).map("".join))
def test_text_made_of_minute_pieces_is_parsed_or_refused(text):
    parse_or_refuse(text)


@st.composite
def mutated_sample(draw):
    text = draw(st.sampled_from(SAMPLE_TEXTS))
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        start = draw(st.integers(min_value=0, max_value=len(text)))
        end = draw(st.integers(min_value=start, max_value=min(len(text), start + 200)))
        insertion = draw(st.one_of(st.just(""), st.text(max_size=20), st.sampled_from(MINUTE_PIECES)))
        text = text[:start] + insertion + text[end:]
    return text


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_sample())
def test_samples_with_random_deletions_and_insertions_are_parsed_or_refused(text):
    parse_or_refuse(text)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SAMPLE_TEXTS), st.text(alphabet=" \n\t;:.-1", max_size=5000))
def test_long_runs_of_separators_do_not_break_the_parser(sample, filler):
    parse_or_refuse(sample + filler + sample)
