"""The Reports page: each chart's numbers worked out by hand on a small register, for a clerk and for an official."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cabinet.models import DatePrecision
from decisions import reports
from decisions.models import DueDateChange, FollowUp
from tests.factories import AgencyFactory, MinuteFactory, PortfolioFactory, committee, follow_up_on, minute_of

pytestmark = pytest.mark.django_db
NZ = zoneinfo.ZoneInfo("Pacific/Auckland")
URL = "/reports/"


def at(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, tzinfo=NZ)


@pytest.fixture
def mfat():
    return AgencyFactory(name="Ministry of Foreign Affairs and Trade", short_name="MFAT")


def owed_by(minute, agency, *, due, kind=FollowUp.Kind.REPORT_BACK, portfolio=None, **fields):
    return follow_up_on(minute, agency=agency, portfolio=portfolio, kind=kind, due_date=due,
                        due_precision=DatePrecision.DAY if due else DatePrecision.NONE, **fields)


def discharge(follow_up, minute):
    follow_up.status, follow_up.discharged_by_minute = FollowUp.Status.DISCHARGED, minute
    follow_up.save()


def test_overdue_report_backs_fall_in_business_day_bands(client, tuesday_10_march, official, clerk, agency, mfat):
    mbie_minute, mfat_minute = minute_of(lead_agency=agency), minute_of(lead_agency=mfat)
    # Business days overdue on Tuesday 10 March 2026, counted after the due date up to today (Waitangi Day,
    # Friday 6 February, is a holiday; weekends never count):
    owed_by(mbie_minute, agency, due=datetime.date(2026, 3, 3))   # 4, 5, 6, 9, 10 March: 5
    owed_by(mbie_minute, agency, due=datetime.date(2026, 2, 24))  # 25-27 Feb (3), 2-6 Mar (5), 9-10 Mar (2): 10
    owed_by(mbie_minute, agency, due=datetime.date(2026, 2, 23))  # one more, 24 Feb: 11
    owed_by(mbie_minute, agency, due=datetime.date(2026, 2, 9))   # 10-13 Feb (4), then 5 + 5 + 5 + 2: 21
    owed_by(mbie_minute, agency, due=datetime.date(2025, 12, 1))  # December 20, January 20, February 19, March 7: 66
    owed_by(mbie_minute, agency, due=datetime.date(2026, 3, 10))  # due today: not overdue
    owed_by(mbie_minute, agency, due=datetime.date(2026, 2, 2), kind=FollowUp.Kind.DIRECTION)  # not a report-back
    done = owed_by(mbie_minute, agency, due=datetime.date(2026, 2, 2))
    discharge(done, mbie_minute)  # no longer owed
    owed_by(mfat_minute, mfat, due=datetime.date(2026, 3, 2))     # MFAT's: 3-6, 9, 10 March: 6

    client.force_login(official)
    response = client.get(URL)
    assert [row.values[0] for row in response.context["ageing"]] == [2, 1, 1, 1]
    client.force_login(clerk)
    assert [row.values[0] for row in client.get(URL).context["ageing"]] == [3, 1, 1, 1]


def test_slipped_due_dates_and_extensions_by_agency_and_portfolio(client, official, clerk, agency, portfolio, mfat):
    minute = minute_of(lead_agency=agency)
    slipped = owed_by(minute, agency, portfolio=portfolio, due=datetime.date(2026, 9, 30))
    on_time = owed_by(minute, agency, portfolio=portfolio, due=datetime.date(2026, 9, 30))
    owed_by(minute, agency, due=None)  # no date: not in the counts of dated ones
    FollowUp.objects.filter(pk=slipped.pk).update(due_date=datetime.date(2026, 10, 31))  # 31 days later than first set
    approved = {"status": DueDateChange.Status.APPROVED, "decided_at": datetime.datetime(2026, 3, 1, tzinfo=NZ)}
    DueDateChange.objects.create(follow_up=slipped, from_date=datetime.date(2026, 9, 30), to_date=datetime.date(2026, 10, 31),
                                 reason="Consultation", tier=DueDateChange.Tier.NOTIFICATION, **approved)
    # Not extensions granted: a date the Cabinet Office set, and a request declined.
    DueDateChange.objects.create(follow_up=on_time, to_date=datetime.date(2026, 9, 30), reason="Set",
                                 tier=DueDateChange.Tier.SET, **approved)
    DueDateChange.objects.create(follow_up=on_time, to_date=datetime.date(2027, 3, 31), reason="More", tier=DueDateChange.Tier.CHAIR,
                                 status=DueDateChange.Status.DECLINED, decided_at=approved["decided_at"], decision_reason="No")
    other = owed_by(minute_of(lead_agency=mfat), mfat, portfolio=PortfolioFactory(name="Foreign Affairs"), due=datetime.date(2026, 6, 30))
    FollowUp.objects.filter(pk=other.pk).update(due_date=datetime.date(2026, 7, 10))  # 10 days later

    client.force_login(official)
    context = client.get(URL).context
    assert [(row.label, row.extra["dated"], row.values[0], row.extra["average_days"], row.values[1]) for row in context["by_agency"]] == [
        ("MBIE", 2, 1, 31, 1),
    ]
    assert [(row.label, row.values) for row in context["by_portfolio"]] == [("Resources", [1, 1])]  # the undated one: no row
    assert context["slippage"] == {"dated": 2, "later": 1, "days": 31, "average_days": 31}

    client.force_login(clerk)
    context = client.get(URL).context
    assert [(row.label, row.values, row.extra["average_days"]) for row in context["by_agency"]] == [
        ("MBIE", [1, 1], 31), ("MFAT", [1, 0], 10),
    ]
    assert context["slippage"]["later"] == 2 and context["slippage"]["average_days"] == 20  # (31 + 10) / 2, rounded


def test_owed_and_overdue_month_by_month_are_rebuilt_from_history(client, tuesday_10_march, official, clerk, agency, mfat):
    minute = minute_of(lead_agency=agency)
    with time_machine.travel(at(2025, 12, 20), tick=False):
        due_end_of_february = owed_by(minute, agency, due=datetime.date(2026, 2, 28))
    with time_machine.travel(at(2026, 1, 15), tick=False):
        discharged_in_march = owed_by(minute, agency, due=datetime.date(2026, 2, 20))
        owed_by(minute_of(lead_agency=mfat), mfat, due=datetime.date(2026, 1, 20))  # MFAT's: the official never counts it
    with time_machine.travel(at(2026, 2, 10), tick=False):
        owed_by(minute, agency, due=datetime.date(2026, 12, 31))
    with time_machine.travel(at(2026, 3, 5), tick=False):
        discharge(discharged_in_march, minute)
    assert due_end_of_february.status == FollowUp.Status.OPEN

    client.force_login(official)
    rows = client.get(URL).context["owed"]
    assert len(rows) == 24 and rows[0].label == "Apr 2024" and rows[-1].label == "Mar 2026 (so far)"
    # At the end of December one was owed; of January two (neither due yet); of February three, the two due on
    # 20 and 28 February overdue; now the one due in December 2026 and the one due on 28 February, overdue.
    assert [(row.label, row.values) for row in rows[-5:]] == [
        ("Nov 2025", [0, 0]), ("Dec 2025", [1, 0]), ("Jan 2026", [2, 0]), ("Feb 2026", [3, 2]), ("Mar 2026 (so far)", [2, 1]),
    ]
    client.force_login(clerk)
    rows = client.get(URL).context["owed"]
    # MFAT's, created 15 January and due 20 January, was owed and overdue at the end of January and since.
    assert [row.values for row in rows[-3:]] == [[3, 1], [4, 3], [3, 2]]


def test_time_from_decision_to_discharge_by_committee(client, official, clerk, agency, mfat):
    cabinet = minute_of(lead_agency=agency)  # decided 2 February 2026 (the factory's date), by Cabinet
    eco = MinuteFactory(reference="ECO-26-MIN-0001", committee=committee("ECO"), decision_date=datetime.date(2026, 1, 15),
                        paper__lead_agency=agency)
    for minute, when in ((cabinet, at(2026, 3, 4)), (cabinet, at(2026, 2, 14, hour=8)), (eco, at(2026, 1, 25))):
        follow_up = owed_by(minute, agency, due=datetime.date(2026, 6, 30))
        with time_machine.travel(when, tick=False):  # 8 am on 14 February in Wellington is 13 February in UTC
            discharge(follow_up, minute)
    owed_by(cabinet, agency, due=datetime.date(2026, 6, 30))  # still owed: not counted
    mfats = owed_by(minute_of(lead_agency=mfat), mfat, due=datetime.date(2026, 6, 30))
    with time_machine.travel(at(2026, 5, 4), tick=False):
        discharge(mfats, mfats.minute)  # 91 days: counted for the clerk only

    client.force_login(official)
    rows = client.get(URL).context["discharge"]
    # Cabinet: 30 days (2 Feb to 4 Mar) and 12 (to 14 Feb); ECO: 10 (15 to 25 January).
    assert [(row.label, row.extra["count"], row.values[0], row.extra["shortest"], row.extra["longest"]) for row in rows] == [
        ("CAB", 2, 21, 12, 30), ("ECO", 1, 10, 10, 10),
    ]
    client.force_login(clerk)
    rows = client.get(URL).context["discharge"]
    assert [(row.label, row.extra["count"], row.values[0], row.extra["longest"]) for row in rows] == [
        ("CAB", 3, 44, 91), ("ECO", 1, 10, 10),  # (30 + 12 + 91) / 3 = 44.3
    ]


def test_the_page_shows_each_chart_with_its_table_and_needs_nothing_from_outside(client, tuesday_10_march, official, agency):
    owed_by(minute_of(lead_agency=agency), agency, due=datetime.date(2026, 3, 3))
    client.force_login(official)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('role="img"') == 5 and html.count("<table") == 5
    for chart in ("chart-ageing", "chart-agency", "chart-portfolio", "chart-owed", "chart-discharge"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in html
    assert not re.search(r"\sstyle=", html)  # the Content-Security-Policy allows no inline style
    assert not re.search(r"(src|href)=\"https?://", html)
    assert 'aria-current="page">Reports</a>' in html


def test_the_page_is_read_only_and_needs_a_sign_in(client, official):
    assert client.get(URL).status_code == 302
    client.force_login(official)
    assert client.post(URL).status_code == 405


def test_queries_do_not_grow_with_the_register(client, tuesday_10_march, clerk, agency, mfat):
    def add(count):
        for n in range(count):
            agency_of_row = AgencyFactory() if n % 2 else mfat
            follow_up = owed_by(minute_of(lead_agency=agency_of_row), agency_of_row, portfolio=PortfolioFactory(),
                                due=datetime.date(2026, 1, 5) + datetime.timedelta(days=n * 9))
            discharge(follow_up, follow_up.minute) if n % 3 == 0 else None

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries.captured_queries)

    client.force_login(clerk)
    add(3)
    small = count()
    add(12)
    # Session, user, profile; ageing, two slippage aggregates and their extensions, the slippage totals, the months,
    # time to discharge.
    assert count() == small <= 12


def test_latest_due_date_bounds_each_band(tuesday_10_march):
    today = datetime.date(2026, 3, 10)
    assert reports.latest_due_date(today, 1) == datetime.date(2026, 3, 9)
    assert reports.latest_due_date(today, 10) == datetime.date(2026, 2, 24)
    assert reports.latest_due_date(today, 11) == datetime.date(2026, 2, 23)
    assert reports.latest_due_date(today, 21) == datetime.date(2026, 2, 9)
    # 22 business days: Waitangi Day (Friday 6 February) does not count, so Thursday 5 February and the weekend
    # before the 9th are all 22 or more: the latest such date is Sunday 8 February.
    assert reports.latest_due_date(today, 22) == datetime.date(2026, 2, 8)


def test_the_nav_links_to_reports(client, official):
    client.force_login(official)
    assert reverse("decisions:reports") in client.get(reverse("decisions:dashboard")).content.decode()
