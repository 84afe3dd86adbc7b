import datetime
import zoneinfo

import pytest
import time_machine

from cabinet.models import Profile
from tests.factories import AgencyFactory, PortfolioFactory, make_user


@pytest.fixture
def clerk(db):
    return make_user(Profile.Role.CLERK, username="clerk", is_superuser=True)


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Ministry of Business, Innovation and Employment", short_name="MBIE")


@pytest.fixture
def portfolio(db):
    return PortfolioFactory(name="Resources", minister_title="Minister for Resources")


@pytest.fixture
def official(agency, portfolio):
    return make_user(Profile.Role.OFFICIAL, username="official", agencies=[agency], portfolios=[portfolio])


@pytest.fixture
def reader(db):
    return make_user(Profile.Role.READER, username="reader")


@pytest.fixture
def tuesday_10_march():
    """Business-day counts depend on the day: pinned to Tuesday 10 March 2026, 10 am in Wellington."""
    with time_machine.travel(datetime.datetime(2026, 3, 10, 10, tzinfo=zoneinfo.ZoneInfo("Pacific/Auckland")), tick=False):
        yield
