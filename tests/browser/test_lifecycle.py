"""The follow-up lifecycle in Chromium (issue 10), at a desktop's width and a phone's: request, a second request
while one waits, withdraw, decline with a reason, propose a date; axe on every page and no page wider than the
screen."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.template.defaultfilters import date as format_date
from django.utils import timezone
from playwright.sync_api import expect

from cabinet.business_days import add_business_days
from decisions.models import DueDateChange, FollowUp

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def fits(page):
    """Nothing on the page makes it scroll sideways (a wide table scrolls inside its own box)."""
    width, view = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= view, f"{page.url} is {width}px wide in a {view}px window"


def step(page, axe, name):
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=2, name=re.compile(name.split()[0]))).to_be_visible()
    axe(page)
    fits(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_request_withdraw_decline_and_propose(new_page, axe, log_in, demo, width):
    users = {user.username: user for user in get_user_model().objects.filter(username__in=["mbie", "clerk"])}
    # Chosen from the demo's own records by their facts, not through the code under test.
    follow_up = FollowUp.objects.filter(
        responsible_agency__short_name="MBIE", status=FollowUp.Status.OPEN, due_date__gt=timezone.localdate(),
    ).exclude(due_date_changes__status=DueDateChange.Status.PENDING).earliest("due_date", "pk")
    due = format_date(follow_up.due_date)
    long_date = add_business_days(follow_up.due_date, 45)

    official = new_page(viewport=WIDTHS[width])
    log_in(official.context, users["mbie"])
    official.goto(follow_up.get_absolute_url())
    axe(official)
    fits(official)

    def ask_for_long_extension():
        step(official, axe, "Request an extension")
        official.get_by_label("New due date").fill(long_date.isoformat())
        official.get_by_label("Reason").fill("Waiting on Budget decisions.")
        official.get_by_role("button", name="Request the extension").click()
        expect(official.get_by_role("alert")).to_contain_text(f"Request sent: the due date stays {due} until a clerk decides.")
        axe(official)
        fits(official)

    ask_for_long_extension()
    # A second request while one waits: the button is gone, and the address itself says why.
    expect(official.get_by_role("link", name="Request an extension")).to_have_count(0)
    response = official.goto(f"{follow_up.get_absolute_url()}extension/")
    assert response.status == 409
    expect(official.locator(".govuk-notification-banner, [role=alert]").first).to_contain_text(
        "is already waiting for the Cabinet Office"
    )
    axe(official)
    fits(official)

    official.goto(follow_up.get_absolute_url())
    step(official, axe, "Withdraw the request")
    official.get_by_role("button", name="Withdraw the request").click()
    expect(official.get_by_role("alert")).to_contain_text("Request withdrawn: the due date stays as it was.")
    expect(official.locator("#timeline")).to_contain_text(f"Withdrew the request to move the due date to {format_date(long_date)}.")
    axe(official)

    ask_for_long_extension()

    clerk = new_page(viewport=WIDTHS[width])
    log_in(clerk.context, users["clerk"])
    clerk.goto(follow_up.get_absolute_url())
    axe(clerk)
    step(clerk, axe, "Approve or decline the request")
    clerk.get_by_label("Decline").check()
    clerk.get_by_role("button", name="Record the decision").click()
    expect(clerk).to_have_title(re.compile("^Error: "))
    expect(clerk.locator(".govuk-error-summary")).to_contain_text("Enter the reason for declining")
    expect(clerk.locator(".govuk-error-summary")).to_be_focused()
    axe(clerk)
    fits(clerk)
    clerk.get_by_label("Reason").fill("The committee needs it before the Budget.")
    clerk.get_by_role("button", name="Record the decision").click()
    expect(clerk.get_by_role("alert")).to_contain_text(f"Declined: the due date stays {due}")
    axe(clerk)

    official.reload()
    expect(official.locator("#timeline")).to_contain_text(
        f"Declined the request to move the due date to {format_date(long_date)}. The committee needs it before the Budget."
    )
    axe(official)
    fits(official)

    # An undated report-back gets a proposed date, which a clerk accepts.
    undated = FollowUp.objects.get(decision__minute__reference="CAB-26-MIN-0018", decision__number="4")
    proposed = add_business_days(timezone.localdate(), 40)
    official.goto(undated.get_absolute_url())
    axe(official)
    expect(official.get_by_role("link", name="Request an extension")).to_have_count(0)
    step(official, axe, "Propose a due date")
    official.get_by_label("Proposed due date").fill(proposed.isoformat())
    official.get_by_label("Reason").fill("Consultation closes a month before.")
    official.get_by_role("button", name="Send the proposal").click()
    expect(official.get_by_role("alert")).to_contain_text(f"Due date of {format_date(proposed)} proposed")
    axe(official)
    fits(official)

    clerk.goto(undated.get_absolute_url())
    step(clerk, axe, "Approve or decline the request")
    clerk.get_by_label("Approve the new date").check()
    clerk.get_by_role("button", name="Record the decision").click()
    expect(clerk.get_by_role("alert")).to_contain_text(f"Approved: the due date is now {format_date(proposed)}.")
    axe(clerk)
    undated.refresh_from_db()
    assert undated.due_date == proposed


@pytest.mark.parametrize("width", WIDTHS)
def test_lists_and_the_dashboard_fit_the_screen(new_page, axe, log_in, demo, width):
    page = new_page(viewport=WIDTHS[width])
    log_in(page.context, get_user_model().objects.get(username="clerk"))
    for address in ["/", "/follow-ups/", "/follow-ups/?status=discharged&status=cancelled", "/search/?q=minerals"]:
        page.goto(address)
        axe(page)
        fits(page)
