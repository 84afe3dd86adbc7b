"""The importer's rules that the mutation run of decisions/importing.py found no test for (docs/testing.md).

Each expected value comes from the rule as the importer states it (docstrings, error messages) or from the register's
field sizes; a plan's parse is changed by hand only where the parser gives that value for some minute.
"""

import datetime
from pathlib import Path

import pytest

from cabinet.models import Classification, DatePrecision, Minute, Paper, PortfolioAssignment, Profile
from decisions import importing
from decisions.importing import ImportRefused, plan_import, save_import, split_marking
from decisions.models import DecisionItem, FollowUp
from tests.factories import (
    AgencyFactory, DecisionItemFactory, FollowUpFactory, MinisterFactory, MinuteFactory, PortfolioFactory, committee,
    make_user,
)
from tests.test_importing import register_fixture  # noqa: F401 (the `register` fixture)

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"
MIN_0018 = (SAMPLES / "CAB-26-MIN-0018.txt").read_text(encoding="utf-8")
TITLE = "A Non-Binding Framework on Critical Minerals Between the United States and New Zealand"
ON = datetime.date(2026, 2, 2)


@pytest.fixture
def recorded(register, clerk):
    """CAB-26-MIN-0018 as imported."""
    return save_import(plan_import(MIN_0018), user=clerk)


# The printed marking.


def test_a_marking_is_its_classification_after_the_last_colon_and_its_endorsements_before():
    assert split_marking(None) == (Classification.IN_CONFIDENCE, "", None)
    assert split_marking("IN CONFIDENCE") == (Classification.IN_CONFIDENCE, "", None)
    assert split_marking("BUDGET : SENSITIVE") == (Classification.SENSITIVE, "BUDGET", None)
    assert split_marking("Budget : Commercial : Sensitive") == (Classification.SENSITIVE, "BUDGET : COMMERCIAL", None)


def test_an_unknown_marking_is_kept_as_the_endorsement_cut_to_the_field_and_warned_about():
    printed = "For the eyes of the Minister and her office only"  # 48 characters; an endorsement holds 40
    assert split_marking(printed) == (
        Classification.IN_CONFIDENCE, "FOR THE EYES OF THE MINISTER AND HER OFF",
        f"Classification “{printed}” not recognised: recorded as IN CONFIDENCE.",
    )


# What a plan says is wrong, and that such a plan is never saved.


def test_a_paper_reference_is_refused_and_the_plan_cannot_be_saved(register, clerk):
    plan = plan_import(MIN_0018, reference="CAB-26-SUB-0018")
    assert plan.errors == ["CAB-26-SUB-0018 is a paper reference; give the minute's (MIN)."]
    assert plan.can_save is False
    with pytest.raises(ImportRefused, match=r"^CAB-26-SUB-0018 is a paper reference; give the minute's \(MIN\)\.$"):
        save_import(plan, user=clerk)
    assert not Minute.objects.exists() and not Paper.objects.exists()


def test_a_minute_without_a_reference_or_a_date_says_what_to_give(register):
    plan = plan_import(MIN_0018.replace("CAB-26-MIN-0018", "").replace("On 2 February 2026, Cabinet:", "Cabinet:"))
    assert plan.errors == [
        "No minute reference was found: give it (for example CAB-26-MIN-0018).",
        "No decision date was found in the lead-in: give it.",
    ]
    assert (plan.reference, plan.committee.code) == (None, "CAB")  # the body as printed still finds Cabinet
    assert plan.can_save is False


def test_a_committee_that_did_not_exist_on_the_day_is_named_with_the_day(register):
    plan = plan_import(MIN_0018, reference="DEV-26-MIN-0018")  # DEV ended with the 2023 restructure
    assert plan.errors == ["No committee DEV existed on 2026-02-02: a clerk adds it first."]
    undated = plan_import(MIN_0018.replace("On 2 February 2026, Cabinet:", "Cabinet:"), reference="DEV-26-MIN-0018")
    assert undated.errors[-1] == "No committee DEV existed on that date: a clerk adds it first."
    dated = plan_import(MIN_0018, reference="DEV-23-MIN-0018", decision_date=datetime.date(2023, 11, 1))
    assert dated.errors == [] and dated.committee.code == "DEV"


