"""When reminders fall due and who is told (decisions/reminders/schedule.py), worked out by hand on the 2026 calendar.

March 2026 has no public holidays; Good Friday is 3 April and Easter Monday 6 April; King's Birthday is 1 June.
"""

from datetime import date as D

import pytest

from cabinet.models import Profile
from decisions.models import Reminder
from decisions.reminders.schedule import DEFAULTS, Recipients, Schedule, Step, config, is_digest_day, reminder_day, week_start
from tests.factories import AgencyFactory, PortfolioFactory, committee, make_user

Kind = Reminder.Kind
DEFAULT = {"before_days": [10, 3], "overdue_every": 5, "escalate_after": 10}
FRIDAY_20_MARCH = D(2026, 3, 20)


@pytest.mark.parametrize(("on", "expected"), [
    (D(2026, 3, 5), None),  # before the first reminder (10 business days before: Friday 6 March)
    (D(2026, 3, 6), Step(Kind.DUE_SOON, -10, D(2026, 3, 6))),
    (D(2026, 3, 16), Step(Kind.DUE_SOON, -10, D(2026, 3, 6))),
    (D(2026, 3, 17), Step(Kind.DUE_SOON, -3, D(2026, 3, 17))),  # 3 business days before: 19, 18, 17
    (D(2026, 3, 19), Step(Kind.DUE_SOON, -3, D(2026, 3, 17))),
    (D(2026, 3, 20), Step(Kind.DUE, 0, FRIDAY_20_MARCH)),
    (D(2026, 3, 22), Step(Kind.DUE, 0, FRIDAY_20_MARCH)),  # the weekend adds no business day overdue
    (D(2026, 3, 26), Step(Kind.DUE, 0, FRIDAY_20_MARCH)),  # 4 business days overdue: still the "due" reminder
    (D(2026, 3, 27), Step(Kind.OVERDUE, 5, D(2026, 3, 27))),  # 5 overdue
    (D(2026, 4, 2), Step(Kind.OVERDUE, 5, D(2026, 3, 27))),  # 9 overdue
    (D(2026, 4, 6), Step(Kind.OVERDUE, 5, D(2026, 3, 27))),  # Good Friday and Easter Monday are not business days
    (D(2026, 4, 7), Step(Kind.ESCALATED, 10, D(2026, 4, 7))),  # 10 overdue
    (D(2026, 4, 13), Step(Kind.ESCALATED, 10, D(2026, 4, 7))),  # 14 overdue
    (D(2026, 4, 14), Step(Kind.ESCALATED, 15, D(2026, 4, 14))),  # 15 overdue
])
def test_the_latest_reminder_for_a_follow_up_due_friday_20_march(on, expected):
    assert Schedule(DEFAULT).latest(FRIDAY_20_MARCH, on) == expected


def test_a_due_date_on_a_weekend_or_holiday_is_reminded_the_business_day_before():
    assert reminder_day(D(2026, 3, 22)) == D(2026, 3, 20)  # Sunday -> Friday
    assert reminder_day(D(2026, 4, 6)) == D(2026, 4, 2)  # Easter Monday -> Thursday before Good Friday
    assert reminder_day(D(2026, 3, 23)) == D(2026, 3, 23)
    schedule = Schedule(DEFAULT)
    assert schedule.latest(D(2026, 3, 22), D(2026, 3, 19)) == Step(Kind.DUE_SOON, -3, D(2026, 3, 18))
    assert schedule.latest(D(2026, 3, 22), D(2026, 3, 20)) == Step(Kind.DUE, 0, D(2026, 3, 20))
    assert schedule.latest(D(2026, 3, 22), D(2026, 3, 23)) == Step(Kind.DUE, 0, D(2026, 3, 20))


