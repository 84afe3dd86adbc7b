"""The read API: a key reads exactly what its scope sees, read only, described by a valid OpenAPI document."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openapi_spec_validator import validate

from cabinet.audit import AccessLogEntry
from cabinet.models import OIAGround
from decisions.models import ApiToken, DueDateChange, FollowUp, ProgressNote, Redaction
from tests.factories import AgencyFactory, DecisionItemFactory, PortfolioFactory, follow_up_on, minute_of

pytestmark = pytest.mark.django_db

FOLLOW_UPS = "/api/v1/follow-ups/"
MINUTES = "/api/v1/minutes/"
CHANGES = "/api/v1/changes/"


def issue(*, agencies=(), portfolios=(), expires_in=datetime.timedelta(days=30), system="Test register sync"):
    """A token as the admin issues it: returns (token, key)."""
    token = ApiToken(system=system, expires_at=timezone.now() + expires_in)
    key = token.issue_key()
    token.save()
    token.agencies.set(agencies)
    token.portfolios.set(portfolios)
    return token, key


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def register(agency, portfolio):
    """MBIE (`agency`) and Resources (`portfolio`) against MFAT and Foreign Affairs: one follow-up owed by MBIE alone,
    one by Resources on an MFAT paper, one by MFAT and Foreign Affairs alone, each on a minute of its own."""
    mfat = AgencyFactory(name="Ministry of Foreign Affairs and Trade", short_name="MFAT")
    foreign = PortfolioFactory(name="Foreign Affairs")
    mbie_minute = minute_of(lead_agency=agency, reference="CAB-26-MIN-0101")
    resources_minute = minute_of(lead_agency=mfat, reference="CAB-26-MIN-0102")
    mfat_minute = minute_of(lead_agency=mfat, portfolios=[foreign], reference="CAB-26-MIN-0103")
    return {
        "mfat": mfat, "foreign": foreign,
        "mbie_minute": mbie_minute, "resources_minute": resources_minute, "mfat_minute": mfat_minute,
        "mbie": follow_up_on(mbie_minute, agency=agency, portfolio=None, description="MBIE owes this"),
        "resources": follow_up_on(resources_minute, agency=mfat, portfolio=portfolio, description="Resources owes this"),
        "mfat_only": follow_up_on(mfat_minute, agency=mfat, portfolio=foreign, description="MFAT owes this"),
    }


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_an_agency_key_reads_its_agencys_follow_ups_and_nothing_else(client, register, agency):
    _, key = issue(agencies=[agency])
    every_status = "?" + "&".join(f"status={status}" for status in FollowUp.Status.values)
    assert ids(client.get(FOLLOW_UPS, **bearer(key))) == {register["mbie"].pk}
    assert ids(client.get(FOLLOW_UPS + every_status, **bearer(key))) == {register["mbie"].pk}
    body = client.get(FOLLOW_UPS, **bearer(key)).content.decode()
    assert "MFAT" not in body and "Resources owes this" not in body


def test_a_portfolio_key_reads_the_portfolios_follow_ups_on_another_agencys_paper(client, register, portfolio):
    _, key = issue(portfolios=[portfolio])
    assert ids(client.get(FOLLOW_UPS, **bearer(key))) == {register["resources"].pk}


def test_a_key_of_both_reads_both_and_still_not_the_other_agencys(client, register, agency, portfolio):
    _, key = issue(agencies=[agency], portfolios=[portfolio])
    assert ids(client.get(FOLLOW_UPS, **bearer(key))) == {register["mbie"].pk, register["resources"].pk}


def test_follow_ups_take_the_lists_filters(client, register, agency, portfolio):
    _, key = issue(agencies=[agency], portfolios=[portfolio])
    FollowUp.objects.filter(pk=register["resources"].pk).update(due_date=datetime.date(2026, 12, 31))
    assert ids(client.get(FOLLOW_UPS + "?due_from=2026-12-01", **bearer(key))) == {register["resources"].pk}
    assert ids(client.get(FOLLOW_UPS + f"?agency={agency.pk}", **bearer(key))) == {register["mbie"].pk}
    # Filtering on another agency's id reads nothing of it: the filter narrows the scope, never widens it.
    assert ids(client.get(FOLLOW_UPS + f"?agency={register['mfat'].pk}&portfolio={register['foreign'].pk}", **bearer(key))) == set()


def test_a_filter_that_makes_no_sense_is_a_400_saying_why(client, register, agency):
    _, key = issue(agencies=[agency])
    response = client.get(FOLLOW_UPS + "?due_from=2026-12-01&due_to=2026-01-01", **bearer(key))
    assert response.status_code == 400
    assert "due_to" in response.json()


def test_one_follow_up_with_its_timeline_and_another_agencys_is_a_404(client, register, agency, official):
    _, key = issue(agencies=[agency])
    mine = register["mbie"]
    ProgressNote.objects.create(follow_up=mine, author=official, text="Draft with the Minister's office.")
    response = client.get(f"{FOLLOW_UPS}{mine.pk}/", **bearer(key))
    assert response.status_code == 200
    data = response.json()
    assert data["minute"] == "CAB-26-MIN-0101" and data["responsible_agency"] == "MBIE"
    assert [entry["kind"] for entry in data["timeline"]] == ["created", "note"]
    assert data["timeline"][1]["text"] == "Draft with the Minister's office."
    for other in (register["resources"], register["mfat_only"]):
        assert client.get(f"{FOLLOW_UPS}{other.pk}/", **bearer(key)).status_code == 404


def test_minutes_are_those_that_concern_the_key_with_withheld_words_as_grounds(client, register, agency):
    _, key = issue(agencies=[agency])
    minute = register["mbie_minute"]
    negotiations = OIAGround.objects.get(code="9(2)(j)")
    partly = DecisionItemFactory(minute=minute, number="7", text="agreed to offer [REDACTED] to the supplier;")
    Redaction.objects.create(decision=partly, ground=negotiations, label="Price", marker="[REDACTED]")
    whole = DecisionItemFactory(minute=minute, number="8", text="s9(2)(j)", is_redacted=True)
    Redaction.objects.create(decision=whole, ground=negotiations, marker="s9(2)(j)")

    response = client.get(MINUTES, **bearer(key))
    assert ids(response) == {minute.pk}
    items = {item["number"]: item for item in response.json()["results"][0]["decisions"]}
    assert items["7"]["text"] == f"agreed to offer [Withheld: s9(2)(j) {negotiations.label}] to the supplier;"
    assert items["8"]["text"] == f"[Withheld: s9(2)(j) {negotiations.label}]"
    assert items["7"]["redactions"] == [{"label": "Price", "ground": "9(2)(j)", "ground_label": negotiations.label}]
    assert items[register["mbie"].decision.number]["follow_ups"] == [register["mbie"].pk]


def test_changes_since_a_time_are_the_follow_ups_changed_after_it(client, register, agency, portfolio, official):
    _, key = issue(agencies=[agency], portfolios=[portfolio])
    later = timezone.now() + datetime.timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        ProgressNote.objects.create(follow_up=register["resources"], author=official, text="Consulting MFAT.")
    with time_machine.travel(later + datetime.timedelta(hours=1), tick=False):
        mbie = FollowUp.objects.get(pk=register["mbie"].pk)
        mbie.due_text = "by the end of October 2026"
        mbie.save()
        register["mfat_only"].save()  # changed too, but not the key's to read
    since = (later - datetime.timedelta(minutes=1)).isoformat()
    response = client.get(CHANGES, {"since": since}, **bearer(key))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [register["resources"].pk, register["mbie"].pk]  # oldest change first
    assert rows[0]["changed_at"] == later.astimezone(timezone.get_current_timezone()).isoformat()
    after_both = (later + datetime.timedelta(hours=2)).isoformat()
    assert ids(client.get(CHANGES, {"since": after_both}, **bearer(key))) == set()


def test_changes_needs_a_time_with_its_zone(client, register, agency):
    _, key = issue(agencies=[agency])
    assert client.get(CHANGES, **bearer(key)).status_code == 400
    assert client.get(CHANGES, {"since": "2026-11-30T09:00:00"}, **bearer(key)).status_code == 400


def test_pages_follow_a_cursor(client, register, agency):
    _, key = issue(agencies=[agency])
    second = follow_up_on(register["mbie_minute"], agency=agency, portfolio=None)
    first_page = client.get(FOLLOW_UPS, {"page_size": 1}, **bearer(key)).json()
    assert [row["id"] for row in first_page["results"]] == [register["mbie"].pk]
    second_page = client.get(first_page["next"], **bearer(key)).json()
    assert [row["id"] for row in second_page["results"]] == [second.pk]
    assert second_page["next"] is None


@pytest.mark.parametrize("state", ["expired", "revoked", "unknown", "missing", "malformed"])
def test_a_key_that_does_not_work_is_a_401(client, register, agency, clerk, state):
    token, key = issue(agencies=[agency], expires_in=datetime.timedelta(days=-1) if state == "expired" else datetime.timedelta(days=1))
    if state == "revoked":
        token.revoke(user=clerk)
    headers = {
        "unknown": bearer(key + "x"), "missing": {}, "malformed": {"HTTP_AUTHORIZATION": f"Bearer {key} extra"},
    }.get(state, bearer(key))
    response = client.get(FOLLOW_UPS, **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "MBIE owes this" not in response.content.decode()


def test_a_key_stops_working_when_it_expires(client, register, agency):
    token, key = issue(agencies=[agency], expires_in=datetime.timedelta(hours=1))
    assert client.get(FOLLOW_UPS, **bearer(key)).status_code == 200
    with time_machine.travel(token.expires_at + datetime.timedelta(seconds=1)):
        assert client.get(FOLLOW_UPS, **bearer(key)).status_code == 401


def test_a_key_needs_no_csrf_token_and_a_post_is_still_refused(register, agency):
    _, key = issue(agencies=[agency])
    strict = Client(enforce_csrf_checks=True)
    assert strict.get(FOLLOW_UPS, **bearer(key)).status_code == 200
    assert strict.post(FOLLOW_UPS, {"description": "x"}, **bearer(key)).status_code == 405  # not 403: no CSRF, no write


def test_a_signed_in_session_is_no_key(client, register, clerk):
    client.force_login(clerk)
    assert client.get(FOLLOW_UPS).status_code == 401  # not the sign-in page, not the register


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_the_api_is_read_only(client, register, agency, method):
    _, key = issue(agencies=[agency])
    for url in (FOLLOW_UPS, f"{FOLLOW_UPS}{register['mbie'].pk}/", MINUTES, CHANGES):
        response = getattr(client, method)(url, **bearer(key))
        assert response.status_code == 405, url
    assert FollowUp.objects.count() == 3


def test_the_key_is_stored_only_as_a_hash(register, agency):
    token, key = issue(agencies=[agency])
    token.refresh_from_db()
    assert token.key_hash != key and len(token.key_hash) == 64
    stored = [str(value) for value in ApiToken.objects.values_list(flat=False).get(pk=token.pk)]
    assert not any(key in value for value in stored)
    assert not any(key in str(row) for row in ApiToken.history.values_list())


def test_a_clerk_issues_a_key_in_the_admin_and_sees_it_once(client, clerk, agency):
    client.force_login(clerk)
    expires = (timezone.localtime() + datetime.timedelta(days=90)).replace(microsecond=0)
    response = client.post(reverse("admin:decisions_apitoken_add"), {
        "system": "MBIE register sync", "contact": "Jo Bloggs, jo@mbie.example.govt.nz", "agencies": [agency.pk],
        "expires_at_0": expires.strftime("%Y-%m-%d"), "expires_at_1": expires.strftime("%H:%M:%S"),
    })
    assert response.status_code == 200, response.content
    token = ApiToken.objects.get()
    key = response.context["key"]
    assert key.startswith("cdt_") and key in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert token.created_by == clerk and token.key_hash == ApiToken.hash_key(key)
    change_page = client.get(reverse("admin:decisions_apitoken_change", args=[token.pk])).content.decode()
    assert key not in change_page and token.key_hint in change_page


def test_a_clerk_cannot_issue_a_key_that_reads_nothing_or_never_expires(client, clerk):
    client.force_login(clerk)
    now = timezone.localtime()
    response = client.post(reverse("admin:decisions_apitoken_add"), {
        "system": "Anything", "expires_at_0": (now + datetime.timedelta(days=3000)).strftime("%Y-%m-%d"), "expires_at_1": "09:00:00",
    })
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors)
    assert "agencies or portfolios" in errors and "at most two years" in errors
    assert not ApiToken.objects.exists()


def test_a_clerk_revokes_a_key_and_history_says_who(client, clerk, agency):
    token, key = issue(agencies=[agency])
    client.force_login(clerk)
    client.post(reverse("admin:decisions_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.revoked_by == clerk and token.revoked_at is not None
    assert token.history.latest().history_user == clerk
    client.logout()
    assert client.get(FOLLOW_UPS, **bearer(key)).status_code == 401


def test_each_read_is_in_the_access_log(client, register, agency):
    token, key = issue(agencies=[agency], system="MBIE sync")
    client.get(f"{FOLLOW_UPS}{register['mbie'].pk}/", **bearer(key))
    client.get(FOLLOW_UPS, **bearer(key))
    client.get(f"{FOLLOW_UPS}{register['mfat_only'].pk}/", **bearer(key))  # a 404 reads nothing
    rows = list(AccessLogEntry.objects.filter(kind=AccessLogEntry.Kind.API).order_by("pk"))
    assert [(row.username, row.record_type, row.record_id, row.path) for row in rows] == [
        ("API: MBIE sync", "decisions.followup", str(register["mbie"].pk), f"{FOLLOW_UPS}{register['mbie'].pk}/"),
        ("API: MBIE sync", "", "", FOLLOW_UPS),
    ]
    assert rows[0].user is None and rows[0].details == {"token": token.pk}


def test_queries_do_not_grow_with_the_page(client, register, agency, official):
    _, key = issue(agencies=[agency])
    minute = register["mbie_minute"]

    def add(count):
        for _ in range(count):
            follow_up = follow_up_on(minute, agency=agency, portfolio=None)
            DueDateChange.objects.create(follow_up=follow_up, to_date=datetime.date(2026, 12, 1), reason="More time",
                                         status=DueDateChange.Status.APPROVED, decided_at=timezone.now())
            Redaction.objects.create(decision=follow_up.decision, marker="[REDACTED]")

    def counts():
        found = []
        for url in (FOLLOW_UPS, MINUTES, f"{CHANGES}?since=2000-01-01T00:00:00Z"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url, **bearer(key)).status_code == 200
            found.append(len(queries.captured_queries))
        return found

    add(2)
    small = counts()
    add(10)
    # The token, its agencies, its portfolios; then the rows (minutes: the minutes, then their portfolios,
    # decision items, redactions, grounds and visible follow-ups, and the scope's minutes); the access-log row.
    assert counts() == small
    assert small[0] <= 6 and small[1] <= 12


def test_the_openapi_document_validates_and_describes_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)  # raises when the document is not valid OpenAPI
    assert {"/api/v1/follow-ups/", "/api/v1/follow-ups/{id}/", "/api/v1/minutes/", "/api/v1/changes/"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["bearerKey"]["scheme"] == "bearer"
    assert set(schema["paths"]["/api/v1/follow-ups/"]) == {"get"}


def test_a_tokens_scope_answers_may_see_as_an_official_of_it_would_and_may_act_never(register, agency, official):
    from decisions import access

    token, _ = issue(agencies=[agency])
    scope = token.scope()
    assert (scope.agencies, scope.portfolios) == ({agency.pk}, set())
    # The official (fixture) acts for MBIE and Resources; the token reads for MBIE alone.
    assert access.may_see(scope, register["mbie"]) and access.may_see(official, register["mbie"])
    assert not access.may_see(scope, register["resources"]) and access.may_see(official, register["resources"])
    assert not access.may_see(scope, register["mfat_only"]) and not access.may_see(scope, register["mfat_minute"])
    assert access.may_see(scope, register["mbie_minute"])
    assert not access.may_act(scope, register["mbie"]) and access.may_act(official, register["mbie"])
    assert not access.sees_everything(scope) and not access.is_clerk(scope) and not access.can_act(scope)
