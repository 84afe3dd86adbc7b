"""The Reports page in a browser: a clerk and an official, at desktop and phone width, with axe."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

CHARTS = [
    "Overdue report-backs by business days overdue",
    "By agency: follow-ups due later than first set, and extensions granted",
    "By portfolio: follow-ups due later than first set, and extensions granted",
    "Follow-ups still owed and overdue at the end of each month",
    "Average days from decision to discharge, by committee",
]
PHONE = {"width": 320, "height": 640}


@pytest.mark.parametrize("username", ["clerk", "mbie"])
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_reports_page(new_page, axe, log_in, demo, username, viewport):
    page = new_page(**({"viewport": viewport} if viewport else {}))
    log_in(page.context, get_user_model().objects.get(username=username))
    page.goto("/")
    axe(page)
    if viewport:  # on a phone the service navigation folds behind its Menu button
        page.get_by_role("button", name="Menu").click()
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    for name in CHARTS:
        chart = page.get_by_role("img", name=name)
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box["width"] > 200 and box["height"] > 40, name
    expect(page.locator("main table")).to_have_count(5)
    expect(page.get_by_text("The whole register" if username == "clerk" else "The follow-ups of your agencies and portfolios")).to_be_visible()
    # Nothing wider than the screen: the charts scale down, the tables stack on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe(page)
    page.emulate_media(media="print")
    expect(page.get_by_role("img", name=CHARTS[3])).to_be_visible()  # the charts print