def test_escalation_not_a_multiple_of_the_overdue_interval():
    schedule = Schedule({"before_days": [3], "overdue_every": 5, "escalate_after": 7})
    # Due Friday 20 March: Monday 30 March is 6 business days overdue, Tuesday 31 March 7, Friday 3 April 9 (Good Friday
    # is not one, so Thursday 2 April is the 9th), Tuesday 7 April 10.
    assert schedule.latest(FRIDAY_20_MARCH, D(2026, 3, 30)) == Step(Kind.OVERDUE, 5, D(2026, 3, 27))
    assert schedule.latest(FRIDAY_20_MARCH, D(2026, 3, 31)) == Step(Kind.ESCALATED, 7, D(2026, 3, 31))
    assert schedule.latest(FRIDAY_20_MARCH, D(2026, 4, 2)) == Step(Kind.ESCALATED, 7, D(2026, 3, 31))
    assert schedule.latest(FRIDAY_20_MARCH, D(2026, 4, 7)) == Step(Kind.ESCALATED, 10, D(2026, 4, 7))


def test_settings_out_of_range_are_made_sensible():
    schedule = Schedule({"before_days": [3, 0, -2, 3, 10], "overdue_every": 0, "escalate_after": 0})
    assert (schedule.before, schedule.every, schedule.escalate_after) == ([3, 10], 1, 1)
    assert schedule.latest(FRIDAY_20_MARCH, D(2026, 3, 23)) == Step(Kind.ESCALATED, 1, D(2026, 3, 23))
    assert Schedule({"before_days": [], "overdue_every": 5, "escalate_after": 10}).latest(FRIDAY_20_MARCH, D(2026, 3, 19)) is None


def test_settings_override_the_defaults_one_by_one(settings):
    settings.REMINDERS = {"overdue_every": 2}
    assert config() == {**DEFAULTS, "overdue_every": 2}
    del settings.REMINDERS
    assert config() == DEFAULTS


@pytest.mark.parametrize(("on", "monday"), [
    (D(2026, 3, 30), D(2026, 3, 30)),
    (D(2026, 4, 2), D(2026, 3, 30)),
    (D(2026, 4, 4), D(2026, 3, 30)),  # Saturday: its week began on Monday 30 March
    (D(2026, 4, 7), D(2026, 4, 7)),  # Easter Monday is no business day: the week starts on Tuesday
    (D(2026, 4, 9), D(2026, 4, 7)),
    (D(2026, 4, 6), D(2026, 4, 6)),  # never later than the day itself
])
def test_the_week_starts_on_its_first_business_day(on, monday):
    assert week_start(on) == monday


@pytest.mark.parametrize(("digest", "on", "expected"), [
    (Profile.Digest.DAILY, D(2026, 3, 31), True),
    ("", D(2026, 3, 31), True),
    (Profile.Digest.MONDAY, D(2026, 3, 30), True),
    (Profile.Digest.MONDAY, D(2026, 3, 31), False),
    (Profile.Digest.MONDAY, D(2026, 4, 6), False),  # Easter Monday: Tuesday instead
    (Profile.Digest.MONDAY, D(2026, 4, 7), True),
    (Profile.Digest.MONDAY, D(2026, 6, 2), True),  # King's Birthday, 1 June
    (Profile.Digest.TUESDAY, D(2026, 4, 7), True),
    (Profile.Digest.FRIDAY, D(2026, 3, 27), True),
    (Profile.Digest.FRIDAY, D(2026, 4, 3), False),  # Good Friday: no business day is left that week
    (Profile.Digest.FRIDAY, D(2026, 4, 2), False),
    (Profile.Digest.FRIDAY, D(2026, 4, 6), False),
    (Profile.Digest.FRIDAY, D(2026, 4, 10), True),
])
def test_digest_days(digest, on, expected):
    assert is_digest_day(digest, on) is expected


@pytest.fixture
def people(db):
    agency, other_agency = AgencyFactory(short_name="MBIE"), AgencyFactory(short_name="MSD")
    portfolio = PortfolioFactory(name="Resources")
    eco_clerk = make_user(Profile.Role.CLERK, username="eco-clerk")
    eco_clerk.profile.committees.set([committee("ECO")])
    return {
        "agency": agency, "other_agency": other_agency, "portfolio": portfolio, "eco_clerk": eco_clerk,
        "any_clerk": make_user(Profile.Role.CLERK, username="any-clerk"),
        "by_agency": make_user(agencies=[agency], username="by-agency"),
        "by_portfolio_no_email": make_user(portfolios=[portfolio], username="no-email", email=""),
        "left": make_user(agencies=[agency], username="left", is_active=False),
        "reader": make_user(Profile.Role.READER, agencies=[agency], username="reader"),
    }


