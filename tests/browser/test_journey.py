"""The official's journey (issue 3): an overdue report-back, a progress note, an extension a clerk approves."""

import datetime
import re

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.defaultfilters import date as format_date
from django.utils import timezone
from playwright.sync_api import expect

from cabinet.business_days import add_business_days
from decisions.models import FollowUp

CHAIR = "Chair, Cabinet Economic Policy Committee"


def label(follow_up):
    """How lists link to a follow-up."""
    return f"{follow_up.decision.minute.reference} para {follow_up.decision.number}"


def test_static_files_load_and_style_the_page(page, axe):
    """The live server serves the built CSS, GOV.UK Frontend's script and htmx: nothing under /static/ is missing."""
    page.goto("/accounts/login/")
    axe(page)
    button = page.get_by_role("button", name="Sign in")
    # The stylesheet built from assets/app.scss applies: GOV.UK Frontend's button and the de-branded system font.
    assert page.evaluate(
        "[...document.styleSheets].some(sheet => (sheet.href || '').endsWith('/static/govuk/app.css')"
        " && sheet.cssRules.length > 100)"
    )
    font, background = button.evaluate(
        "element => [getComputedStyle(element).fontFamily, getComputedStyle(element).backgroundColor]"
    )
    assert font.startswith("system-ui"), font
    assert background not in ("rgb(239, 239, 239)", "rgba(0, 0, 0, 0)"), background  # not the browser's grey
    # govuk-frontend.min.js ran (initAll marks the body) and htmx is loaded.
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    assert page.evaluate("typeof window.htmx === 'object' && typeof window.htmx.version === 'string'")
    statuses = page.evaluate(
        "performance.getEntriesByType('resource').filter(entry => entry.name.includes('/static/'))"
        ".map(entry => [new URL(entry.name).pathname, entry.responseStatus])"
    )
    loaded = dict(statuses)
    for asset in ["/static/govuk/app.css", "/static/govuk/govuk-frontend.min.js"]:
        assert loaded.get(asset) == 200, statuses
    htmx = [path for path, status in statuses if re.fullmatch(r"/static/django_htmx/htmx-2(\.min)?\.js", path)]
    assert htmx and loaded[htmx[0]] == 200, statuses
    assert all(status == 200 for _, status in statuses), statuses


