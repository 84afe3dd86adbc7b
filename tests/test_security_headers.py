"""Every URL pattern, the admin's included, answers with our Content-Security-Policy and the other security headers.

The walk fills each pattern's arguments with real records (the demo, plus a reminder and an access-log entry), asks
as a signed-in superuser clerk and as nobody, and checks every response whatever its status: a page, a redirect to
sign in, a 404, a 405 for a form's POST-only address, a CSV download.
"""

import base64
import datetime
import hashlib
import io
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.http import int_to_base36
from django.urls import URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cabinet.audit import AccessLogEntry, record_event
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from cabinet.models import Meeting, Minute, Paper, ProactiveRelease
from tests.factories import make_user
from decisions import feeds, release_reminders
from decisions.models import DecisionItem, DischargeProposal, FollowUp, Redaction, Reminder, ReminderDelivery

# The record each of our own pages names by its `pk`.
PAGE_MODELS = {
    "decisions:minute_detail": Minute, "decisions:paper_detail": Paper, "api:followup_detail": FollowUp,
    # The Cabinet cycle's pages (decisions/cycle_views.py).
    "decisions:meeting_detail": Meeting, "decisions:meeting_outstanding": Meeting,
    "decisions:meeting_outstanding_pdf": Meeting, "decisions:discharge_proposal_decide": DischargeProposal,
}
ADMIN_ROUTE = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/")
CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
NONCE = re.compile(r"'nonce-([^']+)'")
DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb"]


