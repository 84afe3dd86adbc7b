"""`make bench`: pages of a generated register served by gunicorn (DEBUG=0) on PostgreSQL, then the other benchmarks.

Builds (or reuses) a register made by `manage.py generateregister` in the PostgreSQL database BENCH_DATABASE_URL
(else DATABASE_URL, else postgres://postgres@127.0.0.1:5432/bench), serves it with gunicorn on 127.0.0.1, and
measures each page's p50 over HTTP, signed in as a clerk and as an official of the agency with the most follow-ups,
as a multiple of the floor: a signed-in view that runs one query (bench/urls.py), requested in turn with each page
so that both see the same load. Prints a table with each target and PASS/FAIL, writes bench/results/pages.json and
pages.txt, then runs every bench/bench_*.py (the reminder run, the parser). Sends traffic only to 127.0.0.1 and stops
by itself: every request has a timeout, and the server is stopped on the way out.
"""

import argparse
import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench"
HOST = "127.0.0.1"
TARGETS = {"list": 10, "detail": 5, "admin": 10}


def server_environment(database_url):
    return {
        **os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "0",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(48), "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0", "SECURE_HSTS_SECONDS": "0",
        # Pages only: static files are not requested, so the manifest is not needed.
        "PLAIN_STATIC_STORAGE": "1", "LOG_LEVEL": "WARNING", "CONN_MAX_AGE": "600",
    }


def ensure_database(database_url):
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(database_url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("The page bench runs on PostgreSQL: set BENCH_DATABASE_URL=postgres://...")
    with psycopg.connect(
        host=config["HOST"] or HOST, port=config["PORT"] or 5432, user=config["USER"], password=config["PASSWORD"] or None,
        dbname="postgres", autocommit=True,
    ) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone():
            connection.execute(f'CREATE DATABASE "{config["NAME"]}"')
            print(f"Created database {config['NAME']}.")


def build_register(minutes):
    from django.core.management import call_command

    from cabinet.models import Meeting, Minute

    call_command("migrate", verbosity=0)
    held = Minute.objects.count()
    if held:
        print(f"Reusing the register already in the database: {held:,} minutes, {Meeting.objects.count():,} meetings.")
        if not Meeting.objects.exists():
            print("It has no meetings (generated before generateregister made the Cabinet cycle): the dashboard's coming "
                  "meetings are not measured. Drop the database to generate it again.")
        return None
    print(f"Generating a register of {minutes:,} minutes ...", flush=True)
    started = time.perf_counter()
    call_command("generateregister", minutes=minutes, seed=1)
    seconds = round(time.perf_counter() - started, 1)
    # A settled database, as autovacuum leaves a live one: planner statistics and the visibility map that lets the
    # dashboard's counts read their covering index alone.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return seconds


def session_cookie(user):
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    # Production requires a second factor (MFA_REQUIRED_FOR_ALL): the bench's people have one, as real ones do.
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    # The first backend that signs people in (as Django's test client's force_login picks it): Axes, first, only refuses.
    store[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(path), "get_user")
    )
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def choose_people_and_pages():
    from django.db.models import Count, Q
    from django.utils import timezone

    from cabinet.models import Agency, Meeting, Profile
    from decisions.models import FollowUp

    clerk = Profile.objects.filter(role=Profile.Role.CLERK, user__is_active=True, user__is_staff=True).order_by("user__username").first()
    agency = Agency.objects.annotate(
        owed=Count("follow_ups", filter=Q(follow_ups__status__in=FollowUp.ACTIVE_STATUSES))
    ).order_by("-owed").first()
    official = Profile.objects.filter(role=Profile.Role.OFFICIAL, agencies=agency, user__is_active=True).order_by("user__username").first()
    if clerk is None or official is None:
        sys.exit("The register has no clerk or no official of its largest agency: generate it with generateregister.")
    follow_up = FollowUp.objects.filter(responsible_agency=agency, status=FollowUp.Status.OPEN).order_by("-pk").first()
    # The next Cabinet meeting and what is due at it (a register generated before the Cabinet cycle has no meetings:
    # the meeting pages are then left out).
    meeting = Meeting.objects.taking_place().filter(committee__code="CAB", meeting_date__gte=timezone.localdate()).order_by(
        "meeting_date"
    ).first()
    pages = [
        ("dashboard", "list", "/"),
        ("follow-ups, default", "list", "/follow-ups/"),
        ("follow-ups, filtered", "list", "/follow-ups/?status=open&overdue=on&sort=-due"),
        ("follow-ups, q=", "list", "/follow-ups/?q=housing"),
        ("follow-ups, late page", "list", "/follow-ups/?page=99999"),
        ("search, common word", "list", "/search/?q=report"),
        ("search, rare word", "list", "/search/?q=Kermadec"),
        ("search, a name", "list", "/search/?q=MBIE"),
        ("follow-ups, q= a name", "list", "/follow-ups/?q=MBIE"),
        ("follow-up detail", "detail", f"/follow-ups/{follow_up.pk}/"),
        ("minute page", "detail", f"/minutes/{follow_up.decision.minute_id}/"),
        *([("meetings", "list", "/meetings/"), ("meeting page", "detail", f"/meetings/{meeting.pk}/")] if meeting else []),
        ("admin: minutes", "admin", "/admin/cabinet/minute/"),
        ("admin: decision items", "admin", "/admin/decisions/decisionitem/"),
        ("admin: follow-ups", "admin", "/admin/decisions/followup/"),
    ]
    people = {
        "clerk": (clerk.user, session_cookie(clerk.user)),
        "official": (official.user, session_cookie(official.user)),
    }
    return people, pages, agency


