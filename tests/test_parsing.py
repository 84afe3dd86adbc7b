"""The minute parser on released minutes and on invented hard cases, one for each variant DOMAIN.md describes."""

import datetime
import json
from pathlib import Path

import pytest

from decisions.parsing import NotAMinute, parse_minute
from tests.pdfpacks import WRAP, sample_text, wrapped_lines

SAMPLES = Path(__file__).parent / "samples"
REAL_SAMPLES = sorted(path.name for path in SAMPLES.glob("*.txt") if not path.name.startswith("invented"))

BOILERPLATE = (
    "This document contains information for the New Zealand Cabinet. It must be treated in confidence and handled "
    "in accordance with any security classification, or other endorsement. The information can only be released, "
    "including under the Official Information Act 1982, by persons with the appropriate authority."
)
DOMAIN_EXAMPLE = """On 1 July 2025, the Cabinet Economic Policy Committee:
1 noted that ...;
2 invited the Minister for Example, in consultation with the Minister of Finance, to report
  back to the Cabinet Economic Policy Committee by 30 September 2025 on options for ...;
3 directed officials from the Ministry of Example to report to the Minister for Example by
  the end of August 2025 on ...;
4 authorised the Minister of Finance and the Minister for Example jointly to make final
  decisions on the detailed design.
"""


def sample(name):
    return (SAMPLES / name).read_text(encoding="utf-8")


def numbers_and_verbs(minute):
    return [(decision.number, decision.verb) for decision in minute.decisions]


def decision(minute, number):
    return next(item for item in minute.decisions if item.number == number)


def minute_with_items(items, lead_in="On 1 July 2025, Cabinet:"):
    return parse_minute(f"Cabinet\n\nMinute of Decision\n\nAn Invented Title\n\n{lead_in}\n\n{items}\n\nJane Example\nSecretary of the Cabinet\n")


def follow_up_json(items, lead_in="On 1 July 2025, Cabinet:"):
    return minute_with_items(items, lead_in).as_json()["follow_ups"]


# Numbering and verbs determined by reading each sample, not by running the parser.
EXPECTED_ITEMS = {
    "CAB-26-MIN-0018.txt": [("1", "noted"), ("2", "noted"), ("3", "noted"), ("4", "invited")],
    "CAB-19-MIN-0330.txt": [
        ("1", "authorised"), ("2", "agreed"), ("3", "approved"), ("4", "agreed"), ("5", "agreed"),
        ("5.1", None), ("5.2", None),
    ],
    "CAB-19-MIN-0336.txt": [
        ("1", "authorised"), ("2", "agreed"), ("3", "approved"), ("4", "agreed"),
        ("4.1", None), ("4.2", None), ("4.3", None), ("5", "noted"),
    ],
    "CAB-Min-(10)-39-8.txt": [("1", "noted"), ("1.1", None), ("1.2", None), ("1.3", None), ("2", "endorsed")],
    "SWC-19-MIN-0085.txt": [
        ("1", "noted"), ("2", "noted"), ("3", "noted"), ("3.1", None), ("3.2", None),
        ("4", "noted"), ("5", "noted"), ("6", "noted"),
    ],
    # A Report of Committee: its one unnumbered row confirms GOV-19-MIN-0024; rows are read as items in order.
    "CAB-19-MIN-0223.txt": [("1", "confirmed")],
    "invented-ECO-25-MIN-0101.txt": [
        ("1", "noted"), ("2", "invited"), ("3", "directed"), ("4", "authorised"), ("5", "agreed"),
        ("5.1", None), ("5.2", None), ("5.3", None), ("6", None), ("7", "noted"), ("8", "invited"),
        ("9", "agreed in principle"),
    ],
    "invented-CAB-25-MIN-0200-flattened.txt": [
        ("1", "authorised"), ("2", "agreed"), ("3", "approved"), ("4", "agreed"), ("4.1", None), ("4.2", None),
        ("5", "noted"),
    ],
    "invented-CAB-25-MIN-0300-report.txt": [("1", "confirmed"), ("2", "amended"), ("3", "referred")],
    "invented-CAB-25-MIN-0400-html-lists.txt": [
        ("1", "noted"), ("1.1", None), ("1.2", None), ("1.3", None),
        ("2", "agreed to"), ("2.1", None), ("2.2", None), ("2.2.1", None), ("2.2.2", None),
        ("3", "invited"), ("4", "directed"), ("4.1", None), ("4.2", None),
    ],
}

EXPECTED_HEADERS = {
    "CAB-26-MIN-0018.txt": (
        "CAB-26-MIN-0018", "CAB", "2026-02-02",
        "A Non-Binding Framework on Critical Minerals Between the United States and New Zealand",
        ["Foreign Affairs", "Resources"], "Rachel Hayward",
    ),
    "CAB-19-MIN-0330.txt": (
        "CAB-19-MIN-0330", "CAB", "2019-07-01", "Proposed Overseas Travel: Rt Hon Winston Peters",
        ["Foreign Affairs"], "Michael Webster",
    ),
    "CAB-19-MIN-0336.txt": (
        "CAB-19-MIN-0336", "CAB", "2019-07-01", "Proposed Overseas Travel: Hon David Parker",
        ["Trade and Export Growth"], "Michael Webster",
    ),
    "CAB-Min-(10)-39-8.txt": ("CAB Min (10) 39/8", "CAB", "2010-11-01", "Defence White Paper: Final Draft", ["Defence"], None),
    "SWC-19-MIN-0085.txt": ("SWC-19-MIN-0085", "SWC", "2019-07-24", "Adopting the Child and Youth Wellbeing Strategy", [], None),
    "CAB-19-MIN-0223.txt": (
        "CAB-19-MIN-0223", "CAB", "2019-05-13",
        "Report of the Cabinet Government Administration and Expenditure Review Committee: Period Ended 10 May 2019",
        [], "Michael Webster",
    ),
}


def test_samples_are_copied_verbatim_with_their_source_line():
    assert len(REAL_SAMPLES) == 6
    assert sample("CAB-19-MIN-0330.txt").startswith("https://docslib.org/doc/1499632/proactive-release\n")


def test_the_complete_release_cab_26_min_0018_parses_exactly():
    data = parse_minute(sample("CAB-26-MIN-0018.txt")).as_json()

    assert data["reference"] == "CAB-26-MIN-0018"
    assert data["body"] == "CAB"
    assert data["date"] == "2026-02-02"
    assert data["portfolios"] == ["Foreign Affairs", "Resources"]
    assert data["title"] == "A Non-Binding Framework on Critical Minerals Between the United States and New Zealand"
    assert data["signatory"] == "Rachel Hayward"
    assert [(item["number"], item["verb"]) for item in data["decisions"]] == [
        ("1", "noted"), ("2", "noted"), ("3", "noted"), ("4", "invited"),
    ]
    assert data["decisions"][1]["redactions"] == [{"ground": "9(2)(j)", "label": "Negotiations"}]
    assert data["follow_ups"] == [{
        "decision": "4", "kind": "report_back", "responsible": "Minister for Resources", "report_to": "Cabinet",
        "due_date": None, "due_precision": "none", "due_text": None,
    }]
    assert data["release"] == {
        "publish_date": "2026-03-17", "minister": "Hon Shane Jones", "redacted": True,
        "grounds": ["6(a)", "9(2)(j)", "9(2)(h)", "9(2)(b)(ii)", "9(2)(f)(iv)", "9(2)(g)(i)"],
    }


def test_cab_26_min_0018_flags_the_undated_report_back_for_a_clerk():
    minute = parse_minute(sample("CAB-26-MIN-0018.txt"))

    assert minute.warnings == ["Item 4: the report-back has no due date; a clerk should set one."]
    assert minute.decisions[0].text.startswith("noted that New Zealand will be represented")
    assert "**" not in minute.decisions[0].text


