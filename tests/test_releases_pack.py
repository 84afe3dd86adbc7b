"""The release pack: the coversheet's facts, the public version's markers, and nothing withheld in the PDF."""

import datetime
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from cabinet.models import Minute, OIAGround, ProactiveRelease, Profile
from decisions import release_pack, releases
from decisions.models import DecisionItem, Redaction
from tests.factories import (
    AgencyFactory, DecisionItemFactory, MinisterFactory, MinuteFactory, PortfolioFactory, ProactiveReleaseFactory, make_user,
)

pytestmark = pytest.mark.django_db
SEED = Path(__file__).parent / "samples" / "CAB-26-MIN-0018.txt"
J = "[Withheld under section 9(2)(j) of the Official Information Act 1982]"


def pdf_text(pdf):
    """The PDF's text as one line of words, as a reader's search would find it."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def ground(code):
    return OIAGround.objects.get(code=code)


# The public version of a paragraph


def test_a_marked_span_becomes_its_grounds_marker():
    item = DecisionItemFactory(text="noted that the price is $4.2m and the partner is Acme;")
    Redaction.objects.create(decision=item, ground=ground("9(2)(j)"), start=24, end=29)  # "$4.2m"
    text, whole = release_pack.public_text(item, list(item.redactions.all()))
    assert (text, whole) == (f"noted that the price is {J} and the partner is Acme;", False)


def test_overlapping_spans_make_one_marker_naming_both_grounds():
    item = DecisionItemFactory(text="noted that the partner is Acme Mining of Perth;")
    Redaction.objects.create(decision=item, ground=ground("9(2)(j)"), start=26, end=37)  # "Acme Mining"
    Redaction.objects.create(decision=item, ground=ground("9(2)(b)(ii)"), start=31, end=46)  # "Mining of Perth"
    text, _ = release_pack.public_text(item, list(item.redactions.all()))
    assert text == "noted that the partner is [Withheld under sections 9(2)(j) and 9(2)(b)(ii) of the Official Information Act 1982];"


def test_a_paragraph_withheld_whole_is_one_marker_and_a_printed_marker_is_replaced():
    whole = DecisionItemFactory(text="agreed to the secret plan;")
    Redaction.objects.create(decision=whole, ground=ground("6(a)"), start=0, end=len(whole.text))
    assert release_pack.public_text(whole, list(whole.redactions.all())) == (
        "[Withheld under section 6(a) of the Official Information Act 1982]", True,
    )
    printed = DecisionItemFactory(text="noted that, Negotiations [REDACTED]")
    Redaction.objects.create(decision=printed, ground=ground("9(2)(j)"), label="Negotiations", marker="[REDACTED]")
    assert release_pack.public_text(printed, list(printed.redactions.all())) == (f"noted that, {J}", False)


def test_a_span_without_a_ground_stops_the_pack():
    item = DecisionItemFactory(number="1", text="noted the figures;")
    Redaction.objects.create(decision=item, ground=None, start=6, end=17)
    release = ProactiveReleaseFactory(minute=item.minute)
    with pytest.raises(release_pack.PackRefused, match="Paragraph 1 has withheld words with no ground"):
        release_pack.build_pack(release)


# The seed's round trip


@pytest.fixture
def seed_release(db, clerk, tuesday_10_march):
    AgencyFactory(name="Ministry of Business, Innovation and Employment", short_name="MBIE")
    PortfolioFactory(name="Resources", minister_title="Minister for Resources")
    PortfolioFactory(name="Foreign Affairs", minister_title="Minister of Foreign Affairs")
    MinisterFactory(name="Hon Shane Jones")
    call_command("importminute", "--user", "clerk", str(SEED), stdout=io.StringIO(), stderr=io.StringIO())
    return Minute.objects.get(reference="CAB-26-MIN-0018").release


def test_the_seeds_pack_states_what_its_coversheet_states(seed_release):
    html = release_pack.render_html(release_pack.build_pack(seed_release))
    text = pdf_text(release_pack.render_pdf(html))
    title = "A Non-Binding Framework on Critical Minerals Between the United States and New Zealand"
    # The seed's coversheet, fact by fact.
    assert f"Title of Cabinet paper {title}" in text
    assert "Minister Hon Shane Jones" in text and "Portfolio Resources" in text
    assert "Date to be published 17 March 2026" in text
    assert f"February 2026 {title} Office of the Minister for Foreign Affairs Office of the Minister for Resources" in text
    assert f"2 February 2026 {title} CAB-26-MIN-0018 Minute Cabinet Office" in text
    assert "Information redacted YES" in text
    assert "redacted in accordance with MBIE's policy on Proactive Release" in text
    reasons = re.search(r"Some information has been withheld for the reasons of (.+?)\.", text)[1]
    for words in ("international relations", "negotiations", "legal professional privilege", "commercial",
                  "confidential advice to government", "free and frank opinions"):
        assert words in reasons
    key = text[text.index("Key to the reasons for withholding"):]
    for code in ("6(a)", "9(2)(b)(ii)", "9(2)(f)(iv)", "9(2)(g)(i)", "9(2)(h)", "9(2)(j)"):
        assert code in key
    # The public version: the printed redaction now names its ground; the marking is kept, struck through.
    assert f"Rare Earths (the Framework), and that, {J}" in text and "[REDACTED]" not in text
    assert "IN CONFIDENCE" in text and "Proactively released by Hon Shane Jones" in text
    assert "Portfolios Foreign Affairs / Resources" in text  # the minute's own line, under the coversheet's "Resources"
    assert text.index("February 2026 A Non-Binding") < text.index("2 February 2026 A Non-Binding")  # the coversheet's order


def test_the_html_strikes_the_marking_through():
    release = ProactiveReleaseFactory(minute=MinuteFactory())
    html = release_pack.render_html(release_pack.build_pack(release))
    assert '<p class="marking"><del>IN CONFIDENCE</del></p>' in html


# Nothing withheld reaches the public version


def test_no_withheld_word_of_any_demo_minute_reaches_its_pdf():
    call_command("loaddemo", stdout=io.StringIO())
    spans = Redaction.objects.filter(start__isnull=False).select_related("decision__minute__release")
    minutes = {span.decision.minute for span in spans}
    assert len(minutes) >= 2
    for minute in minutes:
        text = pdf_text(release_pack.render_pdf(release_pack.render_html(release_pack.build_pack(minute.release))))
        assert "Withheld under section" in text
        for span in spans.filter(decision__minute=minute):
            for word in span.decision.text[span.start:span.end].split():
                assert word not in text, f"{word!r} of a withheld span of {minute} is in its pack"


# The pages


@pytest.fixture
def their_release(agency, official, tuesday_10_march):
    minute = MinuteFactory(paper__lead_agency=agency, decision_date=datetime.date(2026, 2, 2))
    DecisionItemFactory(minute=minute, number="1", text="noted that the partner is Ruru Holdings;")
    return ProactiveReleaseFactory(minute=minute, agency=agency)


def test_an_official_downloads_the_pack_as_a_zip_of_html_and_pdf(client, official, their_release):
    client.force_login(official)
    response = client.get(reverse("decisions:release_pack", args=[their_release.pk, "zip"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    reference = their_release.minute.reference
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == [f"{reference}-proactive-release.html", f"{reference}-proactive-release.pdf"]
        assert "Ruru Holdings" in pdf_text(archive.read(f"{reference}-proactive-release.pdf"))


def test_marking_words_on_the_prepare_page_withholds_them_from_the_pack(client, official, their_release):
    client.force_login(official)
    decision = DecisionItem.objects.get(minute=their_release.minute)
    url = reverse("decisions:release_withhold_words", args=[their_release.pk, decision.pk])
    page = client.post(url, {"version": 1, "words": "Ruru Trading", "ground": ground("9(2)(b)(ii)").pk}, follow=True)
    assert "does not contain those words exactly" in page.content.decode()
    client.post(url, {"version": 1, "words": "Ruru Holdings", "ground": ground("9(2)(b)(ii)").pk})
    text = pdf_text(client.get(reverse("decisions:release_pack", args=[their_release.pk, "pdf"])).content)
    assert "Ruru" not in text and "Holdings" not in text
    assert "noted that the partner is [Withheld under section 9(2)(b)(ii) of the Official Information Act 1982];" in text
    their_release.refresh_from_db()
    assert their_release.history.latest().history_change_reason == "Words of paragraph 1 withheld"


def test_only_people_who_see_the_minute_see_its_original_words(client, agency, their_release):
    # An official of the releasing agency whose minute it is not: the release, yes; the original words, no.
    other_minute = MinuteFactory(paper__lead_agency=AgencyFactory(short_name="MFAT"))
    release = ProactiveReleaseFactory(minute=other_minute, agency=agency)
    official = make_user(Profile.Role.OFFICIAL, agencies=[agency])
    client.force_login(official)
    assert client.get(release.get_absolute_url()).status_code == 200
    assert client.get(reverse("decisions:release_prepare", args=[release.pk])).status_code == 404
    assert client.get(reverse("decisions:release_prepare", args=[their_release.pk])).status_code == 200


def test_a_finished_release_keeps_what_it_withholds(clerk, their_release):
    releases.take(their_release, "withhold", user=clerk, reason="Negotiations", ground=ground("9(2)(j)"))
    decision = DecisionItem.objects.get(minute=their_release.minute)
    with pytest.raises(releases.TransitionRefused, match="what it withholds is settled"):
        releases.withhold_words(their_release, decision, user=clerk, version=None, ground=ground("9(2)(j)"), words="Ruru")
    assert ProactiveRelease.objects.get(pk=their_release.pk).status == "withheld"


def test_a_span_without_a_ground_is_refused_and_the_words_stay_in_the_box(client, official, their_release):
    client.force_login(official)
    decision = DecisionItem.objects.get(minute=their_release.minute)
    url = reverse("decisions:release_withhold_words", args=[their_release.pk, decision.pk])
    response = client.post(url, {"version": 1, "words": "Ruru Holdings", "ground": ""})
    page = response.content.decode()
    assert response.status_code == 400 and "Choose the ground for withholding them" in page
    assert f'href="#ground-{decision.pk}"' in page and ">Ruru Holdings</textarea>" in page
    assert not Redaction.objects.exists()


def test_every_font_of_the_pdf_is_embedded(seed_release):
    reader = PdfReader(io.BytesIO(release_pack.render_pdf(release_pack.render_html(release_pack.build_pack(seed_release)))))
    fonts = [font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()]
    assert fonts
    for font in fonts:
        descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)["/FontDescriptor"]
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), font["/BaseFont"]
