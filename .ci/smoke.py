"""Production smoke test: two gunicorn servers with DEBUG=0 on one database, every page and static file from both.

Collects the static files with the manifest storage, creates a database of its own (PostgreSQL from
DATABASE_URL, with `_smoke` added to its name; a temporary SQLite file without DATABASE_URL), migrates it,
loads the demo, creates an official and a clerk, starts two servers on two ports, signs each user in
through the sign-in form on one server and loads every officials' page and the admin from both with
that session (sessions live in the database, so either host serves them), then every static file the
pages and their stylesheets refer to. Exits 1 with a list of what failed: any status other than 200, a
page one server serves and the other does not, a missing static file or one without far-future caching.
The servers are stopped however it ends. Standard library only, apart from psycopg to create the database.

    .venv/bin/python .ci/smoke.py             # or: make smoke
    SMOKE_PORTS=8100,8101 .venv/bin/python .ci/smoke.py
"""

import base64
import ctypes
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.totp import lasting_code  # noqa: E402  (RFC 6238, as the tests compute codes)
PYTHON = sys.executable
WORKERS_PER_SERVER = 2
HASHED = re.compile(r"\.[0-9a-f]{12}\.[a-z0-9]+$")  # ManifestStaticFilesStorage's name.<12 hex>.ext
FAR_FUTURE = "max-age=315360000, public, immutable"
ACCESS_LOG = re.compile(r'"(GET|POST|HEAD) /')
DETAILS_TO_TRY = 40  # follow-up pages opened to find every kind of action form
DASHBOARD_LINKS = 5  # the dashboard's links into the filtered list followed
DEMO_API_KEY = "cdt_demo-MBIE-read-only-key-not-secret-2026"  # the read API key `loaddemo` registers for MBIE
SECOND_FACTOR = "/accounts/2fa/authenticate/"
OFFICIAL_ACTIONS = {"extension", "submitted"}
CLERK_ACTIONS = {"extension/decide", "due-date", "discharge", "close"}

failures = []


def fail(message):
    failures.append(message)
    print(f"FAIL {message}", flush=True)


# Pages