def test_cab_26_min_0018_coversheet_is_read_in_full():
    release = parse_minute(sample("CAB-26-MIN-0018.txt")).release

    assert release.portfolios == ["Resources"]
    assert release.title == "A Non-Binding Framework on Critical Minerals Between the United States and New Zealand"
    assert [(document.date, document.date_precision, document.author) for document in release.documents] == [
        (datetime.date(2026, 2, 28), "month", "Office of the Minister for Foreign Affairs Office of the Minister for Resources"),
        (datetime.date(2026, 2, 2), "day", "Cabinet Office"),
    ]


def test_the_invented_dated_example_in_domain_md():
    minute = parse_minute(DOMAIN_EXAMPLE)
    data = minute.as_json()

    assert data["body"] == "ECO"
    assert data["date"] == "2025-07-01"
    assert data["follow_ups"] == [
        {"decision": "2", "kind": "report_back", "responsible": "Minister for Example",
         "report_to": "Cabinet Economic Policy Committee", "due_date": "2025-09-30", "due_precision": "day",
         "due_text": "by 30 September 2025"},
        {"decision": "3", "kind": "report_back", "responsible": "Ministry of Example", "report_to": "Minister for Example",
         "due_date": "2025-08-31", "due_precision": "month", "due_text": "by the end of August 2025"},
        {"decision": "4", "kind": "delegated_decision", "responsible": "Minister of Finance and the Minister for Example",
         "report_to": None, "due_date": None, "due_precision": "none", "due_text": None},
    ]
    assert minute.body_name == "Cabinet Economic Policy Committee"


@pytest.mark.parametrize("name", sorted(EXPECTED_ITEMS))
def test_every_sample_has_the_numbering_and_verbs_read_by_hand(name):
    assert numbers_and_verbs(parse_minute(sample(name))) == EXPECTED_ITEMS[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_HEADERS))
def test_every_real_sample_has_its_reference_body_date_title_portfolios_and_signatory(name):
    data = parse_minute(sample(name)).as_json()

    header = (data["reference"], data["body"], data["date"], data["title"], data["portfolios"], data["signatory"])
    assert header == EXPECTED_HEADERS[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_ITEMS))
def test_every_sample_gives_json_with_exactly_the_agreed_keys(name):
    data = json.loads(json.dumps(parse_minute(sample(name)).as_json()))

    assert list(data) == [
        "reference", "body", "date", "title", "portfolios", "classification", "signatory",
        "decisions", "follow_ups", "release", "warnings",
    ]


def test_report_of_committee_lists_the_committee_minutes_it_confirms():
    minute = parse_minute(sample("CAB-19-MIN-0223.txt"))

    assert minute.kind == "report"
    assert minute.report_of == "GOV"
    assert [(row.reference, row.outcome) for row in minute.confirmed] == [("GOV-19-MIN-0024", "confirmed")]
    assert minute.release.publish_date == datetime.date(2019, 8, 5)


def test_invented_report_of_committee_keeps_each_outcome():
    minute = parse_minute(sample("invented-CAB-25-MIN-0300-report.txt"))

    assert (minute.kind, minute.body, minute.report_of, minute.classification) == ("report", "CAB", "SOU", "IN CONFIDENCE")
    assert [(row.reference, row.title, row.outcome) for row in minute.confirmed] == [
        ("SOU-25-MIN-0061", "Example Housing Programme: Next Steps", "confirmed"),
        ("SOU-25-MIN-0062", "Example School Lunches Review", "amended"),
        ("SOU-25-MIN-0063", "Example Health Targets", "referred back"),
    ]
    assert decision(minute, "3").text == "referred back SOU-25-MIN-0063: Example Health Targets"
    assert minute.warnings == [
        "The committee minutes this Report of Committee lists are not numbered; they were read as items in order.",
    ]


def test_flattened_release_with_watermark_splices_reads_clean_text():
    minute = parse_minute(sample("CAB-19-MIN-0330.txt"))

    assert "from New Zealand, subject to leave" in decision(minute, "1").text
    assert decision(minute, "2").text == "agreed that he be accompanied by one member of staff;"
    assert decision(minute, "4").text.endswith("met by the Ministry of Foreign Affairs and Trade;")
    assert decision(minute, "5.1").text == (
        "Hon Shane Jones act as Minister of Foreign Affairs, Minister for Disarmament and Arms Control and Minister for Racing;"
    )
    assert decision(minute, "5.2").text == "Hon Dr Megan Woods act as Minister for State Owned Enterprises."
    assert minute.release.publish_date == datetime.date(2019, 8, 1)
    assert minute.release.released_by == "Ministry of Foreign Affairs and Trade"


def test_cover_note_refers_line_gives_the_reference_and_redaction_keeps_the_paragraph():
    minute = parse_minute(sample("CAB-19-MIN-0336.txt"))

    assert decision(minute, "3").redactions[0].ground == "9(2)(f)(iv)"
    assert decision(minute, "3").verb == "approved"
    assert not decision(minute, "3").is_redacted
    assert decision(minute, "4.2").text == "Hon Damien O’Connor act as Minister of Trade and Export Growth;"
    assert minute.release.publish_date == datetime.date(2019, 8, 26)


def test_ocr_damaged_pre_2015_minute_keeps_what_is_certain():
    minute = parse_minute(sample("CAB-Min-(10)-39-8.txt"))

    assert minute.referred_from == "ERD"
    assert minute.release is None
    assert decision(minute, "1.3").text == ""
    assert "Item 1.3 has no readable text." in minute.warnings
    assert "~" not in decision(minute, "1").text


def test_extract_from_a_web_page_restarts_list_numbers():
    minute = parse_minute(sample("SWC-19-MIN-0085.txt"))

    assert minute.body_name == "Cabinet Social Wellbeing Committee"
    assert minute.release.minister == "Rt Hon Jacinda Ardern"
    assert minute.release.portfolios == ["Child Poverty Reduction"]
    assert minute.warnings == ["The sub-items of item 3 were numbered from 1 again; they were read as 3.1, 3.2, ..."]
    assert decision(minute, "3.1").text.startswith("minor changes to the proposed framing")


def test_invented_committee_minute_reads_every_part():
    minute = parse_minute(sample("invented-ECO-25-MIN-0101.txt"))

    assert (minute.reference, minute.body, minute.classification) == ("ECO-25-MIN-0101", "ECO", "BUDGET : SENSITIVE")
    assert minute.title == "Example Regional Infrastructure Fund: Final Design"
    assert minute.portfolios == ["Example", "Finance"]
    assert minute.signatory == "Jane Example"
    assert decision(minute, "1").heading == "Background"
    assert decision(minute, "4").heading == "Funding"
    assert decision(minute, "3").text.endswith("on regional uptake;")
    assert decision(minute, "5.3").text == "a share for each region of [withheld under 9(2)(j)];"


def test_invented_committee_minute_redactions():
    minute = parse_minute(sample("invented-ECO-25-MIN-0101.txt"))

    assert (decision(minute, "5.2").is_redacted, decision(minute, "5.2").redactions[0].ground) == (True, "9(2)(f)(iv)")
    assert (decision(minute, "6").is_redacted, decision(minute, "6").redactions[0].ground) == (True, "9(2)(b)(ii)")
    assert decision(minute, "5.3").redactions[0].ground == "9(2)(j)"
    nine = decision(minute, "9")
    assert [(r.ground, r.label, r.marker) for r in nine.redactions] == [
        ("9(2)(f)(iv)", "Confidential advice to government", "[REDACTED]"),
    ]


