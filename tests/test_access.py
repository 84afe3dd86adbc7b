"""Need to know: role x record x every officials' URL and action, each visibility route on its own.

The expected results come from the tables below, written from the rule (decisions/access.py's docstring), never
from access.py itself. The official acts for MBIE and the Resources portfolio; "MfE" and "Environment" are a
neutral agency and portfolio that give no route; MSD and Social Development belong to someone else.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.urls import reverse

from cabinet.models import Profile
from decisions import access
from decisions.models import DueDateChange, FollowUp, ProgressNote
from tests.factories import (
    AgencyFactory, DecisionItemFactory, MinuteFactory, PaperFactory, PortfolioFactory, follow_up_on, make_user, minute_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tuesday():
    with time_machine.travel(datetime.datetime(2026, 3, 10, 10, tzinfo=zoneinfo.ZoneInfo("Pacific/Auckland")), tick=False):
        yield


class World:
    """One record per route, each reachable by that route alone."""

    def __init__(self):
        self.mbie = AgencyFactory(name="Ministry of Business, Innovation and Employment", short_name="MBIE")
        self.resources = PortfolioFactory(name="Resources")
        mfe, environment = AgencyFactory(short_name="MfE"), PortfolioFactory(name="Environment")
        self.msd, self.social = AgencyFactory(short_name="MSD"), PortfolioFactory(name="Social Development")
        self.official = make_user(Profile.Role.OFFICIAL, username="official", agencies=[self.mbie], portfolios=[self.resources])
        self.minutes, self.follow_ups = {}, {}

        def record(name, *, lead, portfolios=(), owed=()):
            minute = self.minutes[name] = minute_of(lead_agency=lead, portfolios=portfolios, title=f"Minute {name}")
            for suffix, agency, portfolio in owed:
                self.follow_ups[name + suffix] = follow_up_on(
                    minute, agency=agency, portfolio=portfolio, description=f"Owed {name}{suffix}",
                    due_date=datetime.date(2026, 6, 30),
                )

        # A follow-up of MBIE's (agency only) on a minute that concerns the official only through it.
        record("own_agency", lead=mfe, portfolios=[environment], owed=[("", self.mbie, environment)])
        # A follow-up of the Resources portfolio's (portfolio only), likewise.
        record("own_portfolio", lead=mfe, portfolios=[environment], owed=[("", mfe, self.resources)])
        # A minute of the Resources portfolio (minute portfolio only) carrying someone else's follow-up.
        record("minute_portfolio", lead=mfe, portfolios=[self.resources], owed=[("", mfe, environment)])
        # A minute of a paper MBIE leads (lead agency only) carrying someone else's follow-up.
        record("lead_agency", lead=self.mbie, portfolios=[environment], owed=[("", mfe, environment)])
        # A joint minute: one follow-up MBIE's, one MSD's.
        record("shared", lead=mfe, portfolios=[environment], owed=[("", self.mbie, environment), ("_msd", self.msd, self.social)])
        # Another agency's minute entirely.
        record("other", lead=self.msd, portfolios=[self.social], owed=[("", self.msd, self.social)])


@pytest.fixture
def world():
    return World()


# What the official may do: by record, the follow-up's page and actions, and the minute's and paper's pages.
OFFICIAL_SEES_FOLLOW_UP = {
    "own_agency": True, "own_portfolio": True, "minute_portfolio": False, "lead_agency": False,
    "shared": True, "shared_msd": False, "other": False,
}
OFFICIAL_SEES_MINUTE = {
    "own_agency": True, "own_portfolio": True, "minute_portfolio": True, "lead_agency": True, "shared": True,
    "other": False,
}

ACTIONS = {  # name: (clerks only, a valid POST that would change the follow-up)
    "followup_add_note": (False, {"text": "Forged progress."}),
    "followup_request_extension": (False, {"to_date": "2026-12-01", "reason": "More time."}),
    "followup_mark_submitted": (False, {"reference": "CAB-26-SUB-0999"}),
    "followup_propose_due_date": (False, {"to_date": "2026-12-01", "reason": "A date."}),
    "followup_withdraw_request": (False, {"reason": "Not needed."}),
    "followup_assign_lead": (False, {"lead": ""}),
    "followup_decide_request": (True, {"decision": "decline", "reason": "Not agreed."}),
    "followup_set_due_date": (True, {"to_date": "2026-12-01", "reason": "Agreed."}),
    "followup_discharge": (True, {"reference": "CAB-26-SUB-0998", "paper_title": "Report-back"}),
    "followup_close": (True, {"status": "cancelled", "reason": "No longer needed."}),
}


def snapshot(follow_up):
    """Everything a refused request must leave as it was."""
    fresh = FollowUp.objects.get(pk=follow_up.pk)
    return (
        fresh.status, fresh.version, fresh.due_date, fresh.submitted_reference, fresh.closed_at,
        ProgressNote.objects.filter(follow_up=fresh).count(), DueDateChange.objects.filter(follow_up=fresh).count(),
        fresh.history.count(),
    )


def users(world):
    return {
        "clerk": make_user(Profile.Role.CLERK, username="clerk"),
        "superuser": make_user(Profile.Role.READER, username="root", is_superuser=True),
        "official": world.official,
        "reader": make_user(Profile.Role.READER, username="reader"),
        "inactive": make_user(Profile.Role.OFFICIAL, username="gone", agencies=[world.mbie], portfolios=[world.resources],
                              is_active=False),
    }


def expected(role, key, name, method):
    """The status code the table above gives for `role` on follow-up `key` at URL `name` by `method`."""
    if role == "inactive":
        return 302  # signed out: the sign-in page
    visible = role != "official" or OFFICIAL_SEES_FOLLOW_UP[key]
    if name == "followup_add_note" and method == "get":
        return 405  # POST only, whoever asks
    if not visible:
        return 404  # need to know first, for GET and POST alike
    if name == "followup_detail":
        return 200 if method == "get" else 405
    clerk_only = ACTIONS[name][0]
    if role == "reader" or (role == "official" and clerk_only):
        return 403
    return None  # allowed: the form (GET) or the change (POST)


@pytest.mark.parametrize("role", ["clerk", "superuser", "official", "reader", "inactive"])
@pytest.mark.parametrize("key", list(OFFICIAL_SEES_FOLLOW_UP))
def test_every_follow_up_url_and_action_by_role_and_record(client, world, role, key):
    user = users(world)[role]
    follow_up = world.follow_ups[key]
    client.force_login(user)
    for name in ["followup_detail", *ACTIONS]:
        url = reverse(f"decisions:{name}", args=[follow_up.pk])
        for method in ("get", "post"):
            before = snapshot(follow_up)
            data = {"version": before[1], **ACTIONS.get(name, (False, {}))[1]}
            response = getattr(client, method)(url, data if method == "post" else None)
            want = expected(role, key, name, method)
            if want is None:
                # Allowed to this user; a step the lifecycle does not open to this follow-up now is a 409.
                assert response.status_code in (200, 302, 409), (name, method, response.status_code)
                if response.status_code == 409:
                    assert snapshot(follow_up) == before, (name, method, "a refused step changed something")
                if method == "post" and name in ("followup_add_note", "followup_request_extension"):
                    assert snapshot(follow_up) != before, (name, "an allowed change was not made")
                continue
            assert response.status_code == want, (name, method)
            assert snapshot(follow_up) == before, (name, method, "a refused request changed something")
        if role in ("clerk", "superuser") and key != "other":
            break  # one allowed pass is enough for those who see everything; the rest are the official's routes


@pytest.mark.parametrize("role", ["clerk", "official", "reader", "inactive"])
@pytest.mark.parametrize("key", list(OFFICIAL_SEES_MINUTE))
def test_minute_and_paper_pages_by_role_and_record(client, world, role, key):
    user = users(world)[role]
    minute = world.minutes[key]
    client.force_login(user)
    for url in (minute.get_absolute_url(), minute.paper.get_absolute_url()):
        want = 302 if role == "inactive" else 200 if role != "official" or OFFICIAL_SEES_MINUTE[key] else 404
        assert client.get(url).status_code == want, url
        assert client.post(url).status_code == (405 if want == 200 else want), url


def test_the_official_sees_another_agencys_follow_up_on_a_joint_minute_only_as_who_owes_what_by_when(client, world):
    theirs, mine = world.follow_ups["shared_msd"], world.follow_ups["shared"]
    ProgressNote.objects.create(follow_up=theirs, author=make_user(username="msd"), text="MSD's private working note")
    client.force_login(world.official)
    for url in (world.minutes["shared"].get_absolute_url(), world.minutes["shared"].paper.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "Owed shared_msd" in page and "MSD" in page and "30 June 2026" in page  # who, what, by when
        assert theirs.get_absolute_url() not in page  # no link to their page
        assert "private working note" not in page
        assert mine.get_absolute_url() in page  # their own, in full
    for name in ["followup_detail", *ACTIONS]:
        assert client.post(reverse(f"decisions:{name}", args=[theirs.pk]), {"version": 1, "text": "x"}).status_code == 404
    listed = client.get(reverse("decisions:followup_list")).context["page"].object_list
    assert theirs not in listed and mine in listed


def test_a_clerk_sees_every_follow_up_on_a_joint_minute_in_full(client, world):
    client.force_login(users(world)["clerk"])
    page = client.get(world.minutes["shared"].get_absolute_url()).content.decode()
    assert world.follow_ups["shared_msd"].get_absolute_url() in page
    assert world.follow_ups["shared"].get_absolute_url() in page


def test_visible_querysets_follow_each_route_alone(world):
    official = world.official
    assert set(access.visible_follow_ups(official)) == {
        world.follow_ups[key] for key, seen in OFFICIAL_SEES_FOLLOW_UP.items() if seen
    }
    assert set(access.visible_minutes(official)) == {
        world.minutes[key] for key, seen in OFFICIAL_SEES_MINUTE.items() if seen
    }
    assert set(access.visible_decisions(official)) == {
        decision for key, seen in OFFICIAL_SEES_MINUTE.items() if seen for decision in world.minutes[key].decisions.all()
    }
    # A paper concerns them through its minutes here; on its own below.
    assert set(access.visible_papers(official)) == {
        world.minutes[key].paper for key, seen in OFFICIAL_SEES_MINUTE.items() if seen
    }


def test_a_paper_concerns_the_official_through_its_portfolio_or_lead_agency_alone(world):
    through_portfolio = PaperFactory(lead_agency=AgencyFactory(short_name="MoJ"))
    through_portfolio.portfolios.set([world.resources])
    led = PaperFactory(lead_agency=world.mbie)
    neither = PaperFactory(lead_agency=world.msd)
    # The paper's portfolio does not make its minute theirs: a minute needs its own portfolio, lead agency or follow-up.
    minute = MinuteFactory(paper=through_portfolio)
    papers = set(access.visible_papers(world.official))
    assert {through_portfolio, led} <= papers and neither not in papers
    assert minute not in set(access.visible_minutes(world.official))
    assert access.may_see(world.official, through_portfolio) and not access.may_see(world.official, minute)


def _fresh(user):
    """The same user as a new object: a scope that has read nothing yet."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=user.pk)