class Page(HTMLParser):
    """What the checks need from a page: links, static files, and the choices of its forms."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.links, self.static, self.hidden, self.choices = [], [], {}, {}
        self._select = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src"):
            value = attrs.get(name)
            if value and value.startswith("/static/"):
                self.static.append(value)
            elif value and tag == "a" and name == "href":
                self.links.append(value)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.hidden[attrs["name"]] = attrs.get("value", "")
        if tag == "input" and attrs.get("type") in ("checkbox", "radio") and attrs.get("name"):
            self.choices.setdefault(attrs["name"], []).append(attrs.get("value", "on"))
        if tag == "select":
            self._select = attrs.get("name")
        if tag == "option" and self._select and attrs.get("value"):
            self.choices.setdefault(self._select, []).append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None

    def links_matching(self, pattern):
        seen = []
        for link in self.links:
            path = urllib.parse.urlsplit(link).path
            if re.fullmatch(pattern, path) and link not in seen:
                seen.append(link)
        return seen


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to check, not to follow


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body
        self.text = body.decode("utf-8", "replace")


class Browser:
    """One user's cookies, used against every server: they share the database, so they share the session."""

    def __init__(self, username):
        self.username = username
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects)

    def request(self, server, path, data=None, headers=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(server.url + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as response:
                return Response(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.headers, error.read())


def sign_in(browser, server, password):
    """Sign in through the real sign-in form on `server`; the session cookie then works on every server.

    The one place that knows how signing in goes: a second factor, when there is one, is answered here.
    """
    form_page = browser.request(server, "/accounts/login/")
    if form_page.status != 200:
        raise SystemExit(f"{server.name}: the sign-in page answered {form_page.status}")
    token = Page(form_page.text).hidden.get("csrfmiddlewaretoken")
    answer = browser.request(
        server, "/accounts/login/",
        {"csrfmiddlewaretoken": token, "login": browser.username, "password": password, "next": "/"},
        headers={"Referer": server.url + "/accounts/login/"},
    )
    if answer.status == 302 and answer.headers.get("Location") == SECOND_FACTOR:
        code_page = browser.request(server, SECOND_FACTOR)
        token = Page(code_page.text).hidden.get("csrfmiddlewaretoken")
        answer = browser.request(
            server, SECOND_FACTOR, {"csrfmiddlewaretoken": token, "code": lasting_code(os.environ["SMOKE_TOTP_SECRET"])},
            headers={"Referer": server.url + SECOND_FACTOR},
        )
    if answer.status != 302 or answer.headers.get("Location") != "/":
        raise SystemExit(f"{server.name}: signing in as {browser.username} answered {answer.status}, not a redirect to /")
    print(f"Signed in as {browser.username} on {server.name} (password and authenticator app)", flush=True)


def load(browser, servers, path, seen):
    """GET `path` from every server as `browser`'s user; each must answer 200. Returns the page as parsed."""
    if (browser.username, path) in seen:
        return seen[browser.username, path]
    answers = {server.name: browser.request(server, path) for server in servers}
    statuses = {name: answer.status for name, answer in answers.items()}
    for name, status in statuses.items():
        if status != 200:
            where = f" (the other server answered {set(statuses.values()) - {status}})" if len(set(statuses.values())) > 1 else ""
            location = answers[name].headers.get("Location")
            fail(f"{name} GET {path} as {browser.username}: {status}{f' to {location}' if location else ''}{where}")
    first = next(iter(answers.values()))
    page = Page(first.text) if first.status == 200 else Page("")
    seen[browser.username, path] = page
    print(f"  {' '.join(str(status) for status in statuses.values())}  {path}", flush=True)
    return page


def officials_pages(browser, servers, seen, *, actions):
    """Dashboard, the list with each filter, follow-ups and their action forms, a minute, a paper, search, settings."""
    dashboard = load(browser, servers, "/", seen)
    listing = load(browser, servers, "/follow-ups/", seen)
    for link in dashboard.links_matching(r"/follow-ups/")[:DASHBOARD_LINKS]:
        load(browser, servers, link, seen)
    filters = [{"q": "report"}, {"overdue": "on"}, {"undated": "on"}, {"due_from": "2020-01-01", "due_to": "2030-12-31"}]
    filters += [{name: values[0]} for name, values in listing.choices.items() if values]
    filters += [{"sort": sort} for sort in listing.choices.get("sort", [])]
    filters.append({name: values[-1] for name, values in listing.choices.items() if values and name != "sort"})
    for query in filters:
        load(browser, servers, "/follow-ups/?" + urllib.parse.urlencode(query), seen)
    if any("page=2" in link for link in listing.links):
        load(browser, servers, "/follow-ups/?page=2", seen)

    # The first two follow-ups of each status, then the rest, until every kind of action form has turned up.
    by_status = [
        load(browser, servers, "/follow-ups/?status=" + status, seen).links_matching(r"/follow-ups/\d+/")
        for status in listing.choices.get("status", [""])
    ]
    first = list(dict.fromkeys(link for links in by_status for link in links[:2]))
    details = list(dict.fromkeys(first + [link for links in by_status for link in links]))
    if not details:
        fail(f"no follow-up is visible to {browser.username}: the demo data did not load")
    found, minutes, papers = set(), [], []
    for position, detail in enumerate(details[:DETAILS_TO_TRY], start=1):
        page = load(browser, servers, detail, seen)
        minutes += page.links_matching(r"/minutes/\d+/")
        papers += page.links_matching(r"/papers/\d+/")
        for form in page.links_matching(r"/follow-ups/\d+/[a-z-]+/(?:decide/)?"):
            action = form.split("/", 3)[3].rstrip("/")
            if action not in found:
                found.add(action)
                load(browser, servers, form, seen)
        if found >= actions and minutes and position >= len(first):
            break
    for missing in sorted(actions - found):
        fail(f"no {missing} form among the first {DETAILS_TO_TRY} follow-ups {browser.username} sees")
    if not minutes:
        fail(f"no minute is linked from the follow-ups {browser.username} sees")
    for minute in minutes[:1]:
        papers += load(browser, servers, minute, seen).links_matching(r"/papers/\d+/")
    if not papers:
        fail(f"no paper is linked from the follow-ups or minutes {browser.username} sees")
    for paper in papers[:1]:
        load(browser, servers, paper, seen)
    for query in ("report", "MBIE", "CAB-26-MIN-0018", "zzzz-nothing-matches"):
        load(browser, servers, "/search/?" + urllib.parse.urlencode({"q": query}), seen)
    load(browser, servers, "/settings/", seen)


def download(browser, servers, path, content_type, headers=None):
    """GET a file (not a page) from every server: each must answer 200 with `content_type`."""
    for server in servers:
        answer = browser.request(server, path, headers=headers)
        received = answer.headers.get("Content-Type", "")
        if answer.status != 200 or not received.startswith(content_type):
            fail(f"{server.name} GET {path} as {browser.username}: {answer.status} {received!r}, not 200 {content_type}")
            return
    print(f"  {' '.join('200' for _ in servers)}  {path} ({content_type})", flush=True)


def register_pages(browser, servers, seen, *, clerk):
    """Reports, meetings (and, for a clerk, a meeting's outstanding report-backs paper), releases and a release's
    pack, the follow-up list's downloads, and the read API with the demo's key."""
    load(browser, servers, "/reports/", seen)
    meetings = load(browser, servers, "/meetings/", seen).links_matching(r"/meetings/\d+/")
    if not meetings:
        fail(f"no meeting is listed for {browser.username}: the demo's term of meetings did not load")
    for meeting in meetings[:1]:
        load(browser, servers, meeting, seen)
        if clerk:
            load(browser, servers, meeting + "outstanding/", seen)
            download(browser, servers, meeting + "outstanding.pdf", "application/pdf")
    releases = []
    for show in ("soon", "overdue", "held", "published", "all"):
        releases += load(browser, servers, "/releases/?show=" + show, seen).links_matching(r"/releases/\d+/")
    if not releases:
        fail(f"no release is listed for {browser.username}: the demo's releases did not load")
    for release in list(dict.fromkeys(releases))[:1]:
        page = load(browser, servers, release, seen)
        for pack in page.links_matching(r"/releases/\d+/pack\.pdf"):
            download(browser, servers, pack, "application/pdf")
    download(browser, servers, "/follow-ups/export.csv?overdue=on", "text/csv")
    download(browser, servers, "/follow-ups/export.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    api = Browser("(API key)")
    download(api, servers, "/api/v1/openapi.json", "application/")
    download(api, servers, "/api/v1/follow-ups/", "application/json", headers={"Authorization": f"Bearer {DEMO_API_KEY}"})


def admin_pages(browser, servers, seen):
    """The admin index, every changelist it links to, and the change form of each list's first row."""
    index = load(browser, servers, "/admin/", seen)
    changelists = index.links_matching(r"/admin/\w+/\w+/")
    if not changelists:
        fail("the admin index links to no changelist")
    for changelist in changelists:
        page = load(browser, servers, changelist, seen)
        for change in page.links_matching(re.escape(changelist) + r"[^/]+/change/")[:1]:
            load(browser, servers, change, seen)


def static_files(servers, seen):
    """Every static file a page or a stylesheet refers to, from every server, under its hashed, cacheable name."""
    anonymous = Browser("(static)")
    queue = sorted({url for page in seen.values() for url in page.static})
    if not queue:
        fail("no page refers to a static file")
    checked = set()
    while queue:
        url = urllib.parse.urlsplit(queue.pop(0)).path
        if url in checked:
            continue
        checked.add(url)
        if not HASHED.search(url):
            fail(f"{url} is not under a hashed name, so it cannot be cached for ever")
        for server in servers:
            answer = anonymous.request(server, url, headers={"Accept-Encoding": "gzip"})
            if answer.status != 200:
                fail(f"{server.name} static {url}: {answer.status}")
                continue
            if HASHED.search(url) and answer.headers.get("Cache-Control") != FAR_FUTURE:
                fail(f"{server.name} static {url}: Cache-Control {answer.headers.get('Cache-Control')!r}, not {FAR_FUTURE!r}")
        if url.endswith(".css"):
            css = anonymous.request(servers[0], url).text
            for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)|@import\s+['\"]([^'\"]+)['\"]", css):
                ref = ref[0] or ref[1]
                if not re.match(r"(data:|#|[a-z]+://|//)", ref):
                    queue.append(urllib.parse.urljoin(url, ref))
    print(f"  {len(checked)} static files from {len(servers)} servers", flush=True)


# Servers and database

class Server:
    def __init__(self, name, port, env, log_dir):
        self.name, self.port = name, port
        self.url = f"http://127.0.0.1:{port}"
        self.log = log_dir / f"{name}.log"
        command = [
            PYTHON, "-m", "gunicorn", "cabinet.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(WORKERS_PER_SERVER), "--access-logfile", "-", "--timeout", "60",
        ]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=stop_with_parent,
            )

    def wait_until_ready(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited with status {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not listen on port {self.port} within {seconds} s")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()  # gunicorn's arbiter stops its workers gracefully

    def wait_stopped(self):
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the arbiter and its workers
            self.process.wait()


def stop_with_parent():
    """In the server process: the kernel sends it SIGTERM if this script dies without cleaning up (Linux)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def free_ports(count):
    if os.environ.get("SMOKE_PORTS"):
        return [int(port) for port in os.environ["SMOKE_PORTS"].split(",")][:count]
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def smoke_database(database_url, workdir):
    """A fresh database for this run: `<name>_smoke` on DATABASE_URL's PostgreSQL, or an SQLite file in workdir."""
    if not database_url:
        return f"sqlite:///{workdir / 'smoke.sqlite3'}", None
    import psycopg
    from psycopg import sql

    url = urllib.parse.urlsplit(database_url)
    name = os.environ.get("SMOKE_DATABASE_NAME") or f"{url.path.lstrip('/') or 'postgres'}_smoke"
    maintenance = url._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop():
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    return url._replace(path=f"/{name}").geturl(), drop


CREATE_USERS = """
import os
from django.contrib.auth import get_user_model
from cabinet.models import Agency, Committee, Portfolio, Profile
from django.utils import timezone

official = get_user_model().objects.create_user(
    "smoke-official", "smoke-official@example.govt.nz", os.environ["SMOKE_OFFICIAL_PASSWORD"])
profile = Profile.objects.create(user=official, role=Profile.Role.OFFICIAL)
profile.agencies.set(Agency.objects.filter(short_name="MBIE"))
profile.portfolios.set(Portfolio.objects.filter(name="Resources"))
clerk = get_user_model().objects.create_superuser(
    "smoke-clerk", "smoke-clerk@example.govt.nz", os.environ["SMOKE_CLERK_PASSWORD"])
profile = Profile.objects.create(user=clerk, role=Profile.Role.CLERK)
profile.committees.set(Committee.objects.current(timezone.localdate()))
# Production asks everyone for a second factor: each has an authenticator app with the run's secret.
from allauth.mfa.totp.internal.auth import TOTP
for user in (official, clerk):
    TOTP.activate(user, os.environ["SMOKE_TOTP_SECRET"])
"""


def manage(env, *args):
    print(f"manage.py {' '.join(args[:1])}", flush=True)
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args[:1])} failed ({result.returncode}):\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return result.stdout


def main():
    started = time.monotonic()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the `finally` below on a kill, as on Ctrl-C
    signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    servers, drop_database = [], None
    with tempfile.TemporaryDirectory(prefix="smoke-") as workdir:
        workdir = Path(workdir)
        try:
            database_url, drop_database = smoke_database(os.environ.get("DATABASE_URL", ""), workdir)
            passwords = {role: secrets.token_urlsafe(18) for role in ("official", "clerk")}
            os.environ["SMOKE_TOTP_SECRET"] = base64.b32encode(secrets.token_bytes(20)).decode()
            env = {
                **os.environ,
                "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
                "LOCAL_PLAIN_HTTP": "1", "DATABASE_URL": database_url, "STATIC_ROOT": str(workdir / "static"),
                "SMOKE_OFFICIAL_PASSWORD": passwords["official"], "SMOKE_CLERK_PASSWORD": passwords["clerk"],
            }
            env.pop("PLAIN_STATIC_STORAGE", None)
            env.pop("EMAIL_HOST", None)
            manage(env, "collectstatic", "--noinput")
            manage(env, "migrate", "--noinput")
            manage(env, "loaddemo")
            manage(env, "shell", "--no-imports", "-c", CREATE_USERS)
            servers = [Server(f"server-{n}", port, env, workdir) for n, port in enumerate(free_ports(2), start=1)]
            for server in servers:
                server.wait_until_ready()
            print(f"Serving {database_url.split('@')[-1]} from {', '.join(f'{s.name} ({s.url})' for s in servers)}", flush=True)

            seen = {}
            official, clerk = Browser("smoke-official"), Browser("smoke-clerk")
            sign_in(official, servers[0], passwords["official"])  # one server signs in, both serve the session
            sign_in(clerk, servers[1], passwords["clerk"])
            print("Official's pages:", flush=True)
            officials_pages(official, servers, seen, actions=OFFICIAL_ACTIONS)
            register_pages(official, servers, seen, clerk=False)
            print("Clerk's pages and the admin:", flush=True)
            officials_pages(clerk, servers, seen, actions=CLERK_ACTIONS)
            register_pages(clerk, servers, seen, clerk=True)
            admin_pages(clerk, servers, seen)
            print("Static files:", flush=True)
            static_files(servers, seen)
        finally:
            for server in servers:
                server.stop()
            for server in servers:
                server.wait_stopped()
            if failures or sys.exc_info()[0] is not None:
                for server in servers:
                    # What the server said apart from its access log: tracebacks of the failures above.
                    said = [line for line in server.log.read_text().splitlines() if not ACCESS_LOG.search(line)]
                    print(f"--- {server.name}, {server.log.name}, last lines ---", *said[-60:], sep="\n", file=sys.stderr)
        if drop_database and not failures:
            drop_database()
    elapsed = time.monotonic() - started
    if failures:
        print(f"\nProduction smoke test FAILED ({len(failures)} problems, {elapsed:.0f} s):", file=sys.stderr)
        for message in failures:
            print(f"  {message}", file=sys.stderr)
        return 1
    pages = len(seen)
    print(f"Production smoke test passed: {pages} pages and their static files from {len(servers)} servers in {elapsed:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