def test_invented_committee_minute_follow_ups():
    minute = parse_minute(sample("invented-ECO-25-MIN-0101.txt"))

    assert [(f["decision"], f["kind"], f["responsible"]) for f in minute.as_json()["follow_ups"]] == [
        ("2", "report_back", "Minister for Example"),
        ("3", "report_back", "Ministry of Example"),
        ("4", "delegated_decision", "Minister of Finance and the Minister for Example"),
        ("8", "drafting_instructions", "Minister for Example"),
    ]
    hint = minute.follow_ups[3]
    assert (hint.decision, hint.needs_confirmation) == ("7", True)
    assert (hint.report_to, hint.due_date, hint.due_precision) == (
        "Cabinet Economic Policy Committee", datetime.date(2026, 3, 31), "month",
    )
    assert minute.warnings == [
        "Item 7: “noted …” mentions a report-back but does not direct one; a clerk should confirm whether it is a follow-up.",
    ]


def test_invented_flattened_release():
    minute = parse_minute(sample("invented-CAB-25-MIN-0200-flattened.txt"))

    assert minute.reference == "CAB-25-MIN-0200"
    assert minute.title == "Proposed Overseas Travel: Hon Jane Doe"
    assert minute.portfolios == ["Example"]
    assert minute.signatory == "Alex Sample"
    assert decision(minute, "1").text.startswith("authorised the absence of Hon Jane Doe from New Zealand,")
    assert decision(minute, "3").text.startswith("approved the expenditure")
    assert decision(minute, "4.1").text == "Hon John Smith act as Minister of Example;"
    assert decision(minute, "5").text == "noted that the Minister for Example will report back to Cabinet on the outcomes of the visit."
    assert minute.as_json()["follow_ups"] == []
    assert minute.release.publish_date == datetime.date(2025, 9, 1)


def test_invented_html_lists_renumber_and_warn():
    minute = parse_minute(sample("invented-CAB-25-MIN-0400-html-lists.txt"))

    assert (minute.reference, minute.title) == ("CAB-25-MIN-0400", "Example Water Reform")
    assert minute.warnings[:4] == [
        "The sub-items of item 1 were numbered from 1 again; they were read as 1.1, 1.2, ...",
        "The sub-items of item 2 were numbered from 1 again; they were read as 2.1, 2.2, ...",
        "The sub-items of item 2.2 were numbered from 1 again; they were read as 2.2.1, 2.2.2, ...",
        "The sub-items of item 4 were printed without numbers; they were numbered 4.1, 4.2, ...",
    ]
    assert minute.as_json()["follow_ups"][0] == {
        "decision": "3", "kind": "report_back", "responsible": "Minister of Local Government", "report_to": "Cabinet",
        "due_date": "2025-06-30", "due_precision": "month", "due_text": "by the end of June 2025",
    }


# --- references -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("printed", "expected", "lead_in"), [
    ("CAB-19-MIN-0219", "CAB-19-MIN-0219", "Cabinet"),
    ("CAB-19-MIN-219", "CAB-19-MIN-0219", "Cabinet"),
    ("CAB\u201019\u2010MIN\u20100219", "CAB-19-MIN-0219", "Cabinet"),
    ("CAB\u201119\u2011MIN\u20110219", "CAB-19-MIN-0219", "Cabinet"),
    ("CAB\u201319\u2013MIN\u20130219", "CAB-19-MIN-0219", "Cabinet"),
    ("CAB-19- MIN-0029", "CAB-19-MIN-0029", "Cabinet"),
    ("SOC-15-MIN-0034.01", "SOC-15-MIN-0034.01", "the Cabinet Social Policy Committee"),
    ("CAB-19-MIN-0219 Revised", "CAB-19-MIN-0219", "Cabinet"),
    ("[CAB-19-MIN-0219]", "CAB-19-MIN-0219", "Cabinet"),
    ("(CAB-19-MIN-0219 refers)", "CAB-19-MIN-0219", "Cabinet"),
    ("CAB Min (10) 39/8", "CAB Min (10) 39/8", "Cabinet"),
    ("ERD Min (10) 11/1", "ERD Min (10) 11/1", "the Cabinet External Relations and Defence Committee"),
])
def test_every_reference_variant_is_read_as_the_minutes_own(printed, expected, lead_in):
    minute = parse_minute(
        f"{printed}\n\nCabinet\n\nMinute of Decision\n\n{BOILERPLATE}\n\nA Title\n\n"
        f"On 1 July 2019, {lead_in}:\n\n1 noted that x.\n"
    )

    assert minute.reference == expected
    assert minute.warnings == []


def test_a_cross_reference_inside_a_decision_is_not_the_minutes_reference():
    minute = parse_minute("On 1 July 2019, Cabinet:\n1 agreed to rescind the decision (CAB-19-MIN-0169 refers);\n2 noted [CAB-19-MIN-0170].\n")

    assert minute.reference is None
    assert minute.body == "CAB"


def test_a_cross_reference_in_the_title_is_not_the_minutes_reference():
    minute = parse_minute(f"Cabinet\n\nMinute of Decision\n\n{BOILERPLATE}\n\nReview of the Fund (CAB-19-MIN-0169 refers)\n\nOn 1 July 2019, Cabinet:\n\n1 noted x.\n")

    assert minute.reference is None


def test_a_reference_printed_just_below_minute_of_decision_is_the_minutes_own():
    minute = parse_minute("Cabinet\n\nMinute of Decision\nCAB-19-MIN-0170\n\nA Title\n\nOn 1 July 2019, Cabinet:\n\n1 noted x.\n")

    assert minute.reference == "CAB-19-MIN-0170"


def test_a_paper_reference_given_as_the_hint_names_its_minute():
    minute = parse_minute("On 1 July 2019, Cabinet:\n1 noted x.\n", reference_hint="CAB-19-SUB-0200")

    assert minute.reference == "CAB-19-MIN-0200"


def test_a_reference_hint_fills_a_minute_that_prints_none():
    text = "On 1 July 2019, Cabinet:\n1 agreed to rescind the decision (CAB-19-MIN-0169 refers).\n"

    minute = parse_minute(text, reference_hint="CAB-19-MIN-0200")

    assert (minute.reference, minute.warnings) == ("CAB-19-MIN-0200", [])


def test_a_reference_hint_that_contradicts_the_masthead_is_reported():
    minute = parse_minute(sample("CAB-26-MIN-0018.txt"), reference_hint="CAB-26-MIN-0019")

    assert minute.reference == "CAB-26-MIN-0018"
    assert "The text names the minute CAB-26-MIN-0018, not CAB-26-MIN-0019 as given; CAB-26-MIN-0018 was used." in minute.warnings


def test_a_reference_hint_that_is_not_a_reference_is_ignored_with_a_warning():
    minute = parse_minute(sample("CAB-19-MIN-0336.txt"), reference_hint="minutes.txt")

    assert minute.reference == "CAB-19-MIN-0336"
    assert "The reference given (“minutes.txt”) is not a Cabinet reference and was ignored." in minute.warnings


def test_two_equally_likely_references_are_reported_as_uncertain():
    minute = parse_minute(
        "The following minutes have been proactively released: Travel (CAB-19-MIN-0330 refers) and Visit (CAB-19-MIN-0336 refers)\n\n"
        "On 1 July 2019, Cabinet:\n1 noted that x.\n"
    )

    assert minute.reference == "CAB-19-MIN-0330"
    assert "The minute's reference is uncertain (CAB-19-MIN-0330, CAB-19-MIN-0336); CAB-19-MIN-0330 was used." in minute.warnings