def test_a_page_checks_its_few_records_by_the_same_rule_as_the_whole_set(world):
    # The routes on their own, plus a paper that concerns them only by its portfolio, one only by its lead agency,
    # one by neither, a minute of the portfolio paper (not theirs) and an oral minute of their portfolio.
    through_portfolio = PaperFactory(lead_agency=AgencyFactory(short_name="MoJ"))
    through_portfolio.portfolios.set([world.resources])
    led, neither = PaperFactory(lead_agency=world.mbie), PaperFactory(lead_agency=world.msd)
    not_theirs = MinuteFactory(paper=through_portfolio)
    oral = MinuteFactory(paper=None)
    oral.portfolios.set([world.resources])
    minutes = {**{key: world.minutes[key] for key in OFFICIAL_SEES_MINUTE}, "not_theirs": not_theirs, "oral": oral}
    sees_minute = {**OFFICIAL_SEES_MINUTE, "not_theirs": False, "oral": True}
    papers = {
        **{key: minute.paper for key, minute in world.minutes.items()}, "through_portfolio": through_portfolio,
        "led": led, "neither": neither,
    }
    sees_paper = {**OFFICIAL_SEES_MINUTE, "through_portfolio": True, "led": True, "neither": False}
    for key, minute in minutes.items():
        official = _fresh(world.official)
        assert access.visible_minutes(official, few=True).filter(pk=minute.pk).exists() is sees_minute[key], key
        assert access.may_see(official, minute) is sees_minute[key], key  # the whole set, read afterwards, agrees
    for key, paper in papers.items():
        official = _fresh(world.official)
        assert access.visible_papers(official, few=True).filter(pk=paper.pk).exists() is sees_paper[key], key
        assert access.may_see(official, paper) is sees_paper[key], key
    # Clerks see every record, people with no scope none, either way.
    clerk = make_user(Profile.Role.CLERK, username="clerk")
    assert access.visible_minutes(clerk, few=True).count() == len(minutes)
    unscoped = make_user(Profile.Role.OFFICIAL, username="unscoped")
    assert not access.visible_minutes(unscoped, few=True).exists() and not access.visible_papers(unscoped, few=True).exists()


