"""Exports: the follow-up list as CSV and XLSX (with its filters, through need to know), and clerks' minute exports."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from cabinet.audit import AccessLogEntry
from cabinet.models import Classification, OIAGround, Profile
from decisions.exports import neutralise
from decisions.models import DecisionItem, FollowUp, Redaction
from tests.factories import AgencyFactory, PortfolioFactory, follow_up_on, make_user, minute_of

pytestmark = pytest.mark.django_db

CSV_URL = reverse("decisions:followup_export", args=["csv"])
XLSX_URL = reverse("decisions:followup_export", args=["xlsx"])
HEADER_ROW = 4  # the XLSX: marking band, title, a blank row, then the column titles


@pytest.fixture
def register(agency, portfolio):
    """MBIE's (the `official`'s) follow-ups and MFAT's, on minutes of each; what each list shows is known from here."""
    mfat = AgencyFactory(name="Ministry of Foreign Affairs and Trade", short_name="MFAT")
    trade = PortfolioFactory(name="Trade", minister_title="Minister for Trade")
    ours = minute_of(lead_agency=agency, reference="CAB-26-MIN-0101")
    theirs = minute_of(lead_agency=mfat, reference="CAB-26-MIN-0102", classification=Classification.SECRET)
    mine = {
        "overdue": follow_up_on(ours, agency=agency, portfolio=portfolio, number="3", description="Report back on royalties",
                                due_date=datetime.date(2026, 3, 2)),
        "later": follow_up_on(ours, agency=agency, portfolio=None, number="4", description="Report back on permits",
                              kind=FollowUp.Kind.DIRECTION, due_date=datetime.date(2026, 9, 30)),
        "closed": follow_up_on(ours, agency=agency, portfolio=portfolio, number="5", description="Report back on levies",
                               status=FollowUp.Status.CANCELLED, closed_reason="Overtaken by the Budget."),
    }
    other = follow_up_on(theirs, agency=mfat, portfolio=trade, number="2", description="Report back on the trade talks",
                         due_date=datetime.date(2026, 4, 30))
    return {"mine": mine, "other": other, "mfat": mfat}


def csv_rows(response):
    assert response.streaming  # streamed, never built whole
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_sheet(response):
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.active


def xlsx_rows(sheet):
    rows = list(sheet.iter_rows(min_row=HEADER_ROW, values_only=True))
    return rows[0], [row for row in rows[1:] if any(cell is not None for cell in row)]


def keys(rows, header):
    reference, paragraph = header.index("Reference"), header.index("Paragraph")
    return sorted((row[reference], str(row[paragraph])) for row in rows)


def test_an_officials_csv_holds_exactly_the_follow_ups_their_list_shows(tuesday_10_march, client, official, register):
    client.force_login(official)
    rows = csv_rows(client.get(CSV_URL))
    header, body = rows[0], rows[1:]
    # Their list shows what MBIE still owes: not the cancelled one, nothing of MFAT's.
    assert keys(body, header) == [("CAB-26-MIN-0101", "3"), ("CAB-26-MIN-0101", "4")]
    assert "Report back on the trade talks" not in str(rows)
    overdue = dict(zip(header, next(row for row in body if row[header.index("Paragraph")] == "3")))
    assert overdue["What is owed"] == "Report back on royalties"
    assert overdue["Kind"] == "Report-back"
    assert overdue["Responsible agency"] == "Ministry of Business, Innovation and Employment"
    assert overdue["Responsible portfolio"] == "Resources"
    assert overdue["Due date"] == "2026-03-02"
    assert overdue["Due date precision"] == "Day"
    assert overdue["Original due date"] == "2026-03-02"
    # Monday 2 March to Tuesday 10 March 2026: 3, 4, 5, 6, 9 and 10 March are business days after it.
    assert overdue["Business days overdue"] == "6"
    assert overdue["Status"] == "Open"
    assert overdue["Last change"].startswith("2026-03-10")


def test_the_export_keeps_the_lists_filters(tuesday_10_march, client, official, register):
    client.force_login(official)
    rows = csv_rows(client.get(CSV_URL, {"kind": FollowUp.Kind.DIRECTION}))
    assert keys(rows[1:], rows[0]) == [("CAB-26-MIN-0101", "4")]
    rows = csv_rows(client.get(CSV_URL, {"q": "royalties"}))
    assert keys(rows[1:], rows[0]) == [("CAB-26-MIN-0101", "3")]
    rows = csv_rows(client.get(CSV_URL, {"status": FollowUp.Status.CANCELLED, "page": "2"}))  # the page is not a filter
    assert keys(rows[1:], rows[0]) == [("CAB-26-MIN-0101", "5")]
    # An official asking for another agency's follow-ups by filter still gets only their own: none.
    rows = csv_rows(client.get(CSV_URL, {"agency": register["mfat"].pk}))
    assert rows[1:] == []


