"""Settings from the environment (strict yes/no values, plain HTTP only on this machine) and the production static files."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client, override_settings

from cabinet.settings import env_bool

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("True", True), (" yes ", True), ("ON", True),
     ("0", False), ("false", False), ("False", False), ("no", False), ("off", False)],
)
def test_env_bool_reads_yes_and_no(monkeypatch, value, expected):
    monkeypatch.setenv("TRACKER_FLAG", value)
    assert env_bool("TRACKER_FLAG", default=not expected) is expected


@pytest.mark.parametrize("value", [None, "", "  "])
def test_env_bool_unset_or_empty_is_the_default(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("TRACKER_FLAG", raising=False)
    else:
        monkeypatch.setenv("TRACKER_FLAG", value)
    assert env_bool("TRACKER_FLAG", default=True) is True
    assert env_bool("TRACKER_FLAG", default=False) is False


@pytest.mark.parametrize("value", ["ture", "2", "y", "enabled", "flase"])
def test_env_bool_refuses_a_value_it_does_not_know(monkeypatch, value):
    monkeypatch.setenv("TRACKER_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match=rf"TRACKER_FLAG='{value}' is not a yes/no value"):
        env_bool("TRACKER_FLAG", default=True)


def fresh_settings(expression, **environ):
    """Import cabinet.settings in a fresh interpreter with only `environ` set and print `expression` of `settings` as
    JSON: the finished process (its output, or the error)."""
    script = f"import json, django; from django.conf import settings; django.setup(); print(json.dumps({expression}))"
    env = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "cabinet.settings", **environ}
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def production_settings(**environ):
    """cabinet.settings' HTTPS settings with only `environ` set, or the error."""
    return fresh_settings(
        "{name: getattr(settings, name) for name in "
        "['DEBUG', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS']}",
        **environ,
    )


@pytest.mark.parametrize("name", ["DEBUG", "SESSION_COOKIE_SECURE", "SECURE_SSL_REDIRECT"])
def test_a_typo_in_a_yes_no_setting_refuses_to_start(name):
    environ = {"SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "tracker.example.govt.nz", name: "ture"}
    result = production_settings(**environ)
    assert result.returncode != 0
    assert f"{name}='ture' is not a yes/no value" in result.stderr
    assert result.stdout == ""


def test_production_is_https_only_by_default():
    result = production_settings(SECRET_KEY="k" * 50, ALLOWED_HOSTS="tracker.example.govt.nz")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "DEBUG": False, "SECURE_SSL_REDIRECT": True, "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
    }


def test_local_plain_http_serves_production_settings_over_http_on_this_machine():
    result = production_settings(SECRET_KEY="k" * 50, ALLOWED_HOSTS="127.0.0.1,localhost", LOCAL_PLAIN_HTTP="1")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "DEBUG": False, "SECURE_SSL_REDIRECT": False, "SESSION_COOKIE_SECURE": False, "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
    }


def test_local_plain_http_refuses_to_start_for_a_real_host_name():
    result = production_settings(
        SECRET_KEY="k" * 50, ALLOWED_HOSTS="127.0.0.1,tracker.example.govt.nz", LOCAL_PLAIN_HTTP="1"
    )
    assert result.returncode != 0
    assert "LOCAL_PLAIN_HTTP serves over plain HTTP and is only for this machine" in result.stderr
    assert result.stdout == ""


def database_options(**environ):
    """The database OPTIONS cabinet.settings makes of `environ`, from a fresh interpreter (no connection is opened)."""
    result = fresh_settings(
        "settings.DATABASES['default'].get('OPTIONS', {})",
        SECRET_KEY="k" * 50, ALLOWED_HOSTS="tracker.example.govt.nz", **environ,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_postgresql_binds_parameters_on_the_server_and_prepares_repeated_queries_unless_told_not_to():
    url = "postgres://tracker@db.example.govt.nz:5432/tracker"
    assert database_options(DATABASE_URL=url) == {"server_side_binding": True, "prepare_threshold": 5}
    # Behind PgBouncer in transaction mode, which cannot keep a connection's prepared statements.
    assert database_options(DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="0") == {}
    assert "server_side_binding" not in database_options()  # SQLite


@pytest.mark.django_db
def test_a_query_run_again_on_a_postgresql_connection_is_planned_once():
    from django.db import connection

    from decisions.models import FollowUp

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    # A query no other test runs, so it is new on this connection.
    queryset = FollowUp.objects.with_context().filter(pk=0, description__startswith="planned once")
    for _ in range(6):  # psycopg prepares a query from its sixth run (prepare_threshold 5)
        list(queryset.all())
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert any('"decisions_followup"."description"::text LIKE $' in statement for statement in prepared), prepared


PRODUCTION_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_collectstatic_with_the_production_storage_serves_every_file_a_page_and_its_css_refer_to(tmp_path):
    assert (ROOT / "static" / "govuk" / "app.css").exists(), "build the assets first: make assets"
    with override_settings(
        STATIC_ROOT=tmp_path, STORAGES=PRODUCTION_STATIC, WHITENOISE_USE_FINDERS=False, WHITENOISE_AUTOREFRESH=False
    ):
        # The manifest storage raises ValueError on any file a CSS or JS file refers to that is not there.
        call_command("collectstatic", interactive=False, verbosity=0)
        client = Client()  # after collectstatic: WhiteNoise indexes STATIC_ROOT when the first request builds it
        page = client.get("/accounts/login/")  # base.html, as every page
        assert page.status_code == 200
        static_urls = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text))
        # The stylesheet, the favicon, GOV.UK's script, htmx and our own scripts, each under its hashed name.
        names = {url.rsplit("/", 1)[-1].split(".")[0] for url in static_urls}
        assert {"app", "favicon", "govuk-frontend", "htmx-2", "js-enabled", "govuk-init"} <= names, static_urls
        for url in static_urls:
            assert re.search(r"\.[0-9a-f]{12}\.(css|js|svg)$", url), url
            response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
            assert response.status_code == 200, url
            assert response["Cache-Control"] == "max-age=315360000, public, immutable", url
            assert response["Content-Encoding"] == "gzip", url

        css_url = next(url for url in static_urls if url.endswith(".css"))
        css = (tmp_path / css_url.removeprefix("/static/")).read_text()
        # De-branded: no crest, crown or GDS Transport, so the GOV.UK styles refer to no image or font at all.
        assert re.findall(r"url\(", css) == []
        assert "govuk-crest" not in css and "@font-face" not in css
        # A name without its hash may change under the same URL: cached briefly, not for ever.
        response = client.get("/static/govuk/app.css")
        assert response.status_code == 200
        assert "immutable" not in response["Cache-Control"]


def test_tests_use_the_plain_static_storage():
    # The suite renders pages without running collectstatic; production uses the manifest (above).
    assert settings.STORAGES["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