def test_the_reference_body_wins_over_the_lead_in_with_a_warning():
    minute = parse_minute("ECO-25-MIN-0001\n\nMinute of Decision\n\nA Title\n\nOn 1 July 2025, Cabinet:\n\n1 noted that x.\n")

    assert minute.body == "ECO"
    assert minute.warnings == ["The reference ECO-25-MIN-0001 is of ECO, but the lead-in names Cabinet; ECO was used."]


# --- lead-ins ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("lead_in", "body", "date", "power_to_act", "referred_from", "kind"), [
    ("On 2 February 2026, Cabinet:", "CAB", datetime.date(2026, 2, 2), False, None, "decision"),
    ("On Monday 2 February 2026 Cabinet:", "CAB", datetime.date(2026, 2, 2), False, None, "decision"),
    ("On 1 July 2025, the Cabinet Economic Policy Committee:", "ECO", datetime.date(2025, 7, 1), False, None, "decision"),
    ("On 1 July 2025, the Cabinet Economic\nPolicy Committee:", "ECO", datetime.date(2025, 7, 1), False, None, "decision"),
    ("On 24 July 2019, the Cabinet Social Wellbeing Committee (SWC):", "SWC", datetime.date(2019, 7, 24), False, None, "decision"),
    ("On 3 June 2019, following reference from the Cabinet Legislation Committee (LEG), Cabinet:",
     "CAB", datetime.date(2019, 6, 3), False, "LEG", "decision"),
    ("On 3 June 2019, following reference from the Cabinet Legislation Committee, Cabinet:",
     "CAB", datetime.date(2019, 6, 3), False, "LEG", "decision"),
    ("On 5 June 2019, the Cabinet Economic Development Committee, having been authorised by Cabinet to have Power to Act [CAB-19-MIN-0199]:",
     "DEV", datetime.date(2019, 6, 5), True, None, "decision"),
])
def test_every_lead_in_form(lead_in, body, date, power_to_act, referred_from, kind):
    minute = parse_minute(f"{lead_in}\n\n1 noted that x;\n\n2 agreed that y.\n")

    assert (minute.body, minute.date, minute.power_to_act, minute.referred_from, minute.kind) == (
        body, date, power_to_act, referred_from, kind,
    )
    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "agreed")]
    assert minute.reference is None


def test_the_one_sentence_lead_in_is_an_oral_minute_with_one_item():
    minute = parse_minute(
        "Cabinet\n\nMinute of Decision\n\nOral Item: COVID-19 Update\n\n"
        "On 14 April 2020, Cabinet noted the report of the Prime Minister on the COVID-19 response.\n\n"
        "Michael Webster\nSecretary of the Cabinet\n"
    )

    assert (minute.kind, minute.body, minute.date) == ("oral", "CAB", datetime.date(2020, 4, 14))
    assert [(item.number, item.verb, item.text) for item in minute.decisions] == [
        ("1", "noted", "noted the report of the Prime Minister on the COVID-19 response."),
    ]
    assert minute.title == "Oral Item: COVID-19 Update"
    assert minute.signatory == "Michael Webster"


def test_a_lead_in_that_lost_its_colon_still_gives_the_date():
    minute = parse_minute("On 2 February 2026, Cabinet\n\n1 noted that x;\n\n2 agreed that y.\n")

    assert (minute.date, minute.body) == (datetime.date(2026, 2, 2), "CAB")
    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "agreed")]


def test_a_lead_in_with_an_impossible_date_is_kept_with_a_warning():
    minute = parse_minute("On 31 February 2026, Cabinet:\n1 noted that x.\n")

    assert minute.date is None
    assert minute.warnings == ["The date in the lead-in “On 31 February 2026, Cabinet:” is not a real date."]


def test_a_minute_without_a_lead_in_warns_that_the_date_is_unknown():
    minute = parse_minute("Cabinet\n\nMinute of Decision\n\nA Title\n\n1 noted that x;\n\n2 agreed that y.\n")

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "agreed")]
    assert minute.title == "A Title"
    assert minute.warnings == ["No lead-in (“On <date>, Cabinet:”) was found: the decision date is unknown."]


# --- numbering variants -----------------------------------------------------------------------------------------

def test_a_whole_minute_flattened_to_one_line_with_inline_sub_paragraphs():
    minute = parse_minute(
        "Cabinet Minute of Decision A Title Portfolio Finance On 1 July 2019, Cabinet: 1 noted that x; "
        "2 agreed that in his absence: 2.1 Hon A act as Minister of Finance; 2.2 Hon B act as Minister for Racing; "
        "3 approved expenditure of up to $33,603 from 15 to 20 July 2019. Jane Example Secretary of the Cabinet"
    )

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "agreed"), ("2.1", None), ("2.2", None), ("3", "approved")]
    assert (minute.title, minute.portfolios, minute.signatory) == ("A Title", ["Finance"], "Jane Example")


def test_html_lists_restarting_at_1_under_each_paragraph_ending_with_a_colon():
    minute = minute_with_items("1. noted that:\n  1. x;\n  2. y;\n2. agreed that:\n  1. z;\n3. noted that w.")

    assert numbers_and_verbs(minute) == [
        ("1", "noted"), ("1.1", None), ("1.2", None), ("2", "agreed"), ("2.1", None), ("3", "noted"),
    ]
    assert minute.warnings == [
        "The sub-items of item 1 were numbered from 1 again; they were read as 1.1, 1.2, ...",
        "The sub-items of item 2 were numbered from 1 again; they were read as 2.1, 2.2, ...",
    ]


def test_bullets_without_numbers_are_numbered_in_order_with_a_warning():
    minute = minute_with_items("- noted that a;\n- agreed that:\n  - b;\n  - c;\n- approved d.")

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "agreed"), ("2.1", None), ("2.2", None), ("3", "approved")]
    assert minute.warnings[0] == "The items were printed without numbers; they were numbered in order."


def test_lines_that_lost_their_numbers_are_numbered_in_order_with_a_warning():
    minute = minute_with_items("noted that a;\n\nagreed that b;\n\ninvited the Minister of Finance to report back to Cabinet by June 2026.")

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "agreed"), ("3", "invited")]
    assert minute.warnings[0] == "The items were printed without numbers; they were numbered in order."


def test_markdown_bullets_with_numbers_and_bold_verbs():
    minute = minute_with_items("- 1 **noted** that a;\n- 2 **agreed** that b;\n- 3 __approved__ c.")

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "agreed"), ("3", "approved")]
    assert decision(minute, "3").text == "approved c."


def test_replacement_character_between_number_and_verb():
    minute = minute_with_items("1\ufffdnoted that a;\n2 \ufffd agreed that b.")

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "agreed")]
    assert decision(minute, "1").text == "noted that a;"


def test_page_footers_page_numbers_and_page_headers_are_not_items():
    minute = parse_minute(
        "CAB-19-MIN-0001\n\nCabinet\n\nMinute of Decision\n\nA Title\n\nOn 1 July 2019, Cabinet:\n\n"
        "1 noted that a;\n\n1 883jp3jkpp 2019-07-09 11:05:40\n\nIN CONFIDENCE\n\nCAB-19-MIN-0001\n\n"
        "2 agreed that b;\n\n2\n\n3 approved c.\n\nJane Example\nSecretary of the Cabinet\n"
    )

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "agreed"), ("3", "approved")]
    assert [item.text for item in minute.decisions] == ["noted that a;", "agreed that b;", "approved c."]
    assert minute.warnings == []


def test_a_number_glued_to_its_verb_and_a_flattened_page_header():
    minute = parse_minute("On 1 July 2019, Cabinet: 1.noted that a; 2.agreed that b; IN CONFIDENCE 3 approved c.")

    assert [(item.number, item.verb, item.text, item.heading) for item in minute.decisions] == [
        ("1", "noted", "noted that a;", None), ("2", "agreed", "agreed that b;", None), ("3", "approved", "approved c.", None),
    ]
    assert minute.classification == "IN CONFIDENCE"


