"""Whole release packs: PDFs generated from the sample texts with watermarks, stamps and page furniture, and text packs."""

import dataclasses
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from cabinet.models import Minute, Paper, ProactiveRelease
from decisions.importing import ImportRefused, plan_import
from decisions.models import DecisionItem
from decisions.packs import PackRefused, plan_pack, save_pack
from decisions.parsing import parse_minute
from decisions.parsing.pdf import read_pdf
from tests.pdfpacks import Document, build_pack, printable_in_standard_fonts, sample_text

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"
COVER = sample_text(SAMPLES / "packs" / "invented-ECO-25-MIN-0101-coversheet.txt")
PAPER = sample_text(SAMPLES / "packs" / "invented-ECO-25-SUB-0101-paper.txt")
MINUTE = sample_text(SAMPLES / "invented-ECO-25-MIN-0101.txt")
REPORT = sample_text(SAMPLES / "invented-CAB-25-MIN-0300-report.txt")


def eco_pack(**options):
    return build_pack([
        Document(COVER), Document(PAPER, "ECO-25-SUB-0101"), Document(MINUTE, "ECO-25-MIN-0101"),
        Document(REPORT, "CAB-25-MIN-0300", scanned_pages=options.pop("scanned_pages", 0)),
    ], **options)


def record(parsed):
    """What the register keeps of a parsed minute, warnings aside."""
    data = parsed.as_json()
    data.pop("warnings")
    return data


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("importminute", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_pdf_pack_is_read_into_its_coversheet_paper_minute_and_report_of_committee():
    pack = plan_pack("pack.pdf", eco_pack(scanned_pages=1))

    assert [(planned.kind, planned.document.pages) for planned in pack.documents] == [
        ("coversheet", [1]), ("paper", [2, 3]), ("minute", [4, 5]), ("report", [6]),
    ]
    assert pack.warnings == ["Page 7 has no text layer (scanned images): OCR them to read them; the rest was read."]
    paper = pack.paper
    assert (paper.reference, paper.title, paper.portfolios) == (
        "ECO-25-SUB-0101", "Example Regional Infrastructure Fund: Final Design", ["Example", "Finance"],
    )
    assert [number for number, _ in paper.recommendations] == ["1", "2", "3", "4", "5", "5.1", "5.2", "6"]
    assert paper.recommendations[3][1].startswith("authorise the Minister of Finance")


def test_the_minute_in_a_watermarked_stamped_pdf_pack_gives_the_record_its_plain_text_gives():
    pack = plan_pack("pack.pdf", eco_pack())
    from_pdf = pack.minutes[0].plan.parsed
    from_text = parse_minute(COVER + "\n\n" + MINUTE)

    assert record(from_pdf) == record(from_text)
    assert [decision.number for decision in from_pdf.decisions] == ["1", "2", "3", "4", "5", "5.1", "5.2", "5.3", "6", "7", "8", "9"]
    assert not any("Proactively" in decision.text or "RELEASED" in decision.text for decision in from_pdf.decisions)


def test_cab_26_min_0018_as_a_pdf_gives_its_plain_text_record_with_the_stamped_classification():
    text = sample_text(SAMPLES / "CAB-26-MIN-0018.txt")
    pack = plan_pack("pack.pdf", build_pack([Document(text, "CAB-26-MIN-0018")]))
    from_pdf, from_text = record(pack.minutes[0].plan.parsed), record(parse_minute(text))

    assert from_pdf.pop("classification") == "IN CONFIDENCE"  # printed only as the stamp on each page
    from_text.pop("classification")
    assert from_pdf == from_text


def test_a_one_page_pdf_sets_its_classification_stamp_aside_as_a_longer_one_does():
    text = sample_text(SAMPLES / "regression" / "h03-fps-oral-one-sentence.txt")  # prints RESTRICTED above its title
    content = build_pack([Document(text)])
    [page] = read_pdf(content).pages

    assert page.furniture == ["IN CONFIDENCE", "1"]  # nothing repeats on one page: the stamp is known by its words
    assert "IN CONFIDENCE" not in page.text
    assert plan_pack("minute.pdf", content).minutes[0].plan.parsed.classification == "RESTRICTED"


def test_pages_of_the_paper_never_become_decision_items():
    pack = plan_pack("pack.pdf", eco_pack())
    texts = [decision.text for planned in pack.minutes for decision in planned.plan.parsed.decisions]

    assert not any("regions' submissions" in text or text.startswith(("note that", "agree that")) for text in texts)


def test_a_pack_is_saved_in_one_go_with_its_paper_linked_and_its_release(clerk):
    save_pack(plan_pack("pack.pdf", eco_pack()), user=clerk)

    minute = Minute.objects.get(reference="ECO-25-MIN-0101")
    assert minute.paper.reference == "ECO-25-SUB-0101"
    assert minute.paper.title == "Example Regional Infrastructure Fund: Final Design"
    assert sorted(minute.paper.portfolios.values_list("name", flat=True)) == ["Example", "Finance"]
    assert minute.decisions.count() == 12
    release = ProactiveRelease.objects.get(minute=minute)
    assert str(release.published_date) == "2025-08-08"
    assert Minute.objects.get(reference="CAB-25-MIN-0300").kind == Minute.Kind.REPORT
    assert not ProactiveRelease.objects.filter(minute__reference="CAB-25-MIN-0300").exists()


def test_a_pack_with_no_minute_is_refused_and_saves_nothing(clerk):
    pack = plan_pack("pack.pdf", build_pack([Document(COVER), Document(PAPER, "ECO-25-SUB-0101")]))

    assert not pack.can_save
    with pytest.raises(PackRefused, match="not a minute, nor a release pack holding one .found: coversheet .page 1., paper"):
        save_pack(pack, user=clerk)
    assert not Paper.objects.exists() and not Minute.objects.exists()


def test_a_pack_whose_second_minute_cannot_be_saved_saves_nothing(clerk):
    broken = REPORT.replace("On 23 June 2025, ", "")  # no decision date: the report cannot be saved
    pack = plan_pack("pack.pdf", build_pack([Document(COVER), Document(MINUTE, "ECO-25-MIN-0101"), Document(broken)]))

    assert pack.problems == ["Report of Committee (page 4): No decision date was found in the lead-in: give it."]
    with pytest.raises(PackRefused, match="No decision date was found in the lead-in"):
        save_pack(pack, user=clerk)
    assert not Minute.objects.exists() and not DecisionItem.objects.exists()


def test_a_text_pack_is_split_like_a_pdf_one():
    pack = plan_pack("pack.txt", "\n\n".join([COVER, PAPER, MINUTE, REPORT]).encode())

    assert [planned.kind for planned in pack.documents] == ["coversheet", "paper", "minute", "report"]
    assert record(pack.minutes[0].plan.parsed) == record(parse_minute(COVER + "\n\n" + MINUTE))


def test_a_single_minute_still_plans_as_it_did_before_packs():
    text = (SAMPLES / "CAB-26-MIN-0018.txt").read_text()
    pack = plan_pack("CAB-26-MIN-0018.txt", text.encode())

    assert pack.is_single_minute
    assert record(pack.minutes[0].plan.parsed) == record(plan_import(text).parsed)


def test_importminute_json_gives_a_list_of_documents_for_a_pack(tmp_path):
    path = tmp_path / "pack.pdf"
    path.write_bytes(eco_pack(scanned_pages=1))
    out, _ = run("--dry-run", "--json", str(path))
    documents = json.loads(out)

    assert [(document["document"], document["pages"]) for document in documents] == [
        ("coversheet", [1]), ("paper", [2, 3]), ("minute", [4, 5]), ("report", [6]), ("unread", [7]),
    ]
    assert documents[1]["reference"] == "ECO-25-SUB-0101"
    assert documents[2]["reference"] == "ECO-25-MIN-0101"
    assert documents[2]["decisions"][-1]["verb"] == "agreed_in_principle"
    assert documents[2]["decisions"][-1]["printed_verb"] == "agreed in principle"


def every_sample():
    paths = [path for folder in (SAMPLES, SAMPLES / "regression", SAMPLES / "regression2") for path in sorted(folder.glob("*.txt"))]
    return [str(path.relative_to(SAMPLES)) for path in paths]


def test_characters_windows_1252_cannot_print_come_out_of_the_pdf_as_they_went_in():
    text = "Te Reo Māori: Ātea, ēĒ īĪ ōŌ ūŪ; Toitū Te Whenua\nofﬁce ﬂow aﬀect oﬃce ba\ufb04e re‐enter non‑breaking \ufffd"
    assert not printable_in_standard_fonts(text)  # so it is drawn in the embedded TrueType font

    assert read_pdf(build_pack([Document(text)])).text == text  # watermarked and stamped, by default


def test_bullets_come_out_of_the_pdf_as_bullets():
    text = "1 agreed that the Scheme cover:\n• parole hearings;\n• counselling."  # reportlab writes "•" as WinAnsi 0x7F

    assert read_pdf(build_pack([Document(text)])).text == text


@pytest.mark.parametrize("name", every_sample())
def test_every_sample_drawn_as_a_watermarked_pdf_gives_the_record_of_its_text(name):
    """The whole record, title, portfolios, release and warnings included. Samples Windows-1252 cannot print (macrons,
    ligatures, U+FFFD) are drawn in the embedded TrueType font (tests/pdfpacks.py)."""
    text = sample_text(SAMPLES / name)
    from_pdf = plan_pack("sample.pdf", build_pack([Document(text)])).minutes[0].plan.parsed
    from_text = parse_minute(text)
    # Every page is stamped IN CONFIDENCE: a minute printing no classification of its own takes the stamp's.
    expected = dataclasses.replace(from_text, classification=from_text.classification or "IN CONFIDENCE")

    assert dataclasses.asdict(from_pdf) == dataclasses.asdict(expected)


def test_a_pack_refused_at_saving_leaves_nothing_of_it(clerk):
    run("--user", "clerk", str(SAMPLES / "invented-CAB-25-MIN-0300-report.txt"))  # the report is already recorded
    pack = plan_pack("pack.pdf", eco_pack())
    assert pack.can_save  # planning finds no problem: the refusal comes while saving, after the paper and first minute

    with pytest.raises(ImportRefused, match="CAB-25-MIN-0300 is already recorded"):
        save_pack(pack, user=clerk)

    assert list(Minute.objects.values_list("reference", flat=True)) == ["CAB-25-MIN-0300"]
    assert not Paper.objects.filter(reference="ECO-25-SUB-0101").exists()