def test_a_recorded_minute_is_only_changed_as_an_update(recorded, clerk):
    plan = plan_import(MIN_0018)
    assert plan.existing == recorded
    with pytest.raises(ImportRefused, match=r"^CAB-26-MIN-0018 is already recorded: import it as an update to change it\.$"):
        save_import(plan, user=clerk)
    assert save_import(plan, user=clerk, update=True) == recorded


# What an update would change.


def test_a_new_title_and_a_later_date_are_differences(recorded):
    plan = plan_import(MIN_0018, title="Critical minerals: the framework", decision_date=datetime.date(2026, 2, 9))
    assert plan.differences == [
        f"Title: “{TITLE}” → “Critical minerals: the framework”",
        "Decision date: 2 February 2026 → 9 February 2026",
    ]


def test_an_earlier_title_and_date_are_differences_and_the_same_ones_are_not(recorded):
    plan = plan_import(MIN_0018, title="A Framework on critical minerals", decision_date=datetime.date(2026, 1, 26))
    assert plan.differences == [f"Title: “{TITLE}” → “A Framework on critical minerals”", "Decision date: 2 February 2026 → 26 January 2026"]
    assert plan_import(MIN_0018, title=TITLE, decision_date=ON).differences == []


def test_a_text_with_fewer_items_says_so_and_keeps_the_others(recorded):
    text = MIN_0018.split("- 2 **noted**")[0] + "\nRachel Hayward\n"
    plan = plan_import(text)
    assert [d.number for d in plan.parsed.decisions] == ["1"]
    assert plan.differences == [
        "The recorded minute has 4 decision items; this text has 1 decision item.",
        "Para 2: not in this text; kept as recorded",
        "Para 3: not in this text; kept as recorded",
        "Para 4: not in this text; kept as recorded",
    ]


def test_a_verb_a_clerk_corrected_is_a_difference_from_the_same_words(recorded):
    # The clerk recorded para 1 as agreed; the text still prints "noted" with the same words.
    DecisionItem.objects.filter(minute=recorded, number="1").update(verb=DecisionItem.Verb.AGREED)
    assert plan_import(MIN_0018).differences == ["Para 1: wording changes"]
    DecisionItem.objects.filter(minute=recorded, number="1").update(verb=DecisionItem.Verb.OTHER)
    assert plan_import(MIN_0018).differences == ["Para 1: wording changes"]


# Who is responsible, whom to report to, what is owed.


def test_the_responsible_minister_is_the_one_holding_the_portfolio_that_day():
    resources = PortfolioFactory(name="Resources", minister_title="Minister for Resources")
    jones, earlier = MinisterFactory(name="Hon Shane Jones"), MinisterFactory(name="Hon Megan Woods")
    PortfolioAssignment.objects.create(minister=earlier, portfolio=resources, start_date=datetime.date(2020, 11, 6),
                                       end_date=datetime.date(2023, 11, 26))
    PortfolioAssignment.objects.create(minister=jones, portfolio=resources, start_date=datetime.date(2023, 11, 27))
    text = "the Minister for Resources, in consultation with the Minister of Finance,"
    assert importing._responsible(text, ON) == {
        "responsible_text": text, "responsible_portfolio": resources, "responsible_minister": jones,
    }
    assert importing._responsible("Minister for Resources", datetime.date(2022, 5, 1))["responsible_minister"] == earlier
    assert importing._responsible("", ON) == {} and importing._responsible(None, ON) == {}


def test_an_agency_is_responsible_by_its_name_or_short_name_and_the_words_are_cut_to_the_field():
    mbie = AgencyFactory(name="Department of Internal Affairs", short_name="DIA")
    assert importing._responsible("DIA", ON) == {"responsible_text": "DIA", "responsible_agency": mbie}
    assert importing._responsible("the Department of Internal Affairs", ON)["responsible_agency"] == mbie
    long = "the Minister for Resources " + "and officials " * 30  # 447 characters; the field holds 300
    assert importing._responsible(long, ON) == {"responsible_text": long[:300]}