def test_unnumbered_headings_between_paragraphs_do_not_break_the_numbering():
    minute = minute_with_items("1 noted that a;\n\nFunding and Governance\n\n2 agreed that b;\n\nNext Steps\n\n3 invited c.")

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "agreed"), ("3", "invited")]
    assert [item.heading for item in minute.decisions] == [None, "Funding and Governance", "Next Steps"]
    assert decision(minute, "1").text == "noted that a;"


def test_a_heading_between_paragraphs_of_a_flattened_minute():
    minute = parse_minute("On 1 July 2019, Cabinet: 1 noted that a; Funding 2 agreed that b; 3 approved c.")

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "agreed"), ("3", "approved")]
    assert decision(minute, "2").heading == "Funding"


def test_sub_items_of_a_paragraph_without_a_verb_keep_their_own_verbs():
    minute = minute_with_items("1 in relation to the fund:\n1.1 noted that a;\n1.2 agreed that b;\n2 agreed that the Bill be:\n2.1 referred to the Health Committee.")

    assert numbers_and_verbs(minute) == [("1", None), ("1.1", "noted"), ("1.2", "agreed"), ("2", "agreed"), ("2.1", None)]


def test_numbers_inside_sentences_are_not_items():
    minute = minute_with_items(
        "1 noted that the Minister will attend on\n2 February 2026 and that\n3 options were considered;\n"
        "2 agreed that 2 more staff, 3 vehicles and $2,500 be funded;\n3 approved Budget 2026: 4 initiatives."
    )

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "agreed"), ("3", "approved")]


def test_a_missing_item_number_does_not_hide_the_rest():
    minute = minute_with_items("1 noted that a;\n\n2 agreed that b;\n\n4 approved d;\n\n5 noted e.")

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "agreed"), ("4", "approved"), ("5", "noted")]
    assert minute.warnings == ["The numbering jumps from 2 to 4: an item may be missing."]


def test_watermark_splices_are_repaired_only_where_safe():
    minute = parse_minute(
        f"Proactively released by the Minister of Foreign Affairs\n\n{BOILERPLATE}\n\nOn 1 July 2019, Cabinet:\n"
        "1 noted that the Minister ofForeign Foreign Affairs will visit Newby Zealand and the land nearby the river;\n"
        "2 agreed that the releasedForeign Minister travel thereof.\n"
    )

    assert decision(minute, "1").text == (
        "noted that the Minister of Foreign Affairs will visit New Zealand and the land nearby the river;"
    )
    assert decision(minute, "2").text == "agreed that the Foreign Minister travel thereof."


# --- redactions -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("item", "expected", "is_redacted"), [
    ("1 s9(2)(f)(iv)", [("9(2)(f)(iv)", None, "s9(2)(f)(iv)")], True),
    ("1 [9(2)(f)(iv)]", [("9(2)(f)(iv)", None, "[9(2)(f)(iv)]")], True),
    ("1 noted that [withheld under 9(2)(f)(iv)];", [("9(2)(f)(iv)", None, "[withheld under 9(2)(f)(iv)]")], False),
    ("1 noted that [redacted content];", [(None, None, "[redacted content]")], False),
    ("1 noted that Out of scope;", [(None, "Out of scope", "Out of scope")], False),
    ("1 noted that, Negotiations [REDACTED]", [("9(2)(j)", "Negotiations", "[REDACTED]")], False),
    ("1 noted the cost of s 9(2)(b)(ii);", [("9(2)(b)(ii)", None, "s 9(2)(b)(ii)")], False),
    ("1 noted that [Legal professional privilege];", [("9(2)(h)", "Legal professional privilege", "[Legal professional privilege]")], False),
    ("1 noted that s6(a) and s9(2)(g)(i);", [("6(a)", None, "s6(a)"), ("9(2)(g)(i)", None, "s9(2)(g)(i)")], False),
    ("1 Negotiations [REDACTED]", [("9(2)(j)", "Negotiations", "[REDACTED]")], True),
    ("1 noted section 6D(1) of the Act [SWC-18-MIN-0049];", [], False),
])
def test_every_redaction_marker_form(item, expected, is_redacted):
    minute = minute_with_items(item)

    found = minute.decisions[0]
    assert [(r.ground, r.label, r.marker) for r in found.redactions] == expected
    assert found.is_redacted is is_redacted
    assert (found.verb is None) is is_redacted


# --- follow-ups and due dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("wording", "due_date", "precision", "due_text"), [
    ("by 31 March 2026", "2026-03-31", "day", "by 31 March 2026"),
    ("no later than 1 December 2025", "2025-12-01", "day", "no later than 1 December 2025"),
    ("by the end of June 2026", "2026-06-30", "month", "by the end of June 2026"),
    ("in March 2026", "2026-03-31", "month", "in March 2026"),
    ("by February 2028", "2028-02-29", "month", "by February 2028"),
    ("by the end of the first quarter of 2026", "2026-03-31", "month", "by the end of the first quarter of 2026"),
    ("by mid-2026", "2026-06-30", "half", "by mid-2026"),
    ("in the second half of 2026", "2026-12-31", "half", "in the second half of 2026"),
    ("by 2027", "2027-12-31", "year", "by 2027"),
    ("during 2027", "2027-12-31", "year", "during 2027"),
    ("by the end of 2026", "2026-12-31", "year", "by the end of 2026"),
])
def test_every_due_date_form(wording, due_date, precision, due_text):
    [follow_up] = follow_up_json(f"1 invited the Minister for Example to report back to Cabinet {wording} on progress.")

    assert (follow_up["due_date"], follow_up["due_precision"], follow_up["due_text"]) == (due_date, precision, due_text)


def test_a_due_date_without_a_year_takes_the_next_one_with_a_warning():
    minute = minute_with_items("1 invited the Minister for Example to report back to Cabinet by 31 March on progress.")

    assert minute.follow_ups[0].due_date == datetime.date(2026, 3, 31)
    assert minute.warnings == ["Item 1: the year of “by 31 March” is not printed: 2026 was assumed."]


def test_a_relative_due_date_is_computed_from_the_decision_date_with_a_warning():
    minute = minute_with_items("1 directed officials from the Treasury to report to the Minister of Finance within three months.")

    assert (minute.follow_ups[0].due_date, minute.follow_ups[0].responsible) == (datetime.date(2025, 10, 1), "Treasury")
    assert minute.warnings == ["Item 1: the due date 2025-10-01 was computed from the decision date (three months)."]


@pytest.mark.parametrize(("item", "expected"), [
    ("1 invited the Minister of Health to report back to the Cabinet Social Outcomes Committee by 30 June 2026 on x.",
     ("report_back", "Minister of Health", "Cabinet Social Outcomes Committee")),
    ("1 invited the Minister of Health to report further to SOU in May 2026.",
     ("report_back", "Minister of Health", "SOU")),
    ("1 directed officials from the Ministry of Health to provide advice to the Minister of Health by May 2026.",
     ("report_back", "Ministry of Health", "Minister of Health")),
    ("1 invited the Minister of Health to submit a paper to Cabinet by May 2026.",
     ("report_back", "Minister of Health", "Cabinet")),
    ("1 invited the Minister of Health to undertake further work and report back to Cabinet by May 2026.",
     ("report_back", "Minister of Health", "Cabinet")),
    ("1 directed that officials from the Ministry of Health report back to Cabinet by May 2026.",
     ("report_back", "Ministry of Health", "Cabinet")),
    ("1 invited the Minister of Health (Hon A Example) to consult the sector on the proposals by May 2026.",
     ("direction", "Minister of Health", None)),
    ("1 directed the Ministry of Health to publish the guidance in May 2026.",
     ("direction", "Ministry of Health", None)),
    ("1 invited the Minister of Health to issue drafting instructions to the Parliamentary Counsel Office to give effect to the above.",
     ("drafting_instructions", "Minister of Health", None)),
    ("1 authorised the Minister of Health to make final decisions on the details, subject to x.",
     ("delegated_decision", "Minister of Health", None)),
    ("1 authorised the Minister of Finance, subject to agreement with the Minister of Health, to take decisions on funding.",
     ("delegated_decision", "Minister of Finance", None)),
    ("1 agreed that the Minister of Health be authorised to make any further decisions on the scheme.",
     ("delegated_decision", "Minister of Health", None)),
])
def test_follow_up_rules(item, expected):
    [follow_up] = follow_up_json(item)

    assert (follow_up["kind"], follow_up["responsible"], follow_up["report_to"]) == expected