def test_an_officials_xlsx_holds_the_same_rows_and_nothing_of_another_agency(tuesday_10_march, client, official, register):
    client.force_login(official)
    response = client.get(XLSX_URL)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = xlsx_sheet(response)
    header, body = xlsx_rows(sheet)
    assert keys(body, header) == [("CAB-26-MIN-0101", "3"), ("CAB-26-MIN-0101", "4")]
    overdue = dict(zip(header, next(row for row in body if row[header.index("Paragraph")] == "3")))
    assert overdue["Due date"] == datetime.datetime(2026, 3, 2)  # a real date cell
    assert overdue["Business days overdue"] == 6
    assert all("trade talks" not in str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)


def test_the_other_agencys_official_sees_only_theirs(tuesday_10_march, client, register):
    probe = make_user(Profile.Role.OFFICIAL, username="mfat-official", agencies=[register["mfat"]])
    client.force_login(probe)
    rows = csv_rows(client.get(CSV_URL))
    assert keys(rows[1:], rows[0]) == [("CAB-26-MIN-0102", "2")]
    assert "royalties" not in str(rows) and "permits" not in str(rows)


def test_the_file_carries_the_highest_marking_of_its_rows(client, official, register, agency, portfolio):
    budget = minute_of(lead_agency=agency, reference="CAB-26-MIN-0103", classification=Classification.SENSITIVE,
                       endorsement="Budget")
    follow_up_on(budget, agency=agency, portfolio=portfolio, number="1")
    client.force_login(official)
    response = client.get(CSV_URL)
    # MFAT's SECRET minute is not in this official's file, so it does not raise the marking.
    assert 'filename="follow-ups-BUDGET-SENSITIVE-' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0][0].startswith("BUDGET : SENSITIVE")
    markings = {row[0] for row in rows[1:]}
    assert markings == {"IN CONFIDENCE", "BUDGET : SENSITIVE"}

    response = client.get(XLSX_URL)
    assert 'filename="follow-ups-BUDGET-SENSITIVE-' in response["Content-Disposition"]
    sheet = xlsx_sheet(response)
    assert sheet["A1"].value == "BUDGET : SENSITIVE"
    assert "BUDGET : SENSITIVE" in sheet.oddHeader.center.text


def test_a_clerks_file_of_everything_is_marked_secret(client, clerk, register):
    client.force_login(clerk)
    assert csv_rows(client.get(CSV_URL))[0][0].startswith("SECRET")
    assert xlsx_sheet(client.get(XLSX_URL))["A1"].value == "SECRET"


def test_an_empty_file_is_marked_in_confidence(client, official):
    client.force_login(official)
    response = client.get(CSV_URL)
    assert "IN-CONFIDENCE" in response["Content-Disposition"]
    assert csv_rows(response)[0][0].startswith("IN CONFIDENCE")


@pytest.mark.parametrize("description", [
    '=HYPERLINK("https://example.com/?q="&A1,"Click")', "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1+2", "\r=1+2",
])
def test_a_formula_looking_description_comes_out_neutralised(client, official, agency, portfolio, description):
    minute = minute_of(lead_agency=agency, reference="CAB-26-MIN-0104")
    follow_up_on(minute, agency=agency, portfolio=portfolio, number="1", description=description)
    client.force_login(official)
    rows = csv_rows(client.get(CSV_URL))
    assert rows[1][rows[0].index("What is owed")] == "'" + description  # shown as text, never run
    sheet = xlsx_sheet(client.get(XLSX_URL))
    header, body = xlsx_rows(sheet)
    cell = sheet.cell(row=HEADER_ROW + 1, column=header.index("What is owed") + 1)
    # XLSX stores a carriage return as _x000D_; Excel reads it back as one, openpyxl leaves it.
    assert cell.value.replace("_x000D_", "\r") == description and cell.data_type == "s"  # a text cell, not a formula
    assert cell.quotePrefix  # and stays text if someone edits it


def test_neutralise_leaves_ordinary_words_alone():
    assert neutralise("Report back on options") == "Report back on options"
    assert neutralise("a-b=c") == "a-b=c"
    assert neutralise(6) == 6


def test_the_query_count_does_not_grow_with_the_rows(client, official, agency, portfolio, django_assert_num_queries):
    minute = minute_of(lead_agency=agency, reference="CAB-26-MIN-0105")
    for number in range(1, 4):
        follow_up_on(minute, agency=agency, portfolio=portfolio, number=str(number))
    client.force_login(official)
    client.get(CSV_URL)  # warm the session

    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            b"".join(response.streaming_content)
        return len(queries)

    small = {url: count(url) for url in (CSV_URL, XLSX_URL)}
    for number in range(4, 31):
        follow_up_on(minute, agency=agency, portfolio=portfolio, number=str(number))
    # Session, user, profile, scope; the marking; the rows (one query, with their last change); the access-log row.
    for url, queries in small.items():
        with django_assert_num_queries(queries):
            response = client.get(url)
            assert len(b"".join(response.streaming_content)) > 0
    assert small[CSV_URL] <= 8