def test_a_report_back_goes_to_cabinet_or_to_the_committee_named_by_code_or_name():
    assert importing._report_to("Cabinet", ON) == committee("CAB")
    assert importing._report_to("ECO", ON) == committee("ECO")
    assert importing._report_to("APH", ON) == committee("APH")
    assert importing._report_to("Cabinet Economic Policy Committee", ON) == committee("ECO")
    assert importing._report_to("cabinet social outcomes committee", ON) == committee("SOU")
    assert importing._report_to("DEV", ON) is None  # not a committee in 2026
    assert importing._report_to(None, ON) is None and importing._report_to("", ON) is None


def test_cabinet_is_found_by_its_code_whatever_name_the_register_gives_it():
    cabinet = committee("CAB")
    cabinet.name = "The Cabinet"  # reference data a clerk may edit
    cabinet.save()
    assert importing._report_to("Cabinet", ON) == cabinet
    assert importing._report_to("CABINET", ON) == cabinet


def test_what_is_owed_is_the_decision_after_its_first_to_capitalised_and_cut_with_an_ellipsis():
    describe = importing._describe
    assert describe("invited the Minister for Resources to report back to Cabinet by 30 June 2026;") == (
        "Report back to Cabinet by 30 June 2026"
    )
    assert describe("noted the report.") == "Noted the report"
    long = "directed officials to " + "consult widely " * 30  # the words after "to": 450 characters
    owed = long.split(" to ", 1)[1]
    assert describe(long) == owed[:1].upper() + owed[1:297] + "…"
    assert len(describe(long)) == 298  # within the follow-up's 300 characters
    exactly = "directed officials to " + "c" * 297
    assert describe(exactly) == "C" + "c" * 296
    one_more = "directed officials to " + "c" * 298
    assert describe(one_more) == "C" + "c" * 296 + "…"


# What is saved.


def test_the_signatory_is_cut_to_the_field(register, clerk):
    plan = plan_import(MIN_0018)
    plan.parsed.signatory = "Rachel Hayward, Secretary of the Cabinet, " * 4  # 168 characters; the field holds 120
    minute = save_import(plan, user=clerk)
    assert minute.signatory == plan.parsed.signatory[:120]


def test_an_oral_item_gets_no_paper_even_with_a_coversheet(register, clerk):
    text = MIN_0018.replace(f"{TITLE}\n\nPortfolios", "Oral item: Critical minerals\n\nPortfolios")
    plan = plan_import(text)
    assert plan.parsed.kind == "oral" and plan.parsed.release
    minute = save_import(plan, user=clerk)
    assert (minute.kind, minute.paper) == (Minute.Kind.ORAL, None)
    assert not Paper.objects.exists()
    assert minute.release.documents.count() == 2  # the release is still recorded


def test_the_paper_keeps_a_day_its_coversheet_gives_and_a_month_as_its_first_day(register, clerk):
    dated = save_import(plan_import(MIN_0018.replace("\nFebruary 2026\tA Non", "\n28 January 2026\tA Non")), user=clerk)
    assert (dated.paper.paper_date, dated.paper.date_precision) == (datetime.date(2026, 1, 28), DatePrecision.DAY)
    month = save_import(plan_import(MIN_0018, reference="CAB-26-MIN-0019"), user=clerk)
    assert (month.paper.paper_date, month.paper.date_precision) == (datetime.date(2026, 2, 1), DatePrecision.MONTH)


def test_the_paper_is_the_first_document_listed_that_is_not_the_minute(register, clerk):
    listed = MIN_0018.split("Date\tTitle\tAuthor\n")[1].split("\n\n")[0].split("\n")
    assert [line.split("\t")[0] for line in listed] == ["February 2026", "2 February 2026"]  # the paper, then the minute
    minute_first = MIN_0018.replace("\n".join(listed), "\n".join(reversed(listed)))
    paper = save_import(plan_import(minute_first), user=clerk).paper
    assert (paper.paper_date, paper.date_precision) == (datetime.date(2026, 2, 1), DatePrecision.MONTH)


