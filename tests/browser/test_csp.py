"""Our pages and the admin work in Chromium under the Content-Security-Policy: no violation on any page visited.

Chromium reports each refused script, style or load twice: a `securitypolicyviolation` event in the page and an
error on the console. A listener installed before any of the page's own code collects the first; the console is
watched for the second. Axe is not run here (the other browser tests check our pages; the admin is Django's own).
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from cabinet.audit import AccessLogEntry
from cabinet.models import Minute
from decisions.models import FollowUp

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} refused ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def csp_page(new_context, demo):
    """A page whose console and violation events are kept; after the test, none may mention the policy."""
    context = new_context()
    context.add_init_script(COLLECT_VIOLATIONS)
    page = context.new_page()
    console = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    seen = []

    def visit(url):
        page.goto(url)
        record(page)

    def record(current):
        seen.extend(current.evaluate("window.__cspViolations"))

    page.visit, page.record = visit, record
    yield page
    refused = [line for line in console if re.search(r"Content[- ]Security[- ]Policy", line, re.IGNORECASE)]
    assert not refused and not seen, "CSP violations:\n" + "\n".join(refused + seen)


def test_our_pages_and_htmx_run_under_the_policy(csp_page, log_in):
    page = csp_page
    page.visit("/accounts/login/")
    log_in(page.context, get_user_model().objects.get(username="mbie"))
    page.visit("/")
    # GOV.UK Frontend started (its script is a file now) and htmx loaded.
    expect(page.locator("body")).to_have_class(re.compile(r"\bgovuk-frontend-supported\b"))
    assert page.evaluate("typeof window.htmx === 'object' && htmx.config.allowEval === false")
    page.visit(reverse("decisions:followup_list"))
    page.locator("#id_status_0").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state("networkidle")
    page.record(page)
    follow_up = FollowUp.objects.filter(responsible_agency__short_name="MBIE", status=FollowUp.Status.OPEN).first()
    page.visit(follow_up.get_absolute_url())
    page.locator("#id_text").fill("Drafting the report-back.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#timeline")).to_contain_text("Drafting the report-back.")
    page.record(page)
    page.visit(follow_up.decision.minute.get_absolute_url())
    page.visit(reverse("decisions:search") + "?q=report")


def test_the_admin_runs_under_the_policy(csp_page, log_in):
    page = csp_page
    clerk = get_user_model().objects.get(username="clerk")
    log_in(page.context, clerk)
    minute = Minute.objects.order_by("pk").first()
    follow_up = FollowUp.objects.order_by("pk").first()
    for url in [
        reverse("admin:index"),
        reverse("admin:cabinet_minute_changelist"),
        reverse("admin:cabinet_minute_change", args=[minute.pk]),
        reverse("admin:cabinet_minute_history", args=[minute.pk]),
        reverse("admin:decisions_followup_changelist") + "?status__exact=open",
        reverse("admin:decisions_followup_change", args=[follow_up.pk]),
        reverse("admin:cabinet_paper_add"),
        reverse("admin:auth_user_change", args=[clerk.pk]),
        reverse("admin:auth_user_history", args=[clerk.pk]),
        reverse("admin:cabinet_accesslogentry_changelist"),
    ]:
        page.visit(url)
        expect(page.locator("#content")).to_be_visible()
    # The admin's own scripts work: the date shortcut and an autocomplete widget (jQuery and select2).
    page.visit(reverse("admin:cabinet_paper_add"))
    page.get_by_role("button", name=re.compile(r"^Today")).first.click()
    assert page.locator("#id_paper_date").input_value()
    page.locator(".select2-selection").first.click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    page.record(page)
    # Reading a minute's admin page was logged.
    assert AccessLogEntry.objects.filter(user=clerk, record_type="cabinet.minute", record_id=str(minute.pk)).exists()
