"""Proactive releases in Chromium (issue 13), at a desktop's width and a phone's: an official from the Releases page to
the downloaded pack, and a clerk recording publication with its address; axe on every page, nothing wider than the screen."""

import io
import re
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from cabinet.models import ProactiveRelease

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def fits(page):
    width, view = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= view, f"{page.url} is {width}px wide in a {view}px window"


def open_menu(page):
    """On a phone the service navigation folds behind its Menu button."""
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_official_goes_from_the_releases_page_to_the_pack(new_page, axe, log_in, demo, width):
    mbie = get_user_model().objects.get(username="mbie")
    # The demo's MBIE release being prepared past its date, with words withheld (decisions/demo_releases.py).
    release = ProactiveRelease.objects.get(minute__reference="CAB-26-MIN-0145")
    page = new_page(viewport=WIDTHS[width])
    log_in(page.context, mbie)
    page.goto("/")
    axe(page)
    open_menu(page)
    page.get_by_role("link", name="Releases", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proactive releases")
    axe(page)
    fits(page)
    page.get_by_role("link", name=re.compile(r"^Overdue \(\d+\)$")).click()
    expect(page.get_by_role("heading", level=2, name="Overdue")).to_be_visible()
    expect(page.get_by_role("link", name="ECO-26-MIN-0135")).to_have_count(0)  # due soon, not overdue
    expect(page.get_by_role("link", name="SOU-26-MIN-0103")).to_have_count(0)  # MSD's: not theirs
    axe(page)
    fits(page)
    page.get_by_role("link", name="CAB-26-MIN-0145").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(release.minute.title)
    expect(page.locator(".govuk-tag--red")).to_have_text("Overdue")
    axe(page)
    fits(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the pack (HTML and PDF, zip)").click()
    download = download_info.value
    assert download.suggested_filename == "CAB-26-MIN-0145-proactive-release.zip"
    with zipfile.ZipFile(download.path()) as archive:
        pdf = archive.read("CAB-26-MIN-0145-proactive-release.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Coversheet" in text and "Withheld under section 9(2)(j)" in text and "Washington" not in text

    page.get_by_role("link", name="Mark the words to withhold").click()
    expect(page.get_by_role("heading", level=2, name="Words to withhold")).to_be_visible()
    axe(page)
    fits(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_clerk_records_publication_with_its_address(new_page, axe, log_in, demo, width):
    clerk = get_user_model().objects.get(username="clerk")
    release = ProactiveRelease.objects.get(minute__reference="ECO-26-MIN-0150")  # due, nothing done yet
    page = new_page(viewport=WIDTHS[width])
    log_in(page.context, clerk)
    page.goto("/releases/?show=soon")
    axe(page)
    fits(page)
    page.get_by_role("link", name="ECO-26-MIN-0150").click()
    axe(page)
    page.get_by_role("link", name="Record publication").click()
    expect(page.get_by_role("heading", level=2, name="Record publication")).to_be_visible()
    axe(page)
    fits(page)
    today = timezone.localdate()
    page.get_by_label("Date published").fill(today.isoformat())
    page.get_by_role("button", name="Record publication").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the address where it was published")
    axe(page)
    fits(page)
    address = "https://www.mbie.govt.nz/about/news-and-resources/proactive-release/eco-26-min-0150"
    page.get_by_label("Address where it was published").fill(address)
    page.get_by_role("button", name="Record publication").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Recorded as published on {today.day} {today:%B %Y}")
    expect(page.get_by_role("link", name=address)).to_be_visible()
    expect(page.locator("#release-history ~ ol")).to_contain_text("Record publication")
    axe(page)
    fits(page)
    release.refresh_from_db()
    assert (release.status, release.published_url) == ("published", address)
