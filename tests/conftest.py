import pytest

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