@pytest.mark.parametrize("item", [
    "1 noted that the Children’s Act 2014 requires the Minister to adopt a strategy by 21 December 2019.",
    "1 agreed to the proposals in the paper.",
    "1 approved the expenditure.",
    "1 endorsed the strategy.",
    "1 authorised the absence of Hon A Example from New Zealand, subject to leave from Parliament, to travel to Canberra.",
    "1 noted that in September 2018, the Minister reported to Cabinet with the findings.",
])
def test_decisions_that_create_no_follow_up(item):
    minute = minute_with_items(item)

    assert minute.follow_ups == []
    assert minute.warnings == []


def test_report_back_inside_noted_is_a_hint_for_a_clerk_not_a_fact():
    minute = minute_with_items("1 noted that the Minister of Health will report back to Cabinet by June 2026.")

    assert minute.as_json()["follow_ups"] == []
    [hint] = minute.follow_ups
    assert (hint.needs_confirmation, hint.responsible, hint.report_to, hint.due_date) == (
        True, "Minister of Health", "Cabinet", datetime.date(2026, 6, 30),
    )
    assert minute.warnings == [
        "Item 1: “noted …” mentions a report-back but does not direct one; a clerk should confirm whether it is a follow-up.",
    ]


def test_a_report_back_to_the_committee_reports_to_the_minutes_committee():
    [follow_up] = follow_up_json(
        "1 invited the Minister of Health to report back to the Committee by June 2026.",
        lead_in="On 1 July 2025, the Cabinet Social Outcomes Committee:",
    )

    assert follow_up["report_to"] == "Cabinet Social Outcomes Committee"


def test_a_report_back_that_does_not_say_to_whom_is_flagged():
    minute = minute_with_items("1 invited the Minister of Health to report back by June 2026.")

    assert minute.follow_ups[0].report_to is None
    assert minute.warnings == ["Item 1: the report-back does not say to whom; a clerk should set it."]


def test_follow_ups_split_over_sub_items_take_their_verb_from_the_paragraph():
    minute = minute_with_items(
        "1 invited the Minister of Health to:\n1.1 report back to Cabinet by June 2026 on x;\n"
        "1.2 consult the sector on y;\n2 invited the Minister of Finance to report back to Cabinet by 2027 on:\n2.1 a;\n2.2 b."
    )

    assert [(f["decision"], f["kind"], f["responsible"], f["due_date"]) for f in minute.as_json()["follow_ups"]] == [
        ("1.1", "report_back", "Minister of Health", "2026-06-30"),
        ("1.2", "direction", "Minister of Health", None),
        ("2", "report_back", "Minister of Finance", "2027-12-31"),
    ]


def test_a_vague_responsible_is_flagged():
    minute = minute_with_items("1 directed officials to consult the sector.")

    assert minute.follow_ups[0].responsible == "officials"
    assert minute.warnings == [
        "Item 1: the item names “officials” without saying which; a clerk should confirm who is responsible.",
    ]


# --- classification, release, partly readable and not-a-minute input -----------------------------------------------

@pytest.mark.parametrize(("printed", "expected"), [
    ("IN CONFIDENCE", "IN CONFIDENCE"),
    ("BUDGET : SENSITIVE", "BUDGET : SENSITIVE"),
    ("BUDGET:SENSITIVE", "BUDGET : SENSITIVE"),
    ("BUDGET  :  SENSITIVE", "BUDGET : SENSITIVE"),
    ("RESTRICTED", "RESTRICTED"),
    ("TOP  SECRET", "TOP SECRET"),
])
def test_classification_is_kept_as_printed_with_normal_spacing(printed, expected):
    minute = parse_minute(f"{printed}\n\nCabinet\n\nMinute of Decision\n\nA Title\n\nOn 1 July 2025, Cabinet:\n\n1 noted x.\n")

    assert minute.classification == expected


def test_a_classification_repeated_only_in_page_footers_is_found():
    minute = minute_with_items("1 noted that a;\n\nIN CONFIDENCE\n\n2 agreed that b.")

    assert minute.classification == "IN CONFIDENCE"
    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "agreed")]


def test_a_minute_cut_off_mid_paragraph_returns_what_is_certain():
    text = sample("CAB-26-MIN-0018.txt")
    cut = text[: text.index("and that, Negotiations")]

    minute = parse_minute(cut)

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "noted")]
    assert (minute.reference, minute.signatory, minute.follow_ups) == ("CAB-26-MIN-0018", None, [])


def test_a_pack_with_two_minutes_reads_the_first_and_warns():
    minute = parse_minute(sample("CAB-19-MIN-0336.txt") + "\n\n" + sample("CAB-26-MIN-0018.txt"))

    assert minute.reference == "CAB-19-MIN-0336"
    assert "The text holds more than one minute; only the first was read." in minute.warnings


@pytest.mark.parametrize(("text", "message"), [
    ("", "The text is empty"),
    ("   \n\t  ", "The text is empty"),
    ("\x00\x01binary\x00", "NUL bytes"),
    ("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "NUL bytes"),
    ("The quick brown fox jumps over the lazy dog. It was 2 o'clock.", "not a Cabinet minute"),
    ("12345 67890", "not a Cabinet minute"),
    ("\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd", "undecodable characters"),
    (b"On 1 July 2025, Cabinet:".decode("latin-1").encode("utf-16"), "binary data"),
    (None, "not NoneType"),
])
def test_text_that_is_not_a_minute_raises_not_a_minute(text, message):
    with pytest.raises(NotAMinute, match=message):
        parse_minute(text)


def test_not_a_minute_is_a_value_error_with_a_clear_message():
    with pytest.raises(ValueError, match="not a Cabinet minute"):
        parse_minute("Shopping list: eggs, milk, bread.")


# --- general rules found with the first regression set (tests/test_parsing_regression.py) --------------------------

def test_lettered_and_roman_sub_items_are_numbered_under_their_paragraph_with_a_warning():
    minute = minute_with_items(
        "1 agreed to the following terms:\n(a) x;\n(b) y, being:\n(i) p; and\n(ii) q;\n(c) z;\n2 noted that s9(2)(a) and section 6(b) apply."
    )

    assert numbers_and_verbs(minute) == [
        ("1", "agreed to"), ("1.1", None), ("1.2", None), ("1.2.1", None), ("1.2.2", None), ("1.3", None), ("2", "noted"),
    ]
    assert minute.warnings == [
        "The sub-items of item 1 were printed (a), (b), ...; they were read as 1.1, 1.2, ...",
        "The sub-items of item 1.2 were printed (i), (ii), ...; they were read as 1.2.1, 1.2.2, ...",
    ]


def test_letters_inside_a_sentence_are_not_sub_items():
    minute = minute_with_items("1 agreed that (a) the fund close and (b) the balance be returned;\n2 noted x.")

    assert numbers_and_verbs(minute) == [("1", "agreed"), ("2", "noted")]


def test_a_date_carried_to_the_start_of_a_line_is_not_an_item():
    minute = minute_with_items("1 noted that the Regulations come into force on\n\n2 December 2025;\n\n2 agreed that b.")

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "agreed")]
    assert decision(minute, "1").text == "noted that the Regulations come into force on 2 December 2025;"


