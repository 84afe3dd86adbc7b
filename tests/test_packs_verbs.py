"""One verb vocabulary: what the JSON calls a verb is what the register stores, the printed phrase beside it."""

from decisions.importing import VERBS
from decisions.models import DecisionItem
from decisions.parsing import parse_minute
from decisions.parsing.results import OTHER_VERB, STORED_VERBS, stored_verb


def test_every_stored_verb_is_a_choice_of_the_register_and_every_choice_can_be_printed():
    choices = set(DecisionItem.Verb.values) - {""}

    assert set(STORED_VERBS.values()) | {OTHER_VERB} == choices
    for printed, value in VERBS.items():  # what the importer saves for each printed verb
        assert stored_verb(printed) == value


def test_the_json_gives_the_verb_as_stored_and_the_printed_phrase_where_it_differs():
    minute = parse_minute(
        "On 2 February 2026, Cabinet:\n\n1 noted the report;\n2 agreed to the proposal;\n"
        "3 agreed in principle that the scheme be extended;\n4 requested further advice;\n5 s9(2)(g)(i)\n"
    )

    assert [(item["verb"], item["printed_verb"]) for item in minute.as_json()["decisions"]] == [
        ("noted", None), ("agreed", "agreed to"), ("agreed_in_principle", "agreed in principle"), ("other", "requested"),
        (None, None),
    ]