def test_official_finds_an_overdue_report_back_notes_progress_and_a_clerk_approves_a_long_extension(
    page, axe, sign_in, sign_out, demo
):
    today = timezone.localdate()
    # The demo's mbie official acts for MBIE and the Resources portfolio: theirs are those two owe.
    visible = FollowUp.objects.filter(Q(responsible_agency__short_name="MBIE") | Q(responsible_portfolio__name="Resources"))
    follow_up = visible.overdue().filter(status=FollowUp.Status.OPEN, kind=FollowUp.Kind.REPORT_BACK).earliest(
        "due_date", "pk"
    )
    not_overdue = visible.active().filter(due_date__gt=today).earliest("due_date", "pk")

    # Signed out, the dashboard sends you to the styled sign-in form.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    axe(page)

    sign_in(page, "mbie")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("What your portfolios owe")
    axe(page)
    overdue_group = page.get_by_role("region", name=re.compile(r"^Overdue \(\d+\)$"))
    expect(overdue_group.get_by_role("link", name=label(follow_up))).to_be_visible()
    expect(overdue_group.get_by_text("Overdue", exact=True).first).to_be_visible()

    # The follow-ups list, filtered by htmx: the results change in place and the address keeps the filters.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Follow-ups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Follow-ups")
    axe(page)
    results = page.locator("#results")
    expect(results.get_by_role("link", name=label(not_overdue))).to_be_visible()
    page.evaluate("window.sameDocument = true")
    page.get_by_label("Overdue only").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/follow-ups/\?.*\boverdue=on\b"))
    expect(results.get_by_role("link", name=label(not_overdue))).to_have_count(0)
    assert page.evaluate("window.sameDocument") is True, "the filter reloaded the whole page"
    expected = visible.overdue().count()
    expect(results.get_by_text(re.compile(r"^\d+ follow-ups?\.$"))).to_have_text(
        f"{expected} follow-up{'s' if expected != 1 else ''}."
    )
    expect(results.get_by_role("row")).to_have_count(expected + 1)
    expect(results.locator("tbody .govuk-tag")).to_have_text(["Overdue"] * expected)
    expect(page.get_by_label("Overdue only")).to_be_checked()
    axe(page)

    # Open the overdue report-back.
    results.get_by_role("link", name=label(follow_up)).click()
    detail_url = page.url
    assert detail_url.endswith(follow_up.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Report-back: {follow_up.description}")
    expect(page.locator("main .govuk-tag").first).to_have_text("Overdue")
    axe(page)

    # A progress note, posted by htmx: the timeline is swapped in, the page is not reloaded.
    page.evaluate("window.sameDocument = true")
    timeline = page.locator("#timeline")
    note = "Draft paper with the Minister's office; consulting Treasury this week."
    page.get_by_label("Progress note").fill(note)
    page.get_by_role("button", name="Add note").click()
    expect(timeline.get_by_role("listitem").filter(has_text=note)).to_contain_text("Sam Official (MBIE)")
    assert page.evaluate("window.sameDocument") is True, "adding a note reloaded the whole page"
    assert page.url == detail_url
    expect(page.get_by_label("Progress note")).to_have_value("")
    assert follow_up.notes.get().text == note
    axe(page)

    # An empty note is refused in place, with the error summary linking to the field.
    page.get_by_role("button", name="Add note").click()
    expect(timeline.locator(".govuk-error-summary")).to_contain_text("Enter the progress note")
    assert page.evaluate("window.sameDocument") is True
    axe(page)
    timeline.locator(".govuk-error-summary").get_by_role("link").click()
    expect(page.get_by_label("Progress note")).to_be_focused()

    # An extension of more than a month goes to a clerk.
    page.get_by_role("link", name="Request an extension").click()
    expect(page.get_by_role("heading", name="Request an extension")).to_be_visible()
    axe(page)
    new_date = add_business_days(today, 60)
    assert new_date > follow_up.due_date + datetime.timedelta(days=31)
    page.get_by_label("New due date").fill(new_date.isoformat())
    page.get_by_label("Reason").fill("Needs Budget decisions first; the chair has been asked.")
    page.get_by_role("button", name="Request the extension").click()
    expect(page).to_have_url(detail_url)
    expect(page.get_by_role("alert")).to_contain_text(
        f"Request sent: the due date stays {format_date(follow_up.due_date)} until a clerk decides."
    )
    axe(page)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.EXTENSION_REQUESTED
    expect(timeline).to_contain_text(
        f"Asked to move the due date from {format_date(follow_up.due_date)} to {format_date(new_date)}"
        " (needs the committee chair's agreement)."
    )
    history = page.locator("table").filter(has=page.get_by_role("columnheader", name="Asked"))
    expect(history.locator("tbody tr")).to_have_count(1)
    expect(history.locator("tbody tr")).to_contain_text(format_date(new_date))
    expect(history.locator("tbody tr")).to_contain_text("Awaiting a decision")
    expect(page.get_by_role("link", name="Request an extension")).to_have_count(0)

    sign_out(page, "mbie")

    # The clerk approves it, with the chair's agreement.
    sign_in(page, "clerk")
    expect(page.get_by_role("heading", level=1)).to_have_text("The register")
    axe(page)
    page.goto(detail_url)
    axe(page)
    page.get_by_role("link", name="Approve or decline the request").click()
    expect(page.get_by_role("heading", name="Approve or decline the extension")).to_be_visible()
    axe(page)
    page.get_by_label("Approve the new date").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter who agreed to the new date")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    axe(page)
    page.get_by_label("Agreed by").fill(CHAIR)
    page.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_url(detail_url)
    expect(page.get_by_role("alert")).to_contain_text(f"Approved: the due date is now {format_date(new_date)}.")
    axe(page)
    due = page.locator(".govuk-summary-list__row").filter(has=page.get_by_text("Due", exact=True))
    expect(due.locator("dd")).to_contain_text(format_date(new_date))
    expect(page.locator("main .govuk-tag").first).to_have_text("Open")
    expect(timeline).to_contain_text(f"Approved the new due date of {format_date(new_date)}, agreed by {CHAIR}.")
    expect(history.locator("tbody tr")).to_contain_text("Approved")
    expect(history.locator("tbody tr")).to_contain_text(f"agreed by {CHAIR}")
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.due_date) == (FollowUp.Status.OPEN, new_date)


def test_filters_keep_their_errors_with_javascript_too(page, axe, log_in, demo):
    """htmx swaps only the results: the error summary above the filters must follow (it did not at first)."""
    log_in(page.context, get_user_model().objects.get(username="mbie"))
    page.goto("/follow-ups/")
    axe(page)
    page.evaluate("window.sameDocument = true")
    page.get_by_label("Due from").fill("2026-05-01")
    page.get_by_label("Due by").fill("2026-04-01")
    page.get_by_role("button", name="Apply filters").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("“Due by” must be on or after “Due from”")
    assert page.evaluate("window.sameDocument") is True
    axe(page)
    summary.get_by_role("link").click()
    expect(page.get_by_label("Due by")).to_be_focused()
    page.get_by_label("Due by").fill("")
    page.get_by_role("button", name="Apply filters").click()
    expect(summary).to_have_count(0)
    axe(page)


def test_undated_report_back_is_flagged_for_mbie_and_a_404_for_msd(page, axe, sign_in, sign_out, demo):
    report_back = FollowUp.objects.get(decision__minute__reference="CAB-26-MIN-0018")

    sign_in(page, "mbie")
    axe(page)
    undated = page.get_by_role("region", name=re.compile(r"^No due date yet"))
    row = undated.get_by_role("row").filter(has=page.get_by_role("link", name="CAB-26-MIN-0018 para 4"))
    expect(row.locator(".govuk-tag")).to_have_text("Needs a due date")
    row.get_by_role("link", name="CAB-26-MIN-0018 para 4").click()
    expect(page.locator("main .govuk-tag").first).to_have_text("Needs a due date")
    expect(page.locator(".govuk-warning-text")).to_contain_text("has no due date")
    axe(page)
    sign_out(page, "mbie")

    sign_in(page, "msd")
    axe(page)
    expect(page.get_by_role("link", name="CAB-26-MIN-0018 para 4")).to_have_count(0)
    response = page.goto(report_back.get_absolute_url())
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("not found", ignore_case=True)
    expect(page.locator("body")).not_to_contain_text("CAB-26-MIN-0018")
    axe(page)
