"""The follow-up lifecycle in Chromium (issue 10), at a desktop's width and a phone's: request, a second request
while one waits, withdraw, decline with a reason, propose a date; axe on every page and no page wider than the
screen."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.template.defaultfilters import date as format_date
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from cabinet.business_days import add_business_days
from cabinet.models import Minute
from decisions import access
from decisions.models import DueDateChange, FollowUp, ProgressNote

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


def visit(page, axe, address):
    page.goto(address)
    axe(page)
    fits(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_officials_page_fits_the_screen(new_page, axe, log_in, demo, width):
    """Each page an official or a clerk uses, at both widths: no axe violation, nothing wider than the window."""
    page = new_page(viewport=WIDTHS[width])
    visit(page, axe, "/accounts/login/")
    for username in ["mbie", "clerk"]:
        page.context.clear_cookies()
        user = get_user_model().objects.get(username=username)
        log_in(page.context, user)
        for address in [
            "/", "/follow-ups/", "/follow-ups/?status=discharged&status=cancelled&overdue=on&sort=due",
            "/search/?q=minerals", "/search/?q=zzzz", "/settings/",
        ]:
            visit(page, axe, address)
        # A follow-up whose due date has moved: its history is the widest table an official sees.
        follow_up = FollowUp.objects.filter(
            responsible_agency__short_name="MBIE", status=FollowUp.Status.OPEN, due_date_changes__isnull=False,
        ).earliest("pk")
        visit(page, axe, follow_up.get_absolute_url())
        history = page.get_by_role("region", name="Due date history")
        expect(history).to_have_attribute("tabindex", "0")
        if width == "phone":  # its columns stay readable: the table scrolls inside its box, not the page
            assert history.evaluate("box => box.scrollWidth > box.clientWidth")
        actions = page.locator("main .govuk-button-group a.govuk-button")
        addresses = [actions.nth(index).get_attribute("href") for index in range(actions.count())]
        assert len(addresses) >= 3, addresses  # an open, dated follow-up: at least submit, extend or set, lead
        for address in addresses:
            visit(page, axe, address)
        visit(page, axe, follow_up.decision.minute.get_absolute_url())
        visit(page, axe, follow_up.decision.minute.paper.get_absolute_url())


@pytest.mark.parametrize("width", WIDTHS)
def test_list_rows_are_cards_on_a_phone(new_page, axe, log_in, demo, width):
    page = new_page(viewport=WIDTHS[width])
    log_in(page.context, get_user_model().objects.get(username="mbie"))
    visit(page, axe, "/follow-ups/")
    row = page.locator("#results tbody tr").first
    header = page.locator("#results thead")
    if width == "phone":  # one card a row: the column headers give way to labels inside each card
        expect(header).not_to_be_in_viewport()
        expect(row.get_by_text("Due:", exact=True)).to_be_visible()
        link, tag = row.get_by_role("link"), row.locator(".govuk-tag")
        assert link.bounding_box()["y"] < tag.bounding_box()["y"]  # the reference first, its status below it
    else:
        expect(header).to_be_visible()
        expect(row.get_by_text("Due:", exact=True)).to_be_hidden()


def test_filters_fold_behind_show_filters_on_a_phone(new_page, axe, log_in, demo):
    page = new_page(viewport=WIDTHS["phone"])
    log_in(page.context, get_user_model().objects.get(username="mbie"))
    visit(page, axe, "/follow-ups/")
    toggle = page.get_by_role("button", name="Show filters")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_label("Overdue only")).to_be_hidden()
    expect(page.get_by_role("button", name="Apply filters")).to_be_hidden()
    toggle.click()
    toggle = page.get_by_role("button", name="Hide filters")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_label("Overdue only")).to_be_visible()
    axe(page)
    fits(page)

    # An htmx update that finds an error puts the focus on the summary; the filters stay open around it.
    page.get_by_label("Due from").fill("2026-05-01")
    page.get_by_label("Due by").fill("2026-04-01")
    page.get_by_role("button", name="Apply filters").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    toggle.click()
    expect(page.get_by_label("Due by")).to_be_visible()  # a filter in error is not folded away
    axe(page)

    # A valid filter: the count is announced in the status region, which holds only the count.
    page.get_by_label("Due by").fill("")
    page.get_by_label("Overdue only").check()
    page.get_by_role("button", name="Apply filters").click()
    overdue = access.visible_follow_ups(get_user_model().objects.get(username="mbie")).overdue().count()
    expect(page.get_by_role("status")).to_have_text(f"{overdue} follow-up{'s' if overdue != 1 else ''} found")
    axe(page)

    # Wide: no button, the filters are simply there.
    page.set_viewport_size(WIDTHS["desktop"])
    expect(page.get_by_role("button", name=re.compile("(Show|Hide) filters"))).to_be_hidden()
    expect(page.get_by_label("Overdue only")).to_be_visible()


def test_filters_are_shown_without_javascript_on_a_phone(new_page, axe, log_in, demo):
    page = new_page(viewport=WIDTHS["phone"], java_script_enabled=False)
    log_in(page.context, get_user_model().objects.get(username="mbie"))
    visit(page, axe, "/follow-ups/")
    expect(page.get_by_label("Overdue only")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("(Show|Hide) filters"))).to_be_hidden()


def test_a_printed_follow_up_has_its_marking_on_every_page_and_no_navigation(page, axe, log_in, demo):
    clerk = get_user_model().objects.get(username="clerk")
    log_in(page.context, clerk)
    follow_up = FollowUp.objects.filter(status=FollowUp.Status.OPEN, due_date_changes__isnull=False).earliest("pk")
    Minute.objects.filter(pk=follow_up.decision.minute_id).update(classification="sensitive", endorsement="Budget")
    marking = "BUDGET : SENSITIVE"  # format_marking's words for that classification and endorsement
    for number in range(1, 31):  # enough history for more than one printed page
        ProgressNote.objects.create(follow_up=follow_up, author=clerk, text=f"Progress note number {number}.")
    page.goto(follow_up.get_absolute_url())
    axe(page)
    expect(page.get_by_role("button", name="Add note")).to_be_visible()

    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    assert len(pdf.pages) >= 2
    top_margin = bottom_margin = 20 / 25.4 * 72  # app.scss's @page margins, in PDF points
    for number, printed in enumerate(pdf.pages, start=1):
        height = float(printed.mediabox.height)
        places = []

        def note(text, cm, tm, font, size, places=places):
            if text.strip() == marking:  # its height on the page: the text matrix's origin through the page's
                places.append(tm[4] * cm[1] + tm[5] * cm[3] + cm[5])

        text = printed.extract_text(visitor_text=note)
        assert any(y > height - top_margin for y in places), f"page {number}: no {marking} at the top ({places})"
        assert any(y < bottom_margin for y in places), f"page {number}: no {marking} at the bottom ({places})"
        for words in ["Skip to main content", "Sign out", "Your settings", "Dashboard", "Add note", "Request an extension"]:
            assert words not in text, f"page {number} prints {words!r}"
    assert "Progress note number 30." in "".join(printed.extract_text() for printed in pdf.pages)