def test_the_papers_title_is_the_coversheets_cut_to_the_field(register, clerk):
    plan = plan_import(MIN_0018)
    plan.parsed.release.title = "Critical minerals " * 30  # 540 characters; a paper's title holds 400
    minute = save_import(plan, user=clerk)
    assert minute.paper.title == plan.parsed.release.title[:400]
    assert minute.paper.ministers.get().name == "Hon Shane Jones"


def test_a_verb_outside_the_register_is_other_and_a_paragraph_without_one_has_none(register, clerk):
    text = MIN_0018.replace("- 4 **invited**", "- 4 **requested**").replace(
        "- 1 **noted** that New Zealand will be represented at a ministerial meeting hosted by United States (US) "
        "Secretary of State Rubio in Washington DC on 4 February 2026;", "- 1 s9(2)(f)(iv)",
    )
    minute = save_import(plan_import(text), user=clerk)
    assert list(minute.decisions.values_list("number", "verb")) == [
        ("1", ""), ("2", DecisionItem.Verb.NOTED), ("3", DecisionItem.Verb.NOTED), ("4", DecisionItem.Verb.OTHER),
    ]


def amended_0018():
    """CAB-26-MIN-0018 as a corrected text would give it: para 4 now dated, and a para 5 with its own report-back."""
    return MIN_0018.replace(
        "and to seek approval for the next steps.",
        "and to seek approval for the next steps, by 31 July 2026;\n"
        "- 5 **invited** the Minister for Resources to report back to Cabinet by 30 June 2026 on the costs.",
    )


def test_an_update_adds_the_new_paragraphs_follow_up_and_keeps_the_recorded_one(recorded, clerk):
    kept = FollowUp.objects.get()
    save_import(plan_import(amended_0018()), user=clerk, update=True)
    assert list(FollowUp.objects.order_by("decision__number").values_list("decision__number", "due_date")) == [
        ("4", None), ("5", datetime.date(2026, 6, 30)),
    ]
    assert FollowUp.objects.get(decision__number="4") == kept


def test_the_due_wording_is_cut_to_the_field(register, clerk):
    plan = plan_import(amended_0018())
    plan.parsed.follow_ups[-1].due_text = "by the end of " + "the month after next " * 10  # 224; the field holds 200
    save_import(plan, user=clerk)
    assert FollowUp.objects.get(decision__number="5").due_text == plan.parsed.follow_ups[-1].due_text[:200]


def test_a_released_documents_title_and_author_are_cut_to_the_fields_and_an_untitled_one_says_so(register, clerk):
    plan = plan_import(MIN_0018)
    documents = plan.parsed.release.documents
    documents[0] = documents[0]._replace(title="Critical minerals " * 30, author="Office of the Minister " * 20)
    documents[1] = documents[1]._replace(title=None, date=None)
    minute = save_import(plan, user=clerk)
    saved = list(minute.release.documents.order_by("pk").values_list("title", "author", "document_date", "date_precision"))
    assert saved == [
        (documents[0].title[:400], documents[0].author[:300], datetime.date(2026, 2, 28), DatePrecision.MONTH),
        ("Untitled", "Cabinet Office", None, DatePrecision.NONE),
    ]


# A Report of Committee.

REPORT = (SAMPLES / "invented-CAB-25-MIN-0300-report.txt").read_text(encoding="utf-8")


def sou_minute(number, **fields):
    return MinuteFactory(reference=f"SOU-25-MIN-{number:04d}", committee=committee("SOU"),
                         decision_date=datetime.date(2025, 6, 16), **fields)


def test_a_minute_referred_back_or_decided_under_power_to_act_is_not_confirmed(clerk):
    # The report confirms 0061, amends 0062 and refers 0063 back; 0061 was decided under Power to Act.
    power_to_act, amended, referred = sou_minute(61, has_power_to_act=True), sou_minute(62), sou_minute(63)
    report = save_import(plan_import(REPORT), user=clerk)
    for minute in (power_to_act, amended, referred):
        minute.refresh_from_db()
    assert (power_to_act.confirmed_by, amended.confirmed_by, referred.confirmed_by) == (None, report, None)