def test_a_later_paragraph_with_the_same_number_supersedes_a_line_that_only_starts_with_it():
    minute = minute_with_items(
        "1 noted that the Minister of Health has\n\n2\n\napproved the plan;\n\n2 agreed that b;\n\n"
        "3 noted that monitoring extends over the next\n\n4 years;\n\n4 approved c."
    )

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "agreed"), ("3", "noted"), ("4", "approved")]
    assert minute.warnings == []


def test_a_verbless_paragraph_after_an_unfinished_sentence_is_kept_with_a_warning():
    minute = minute_with_items("1 noted the report\n\n2 agrccd that the thing\n\n3 approved c.")

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", None), ("3", "approved")]
    assert minute.warnings == [
        "Item 2 has no verb and the paragraph before it does not end with “;” or “:”: "
        "it may be a line of item 1 that starts with a number.",
    ]


def test_sentence_case_headings_between_items_flattened_or_on_their_own_line():
    flattened = parse_minute("On 1 July 2019, Cabinet: 1 noted that a; Next steps 2 agreed that b; Financial implications 3 approved c.")
    on_lines = minute_with_items("1 noted that a;\n\nSupport for regional councils\n\n2\n\nagreed that b;\n\n3 approved c.")

    assert numbers_and_verbs(flattened) == numbers_and_verbs(on_lines) == [("1", "noted"), ("2", "agreed"), ("3", "approved")]
    assert decision(flattened, "2").heading == "Next steps"


def test_an_extract_may_leave_out_many_paragraphs():
    minute = minute_with_items("1 noted that a;\n\n2 noted that b;\n\n[...]\n\n8 agreed that c;\n\n9 invited d.")

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "noted"), ("8", "agreed"), ("9", "invited")]
    assert minute.warnings == ["The numbering jumps from 2 to 8: an item may be missing."]


def test_restarted_lists_under_a_paragraph_without_a_verb_keep_their_verbs_with_a_warning():
    minute = minute_with_items("1. in relation to Vote A:\n1. noted that a;\n2. agreed that b;\n2. in relation to Vote B:\n1. approved c.")

    assert numbers_and_verbs(minute) == [
        ("1", None), ("1.1", "noted"), ("1.2", "agreed"), ("2", None), ("2.1", "approved"),
    ]
    assert "Item 1.2 may be item 2: the list numbers restart and the text has no indentation; it was read as 1.2, " \
        "under the paragraph that introduces it." in minute.warnings


def test_watermark_words_between_the_number_and_the_verb_are_dropped():
    minute = parse_minute(
        "Proactively released by the Minister for Regional Development\n\nOn 1 July 2025, Cabinet:\n\n"
        "1 noted that a;\n\n2 Proactively Regional directed officials to consult the sector.\n"
    )

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "directed")]
    assert decision(minute, "2").text == "directed officials to consult the sector."


def test_pdf_ligatures_are_read_as_letters():
    minute = minute_with_items("1 con\ufb01rmed the objectives;\n2 authorised the Minister of Finance to make \ufb01nal decisions on x.")

    assert numbers_and_verbs(minute) == [("1", "confirmed"), ("2", "authorised")]
    assert minute.follow_ups[0].kind == "delegated_decision"


@pytest.mark.parametrize(("wording", "due_date", "precision", "due_text"), [
    ("by the end of the 2025/26 financial year", "2026-06-30", "month", "by the end of the 2025/26 financial year"),
    ("by the end of 2025/26", "2026-06-30", "month", "by the end of 2025/26"),
    ("by the end of the year 2026", "2026-12-31", "year", "by the end of the year 2026"),
])
def test_more_due_date_forms(wording, due_date, precision, due_text):
    [follow_up] = follow_up_json(f"1 invited the Minister for Example to report back to Cabinet {wording} on progress.")

    assert (follow_up["due_date"], follow_up["due_precision"], follow_up["due_text"]) == (due_date, precision, due_text)


@pytest.mark.parametrize(("wording", "due_date", "precision"), [
    ("before the end of the year", datetime.date(2025, 12, 31), "year"),
    ("by the end of next year", datetime.date(2026, 12, 31), "year"),
    ("later this year", datetime.date(2025, 12, 31), "year"),
    ("by the end of the financial year", datetime.date(2026, 6, 30), "month"),
])
def test_a_due_date_that_names_no_year_counts_from_the_decision_date_with_a_warning(wording, due_date, precision):
    minute = minute_with_items(f"1 invited the Minister for Example to report back to Cabinet {wording} on progress.")

    assert (minute.follow_ups[0].due_date, minute.follow_ups[0].due_precision) == (due_date, precision)
    assert minute.warnings == [f"Item 1: the year of “{wording}” is not printed: {due_date.isoformat()} was assumed."]


def test_a_due_date_counted_from_an_event_of_unknown_date_is_left_for_a_clerk():
    minute = minute_with_items("1 invited the Minister for Example to report back to Cabinet within six months of the Act coming into force.")

    assert (minute.follow_ups[0].due_date, minute.follow_ups[0].due_text) == (None, "within six months of the Act coming into force")
    assert minute.warnings == [
        "Item 1: the due date “within six months of the Act coming into force” counts from an event whose date is not known.",
        "Item 1: the report-back has no due date; a clerk should set one.",
    ]


def test_a_directive_joined_to_another_decision_of_the_same_body_is_a_follow_up():
    joined = minute_with_items("1 noted the oral report of the Minister of Health, and invited the Minister of Health to report back to Cabinet in May 2026.")
    reported = minute_with_items("1 noted that ECO agreed to the plan and invited the Minister of Health to report back to Cabinet in May 2026.")

    assert [(f["decision"], f["kind"], f["responsible"], f["due_date"]) for f in joined.as_json()["follow_ups"]] == [
        ("1", "report_back", "Minister of Health", "2026-05-31"),
    ]
    assert reported.as_json()["follow_ups"] == []
    assert reported.follow_ups[0].needs_confirmation


def test_no_paragraph_is_numbered_zero():
    minute = minute_with_items("0 noted that a;\n1 agreed that b;\n1.0 approved c;\n2 noted d.")

    assert numbers_and_verbs(minute) == [("1", "agreed"), ("2", "noted")]


# --- general rules found with the second regression set (tests/test_parsing_regression2.py) ------------------------

def test_a_quoted_paragraph_of_another_minute_is_not_an_item():
    minute = minute_with_items(
        "1 noted a;\n2 rescinded paragraph 6 of CAB-23-MIN-0210, which read:\n“6 agreed that the Fund stay open;”\n"
        "3 agreed to amend paragraph 7 to read:\n\"7 agreed that grants be capped;\"\n4 noted d."
    )

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "rescinded"), ("3", "agreed to"), ("4", "noted")]
    assert minute.warnings == []


def test_a_withheld_paragraph_ends_its_paragraph_though_it_prints_no_semicolon():
    minute = minute_with_items(
        "1 noted a;\n2 s9(2)(f)(iv)\n3 agreed that:\n3.1 x;\n3.2 s6(a)\n3.3 establish y;\n"
        "4 [Withheld under section 9(2)(f)(iv) of the Official Information Act 1982]\n5 invited the Minister of Health to consult z."
    )

    assert numbers_and_verbs(minute) == [
        ("1", "noted"), ("2", None), ("3", "agreed"), ("3.1", None), ("3.2", None), ("3.3", None), ("4", None), ("5", "invited"),
    ]
    assert [(item.is_redacted, item.redactions[0].ground) for item in minute.decisions if item.number in ("2", "4")] == [
        (True, "9(2)(f)(iv)"), (True, "9(2)(f)(iv)"),
    ]