def test_a_minute_page_never_reads_the_officials_whole_set(client, world, django_assert_num_queries):
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.official)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(world.minutes["shared"].get_absolute_url()).status_code == 200
        assert client.get(world.minutes["other"].get_absolute_url()).status_code == 404
    # Every minute the official may see would come back from one query: none is read whole on a page.
    reads_every_minute = [q["sql"] for q in queries.captured_queries if '"cabinet_minute"."paper_id" AS "paper_id"' in q["sql"]]
    assert reads_every_minute == []


def test_many_keys_go_to_the_database_as_one_parameter(world):
    many = list(range(1, 3001))  # far past SQLite's and the driver's comfortable number of parameters
    rows = set(FollowUp.objects.filter(access.among("minute_id", many + [world.minutes["shared"].pk])))
    assert rows == set(FollowUp.objects.filter(minute_id__lte=3000)) | set(world.minutes["shared"].follow_ups.all())
    if connection.vendor == "postgresql":
        sql, params = FollowUp.objects.filter(access.among("minute_id", many)).query.sql_with_params()
        assert "ANY(" in sql and len(params) == 1


def test_a_minute_with_no_paper_concerns_the_official_through_its_portfolio(world):
    oral = MinuteFactory(paper=None)
    oral.portfolios.set([world.resources])
    assert oral in set(access.visible_minutes(world.official))
    assert set(access.visible_papers(world.official)) >= {world.minutes["minute_portfolio"].paper}