def test_officials_of_the_agency_and_portfolio_are_told(people):
    got, missing = Recipients().for_reminder(Kind.OVERDUE, people["agency"].pk, people["portfolio"].pk, "ECO")
    assert (got, missing) == ({people["by_agency"].pk}, {people["by_portfolio_no_email"].pk})


def test_an_escalated_reminder_copies_the_committees_clerks(people):
    got, missing = Recipients().for_reminder(Kind.ESCALATED, people["agency"].pk, people["portfolio"].pk, "ECO")
    assert (got, missing) == ({people["by_agency"].pk, people["eco_clerk"].pk}, {people["by_portfolio_no_email"].pk})


def test_when_no_official_can_be_reached_the_clerks_are_told(people):
    got, missing = Recipients().for_reminder(Kind.DUE, people["other_agency"].pk, people["portfolio"].pk, "ECO")
    assert (got, missing) == ({people["eco_clerk"].pk}, {people["by_portfolio_no_email"].pk})
    got, _ = Recipients().for_reminder(Kind.DUE_SOON, people["other_agency"].pk, None, "SOU")
    assert got == {people["eco_clerk"].pk, people["any_clerk"].pk}  # no clerk serves SOU: every clerk


def test_undated_reminders_go_to_the_clerks_only(people):
    got, missing = Recipients().for_reminder(Kind.UNDATED, people["agency"].pk, people["portfolio"].pk, "ECO")
    assert (got, missing) == ({people["eco_clerk"].pk}, set())
    recipients = Recipients()
    assert recipients.clerks("SOU") == {people["eco_clerk"].pk, people["any_clerk"].pk}
    assert recipients.username[people["by_agency"].pk] == "by-agency"
    assert people["left"].pk not in recipients.username and people["reader"].pk not in recipients.username


def test_without_settings_the_defaults_are_the_readmes(settings):
    # README, Reminders: 10 and 3 business days before; every 5 overdue; escalated from 10; retried after 15 minutes,
    # doubling up to a day; failed after 6 attempts; a crashed sender's rows sent again after 30 minutes; 10 lines a
    # section. 500 follow-ups per transaction is the production setting (cabinet/settings.py); a sender claims the
    # copies of 25 recipients at a time.
    del settings.REMINDERS
    assert config() == {
        "before_days": [10, 3], "overdue_every": 5, "escalate_after": 10, "batch_size": 500, "max_attempts": 6,
        "retry_backoff_minutes": 15, "retry_backoff_max_minutes": 24 * 60, "claim_timeout_minutes": 30,
        "digest_lines": 10, "claim_recipients": 25,
    }


def coordinator(**fields):
    user = make_user(**fields)
    user.profile.is_coordinator = True
    user.profile.save()
    return user


@pytest.fixture
def team(people):
    agency, portfolio = people["agency"], people["portfolio"]
    return {
        **people,
        "lead": make_user(agencies=[agency], username="lead"),
        "coordinator": coordinator(agencies=[agency], username="coordinator"),
        "portfolio_lead": make_user(portfolios=[portfolio], username="portfolio-lead"),
        "portfolio_coordinator": coordinator(portfolios=[portfolio], username="portfolio-coordinator"),
        "elsewhere": make_user(agencies=[people["other_agency"]], username="elsewhere"),
    }


def test_with_a_lead_the_lead_and_the_agency_s_coordinators_are_told(team):
    agency, portfolio = team["agency"].pk, team["portfolio"].pk
    recipients = Recipients()
    assert recipients.officials(agency, portfolio, team["lead"].pk) == {team["lead"].pk, team["coordinator"].pk}
    # While no one leads: every official of the agency and of the portfolio (coordinators too).
    assert recipients.officials(agency, portfolio) == {
        team["lead"].pk, team["coordinator"].pk, team["by_agency"].pk, team["by_portfolio_no_email"].pk,
        team["portfolio_lead"].pk, team["portfolio_coordinator"].pk,
    }
    got, _ = recipients.for_reminder(Kind.DUE, agency, portfolio, "ECO", team["lead"].pk)
    assert got == {team["lead"].pk, team["coordinator"].pk}