def get(port, path, cookie):
    """One GET: seconds taken and the status (a redirect or an error counts as a failure, never followed)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=120)
    started = time.perf_counter()
    try:
        connection.request("GET", path, headers={"Cookie": cookie, "Host": HOST})
        response = connection.getresponse()
        response.read()
        return time.perf_counter() - started, response.status
    finally:
        connection.close()


def start_server(port, environment):
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "cabinet.wsgi", "--bind", f"{HOST}:{port}", "--workers", "1", "--timeout", "120",
         "--log-level", "warning"],
        cwd=ROOT, env=environment,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped at start (exit {server.returncode}).")
        try:
            get(port, "/accounts/login/", "")
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    sys.exit("gunicorn did not answer within 60 s.")


def measure(port, people, pages, requests):
    floors = {role: [] for role in people}
    rows = []
    for name, kind, path in pages:
        row = {"page": name, "kind": kind, "path": path, "target": TARGETS[kind], "roles": {}}
        for role, (_, cookie) in people.items():
            if kind == "admin" and role != "clerk":
                continue
            samples, statuses = [], set()
            for n in range(requests + 2):
                floor_seconds, floor_status = get(port, "/bench/floor/", cookie)
                if floor_status != 200:
                    sys.exit(f"The floor view answered {floor_status} for the {role}: the bench's session does not sign in.")
                seconds, status = get(port, path, cookie)
                statuses.add(status)
                if n >= 2:  # the first two warm caches
                    samples.append(seconds)
                    if floor_status == 200:
                        floors[role].append(floor_seconds)
            row["roles"][role] = {"p50_ms": round(statistics.median(samples) * 1000, 1), "statuses": sorted(statuses)}
        rows.append(row)
        print(f"  measured {name}", flush=True)
    floor_ms = {role: round(statistics.median(values) * 1000, 2) for role, values in floors.items()}
    for row in rows:
        for role, result in row["roles"].items():
            result["ratio"] = round(result["p50_ms"] / floor_ms[role], 1)
            result["passed"] = result["statuses"] == [200] and result["ratio"] <= row["target"]
    return floor_ms, rows


def table(floor_ms, rows, people):
    roles = list(people)
    lines = [f"{'page':<24} {'target':>7}  " + "  ".join(f"{role:<22}" for role in roles)]
    lines.append(f"{'floor (one-query view)':<24} {'':>7}  " + "  ".join(f"{floor_ms[role]:>6.1f} ms{'':<13}" for role in roles))
    for row in rows:
        cells = []
        for role in roles:
            result = row["roles"].get(role)
            if result is None:
                cells.append(f"{'—':<22}")
                continue
            verdict = "PASS" if result["passed"] else "FAIL" if result["statuses"] == [200] else f"FAIL {result['statuses']}"
            cells.append(f"{result['ratio']:>5.1f}x {result['p50_ms']:>7.1f} ms {verdict:<5}")
        lines.append(f"{row['page']:<24} {'<= ' + str(row['target']) + 'x':>7}  " + "  ".join(cells))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=20_000, help="Size of the register to generate if none is there.")
    parser.add_argument("--requests", type=int, default=15, help="Timed requests per page and role (p50 over these).")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8200")))
    parser.add_argument("--pages-only", action="store_true", help="Skip the other benchmarks (bench/bench_*.py).")
    args = parser.parse_args()

    database_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    environment = server_environment(database_url)
    os.environ.update(environment)
    ensure_database(database_url)
    import django

    django.setup()
    from django.db import connection

    from cabinet.models import Minute
    from decisions.models import DecisionItem, FollowUp

    generated_seconds = build_register(args.minutes)
    people, pages, agency = choose_people_and_pages()
    sizes = {
        "minutes": Minute.objects.count(), "decision_items": DecisionItem.objects.count(),
        "follow_ups": FollowUp.objects.count(), "owed": FollowUp.objects.active().count(),
    }
    connection.close()
    print(f"Register: {sizes['minutes']:,} minutes, {sizes['decision_items']:,} decision items, "
          f"{sizes['follow_ups']:,} follow-ups ({sizes['owed']:,} owed); the official acts for {agency.short_name}.")
    server = start_server(args.port, environment)
    load_before = os.getloadavg()[0]
    try:
        floor_ms, rows = measure(args.port, people, pages, args.requests)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    # Other work on the machine slows the floor and the pages alike, but not by the same factor: say how busy it was.
    load = (round(load_before, 1), round(os.getloadavg()[0], 1))
    text = table(floor_ms, rows, people)
    print(f"\nPages on PostgreSQL, gunicorn, DEBUG=0: p50 of {args.requests} requests as a multiple of the floor "
          f"(load average {load[0]} at the start, {load[1]} at the end, {os.cpu_count()} CPUs)\n" + text)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "pages.txt").write_text(text + "\n")
    (out / "pages.json").write_text(json.dumps({
        "sizes": sizes, "generated_seconds": generated_seconds, "requests": args.requests, "floor_ms": floor_ms,
        "load_average": load,
        "people": {role: user.get_username() for role, (user, _) in people.items()}, "pages": rows,
    }, indent=2))

    failed = [] if all(r["passed"] for row in rows for r in row["roles"].values()) else ["pages"]
    if not args.pages_only:
        for script in sorted(Path(__file__).parent.glob("bench_*.py")):
            print(f"\n== {script.name}", flush=True)
            if subprocess.run([sys.executable, str(script)], env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}).returncode:
                failed.append(script.name)
    if failed:
        sys.exit(f"Benchmarks that failed or missed their targets: {', '.join(failed)}")


if __name__ == "__main__":
    main()