@pytest.mark.parametrize("role", ["clerk", "reader"])
def test_clerks_and_readers_see_everything(world, role):
    user = users(world)[role]
    assert access.visible_follow_ups(user).count() == FollowUp.objects.count() == 7
    assert access.visible_minutes(user).count() == 6 and access.visible_papers(user).count() == 6
    assert access.visible_decisions(user).count() == 7
    assert access.follow_up_summaries(user, world.minutes["shared"]) == []  # they see them in full


@pytest.mark.parametrize("user", ["inactive", "no_profile", "no_scope", "anonymous"])
def test_inactive_unprofiled_unscoped_and_signed_out_users_see_nothing(world, user):
    from django.contrib.auth.models import AnonymousUser

    from tests.factories import UserFactory

    user = {
        "inactive": lambda: users(world)["inactive"],
        "no_profile": lambda: UserFactory(username="bare"),
        "no_scope": lambda: make_user(Profile.Role.OFFICIAL, username="unscoped"),
        "anonymous": AnonymousUser,
    }[user]()
    for visible in (access.visible_follow_ups, access.visible_minutes, access.visible_papers, access.visible_decisions):
        assert not visible(user).exists(), visible.__name__
    for record in [world.follow_ups["own_agency"], world.minutes["own_agency"], world.minutes["own_agency"].paper,
                   world.minutes["own_agency"].decisions.first()]:
        assert not access.may_see(user, record)
    assert not access.may_act(user, world.follow_ups["own_agency"])
    assert access.follow_up_summaries(user, world.minutes["shared"]) == []
    with pytest.raises(Http404, match="No FollowUp matches"):
        access.get_follow_up_to_act(user, world.follow_ups["own_agency"].pk)


