"""Browser tests: Debian's Chromium driven by Playwright against the live server, axe on every page visited.

One browser per session, a new context per test. Every test here is marked `browser` (excluded from
`make test`, run by `make test-browser`) and runs on a transactional database restored from the
migrations' reference data (committees, OIA grounds) before each test.
"""

import io
import json
import os
import re
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect, sync_playwright

from decisions.management.commands.loaddemo import DEMO_FILE
from tests.totp import lasting_code

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
HERE = Path(__file__).resolve().parent
SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)

DEMO_ACCOUNTS = json.loads(DEMO_FILE.read_text())["accounts"]
DEMO_PASSWORDS = {account["username"]: account["password"] for account in DEMO_ACCOUNTS}
DEMO_TOTP_SECRETS = {account["username"]: account["totp_secret"] for account in DEMO_ACCOUNTS if "totp_secret" in account}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark everything under tests/browser before `-m` deselects, so no browser test runs in `make test`."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API keeps its asyncio event loop running in this thread, so Django's async-safety
    # check would refuse the tests' own (synchronous) ORM calls; allowed only while the browser runs.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        if before is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


def format_violations(url, violations):
    lines = [f"{len(violations)} accessibility violation(s) (WCAG 2.2 A/AA) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}  <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(str(target) for target in node['target'])}")
            lines.append(f"       {node['html'][:300]}")
            for summary in (node.get("failureSummary") or "").splitlines():
                lines.append(f"       {summary.strip()}")
    return "\n".join(lines)


class Watch:
    """One browser page: every page it visited, which of them axe checked, and any asset that failed to load."""

    def __init__(self, page, *, javascript=True):
        self.page, self.javascript = page, javascript
        self.visited, self.checked, self.broken = [], set(), []
        page.on("framenavigated", self._navigated)
        page.on("response", self._response)
        page.on("requestfailed", self._failed)

    def _navigated(self, frame):
        if frame == self.page.main_frame:
            self.visited.append(urldefrag(frame.url).url)  # a jump to #id_text is the same page

    def _failed(self, request):
        if "/static/" in request.url and "ERR_ABORTED" not in (request.failure or ""):  # aborted: we navigated on
            self.broken.append(f"{request.url} ({request.failure})")

    def _response(self, response):
        if "/static/" in response.url and response.status >= 400:
            self.broken.append(f"{response.url} ({response.status})")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.passed_its_call = report.passed
    return report


@pytest.fixture
def watches(request):
    """After a test that passed: no static file failed to load, and axe checked every page visited."""
    watched = []
    yield watched
    if not getattr(request.node, "passed_its_call", False):
        return
    for watch in watched:
        assert not watch.broken, f"Static files that did not load: {watch.broken}"
        unchecked = [url for url in dict.fromkeys(watch.visited) if url not in watch.checked and url != "about:blank"]
        assert not unchecked, f"Pages visited without an axe check: {unchecked}"


@pytest.fixture
def new_context(browser, live_server):
    """Open a browser context on the live server (closed after the test): new_context(java_script_enabled=False)."""
    opened = []

    def open_context(**options):
        context = browser.new_context(
            base_url=live_server.url, locale="en-NZ", timezone_id="Pacific/Auckland", **options
        )
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def new_page(new_context, watches):
    def open_page(context=None, **options):
        context = context or new_context(**options)
        page = context.new_page()
        watches.append(Watch(page, javascript=options.get("java_script_enabled", True)))
        return page

    return open_page


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def nojs_page(new_page):
    return new_page(java_script_enabled=False)


@pytest.fixture
def axe(watches, new_context):
    """axe(page): assert the page as it is now has no WCAG 2.2 A/AA violations.

    With JavaScript off Chromium runs no callbacks, axe's included, so a page without JavaScript is checked
    as served: its HTML, scripts removed, replayed at the same address in a context with JavaScript on.
    """
    engine = Axe()
    replays = {}
    replay_page = None

    def replay(url, html):
        nonlocal replay_page
        if replay_page is None:
            context = new_context()
            context.route(lambda address: address in replays, lambda route: route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=replays[route.request.url]
            ))
            replay_page = context.new_page()
        replays[url] = html
        replay_page.goto(url)
        return replay_page

    def check(page):
        watch = next(w for w in watches if w.page is page)
        url = urldefrag(page.url).url
        checked = page if watch.javascript else replay(url, SCRIPT.sub("", page.content()))
        violations = engine.run(checked, options=AXE_OPTIONS).response["violations"]
        watch.checked.add(url)
        if violations:
            raise AssertionError(format_violations(url, violations))

    return check


@pytest.fixture
def sign_in(axe):
    """sign_in(page, username, password=the demo account's): through the sign-in form, as a person would,
    then the authenticator app's code for a demo account that has one (totp_secret=... for another)."""

    def fill_in(page, username, password=None, totp_secret=None):
        page.goto("/accounts/login/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        axe(page)
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password or DEMO_PASSWORDS[username])
        page.get_by_role("button", name="Sign in").click()
        secret = totp_secret or DEMO_TOTP_SECRETS.get(username)
        if secret:
            expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
            axe(page)
            cache.clear()  # allauth refuses a code used before: an earlier test may have signed in this 30 seconds
            page.get_by_label("Code").fill(lasting_code(secret))
            page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()

    return fill_in


@pytest.fixture
def sign_out(axe):
    def press(page, username):
        page.get_by_role("button", name=f"Sign out {username}").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        expect(page.get_by_role("button", name=re.compile("^Sign out"))).to_have_count(0)
        axe(page)

    return press


@pytest.fixture
def log_in(live_server):
    """log_in(context, user): a session without the form (force_login), for tests about other pages."""

    def add_session(context, user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])

    return add_session


@pytest.fixture
def demo():
    """The demo records and accounts (clerk, mbie, msd, reader), dates relative to today."""
    call_command("loaddemo", stdout=io.StringIO())
