"""Every other page, checked with axe as a clerk, a reader and on a phone: the forms, their errors, the records."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from cabinet.models import Minute
from decisions.models import FollowUp
from tests.factories import make_user

ACTIONS = ["Request an extension", "Mark submitted", "Set the due date", "Record discharge", "Cancel or supersede"]


def label(follow_up):
    return f"{follow_up.decision.minute.reference} para {follow_up.decision.number}"


def assert_errors_summarised(page):
    """GOV.UK's error summary takes the focus; each of its links takes you to a field marked in error."""
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    expect(links).not_to_have_count(0)
    for index in range(links.count()):
        target = links.nth(index).get_attribute("href")
        links.nth(index).click()
        expect(page.locator(target)).to_be_focused()
        expect(page.locator(".govuk-form-group--error").filter(has=page.locator(target))).to_have_count(1)


def test_clerk_action_forms_and_their_errors(page, axe, log_in, demo):
    log_in(page.context, get_user_model().objects.get(username="clerk"))
    follow_up = FollowUp.objects.filter(status=FollowUp.Status.OPEN, due_date__isnull=False).earliest("due_date", "pk")
    page.goto(follow_up.get_absolute_url())
    heading = f"{follow_up.get_kind_display()}: {follow_up.description}"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    axe(page)
    for action in ACTIONS:
        page.get_by_role("link", name=action, exact=True).click()
        expect(page.get_by_role("heading", name=action, exact=True)).to_be_visible()
        axe(page)
        page.locator("main form[method=post]").get_by_role("button").click()
        assert_errors_summarised(page)
        axe(page)
        page.get_by_role("link", name="Cancel", exact=True).click()
        expect(page).to_have_url(re.compile(re.escape(follow_up.get_absolute_url()) + "$"))

    waiting = FollowUp.objects.filter(status=FollowUp.Status.EXTENSION_REQUESTED).earliest("pk")
    page.goto(waiting.get_absolute_url())
    axe(page)
    page.get_by_role("link", name="Approve or decline the request").click()
    axe(page)
    page.get_by_role("button", name="Record the decision").click()
    assert_errors_summarised(page)
    axe(page)


def test_records_search_list_pages_and_settings(page, axe, log_in, demo):
    log_in(page.context, get_user_model().objects.get(username="clerk"))
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("The register")
    expect(page.get_by_role("heading", name="Overdue, by committee and portfolio")).to_be_visible()
    axe(page)

    # The minute as released: its decisions, a redaction shown as its ground, its follow-up and the release.
    minute = Minute.objects.get(reference="CAB-26-MIN-0018")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Search").click()
    axe(page)
    page.get_by_label("Reference, title or words of a decision").fill("CAB\u201126-MIN-18")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    axe(page)
    page.get_by_role("link", name="CAB-26-MIN-0018", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(minute.title)
    expect(page.locator(".app-redaction").first).to_contain_text("Withheld: s9(2)(j)")
    expect(page.get_by_role("heading", name="Proactive release")).to_be_visible()
    axe(page)
    page.get_by_role("link", name=minute.paper.reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(minute.paper.title)
    axe(page)

    page.goto("/search/?q=minerals")
    expect(page.get_by_role("heading", name=re.compile(r"^Minutes \([1-9]"))).to_be_visible()
    axe(page)

    # The whole register pages: the next page keeps working.
    page.goto("/follow-ups/")
    axe(page)
    pages = page.get_by_role("navigation", name="Pages of follow-ups")
    expect(pages).to_be_visible()
    pages.get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"[?&]page=2$"))
    expect(page.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    axe(page)

    page.get_by_role("link", name="Your settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your settings")
    axe(page)


def test_password_change(page, axe, sign_in):
    user = make_user(username="tui")  # the factories' password: "correct horse battery staple"
    sign_in(page, "tui", "correct horse battery staple")
    axe(page)
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    axe(page)
    page.get_by_role("button", name="Change password").click()
    assert_errors_summarised(page)
    axe(page)
    page.get_by_label("Old password").fill("correct horse battery staple")
    page.get_by_label("New password", exact=True).fill("kowhai flowers in spring")
    page.get_by_label("New password confirmation").fill("kowhai flowers in spring")
    page.get_by_role("button", name="Change password").click()
    expect(page).to_have_url(re.compile(r"/accounts/password_change/done/$"))
    axe(page)
    user.refresh_from_db()
    assert user.check_password("kowhai flowers in spring")


def test_reader_reads_but_cannot_act(page, axe, sign_in, demo):
    follow_up = FollowUp.objects.filter(status=FollowUp.Status.OPEN).earliest("pk")
    sign_in(page, "reader")
    axe(page)
    page.goto(follow_up.get_absolute_url())
    expect(page.get_by_role("heading", name="Progress and history")).to_be_visible()
    expect(page.get_by_role("heading", name="Actions")).to_have_count(0)
    expect(page.get_by_label("Progress note")).to_have_count(0)
    axe(page)
    response = page.goto(f"{follow_up.get_absolute_url()}extension/")
    assert response.status == 403
    axe(page)


def test_navigation_on_a_phone(new_page, axe, log_in, demo):
    page = new_page(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    log_in(page.context, get_user_model().objects.get(username="mbie"))
    page.goto("/")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Follow-ups")).to_be_hidden()
    axe(page)
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    axe(page)
    page.get_by_role("link", name="Follow-ups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Follow-ups")
    # Nothing but the data tables (which WCAG 1.4.10 allows to scroll) is wider than the screen.
    wider = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(element => !element.closest('table')"
        " && element.getBoundingClientRect().right > window.innerWidth + 1).map(element => element.outerHTML.slice(0, 80))"
    )
    assert not wider, wider
    axe(page)


def test_the_axe_check_catches_violations_with_and_without_javascript(new_page, axe):
    for page in (new_page(), new_page(java_script_enabled=False)):
        page.goto("/accounts/login/")
        page.locator("main").evaluate(
            "main => main.insertAdjacentHTML('beforeend', '<img src=\"/static/govuk/favicon.svg\">')"
        )
        with pytest.raises(AssertionError, match=r"image-alt \(critical\)"):
            axe(page)