def test_may_see_and_may_act_answer_from_the_table(world):
    everyone = users(world)
    official, reader, clerk = everyone["official"], everyone["reader"], everyone["clerk"]
    for key, seen in OFFICIAL_SEES_FOLLOW_UP.items():
        follow_up = world.follow_ups[key]
        assert access.may_see(official, follow_up) is seen, key
        assert access.may_act(official, follow_up) is seen, key
        assert access.may_see(reader, follow_up) and not access.may_act(reader, follow_up)
        assert access.may_see(clerk, follow_up) and access.may_act(clerk, follow_up)
    for key, seen in OFFICIAL_SEES_MINUTE.items():
        minute = world.minutes[key]
        assert access.may_see(official, minute) is seen, key
        assert access.may_see(official, minute.paper) is seen, key
        assert access.may_see(official, minute.decisions.first()) is seen, key
    with pytest.raises(TypeError, match="does not cover Agency"):
        access.may_see(official, world.mbie)


def test_get_follow_up_to_act_refuses_with_404_or_403(world):
    everyone = users(world)
    own, theirs = world.follow_ups["own_portfolio"], world.follow_ups["shared_msd"]
    assert access.get_follow_up_to_act(everyone["official"], own.pk) == own
    assert access.get_follow_up_to_act(everyone["clerk"], theirs.pk, clerk_only=True) == theirs
    with pytest.raises(Http404, match="No FollowUp matches"):
        access.get_follow_up_to_act(everyone["official"], theirs.pk)
    with pytest.raises(PermissionDenied, match="can read this follow-up but not change it"):
        access.get_follow_up_to_act(everyone["reader"], own.pk)
    with pytest.raises(PermissionDenied, match="can read this follow-up but not change it"):
        access.get_follow_up_to_act(everyone["official"], own.pk, clerk_only=True)
    assert access.get_follow_up_for_user(everyone["reader"], theirs.pk) == theirs


def test_summaries_give_who_owes_what_by_when_for_still_owed_follow_ups_of_minutes_that_concern_the_official(world):
    shared = world.minutes["shared"]
    [summary] = access.follow_up_summaries(world.official, shared)
    assert (summary.responsible_agency, summary.responsible_portfolio, summary.kind, summary.description, summary.due_date) == (
        "MSD", "Social Development", "Report-back", "Owed shared_msd", datetime.date(2026, 6, 30),
    )
    assert summary.decision_id == world.follow_ups["shared_msd"].decision_id
    assert not hasattr(summary, "pk") and not hasattr(summary, "notes")
    # Several minutes at once; none from a minute that does not concern them.
    summaries = access.follow_up_summaries(world.official, [shared, world.minutes["lead_agency"], world.minutes["other"]])
    assert {s.description for s in summaries} == {"Owed shared_msd", "Owed lead_agency"}
    world.follow_ups["shared_msd"].take("close", user=users(world)["clerk"], status="cancelled", reason="Overtaken.")
    assert access.follow_up_summaries(world.official, shared) == []  # no longer owed


def test_the_scope_is_read_once_per_user_object_and_afresh_for_a_new_one(world, django_assert_num_queries):
    from django.contrib.auth import get_user_model

    official = get_user_model().objects.get(pk=world.official.pk)
    with django_assert_num_queries(3):  # profile, agencies and portfolios in one, minutes and papers in one
        access.may_see(official, world.minutes["shared"])
        access.may_see(official, world.minutes["other"].paper)
        access.may_act(official, world.follow_ups["shared"])
    with django_assert_num_queries(0):
        assert access.may_see(official, world.minutes["lead_agency"])
    official.profile.agencies.clear()
    assert access.may_see(official, world.minutes["lead_agency"])  # the same object keeps what it read
    fresh = get_user_model().objects.get(pk=official.pk)
    assert not access.may_see(fresh, world.minutes["lead_agency"])