def test_every_download_is_in_the_access_log(client, official, register):
    client.force_login(official)
    b"".join(client.get(XLSX_URL, {"kind": FollowUp.Kind.DIRECTION}).streaming_content)
    entry = AccessLogEntry.objects.get(kind=AccessLogEntry.Kind.EXPORT)
    assert entry.user == official and entry.record_type == "decisions.followup"
    assert entry.details["format"] == "xlsx"
    assert "kind=direction" in entry.path


def test_an_unknown_format_is_404(client, official):
    client.force_login(official)
    assert client.get(reverse("decisions:followup_export", args=["pdf"])).status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(CSV_URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_links_its_downloads_with_its_filters(client, official, register):
    client.force_login(official)
    response = client.get(reverse("decisions:followup_list"), {"kind": FollowUp.Kind.DIRECTION, "page": "1"})
    page = response.content.decode()
    assert f'href="{CSV_URL}?kind=direction"' in page
    assert f'href="{XLSX_URL}?kind=direction"' in page
    assert reverse("decisions:minute_export") not in page  # minutes: clerks only


# Minutes and their decision items (clerks).

MINUTES_URL = reverse("decisions:minute_export")


@pytest.fixture
def redacted_minute(agency):
    minute = minute_of(lead_agency=agency, reference="CAB-26-MIN-0110", classification=Classification.RESTRICTED)
    ground = OIAGround.objects.get(code="9(2)(j)")
    partly = DecisionItem.objects.create(
        minute=minute, number="1", verb=DecisionItem.Verb.NOTED,
        text="noted that the price will be [REDACTED] per tonne;",
    )
    Redaction.objects.create(decision=partly, ground=ground, label="", marker="[REDACTED]")
    whole = DecisionItem.objects.create(minute=minute, number="2", text="the negotiating mandate is forty million dollars")
    whole.is_redacted = True
    whole.save()
    Redaction.objects.create(decision=whole, ground=ground)
    DecisionItem.objects.create(minute=minute, number="3", verb=DecisionItem.Verb.AGREED, text="=cmd|' /C calc'!A0")
    return minute


def test_a_clerk_downloads_minutes_with_their_decision_items_withheld_words_left_out(client, clerk, redacted_minute):
    client.force_login(clerk)
    response = client.get(MINUTES_URL, {"format": "csv"})
    assert "minutes-and-decisions-RESTRICTED-" in response["Content-Disposition"]
    rows = csv_rows(response)
    header = rows[0]
    assert header[0].startswith("RESTRICTED")
    by_number = {row[header.index("Paragraph")]: dict(zip(header, row)) for row in rows[1:]}
    assert by_number["1"]["Decision"] == "noted that the price will be [Withheld: s9(2)(j) negotiations] per tonne;"
    assert by_number["2"]["Decision"] == "[Withheld: s9(2)(j) negotiations]"
    assert by_number["3"]["Decision"] == "'=cmd|' /C calc'!A0"
    assert "forty million" not in str(rows)
    assert by_number["1"]["Reference"] == "CAB-26-MIN-0110"

    sheet = xlsx_sheet(client.get(MINUTES_URL, {"format": "xlsx"}))
    assert sheet["A1"].value == "RESTRICTED"
    assert all("forty million" not in str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)


def test_the_minute_export_filters_by_body_and_date(client, clerk, redacted_minute, agency):
    minute_of(lead_agency=agency, reference="CAB-25-MIN-0001", decision_date=datetime.date(2025, 5, 5))
    DecisionItem.objects.create(minute=redacted_minute.__class__.objects.get(reference="CAB-25-MIN-0001"), number="1",
                                text="agreed to an earlier thing;")
    client.force_login(clerk)
    rows = csv_rows(client.get(MINUTES_URL, {"format": "csv", "decided_to": "2025-12-31"}))
    assert [row[1] for row in rows[1:]] == ["CAB-25-MIN-0001"]
    response = client.get(MINUTES_URL, {"format": "csv", "decided_from": "2026-01-01", "decided_to": "2025-01-01"})
    assert response.status_code == 400
    assert "“Decided by” must be on or after “Decided from”" in response.content.decode()


def test_officials_cannot_export_minutes(client, official, redacted_minute):
    client.force_login(official)
    assert client.get(MINUTES_URL, {"format": "csv"}).status_code == 403


def test_the_minute_export_page_shows_its_form(client, clerk):
    client.force_login(clerk)
    response = client.get(MINUTES_URL)
    assert response.status_code == 200
    assert 'name="format" value="xlsx"' in response.content.decode()