def url_patterns(patterns=None, namespace=(), route=""):
    """(name or None, full route, pattern) for every endpoint under the root URLconf."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + ((pattern.namespace,) if pattern.namespace else ())
            yield from url_patterns(pattern.url_patterns, inner, route + str(pattern.pattern))
        else:
            name = ":".join(namespace + (pattern.name,)) if pattern.name else None
            yield name, route + str(pattern.pattern), pattern


def instance_of(model):
    instance = model._default_manager.order_by("pk").first()
    assert instance is not None, f"No {model._meta.label} to fill a URL with: create one in `records` below."
    return instance


def model_for(name, route):
    if match := ADMIN_ROUTE.match(route):
        try:
            return apps.get_model(match["app"], match["model"])
        except LookupError:
            return None
    if name in PAGE_MODELS:
        return PAGE_MODELS[name]
    if name and name.startswith("decisions:followup_"):
        return FollowUp
    if name and name.startswith("decisions:release_"):
        return ProactiveRelease
    if name and name.startswith("mfa_"):  # allauth's pages of one authenticator (a passkey's edit and remove)
        return Authenticator
    return None


def argument(key, model, clerk):
    if key in {"pk", "object_id", "id"}:
        assert model is not None, f"Which record does this URL's {key} name? Add it to PAGE_MODELS."
        return str(instance_of(model).pk)
    if key == "content_type_id":
        return str(ContentType.objects.get_for_model(Minute).pk)
    if key == "app_label":
        return "cabinet"
    if key == "uidb64":
        return urlsafe_base64_encode(force_bytes(clerk.pk))
    if key == "token":
        return "set-password"
    if key == "key":  # allauth's e-mail confirmation and password-reset keys: a wrong one must still be answered safely
        return "not-a-real-key"
    if key == "extension":  # a follow-up list's download
        return "csv"
    if key == "uidb36":
        return int_to_base36(clerk.pk)
    if key in RELEASE_ARGUMENTS:  # a release's step, pack format, paragraph or withheld span
        return RELEASE_ARGUMENTS[key]()
    raise AssertionError(f"No value for the URL argument {key!r}: teach tests/test_security_headers.py one.")


RELEASE_ARGUMENTS = {
    "name": lambda: "publish",
    "fmt": lambda: "pdf",
    "decision_pk": lambda: str(instance_of(DecisionItem).pk),
    "redaction_pk": lambda: str(instance_of(Redaction).pk),
}


def url_for(name, route, pattern, clerk):
    model = model_for(name, route)
    regex = pattern.pattern.regex
    if name is None:
        if "(?P<url>" in regex.pattern:  # the admin's catch-all for unknown addresses
            return "/admin/no-such-page/"
        return "/" + CONVERTER.sub(lambda match: argument(match[1], model, clerk), route)
    if regex.groups and not regex.groupindex:  # simple_history's ^(pk)/history/(history_id)/$
        entry = model.history.order_by("history_id").first()
        assert entry is not None, f"No history of {model._meta.label} to fill {name} with."
        return reverse(name, args=[getattr(entry, model._meta.pk.attname), entry.history_id])
    keys = CONVERTER.findall(route) or list(regex.groupindex)  # a converter may sit in an including pattern
    if keys == ["content_type_id", "object_id"]:
        return reverse(name, kwargs={"content_type_id": argument("content_type_id", None, clerk),
                                     "object_id": str(instance_of(Minute).pk)})
    return reverse(name, kwargs={key: argument(key, model, clerk) for key in keys})


def directives(policy):
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_secure(response, url):
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"{url}: no Content-Security-Policy"
    csp = directives(policy)
    for kind in ("script-src", "style-src"):
        values = csp.get(kind, csp["default-src"])
        assert "'unsafe-inline'" not in values and "'unsafe-eval'" not in values, f"{url}: {kind} {values}"
    assert csp["frame-ancestors"] == ["'none'"], url
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"], url
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin", url
    permissions = response.headers.get("Permissions-Policy", "")
    for feature in DENIED_FEATURES:
        assert f"{feature}=()" in permissions, f"{url}: Permissions-Policy {permissions!r} allows {feature}"
    assert response.headers.get("X-Content-Type-Options") == "nosniff", url
    assert response.headers.get("X-Frame-Options") == "DENY", url
    assert response.headers.get("Referrer-Policy") == "same-origin", url
    if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
        html = response.content.decode()
        nonces = NONCE.findall(policy)
        for tag in re.findall(r"<(?:script|style)\b[^>]*>", html):
            if tag.startswith("<script") and " src=" in tag:
                continue
            assert nonces and f'nonce="{nonces[0]}"' in tag, f"{url}: inline {tag} without the response's nonce"
        assert not re.search(r"<[^>]+\son[a-z]+=", html), f"{url}: an inline event handler (onclick=...)"
        allowed = csp.get("style-src-attr", [])
        for style in re.findall(r'<[^>]+\sstyle="([^"]*)"', html):
            digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in allowed, f"{url}: an inline style attribute {style!r} the policy refuses"


@pytest.fixture
def records(clerk):
    call_command("loaddemo", stdout=io.StringIO())
    follow_up = FollowUp.objects.filter(due_date__isnull=False).order_by("pk").first()
    reminder = Reminder.objects.create(
        follow_up=follow_up, kind=Reminder.Kind.OVERDUE, due_date=follow_up.due_date, offset=1,
        planned_for=follow_up.due_date + datetime.timedelta(days=1),
    )
    ReminderDelivery.objects.create(reminder=reminder, recipient=clerk)
    release_reminders.plan(on=timezone.localdate())  # the demo has releases overdue: their officials' reminders
    Group.objects.create(name="Clerks")
    # A declined request, so the outbox of decision emails has a row (its admin lists them).
    open_one = FollowUp.objects.filter(status="open", due_date__isnull=False).exclude(
        due_date_changes__status="pending"
    ).order_by("pk").first()
    open_one.take("request_extension", user=clerk, to_date=open_one.due_date + datetime.timedelta(days=90), reason="Budget.")
    open_one.take("decide_request", user=clerk, approve=False, reason="Not agreed.")
    # The demo's machinery-of-government change, told to a person (its outbox's admin lists them).
    from decisions.models import MachineryChange, MachineryNotice

    MachineryNotice.objects.create(change=MachineryChange.objects.order_by("pk").first(), recipient=clerk)
    EmailAddress.objects.create(user=clerk, email="clerk@dpmc.example.govt.nz", verified=True, primary=True)
    feeds.turn_on(clerk, by=clerk)  # a calendar feed (its admin lists them)
    # django-axes' records of sign-ins (its admin lists them): a success and a failure, through the sign-in form.
    person = make_user(username="signs-in")
    person.set_password("a passphrase long enough")
    person.save()
    Client().post(reverse("login"), {"login": "signs-in", "password": "a passphrase long enough"})
    Client().post(reverse("login"), {"login": "signs-in", "password": "wrong"})  # after: a success clears attempts
    record_event(AccessLogEntry.Kind.READ, user=clerk, record=follow_up)
    for model in admin.site._registry:  # reference data seeded by a migration has no history yet: give it one
        if hasattr(model, "history") and not model.history.exists():
            instance_of(model).save()
    return clerk


def test_the_walk_covers_our_pages_and_the_admins():
    names = {name for name, _, _ in url_patterns()}
    # A pattern each of: our pages, sign-in, the admin's own, a model's admin, simple_history's.
    assert {"decisions:minute_detail", "login", "admin:index", "admin:cabinet_minute_change",
            "admin:cabinet_minute_simple_history", "admin:cabinet_accesslogentry_export"} <= names


@pytest.mark.parametrize("signed_in", [True, False], ids=["clerk", "nobody"])
def test_every_url_answers_with_the_security_headers(client, records, signed_in):
    if signed_in:
        client.force_login(records)
    checked = 0
    for name, route, pattern in url_patterns():
        url = url_for(name, route, pattern, records)
        response = client.get(url)
        assert response.status_code < 500, f"{url}: {response.status_code}"
        assert_secure(response, url)
        checked += 1
    assert checked == len(list(url_patterns()))


def test_a_page_with_inline_code_gets_a_fresh_nonce_each_time(client, clerk):
    # The admin's change list carries an inline <style> with the nonce; two requests, two nonces.
    client.force_login(clerk)
    url = reverse("admin:cabinet_minute_changelist")
    first, second = (NONCE.search(client.get(url).headers["Content-Security-Policy"]) for _ in range(2))
    assert first and second and first[1] != second[1]


def test_htmx_is_told_not_to_eval_or_inject_styles(client, official):
    client.force_login(official)
    html = client.get(reverse("decisions:dashboard")).content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', html)[1]
    assert '"allowEval": false' in config and '"includeIndicatorStyles": false' in config