def test_an_amended_minutes_follow_ups_stay_open_when_the_importer_may_not_close_them():
    amended = sou_minute(62)
    owed = FollowUpFactory(decision=DecisionItemFactory(minute=amended, number="1"))
    official = make_user(Profile.Role.OFFICIAL, username="importer")
    plan = plan_import(REPORT)
    report = save_import(plan, user=official)
    owed.refresh_from_db()
    amended.refresh_from_db()
    assert (owed.status, amended.confirmed_by) == (FollowUp.Status.OPEN, report)
    assert (
        "SOU-25-MIN-0062 was amended by Cabinet, but its follow-ups stay open: "
        "You cannot “cancel or supersede” on this follow-up."
    ) in plan.warnings


def test_the_title_is_the_reference_when_none_was_read_and_is_cut_to_the_field(register, clerk):
    plan = plan_import(MIN_0018)
    plan.parsed.title = None
    assert save_import(plan, user=clerk).title == "CAB-26-MIN-0018"
    long = "Critical minerals: a framework with the United States " * 9  # 486 characters; a title holds 400
    assert save_import(plan_import(MIN_0018, title=long), user=clerk, update=True).title == long[:400]


def test_a_text_without_numbered_items_is_refused_and_its_preview_says_it_has_none(recorded):
    plan = plan_import(MIN_0018.split("- 1 **noted**")[0] + "\nRachel Hayward\n")
    assert plan.errors == ["No numbered decision items were found."]
    assert plan.differences == [
        "The recorded minute has 4 decision items; this text has 0 decision items.",
        "Para 1: not in this text; kept as recorded",
        "Para 2: not in this text; kept as recorded",
        "Para 3: not in this text; kept as recorded",
        "Para 4: not in this text; kept as recorded",
    ]


HINTED = MIN_0018.replace(
    "and to seek approval for the next steps.",
    "and to seek approval for the next steps;\n"
    "- 5 **noted** that the Minister for Resources will report back to Cabinet in March 2026 on the costs;\n"
    "- 6 **directed** officials to report back to Cabinet by 30 June 2026 on the costs.",
)


def test_a_report_back_only_hinted_at_is_left_to_a_clerk_and_the_next_one_is_still_read(recorded, clerk):
    plan = plan_import(HINTED)
    assert [(f.decision, f.needs_confirmation) for f in plan.parsed.follow_ups] == [("4", False), ("5", True), ("6", False)]
    assert plan.differences == [
        "The recorded minute has 4 decision items; this text has 6 decision items.",
        "Para 4: wording changes",  # it now ends with a semicolon
        "Para 5: new",
        "Para 6: new",
        "Para 6: a new report-back follow-up would be added",
    ]
    save_import(plan, user=clerk, update=True)
    assert list(FollowUp.objects.order_by("decision__number").values_list("decision__number", flat=True)) == ["4", "6"]


def test_an_update_adds_the_new_paragraphs_follow_up_as_a_new_import_would(recorded, clerk):
    save_import(plan_import(amended_0018()), user=clerk, update=True)
    added = FollowUp.objects.get(decision__number="5")
    assert (added.kind, added.description, added.report_to, added.responsible_portfolio.name) == (
        FollowUp.Kind.REPORT_BACK, "Report back to Cabinet by 30 June 2026 on the costs", committee("CAB"), "Resources",
    )
    assert (added.due_date, added.due_precision, added.due_text) == (
        datetime.date(2026, 6, 30), DatePrecision.DAY, "by 30 June 2026",
    )


def test_a_due_date_the_text_moves_or_drops_is_said_and_the_recorded_one_kept(register, clerk):
    save_import(plan_import(amended_0018()), user=clerk)  # para 4 due 31 July 2026, para 5 due 30 June 2026

    def said(text):
        return [line for line in plan_import(text).differences if "recorded follow-up" in line]

    assert said(amended_0018()) == []
    assert said(amended_0018().replace("by 30 June 2026 on", "by 31 August 2026 on")) == [
        "Para 5: this text gives the report-back due 31 August 2026; the recorded follow-up (30 June 2026, open) is kept: "
        "change it on its page",
    ]
    assert said(amended_0018().replace("by 30 June 2026 on", "by 29 May 2026 on")) == [
        "Para 5: this text gives the report-back due 29 May 2026; the recorded follow-up (30 June 2026, open) is kept: "
        "change it on its page",
    ]
    assert said(amended_0018().replace(" by 30 June 2026 on", " on")) == [
        "Para 5: this text gives the report-back no due date; the recorded follow-up (30 June 2026, open) is kept: "
        "change it on its page",
    ]
    assert FollowUp.objects.get(decision__number="5").due_date == datetime.date(2026, 6, 30)