def test_paragraphs_withheld_with_their_numbers_leave_a_jump_with_a_warning():
    minute = minute_with_items("1 noted a;\n2 [Withheld under s9(2)(g)(i)]\n6 agreed that b;\n7 invited the Minister of Health to consult c.")

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", None), ("6", "agreed"), ("7", "invited")]
    assert "The numbering jumps from 2 to 6: an item may be missing." in minute.warnings


def test_a_long_jump_is_accepted_when_the_numbering_goes_on_after_it():
    minute = minute_with_items("1 noted a;\n2 noted b;\n8 agreed c;\n9 agreed d;\n10 approved e.")

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "noted"), ("8", "agreed"), ("9", "agreed"), ("10", "approved")]
    assert minute.warnings == ["The numbering jumps from 2 to 8: an item may be missing."]


def test_a_long_jump_to_a_quoted_number_without_quotation_marks_is_still_text():
    minute = minute_with_items("1 noted a;\n2 rescinded paragraph 12, which read:\n12 agreed that x;\n3 agreed c;\n4 noted d.")

    assert numbers_and_verbs(minute) == [("1", "noted"), ("2", "rescinded"), ("3", "agreed"), ("4", "noted")]


def test_a_run_in_lettered_enumeration_after_a_colon_is_not_a_list_of_sub_items():
    minute = minute_with_items("1 agreed that the Plan has three priorities: (a) x, (b) y, and (c) z;\n2 noted d.")

    assert numbers_and_verbs(minute) == [("1", "agreed"), ("2", "noted")]
    assert minute.warnings == []


@pytest.mark.parametrize(("item", "responsible"), [
    ("1 authorised the Minister of Finance and the Minister of Health jointly to approve the business cases.",
     "Minister of Finance and the Minister of Health"),
    ("1 authorised the Minister of Foreign Affairs to agree the final text of the Arrangement.", "Minister of Foreign Affairs"),
    ("1 delegated to the Minister of Transport authority to approve the action plan.", "Minister of Transport"),
])
def test_delegated_approvals_are_delegated_decisions(item, responsible):
    [follow_up] = follow_up_json(item)

    assert (follow_up["kind"], follow_up["responsible"]) == ("delegated_decision", responsible)


def test_an_authority_to_sign_is_not_a_delegated_decision():
    assert follow_up_json("1 authorised the Minister of Foreign Affairs to sign the Arrangement.") == []


def test_a_portfolio_label_on_its_own_line_and_a_reference_line_are_read_as_such():
    minute = parse_minute(
        "Cabinet\n\nMinute of Decision\nECO-25-MIN-0020\n\nAn Example Title\n\nPortfolio\n\nSocial Development and Employment\n\n"
        "On 1 July 2025, the Cabinet Economic Policy Committee:\n\n1 noted x.\n"
    )

    assert (minute.reference, minute.title, minute.portfolios) == (
        "ECO-25-MIN-0020", "An Example Title", ["Social Development and Employment"],
    )


def test_a_reference_alone_below_minute_of_decision_is_not_the_title():
    minute = parse_minute("Cabinet\n\nMinute of Decision\nECO-25-MIN-0020\n\nOn 1 July 2025, the Cabinet Economic Policy Committee:\n\n1 noted x.\n")

    assert (minute.reference, minute.title) == ("ECO-25-MIN-0020", None)


def test_a_watermark_word_before_a_sub_item_without_a_verb_is_dropped():
    minute = minute_with_items("1 agreed that the share may be spent on:\n1.1 x;\n1.2\nReleased\nemergency waste management.")

    assert decision(minute, "1.2").text == "emergency waste management."


def test_a_released_by_name_the_page_wrapped_is_read_whole_and_its_words_are_watermark_words():
    minute = parse_minute(
        "Proactive Release Date: 5 August 2019. These have been proactively released by the Minister of Foreign\n"
        "Affairs: First Review (CAB-19-MIN-223).\n\nCAB-19-MIN-0223\nCabinet\nMinute of Decision\n\nAn Example Period Ended 10 May 2019 Affairs\n\n"
        "On 13 May 2019, Cabinet:\n\n1 noted x.\n"
    )

    assert minute.release.released_by == "Minister of Foreign Affairs"
    assert minute.title == "An Example Period Ended 10 May 2019"  # "Affairs" after a number is a watermark word


def test_a_released_by_line_of_its_own_does_not_take_the_next_line_into_the_name():
    minute = parse_minute(
        "Proactively released by the Minister of Justice\nIN CONFIDENCE\n\nCAB-25-MIN-0001\nCabinet\nMinute of Decision\n\n"
        "An Example Title\n\nOn 1 July 2025, Cabinet:\n\n1 noted x.\n"
    )

    assert minute.release.released_by == "Minister of Justice"
    assert minute.classification == "IN CONFIDENCE"


def test_a_portfolio_line_the_page_wrapped_goes_on_to_the_blank_line():
    minute = parse_minute(
        "CAB-19-MIN-0330\nCabinet\nMinute of Decision\n\nProposed Overseas Travel Portfolio Foreign\nAffairs / Trade and\n"
        "Export Growth\n\nNot a portfolio\n\nOn 1 July 2019, Cabinet:\n\n1 noted x.\n"
    )

    assert minute.portfolios == ["Foreign Affairs", "Trade and Export Growth"]


def test_an_extract_title_the_page_wrapped_is_read_whole_up_to_the_lead_in():
    minute = parse_minute(
        "Extract from Cabinet Minute SWC-19-MIN-0085: Adopting the Child and Youth Wellbeing\nStrategy\n"
        "On 24 July 2019, the Cabinet Social Wellbeing Committee (SWC):\n\n1 noted x.\n"
    )

    assert minute.title == "Adopting the Child and Youth Wellbeing Strategy"


@pytest.mark.parametrize("name", ["CAB-19-MIN-0223.txt", "CAB-19-MIN-0330.txt", "SWC-19-MIN-0085.txt"])
def test_a_sample_wrapped_at_88_characters_as_a_page_prints_it_gives_the_record_of_its_long_lines(name):
    text = sample_text(SAMPLES / name)
    wrapped = "\n".join(wrapped_lines(text))
    assert max(len(line) for line in wrapped.split("\n")) <= WRAP < max(len(line) for line in text.split("\n"))

    assert parse_minute(wrapped) == parse_minute(text)


@pytest.mark.parametrize("cover, released_by, minister, portfolios", [
    ("These documents have been proactively released by the Department of Internal Affairs (DIA).",
     "Department of Internal Affairs", None, []),
    ("This minute has been proactively released by the Department of the Prime Minister and Cabinet on behalf of Hon "
     "Mark Example, Minister for Emergency\nManagement and Recovery.",
     "Department of the Prime Minister and Cabinet", "Hon Mark Example", ["Emergency Management and Recovery"]),
])
def test_who_released_a_minute_is_read_past_an_abbreviation_and_an_on_behalf_of_without_a_comma(
    cover, released_by, minister, portfolios,
):
    minute = parse_minute(f"{cover}\n\nCAB-25-MIN-0001\nCabinet\nMinute of Decision\n\nAn Example Title\n\n"
                          "On 1 July 2025, Cabinet:\n\n1 noted x.\n")

    assert (minute.release.released_by, minute.release.minister, minute.release.portfolios) == (
        released_by, minister, portfolios,
    )