def test_a_lead_who_is_not_responsible_leads_nothing(team):
    agency, portfolio = team["agency"].pk, team["portfolio"].pk
    everyone = Recipients().officials(agency, portfolio)
    assert Recipients().officials(agency, portfolio, team["elsewhere"].pk) == everyone
    assert team["elsewhere"].pk not in everyone


def test_with_no_agency_the_portfolio_s_coordinators_stand_in(team):
    lead = team["portfolio_lead"].pk
    assert Recipients().officials(None, team["portfolio"].pk, lead) == {lead, team["portfolio_coordinator"].pk}


def test_a_clerk_marked_coordinator_is_no_official_coordinator(team):
    clerk = team["eco_clerk"]
    clerk.profile.is_coordinator = True
    clerk.profile.agencies.set([team["agency"]])
    clerk.profile.save()
    recipients = Recipients()
    assert recipients.officials(team["agency"].pk, team["portfolio"].pk, team["lead"].pk) == {
        team["lead"].pk, team["coordinator"].pk,
    }
    assert clerk.pk not in recipients.by_agency[team["agency"].pk]


def test_an_official_on_a_committee_is_not_its_clerk(team):
    # Clerks serve committees; an official given one by mistake does not become its clerk.
    team["by_agency"].profile.committees.set([committee("ECO")])
    recipients = Recipients()
    assert recipients.clerks("ECO") == {team["eco_clerk"].pk}
    got, _ = recipients.for_reminder(Kind.UNDATED, team["agency"].pk, team["portfolio"].pk, "ECO")
    assert got == {team["eco_clerk"].pk}


def test_a_reminder_one_business_day_before_is_kept():
    schedule = Schedule({"before_days": [1], "overdue_every": 5, "escalate_after": 10})
    assert schedule.before == [1]
    # Friday 20 March: one business day before is Thursday 19 March.
    assert schedule.latest(FRIDAY_20_MARCH, D(2026, 3, 18)) is None
    assert schedule.latest(FRIDAY_20_MARCH, D(2026, 3, 19)) == Step(Kind.DUE_SOON, -1, D(2026, 3, 19))


def test_a_clerk_with_a_portfolio_is_not_one_of_its_officials(team):
    clerk = team["eco_clerk"]
    clerk.profile.portfolios.set([team["portfolio"]])
    recipients = Recipients()
    assert clerk.pk not in recipients.by_portfolio[team["portfolio"].pk]
    assert clerk.pk not in recipients.officials(None, team["portfolio"].pk)


def test_kinds_and_digests_as_read_from_the_database(team):
    # The sender passes the values stored in the database: plain strings, not the choices' members.
    got, _ = Recipients().for_reminder("undated", team["agency"].pk, team["portfolio"].pk, "ECO")
    assert got == {team["eco_clerk"].pk}
    got, _ = Recipients().for_reminder("escalated", team["agency"].pk, team["portfolio"].pk, "ECO", team["lead"].pk)
    assert got == {team["lead"].pk, team["coordinator"].pk, team["eco_clerk"].pk}
    assert is_digest_day("daily", D(2026, 3, 31)) is True
    assert is_digest_day("0", D(2026, 3, 30)) is True and is_digest_day("0", D(2026, 3, 31)) is False


def test_a_step_cannot_be_changed_once_planned():
    import dataclasses

    step = Schedule(DEFAULT).latest(FRIDAY_20_MARCH, D(2026, 3, 20))
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'kind'"):
        step.kind = Kind.ESCALATED
    assert Schedule(DEFAULT).latest(FRIDAY_20_MARCH, D(2026, 3, 20)) == Step(Kind.DUE, 0, FRIDAY_20_MARCH)
