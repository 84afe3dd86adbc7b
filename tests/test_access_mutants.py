"""Need to know: the cases the mutation run of decisions/access.py found no test for (docs/testing.md).

The expected answers come from the rule in access.py's docstring: clerks (and superusers) act as clerks; readers,
officials, people with no profile and signed-out people are not clerks.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from cabinet.models import Profile
from decisions import access
from tests.factories import UserFactory, make_user

pytestmark = pytest.mark.django_db


def test_only_clerks_and_superusers_are_clerks_and_a_user_without_a_profile_is_simply_not_one():
    assert access.is_clerk(make_user(Profile.Role.CLERK, username="clerk"))
    assert access.is_clerk(UserFactory(username="root", is_superuser=True))  # a superuser needs no profile
    assert not access.is_clerk(make_user(Profile.Role.READER, username="reader"))
    assert not access.is_clerk(make_user(Profile.Role.OFFICIAL, username="official"))
    # No role at all: a plain "no", not an error (pages ask this of every signed-in user).
    assert access.is_clerk(UserFactory(username="bare")) is False
    assert access.is_clerk(AnonymousUser()) is False
    assert access.is_clerk(make_user(Profile.Role.CLERK, username="gone", is_active=False)) is False


def test_an_officials_agencies_and_portfolios_are_kept_apart():
    from tests.factories import AgencyFactory, PortfolioFactory

    mbie, resources = AgencyFactory(short_name="MBIE"), PortfolioFactory(name="Resources")
    agency_only = make_user(Profile.Role.OFFICIAL, username="agency_only", agencies=[mbie])
    both = make_user(Profile.Role.OFFICIAL, username="both", agencies=[mbie], portfolios=[resources])
    portfolio_only = make_user(Profile.Role.OFFICIAL, username="portfolio_only", portfolios=[resources])
    # An agency is not a portfolio (their keys may well coincide), nor the other way round.
    assert (access.scope_of(agency_only).agencies, access.scope_of(agency_only).portfolios) == ({mbie.pk}, frozenset())
    assert (access.scope_of(both).agencies, access.scope_of(both).portfolios) == ({mbie.pk}, {resources.pk})
    assert (access.scope_of(portfolio_only).agencies, access.scope_of(portfolio_only).portfolios) == (frozenset(), {resources.pk})


def test_a_summary_names_who_is_responsible_in_the_minutes_own_words_first():
    def summary(text="", portfolio="", agency="", minister=""):
        return access.FollowUpSummary(1, 1, agency, portfolio, minister, text, "Report-back", "Report", None, "")

    everything = {"text": "the Minister of Finance", "portfolio": "Finance", "agency": "Treasury", "minister": "Hon A"}
    assert summary(**everything).responsible == "the Minister of Finance"
    assert summary(**{**everything, "text": ""}).responsible == "Finance"
    assert summary(agency="Treasury", minister="Hon A").responsible == "Treasury"
    assert summary(minister="Hon A").responsible == "Hon A"
    assert summary(portfolio="Finance").responsible == "Finance"
    assert summary().responsible == ""


def _joint_minute():
    """A minute of the official's portfolio with a follow-up owed by another agency's minister alone, and one
    owed by nobody in particular (only the minute's words)."""
    from tests.factories import AgencyFactory, MinisterFactory, PortfolioFactory, follow_up_on, minute_of

    resources, mfe = PortfolioFactory(name="Resources"), AgencyFactory(short_name="MfE")
    official = make_user(Profile.Role.OFFICIAL, username="official", portfolios=[resources])
    minute = minute_of(lead_agency=mfe, portfolios=[resources], title="Joint minute")
    minister = MinisterFactory(name="Hon Jane Example")
    follow_up_on(minute, agency=None, portfolio=None, responsible_minister=minister, responsible_text="",
                 description="Owed by the minister")
    follow_up_on(minute, agency=mfe, portfolio=None, responsible_text="", description="Owed by MfE")
    return official, minute


def test_a_summary_carries_the_minister_and_empty_words_for_what_is_not_named():
    official, minute = _joint_minute()
    summaries = {s.description: s for s in access.follow_up_summaries(official, minute)}
    by_minister, by_agency = summaries["Owed by the minister"], summaries["Owed by MfE"]
    assert (by_minister.responsible_agency, by_minister.responsible_portfolio, by_minister.responsible_minister) == (
        "", "", "Hon Jane Example")
    assert by_minister.responsible == "Hon Jane Example"
    assert (by_agency.responsible_agency, by_agency.responsible_portfolio, by_agency.responsible_minister) == ("MfE", "", "")
    assert by_agency.responsible == "MfE"


def test_summaries_for_a_page_never_read_the_officials_whole_set(django_assert_num_queries):
    official, minute = _joint_minute()
    assert len(access.follow_up_summaries(official, minute)) == 2
    # A page's few minutes are checked by their own lookups: the official's whole set stays unread.
    assert "_records" not in access.scope_of(official).__dict__


def test_summaries_after_the_whole_set_was_read_cost_one_query(django_assert_num_queries):
    official, minute = _joint_minute()
    assert access.may_see(official, minute)  # reads the official's whole set
    with django_assert_num_queries(1):  # the follow-ups; which minutes concern them is known already
        assert len(access.follow_up_summaries(official, minute)) == 2


@pytest.mark.skipif(__import__("django.db").db.connection.vendor != "postgresql",
                    reason="SQLite has no row locks: Django leaves FOR UPDATE out")
def test_a_follow_up_is_locked_only_when_asked(django_assert_num_queries):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    official, minute = _joint_minute()
    clerk = make_user(Profile.Role.CLERK, username="clerk")
    follow_up = minute.follow_ups.first()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        access.get_follow_up_for_user(clerk, follow_up.pk)
        access.get_follow_up_for_user(clerk, follow_up.pk, for_update=True)
    reads = [q["sql"] for q in queries.captured_queries if "decisions_followup" in q["sql"]]
    assert ["FOR UPDATE" in sql for sql in reads[-2:]] == [False, True]


def test_a_clerk_read_from_the_database_acts_on_any_follow_up():
    from django.contrib.auth import get_user_model

    official, minute = _joint_minute()
    make_user(Profile.Role.CLERK, username="clerk")
    clerk = get_user_model().objects.get(username="clerk")  # its role as the database gives it: a plain string
    for follow_up in minute.follow_ups.all():
        assert access.may_act(clerk, follow_up) and access.is_clerk(clerk)
        assert not access.may_act(official, follow_up)  # neither is the official's own


@pytest.mark.parametrize("visible", [access.visible_minutes, access.visible_papers])
def test_a_list_reads_the_officials_whole_set_once_and_a_page_does_not(visible):
    from django.contrib.auth import get_user_model

    official, minute = _joint_minute()
    page_reader = get_user_model().objects.get(pk=official.pk)
    list_reader = get_user_model().objects.get(pk=official.pk)
    assert list(visible(page_reader, few=True)) == list(visible(list_reader)) != []
    assert "_records" not in access.scope_of(page_reader).__dict__
    # Read once; the rest of the request asks it. On PostgreSQL a list of minutes needs no whole set: each
    # minute's access keys answer for it.
    reads_whole_set = not (visible is access.visible_minutes and connection.vendor == "postgresql")
    assert ("_records" in access.scope_of(list_reader).__dict__) is reads_whole_set


def test_an_official_sees_the_releases_of_their_own_agencies_only():
    from tests.factories import AgencyFactory, PortfolioFactory, ProactiveReleaseFactory

    mbie, msd, resources = AgencyFactory(short_name="MBIE"), AgencyFactory(short_name="MSD"), PortfolioFactory(name="Resources")
    ours, theirs = ProactiveReleaseFactory(agency=mbie), ProactiveReleaseFactory(agency=msd)
    official = make_user(Profile.Role.OFFICIAL, username="official", agencies=[mbie], portfolios=[resources])
    portfolio_only = make_user(Profile.Role.OFFICIAL, username="portfolio_only", portfolios=[resources])
    reader = make_user(Profile.Role.READER, username="reader")
    assert list(access.visible_releases(official)) == [ours]
    assert list(access.visible_releases(portfolio_only)) == []  # a release is an agency's; a portfolio gives none
    assert set(access.visible_releases(reader)) == {ours, theirs}
    assert list(access.visible_releases(UserFactory(username="bare"))) == []
    assert access.get_release_for_user(official, ours.pk) == ours
    with pytest.raises(__import__("django.http").http.Http404, match="No ProactiveRelease matches"):
        access.get_release_for_user(official, theirs.pk)


@pytest.mark.parametrize("count, reads_whole_set", [(1, False), (49, False), (50, False), (51, True), (80, True)])
def test_summaries_check_up_to_fifty_minutes_one_by_one_and_more_against_the_whole_set(count, reads_whole_set):
    from cabinet.models import Minute

    official, minute = _joint_minute()
    # `count` minutes: the joint one and minutes the official may not see (keys no minute has).
    minutes = [minute] + [Minute(pk=10**6 + n) for n in range(count - 1)]
    assert {s.description for s in access.follow_up_summaries(official, minutes)} == {"Owed by the minister", "Owed by MfE"}
    assert ("_records" in access.scope_of(official).__dict__) is reads_whole_set


def test_a_users_profile_is_theirs_when_signed_in_and_none_when_signed_out():
    official = make_user(Profile.Role.OFFICIAL, username="official")
    assert access.profile_of(official) == Profile.objects.get(user=official)
    assert access.profile_of(UserFactory(username="bare")) is None
    assert access.profile_of(AnonymousUser()) is None


def test_a_scope_of_agencies_and_portfolios_sees_what_an_official_of_them_sees_and_acts_on_nothing():
    from tests.factories import AgencyFactory, PortfolioFactory, follow_up_on, minute_of

    mbie, msd, resources = AgencyFactory(short_name="MBIE"), AgencyFactory(short_name="MSD"), PortfolioFactory(name="Resources")
    minute = minute_of(lead_agency=msd, title="Joint minute")
    ours = follow_up_on(minute, agency=mbie, portfolio=None, description="MBIE's")
    theirs = follow_up_on(minute, agency=msd, portfolio=None, description="MSD's")
    token = access.Scope.of(agencies=[mbie.pk], portfolios=[resources.pk])
    official = make_user(Profile.Role.OFFICIAL, username="official", agencies=[mbie], portfolios=[resources])
    for scope in (token, official):
        assert list(access.visible_follow_ups(scope)) == [ours]
        assert access.may_see(scope, ours) and not access.may_see(scope, theirs)
        assert access.may_see(scope, minute)  # it carries their follow-up
        assert [s.description for s in access.follow_up_summaries(scope, minute)] == ["MSD's"]
    assert not access.may_act(token, ours) and access.may_act(official, ours)


def test_scopes_read_together_are_each_users_own_in_one_query(django_assert_num_queries):
    """A reminder run reads its recipients' scopes at once (access.read_scopes): each must be exactly what that
    person's own profile gives, agencies and portfolios kept apart, and a clerk or a person with none left alone."""
    from django.contrib.auth import get_user_model

    from tests.factories import AgencyFactory, PortfolioFactory

    mbie, msd = AgencyFactory(short_name="MBIE"), AgencyFactory(short_name="MSD")
    resources = PortfolioFactory(name="Resources")
    made = [
        make_user(Profile.Role.OFFICIAL, username="agency", agencies=[mbie]),
        make_user(Profile.Role.OFFICIAL, username="both", agencies=[msd], portfolios=[resources]),
        make_user(Profile.Role.OFFICIAL, username="portfolio", portfolios=[resources]),
        make_user(Profile.Role.OFFICIAL, username="nothing"),
        make_user(Profile.Role.CLERK, username="clerk"),
    ]
    users = get_user_model().objects.select_related("profile").in_bulk([user.pk for user in made])

    with django_assert_num_queries(1):
        access.read_scopes(users.values())
    with django_assert_num_queries(0):
        scopes = {user.username: (access.scope_of(user).agencies, access.scope_of(user).portfolios) for user in users.values()}
    assert scopes == {
        "agency": ({mbie.pk}, frozenset()), "both": ({msd.pk}, {resources.pk}), "portfolio": (frozenset(), {resources.pk}),
        "nothing": (frozenset(), frozenset()), "clerk": (frozenset(), frozenset()),
    }
    with django_assert_num_queries(0):
        access.read_scopes(users.values())  # read already
