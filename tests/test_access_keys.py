"""Each minute's access keys (PostgreSQL, migration decisions 0017) against the rule they stand for.

A minute concerns an official when one of its portfolios is theirs, its paper's lead agency is, or it carries one of
their own follow-ups (decisions/access.py). Here every change that can alter that is made the way the app makes it
(the ORM, a bulk update as a machinery-of-government change does, a deletion), and after each one the stored keys
must equal the keys worked out here from the records, and an official's minutes read by the keys must be the
minutes read by the lookups the keys stand for.
"""

import pytest
from django.db import connection

from cabinet.models import Minute, Paper, Profile
from decisions import access
from decisions.models import FollowUp
from tests.factories import AgencyFactory, DecisionItemFactory, PaperFactory, PortfolioFactory, follow_up_on, make_user, minute_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the keys are kept by PostgreSQL triggers"),
]


def stored_keys():
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, access_keys FROM cabinet_minute")
        return {minute: sorted(keys) for minute, keys in cursor.fetchall()}


def keys_from_the_records():
    """Agencies as themselves, portfolios negated, read from the records one minute at a time."""
    expected = {}
    for minute in Minute.objects.select_related("paper").prefetch_related("portfolios"):
        keys = {-portfolio.pk for portfolio in minute.portfolios.all()}
        if minute.paper and minute.paper.lead_agency_id:
            keys.add(minute.paper.lead_agency_id)
        for agency, portfolio in FollowUp.objects.filter(minute=minute).values_list("responsible_agency", "responsible_portfolio"):
            keys |= {key for key in (agency, -portfolio if portfolio else None) if key}
        expected[minute.pk] = sorted(keys)
    return expected


@pytest.fixture
def people():
    mbie, msd, dia = AgencyFactory(short_name="MBIE"), AgencyFactory(short_name="MSD"), AgencyFactory(short_name="DIA")
    housing, energy = PortfolioFactory(name="Housing"), PortfolioFactory(name="Energy")
    officials = [
        make_user(Profile.Role.OFFICIAL, username="mbie", agencies=[mbie]),
        make_user(Profile.Role.OFFICIAL, username="msd", agencies=[msd]),
        make_user(Profile.Role.OFFICIAL, username="dia_housing", agencies=[dia], portfolios=[housing]),
        make_user(Profile.Role.OFFICIAL, username="energy", portfolios=[energy]),
    ]
    return {"mbie": mbie, "msd": msd, "dia": dia, "housing": housing, "energy": energy, "officials": officials}


def assert_keys_hold(people):
    assert stored_keys() == keys_from_the_records()
    for official in people["officials"]:
        scope = access.Scope(official)  # a fresh read each time
        minutes, papers = scope._records_by_lookups()
        assert scope._records_by_keys() == (minutes, papers), official.username
        # A page's few records are checked by the keys too, on the minute itself and inside a paper's subquery.
        assert set(Minute.objects.filter(scope.concerning_minutes()).values_list("pk", flat=True)) == minutes
        assert set(Paper.objects.filter(scope.concerning_papers()).values_list("pk", flat=True)) == papers


def test_the_keys_follow_every_change_that_decides_who_a_minute_concerns(people):
    mbie, msd, dia, housing, energy = (people[key] for key in ("mbie", "msd", "dia", "housing", "energy"))
    first = minute_of(lead_agency=mbie)
    second = minute_of(lead_agency=msd, portfolios=[housing])
    assert stored_keys() == {first.pk: [mbie.pk], second.pk: sorted([msd.pk, -housing.pk])}
    assert_keys_hold(people)

    first.portfolios.add(energy)  # a portfolio added, then taken off
    assert_keys_hold(people)
    first.portfolios.remove(energy)
    assert_keys_hold(people)

    owed = follow_up_on(first, agency=dia, portfolio=None)  # a follow-up owed by another agency
    assert stored_keys()[first.pk] == sorted([mbie.pk, dia.pk])
    owed.responsible_agency, owed.responsible_portfolio = msd, energy  # re-assigned through save()
    owed.save()
    assert stored_keys()[first.pk] == sorted([mbie.pk, msd.pk, -energy.pk])
    assert_keys_hold(people)

    owed.decision = DecisionItemFactory(minute=second, number="9")  # moved to another minute's item
    owed.save()
    assert stored_keys()[first.pk] == [mbie.pk]
    assert_keys_hold(people)

    FollowUp.objects.filter(responsible_agency=msd).update(responsible_agency=dia)  # machinery of government, in bulk
    assert_keys_hold(people)

    first.paper.lead_agency = dia  # the paper's lead agency changes: each of its minutes follows
    first.paper.save()
    assert stored_keys()[first.pk] == [dia.pk]
    first.paper = PaperFactory(reference="CAB-26-SUB-0999", lead_agency=msd)  # the minute is given another paper
    first.save()
    assert stored_keys()[first.pk] == [msd.pk]
    assert_keys_hold(people)

    FollowUp.objects.filter(pk=owed.pk).delete()  # (the app never deletes one; the keys still follow)
    assert_keys_hold(people)


def test_an_official_of_no_agency_and_no_portfolio_is_concerned_by_nothing(people):
    minute_of(lead_agency=people["mbie"], portfolios=[people["housing"]])
    nobody = make_user(Profile.Role.OFFICIAL, username="nobody")

    assert access.Scope(nobody)._records == (frozenset(), frozenset())
    assert access.visible_minutes(nobody).count() == 0