def test_a_follow_up_carries_its_decisions_minute_and_follows_the_item_to_another_minute(world):
    follow_up = world.follow_ups["shared"]
    assert follow_up.minute == follow_up.decision.minute == world.minutes["shared"]
    decision = follow_up.decision
    decision.minute = world.minutes["other"]
    decision.save()
    follow_up.refresh_from_db()
    assert follow_up.minute == world.minutes["other"]
    moved = DecisionItemFactory(minute=world.minutes["own_agency"])
    follow_up.decision = moved
    follow_up.save(update_fields=["decision"])
    follow_up.refresh_from_db()
    assert follow_up.minute == world.minutes["own_agency"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the composite foreign key is PostgreSQL's")
def test_postgresql_refuses_a_follow_up_minute_other_than_its_decisions_and_cascades_a_moved_item(world):
    from django.db import IntegrityError, transaction

    follow_up = world.follow_ups["own_agency"]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS decisions_followup_minute_matches_decision IMMEDIATE")
    with pytest.raises(IntegrityError, match="decisions_followup_minute_matches_decision"), transaction.atomic():
        FollowUp.objects.filter(pk=follow_up.pk).update(minute=world.minutes["other"])
    follow_up.decision.__class__.objects.filter(pk=follow_up.decision_id).update(minute=world.minutes["other"])
    follow_up.refresh_from_db()
    assert follow_up.minute == world.minutes["other"]


def _grow(world, count):
    """More of everything on the official's pages: own follow-ups, others' on the shared minute, more minutes."""
    shared = world.minutes["shared"]
    for n in range(count):
        follow_up_on(shared, agency=world.mbie, portfolio=None, description=f"More own {n}", due_date=datetime.date(2026, 3, 2))
        follow_up_on(shared, agency=world.msd, portfolio=world.social, description=f"More theirs {n}")
        minute = minute_of(lead_agency=world.mbie, portfolios=[world.resources])
        follow_up_on(minute, agency=world.mbie, portfolio=world.resources, due_date=None, due_precision="none")


@pytest.mark.parametrize("page, queries", [
    # session, user, profile, scope; four groups (rows; a count only when full), the counts in one grouped pass;
    # the coming meetings (none here) and the machinery-of-government changes that touch the official (the waiting
    # requests are the clerks' to-do: not counted for an official)
    ("dashboard", 11),
    # session, user, profile, scope; the count, the filter's portfolios, agencies and committees, the page's keys
    # (from the follow-ups alone), then its rows with their context
    ("followup_list", 10),
    # session, user, profile, scope; the minute (with committee, paper, confirming minute and release) checked by
    # its own indexed lookups, never the official's whole set; its portfolios; others' summaries (the minute is
    # not checked again); decision items, their redactions with grounds, their own follow-ups; the access-log row
    # of this read
    ("minute", 11),
])
def test_the_officials_pages_run_the_same_queries_at_two_sizes(client, world, page, queries, django_assert_num_queries):
    client.force_login(world.official)
    url = {
        "dashboard": reverse("decisions:dashboard"), "followup_list": reverse("decisions:followup_list"),
        "minute": world.minutes["shared"].get_absolute_url(),
    }[page]
    for size in (1, 12):
        _grow(world, size)
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


def test_the_demos_joint_minutes_show_the_rule(client):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("loaddemo", stdout=open("/dev/null", "w"))
    users = get_user_model().objects
    joint = FollowUp.objects.filter(minute__reference__in=["SOU-26-MIN-0149", "ECO-26-MIN-0150"])
    owed_by = {
        "mbie": {f.description for f in joint.filter(responsible_agency__short_name="MBIE")},
        "msd": {f.description for f in joint.filter(responsible_agency__short_name="MSD")}
        | {f.description for f in joint.filter(responsible_agency=None)},  # the pilot: Social Development's portfolio only
    }
    assert owed_by["mbie"] == {"Advice on employer demand for apprentices", "Report back on the minerals workforce plan"}
    assert "Report back on a regional employment pilot" in owed_by["msd"] and len(owed_by["msd"]) == 3
    for username, other in (("mbie", "msd"), ("msd", "mbie")):
        client.force_login(users.get(username=username))
        # The list pages through keys (its rows are read a page at a time): every key it would show.
        every_key = client.get(reverse("decisions:followup_list")).context["page"].paginator.object_list
        assert {f.description for f in joint.filter(pk__in=list(every_key))} == owed_by[username]
        for minute in ("SOU-26-MIN-0149", "ECO-26-MIN-0150"):
            page = client.get(joint.filter(minute__reference=minute).first().minute.get_absolute_url()).content.decode()
            for follow_up in joint.filter(minute__reference=minute):
                assert follow_up.description in page  # who owes what, theirs or not
                mine = follow_up.description in owed_by[username]
                assert (follow_up.get_absolute_url() in page) is mine, follow_up
                assert client.get(follow_up.get_absolute_url()).status_code == (200 if mine else 404)
        theirs = joint.filter(description__in=owed_by[other]).first()
        assert client.post(reverse("decisions:followup_add_note", args=[theirs.pk]), {"version": 1, "text": "x"}).status_code == 404
        assert not theirs.notes.exists()