def test_an_update_from_a_text_that_names_less_keeps_what_is_recorded(recorded, clerk):
    plan = plan_import(MIN_0018.replace("Portfolios **Foreign Affairs / Resources**", ""))
    assert plan.parsed.portfolios == []
    plan.parsed.release.minister = None
    save_import(plan, user=clerk, update=True)
    recorded.refresh_from_db()
    assert sorted(recorded.portfolios.values_list("name", flat=True)) == ["Foreign Affairs", "Resources"]
    assert recorded.decisions.get(number="2").redactions.count() == 1
    assert recorded.release.documents.count() == 2
    assert recorded.release.minister.name == "Hon Shane Jones"
    assert Paper.objects.count() == 1


def test_a_paper_already_recorded_is_linked_as_it_stands(register, clerk):
    from tests.factories import PaperFactory

    paper = PaperFactory(reference="CAB-26-SUB-0018", title="Critical minerals (as the clerk recorded it)")
    minute = save_import(plan_import(MIN_0018), user=clerk)
    assert minute.paper == paper and Paper.objects.get().title == "Critical minerals (as the clerk recorded it)"


def test_a_legacy_minute_gets_no_paper_it_has_no_counterpart_reference(register, clerk):
    plan = plan_import(MIN_0018, reference="CAB Min (10) 39/8", decision_date=datetime.date(2010, 10, 18))
    minute = save_import(plan, user=clerk)
    assert (minute.reference, minute.paper) == ("CAB Min (10) 39/8", None)
    assert not Paper.objects.exists() and minute.release.documents.count() == 2


def test_a_redactions_label_and_marker_are_cut_to_the_fields_and_an_unknown_ground_is_none(register, clerk):
    plan = plan_import(MIN_0018)
    redaction = plan.parsed.decisions[1].redactions[0]
    redaction.label, redaction.marker, redaction.ground = "Negotiations " * 12, "[REDACTED] " * 12, "9(9)(z)"
    minute = save_import(plan, user=clerk)
    saved = minute.decisions.get(number="2").redactions.get()
    assert (saved.label, saved.marker, saved.ground) == (redaction.label[:120], redaction.marker[:120], None)


def test_a_long_minute_read_again_has_no_differences(clerk):
    # Past 256 decision items the counts are no longer the same int objects: compared as numbers, not identities.
    text = MIN_0018.split("- 1 **noted**")[0] + "".join(
        f"{n} **agreed** that the fund pays region {n}:\n" + "".join(f"{n}.{m} a share for district {m};\n" for m in range(1, 11))
        for n in range(1, 25)
    ) + "\nRachel Hayward\n"
    save_import(plan_import(text), user=clerk)
    plan = plan_import(text)
    assert len(plan.parsed.decisions) == 264 and plan.existing.decisions.count() == 264
    assert plan.differences == []


def test_an_agency_whose_name_holds_a_comma_is_found_by_its_whole_name(register):
    mbie = importing.Agency.objects.get(short_name="MBIE")  # "Ministry of Business, Innovation and Employment"
    assert importing._responsible("the Ministry of Business, Innovation and Employment", ON)["responsible_agency"] == mbie
    in_consultation = "the Ministry of Business, Innovation and Employment, in consultation with the Treasury"
    assert importing._responsible(in_consultation, ON)["responsible_agency"] == mbie
    assert importing._responsible("MBIE, with the Treasury", ON)["responsible_agency"] == mbie
    assert "responsible_agency" not in importing._responsible("the Ministry of Business, and others", ON)
