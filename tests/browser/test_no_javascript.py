"""Without JavaScript the pages still work: plain GET filters, plain POST forms, full pages back."""

import re

import pytest
from django.db.models import Q
from playwright.sync_api import expect

from decisions.models import FollowUp


@pytest.fixture
def page(nojs_page):
    return nojs_page


def test_filter_the_list_and_add_a_note_without_javascript(page, axe, sign_in, demo):
    sign_in(page, "mbie")
    assert page.evaluate("typeof window.htmx") == "undefined"  # JavaScript really is off
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bjs-enabled\b"))
    axe(page)

    page.get_by_role("link", name="Follow-ups").click()
    axe(page)
    page.get_by_label("Overdue only").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/follow-ups/\?.*\boverdue=on\b"))
    expect(page.get_by_label("Overdue only")).to_be_checked()
    # The demo's mbie official acts for MBIE and the Resources portfolio: theirs are those two owe.
    overdue = FollowUp.objects.filter(Q(responsible_agency__short_name="MBIE") | Q(responsible_portfolio__name="Resources")).overdue()
    results = page.locator("#results")
    expect(results.locator("tbody .govuk-tag")).to_have_text(["Overdue"] * overdue.count())
    axe(page)

    # Filters that contradict each other are explained, as with JavaScript.
    page.get_by_label("Due from").fill("2026-05-01")
    page.get_by_label("Due by").fill("2026-04-01")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("“Due by” must be on or after “Due from”")
    axe(page)

    follow_up = overdue.filter(status=FollowUp.Status.OPEN).earliest("due_date", "pk")
    page.goto(follow_up.get_absolute_url())
    axe(page)
    page.get_by_role("button", name="Add note").click()  # empty: the whole page comes back with the error
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the progress note")
    axe(page)
    page.get_by_label("Progress note").fill("Paper lodged with the Minister's office for signature.")
    page.get_by_role("button", name="Add note").click()
    expect(page).to_have_url(re.compile(re.escape(follow_up.get_absolute_url()) + "$"))
    expect(page.get_by_role("alert")).to_contain_text("Progress note added.")
    expect(page.locator("#timeline")).to_contain_text("Paper lodged with the Minister's office for signature.")
    axe(page)
    assert follow_up.notes.get().author.username == "mbie"
