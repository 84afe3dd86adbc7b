"""acting_as: history rows written in a block name the user, and the context is restored however the block ends."""

import pytest
from simple_history.models import HistoricalRecords

from cabinet.history import acting_as
from tests.factories import AgencyFactory, make_user

pytestmark = pytest.mark.django_db


def _context_user():
    request = getattr(HistoricalRecords.context, "request", None)
    return None if request is None else request.user


def test_history_rows_name_the_user_acting():
    clerk = make_user(username="clerk-a")
    with acting_as(clerk):
        agency = AgencyFactory(short_name="MFAT")
    assert agency.history.get().history_user == clerk
    agency.name = "Ministry of Foreign Affairs and Trade"
    agency.save()
    assert agency.history.first().history_user is None
    assert not hasattr(HistoricalRecords.context, "request")


def test_nested_blocks_restore_the_outer_user_then_nothing():
    outer, inner = make_user(username="outer"), make_user(username="inner")
    with acting_as(outer):
        with acting_as(inner):
            assert _context_user() == inner
            nested = AgencyFactory(short_name="INNER")
        assert _context_user() == outer
        after = AgencyFactory(short_name="OUTER")
    assert nested.history.get().history_user == inner
    assert after.history.get().history_user == outer
    assert not hasattr(HistoricalRecords.context, "request")


def test_an_exception_inside_the_block_still_restores_the_context():
    outer, inner = make_user(username="outer"), make_user(username="inner")
    with acting_as(outer):
        with pytest.raises(RuntimeError, match="job failed"):
            with acting_as(inner):
                raise RuntimeError("job failed")
        assert _context_user() == outer
    with pytest.raises(RuntimeError, match="job failed"):
        with acting_as(inner):
            raise RuntimeError("job failed")
    assert not hasattr(HistoricalRecords.context, "request")


def test_a_request_already_in_the_context_is_put_back():
    request = object()
    HistoricalRecords.context.request = request
    try:
        with acting_as(make_user(username="job")):
            assert _context_user().username == "job"
        assert HistoricalRecords.context.request is request
    finally:
        del HistoricalRecords.context.request
