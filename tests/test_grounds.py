"""The withholding grounds: every label, synonym and code a release prints leads back to its ground."""

import pytest

from cabinet.grounds import BY_CODE, GROUNDS, ground_for_words, grounds_in_text


@pytest.mark.parametrize("ground", GROUNDS, ids=lambda ground: ground.code)
def test_every_label_maps_back_to_its_ground(ground):
    assert ground_for_words(ground.label) is ground
    assert ground_for_words(ground.label.upper()) is ground
    assert ground_for_words(f"  {ground.label.title()}. ") is ground


@pytest.mark.parametrize("ground", GROUNDS, ids=lambda ground: ground.code)
def test_every_synonym_maps_back_to_its_ground(ground):
    for words in ground.synonyms:
        assert ground_for_words(words) is ground, words


@pytest.mark.parametrize("ground", GROUNDS, ids=lambda ground: ground.code)
def test_every_code_maps_back_to_its_ground_however_printed(ground):
    code = ground.code
    for printed in (code, f"s{code}", f"s {code}", f"[{code}]", f"section {code}", f"withheld under s{code}",
                    f"Withheld under section {code};", f"S{code.upper()}"):
        assert ground_for_words(printed) is ground, printed


def test_labels_and_codes_are_unique():
    assert len(BY_CODE) == len(GROUNDS)
    assert len({ground.label for ground in GROUNDS}) == len(GROUNDS)


@pytest.mark.parametrize("words", ["", None, "out of scope", "redacted content", "9(2)", "s9(2)(z)", "negotiations and privacy"])
def test_words_that_name_no_single_ground_give_none(words):
    assert ground_for_words(words) is None


def test_section_6_grounds_are_conclusive_and_section_9_are_weighed():
    assert [ground.code for ground in GROUNDS if ground.is_conclusive] == ["6(a)", "6(b)(i)", "6(b)(ii)", "6(c)", "6(d)", "6(e)"]
    assert not BY_CODE["9(2)(j)"].is_conclusive and not BY_CODE["18(d)"].is_conclusive


def test_grounds_in_a_sentence_come_in_the_order_they_are_named():
    text = "Information has been withheld to protect Negotiations, legal professional privilege and  international\nrelations."
    assert [ground.code for ground in grounds_in_text(text)] == ["9(2)(j)", "9(2)(h)", "6(a)"]
    assert grounds_in_text("") == [] and grounds_in_text(None) == []


def test_the_grounds_table_cannot_be_changed_by_accident():
    import dataclasses

    ground = BY_CODE["9(2)(a)"]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'label'"):
        ground.label = "personal details"
    assert ground.label == "privacy" and len(set(GROUNDS)) == len(GROUNDS)
