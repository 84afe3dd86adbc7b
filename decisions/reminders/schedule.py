"""When reminders fall due and who is told: the settings, the schedule of reminders, digest days and recipients."""

import dataclasses
import datetime
from collections import defaultdict

from django.conf import settings

from cabinet import business_days
from cabinet.models import Profile
from decisions.models import Reminder

Kind = Reminder.Kind

DEFAULTS = {
    "before_days": [10, 3],  # business days before the due date
    "overdue_every": 5,  # business days between overdue reminders
    "escalate_after": 10,  # business days overdue before the committee's clerks are copied
    "batch_size": 500,  # follow-ups planned per transaction
    "max_attempts": 6,  # failed sends before a copy is marked failed
    "retry_backoff_minutes": 15,  # doubled after each failed attempt ...
    "retry_backoff_max_minutes": 24 * 60,  # ... up to this
    "claim_recipients": 25,  # recipients whose copies one sender claims, emails and records at a time
    "claim_timeout_minutes": 30,  # a copy left "sending" this long (a crashed sender) is sent again
    "digest_lines": 10,  # follow-ups listed per section of a digest; the rest are counted, with a link
}



def config():
    return {**DEFAULTS, **getattr(settings, "REMINDERS", {})}


# When reminders fall due


@dataclasses.dataclass(frozen=True)
class Step:
    kind: str
    offset: int  # business days after the due date; negative before it
    planned_for: datetime.date


class Schedule:
    """When a follow-up's reminders fall due, from the settings (cached per due date within a run)."""

    def __init__(self, cfg):
        self.before = sorted({days for days in cfg["before_days"] if days > 0})  # nearest first
        self.every = max(1, cfg["overdue_every"])
        self.escalate_after = max(1, cfg["escalate_after"])
        self._latest = {}

    def latest(self, due_date, on):
        """The last reminder for a follow-up due on `due_date` that has fallen due by `on` (None before the first).

        Only the latest counts: a run that was missed is caught up by one reminder, not a burst of them.
        """
        key = (due_date, on)
        if key not in self._latest:
            self._latest[key] = self._compute(due_date, on)
        return self._latest[key]

    def _compute(self, due_date, on):
        due_day = reminder_day(due_date)
        if on < due_day:
            for days in self.before:
                planned_for = business_days.add_business_days(due_date, -days)
                if planned_for <= on:
                    return Step(Kind.DUE_SOON, -days, planned_for)
            return None
        overdue = business_days.business_days_between(due_date, on)
        offset = max(
            (step for step in (overdue // self.every * self.every, self.escalate_after) if 0 < step <= overdue),
            default=0,
        )
        if offset == 0:
            return Step(Kind.DUE, 0, due_day)
        kind = Kind.ESCALATED if offset >= self.escalate_after else Kind.OVERDUE
        return Step(kind, offset, business_days.add_business_days(due_date, offset))


def reminder_day(due_date):
    """The day of the "due today" reminder: the due date, or the business day before one on a weekend or holiday."""
    return due_date if business_days.is_business_day(due_date) else business_days.add_business_days(due_date, -1)


def week_start(on):
    """The first business day of `on`'s week: the weekly list of undated report-backs is keyed by it."""
    day = on - datetime.timedelta(days=on.weekday())
    while not business_days.is_business_day(day) and day < on:
        day += datetime.timedelta(days=1)
    return day


def is_digest_day(digest, on):
    """Whether a recipient with this Profile.digest gets their email on `on` (a business day).

    Weekly recipients get it on their chosen weekday, or the next business day that week when it is a holiday.
    """
    if not digest or digest == Profile.Digest.DAILY:
        return True
    day = on - datetime.timedelta(days=on.weekday()) + datetime.timedelta(days=int(digest))
    while day.weekday() < 5 and not business_days.is_business_day(day):
        day += datetime.timedelta(days=1)
    return day == on


# Who is told


class Recipients:
    """The people told about a follow-up: its lead and its agency's coordinators (every official of its agency
    and portfolio while no one leads it), and the Cabinet Office clerks for its committee.

    Everyone is read once, in bulk, when a run starts; a follow-up's recipients then cost no query.
    """

    def __init__(self):
        profiles = Profile.objects.filter(
            user__is_active=True, role__in=[Profile.Role.CLERK, Profile.Role.OFFICIAL]
        ).values_list("pk", "user_id", "role", "user__email", "user__username", "is_coordinator")
        user_of, self.username = {}, {}
        self.reachable, self.clerks_all, self.coordinators = set(), set(), set()
        for profile_id, user_id, role, email, username, is_coordinator in profiles:
            user_of[profile_id] = (user_id, role)
            self.username[user_id] = username
            if email:
                self.reachable.add(user_id)
            if role == Profile.Role.CLERK:
                self.clerks_all.add(user_id)
            elif is_coordinator:
                self.coordinators.add(user_id)
        self.by_agency, self.by_portfolio, self.clerks_by_code = defaultdict(set), defaultdict(set), defaultdict(set)
        through = Profile.agencies.through.objects.filter(profile__in=list(user_of)).values_list("profile_id", "agency_id")
        for profile_id, agency_id in through:
            if user_of[profile_id][1] == Profile.Role.OFFICIAL:
                self.by_agency[agency_id].add(user_of[profile_id][0])
        through = Profile.portfolios.through.objects.filter(profile__in=list(user_of)).values_list(
            "profile_id", "portfolio_id"
        )
        for profile_id, portfolio_id in through:
            if user_of[profile_id][1] == Profile.Role.OFFICIAL:
                self.by_portfolio[portfolio_id].add(user_of[profile_id][0])
        # Matched by code: a committee code outlives the record of any one restructure.
        through = Profile.committees.through.objects.filter(profile__in=list(user_of)).values_list(
            "profile_id", "committee__code"
        )
        for profile_id, code in through:
            if user_of[profile_id][1] == Profile.Role.CLERK:
                self.clerks_by_code[code].add(user_of[profile_id][0])

    def clerks(self, code):
        """The clerks serving the committee; all clerks when none does."""
        return self.clerks_by_code.get(code) or self.clerks_all

    def officials(self, agency_id, portfolio_id, lead_id=None):
        """The officials told: the lead and the agency's coordinators; every official responsible while no one leads.

        A lead who is no longer an active official of its agency or portfolio leads nothing here: everyone is told.
        With no agency, the portfolio's coordinators stand in for the agency's.
        """
        responsible = self.by_agency.get(agency_id, set()) | self.by_portfolio.get(portfolio_id, set())
        if lead_id is None or lead_id not in responsible:
            return responsible
        coordinators = self.by_agency.get(agency_id, set()) if agency_id else self.by_portfolio.get(portfolio_id, set())
        return {lead_id} | (coordinators & self.coordinators)

    def for_reminder(self, kind, agency_id, portfolio_id, code, lead_id=None):
        """(who gets it, who should but has no email address)."""
        if kind == Kind.UNDATED:
            people = set(self.clerks(code))
        else:
            people = self.officials(agency_id, portfolio_id, lead_id)
            # Escalated, or no official can be reached: the clerks chase it.
            if kind == Kind.ESCALATED or not people & self.reachable:
                people |= self.clerks(code)
        return people & self.reachable, people - self.reachable
