"""Downloads from a filtered follow-up list, and the calendar feed on "Your settings", in a real browser with axe."""

import csv
import io
import re
from urllib.parse import urlsplit

import openpyxl
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from decisions.models import FollowUp


def listed(page):
    """The follow-ups the list shows on this page, as "CAB-26-MIN-0018 para 4"."""
    return sorted(page.locator("#results tbody tr td:first-child a").all_inner_texts())


def test_an_official_downloads_a_csv_and_an_xlsx_of_a_filtered_list(page, axe, log_in, demo):
    log_in(page.context, get_user_model().objects.get(username="mbie"))
    page.goto("/follow-ups/")
    axe(page)
    page.get_by_label("Kind").select_option(FollowUp.Kind.REPORT_BACK)
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"kind=report_back"))
    axe(page)
    shown = listed(page)
    assert shown, "the demo official owes report-backs"
    assert not page.locator(".govuk-pagination").count(), "one page, so the list shows every row the file holds"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV file of the follow-ups").click()
    download = download_info.value
    assert re.fullmatch(r"follow-ups-[A-Z-]+-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    header = rows[0]
    in_file = sorted(f"{row[header.index('Reference')]} para {row[header.index('Paragraph')]}" for row in rows[1:])
    assert in_file == shown
    assert {row[header.index("Kind")] for row in rows[1:]} == {"Report-back"}
    assert {row[header.index("Responsible agency")] for row in rows[1:]} <= {
        "Ministry of Business, Innovation and Employment", ""
    }

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (XLSX) file of the follow-ups").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes())).active  # the saved file has no extension
    table = [row for row in sheet.iter_rows(min_row=4, values_only=True) if any(cell is not None for cell in row)]
    header = table[0]
    assert sorted(f"{row[header.index('Reference')]} para {row[header.index('Paragraph')]}" for row in table[1:]) == shown
    assert rows[0][0].startswith(sheet["A1"].value)  # the XLSX's header band: the same marking as the CSV's


def test_turning_on_the_calendar_feed_on_your_settings(page, axe, log_in, demo, new_context):
    log_in(page.context, get_user_model().objects.get(username="mbie"))
    page.goto("/settings/")
    expect(page.get_by_role("heading", name="Calendar feed")).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Turn on the calendar feed").click()
    address = page.get_by_label("Your calendar feed's address")
    expect(address).to_have_value(re.compile(r"/calendar/[A-Za-z0-9_-]{43}\.ics$"))
    axe(page)
    path = urlsplit(address.input_value()).path  # the address names SITE_URL; the test's server is elsewhere
    signed_out = new_context().request  # a calendar client has no session
    feed = signed_out.get(path)
    assert feed.status == 200 and feed.text().startswith("BEGIN:VCALENDAR")
    page.goto("/settings/")
    expect(page.get_by_label("Your calendar feed's address")).to_have_count(0)  # shown once
    page.get_by_role("button", name="Turn off the feed").click()
    expect(page.get_by_text("Your calendar feed is off: its address no longer works.")).to_be_visible()
    axe(page)
    assert signed_out.get(path).status == 404
