"""The Cabinet cycle's calendar: when papers for a meeting must be lodged, and a term's meetings generated."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cabinet.business_days import add_business_days, is_business_day


def _weekdays_after(start, end):
    """Monday-to-Friday days after `start` up to and including `end`, public holidays counted as if worked."""
    return sum(1 for n in range(1, (end - start).days + 1) if (start + datetime.timedelta(days=n)).weekday() < 5)


def lodgement_day(meeting_date):
    """The day papers for a meeting on `meeting_date` must be lodged, by the lodgement rule in the settings."""
    monday = meeting_date - datetime.timedelta(days=meeting_date.weekday())
    nominal = monday - datetime.timedelta(weeks=settings.LODGEMENT_WEEKS_BEFORE) + datetime.timedelta(
        days=settings.LODGEMENT_WEEKDAY
    )
    if settings.LODGEMENT_HOLIDAYS_EARLIER:
        # As many business days before the meeting as an ordinary week gives: a holiday in between moves it earlier.
        return add_business_days(meeting_date, -_weekdays_after(nominal, meeting_date))
    return nominal if is_business_day(nominal) else add_business_days(nominal, -1)


WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def describe_rule():
    """The lodgement rule in words, from the settings."""
    weeks = settings.LODGEMENT_WEEKS_BEFORE
    week = "the week before" if weeks == 1 else f"{weeks} weeks before" if weeks else "the same week"
    holidays = (
        "a business day earlier for each public holiday between it and the meeting"
        if settings.LODGEMENT_HOLIDAYS_EARLIER else "the business day before when that day is a public holiday"
    )
    return f"{settings.LODGEMENT_TIME} on the {WEEKDAYS[settings.LODGEMENT_WEEKDAY]} of {week}; {holidays}"


def lodgement_deadline(meeting_date):
    """The lodgement deadline (an aware datetime, New Zealand time) for a meeting on `meeting_date`."""
    hours, minutes = (int(part) for part in settings.LODGEMENT_TIME.split(":"))
    day = lodgement_day(meeting_date)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hours, minutes)))


def sitting_weeks(first_day, last_day, recess):
    """The Mondays of the weeks from `first_day` to `last_day` that are not recess weeks (any day of which is given)."""
    recess_mondays = {day - datetime.timedelta(days=day.weekday()) for day in recess}
    monday = first_day - datetime.timedelta(days=first_day.weekday())
    weeks = []
    while monday <= last_day:
        if monday not in recess_mondays:
            weeks.append(monday)
        monday += datetime.timedelta(weeks=1)
    return weeks


@dataclass
class Generated:
    created: list = field(default_factory=list)
    existing: list = field(default_factory=list)  # (committee, date): already had a meeting that day
    moved: list = field(default_factory=list)  # meetings moved off a public holiday to the next business day
    skipped: list = field(default_factory=list)  # (committee, date): no business day left in that week
    unscheduled: list = field(default_factory=list)  # committees with no usual weekday


def meeting_days(weekday, weeks, *, first_day, last_day):
    """(usual day, the day it meets or None) for a committee meeting on `weekday` (0 for Monday) in each of `weeks`
    (Mondays), from `first_day` to `last_day`: the usual day, or the next business day of the same week when that is
    a public holiday (Cabinet meets on the Tuesday after a Monday holiday); None when no business day is left."""
    for monday in weeks:
        usual = monday + datetime.timedelta(days=weekday)
        day = usual
        while not is_business_day(day) and day.weekday() < 5:
            day += datetime.timedelta(days=1)
        if day.weekday() >= 5:
            yield usual, None
        elif first_day <= day <= last_day:
            yield usual, day


def moved_note(usual, day):
    """A meeting's note when a public holiday moved it off its usual day."""
    return "" if day == usual else f"Moved from {usual:%A} {usual.day} {usual:%B}: public holiday."


def generate_meetings(committees, *, first_day, last_day, recess=()):
    """A term's meetings: each committee on its usual weekday of every sitting week, in one transaction.

    A usual day that is a public holiday moves to the next business day of the same week; a meeting already
    recorded for that committee and day is left as it is.
    """
    from cabinet.models import Meeting

    result = Generated()
    weeks = sitting_weeks(first_day, last_day, recess)
    with transaction.atomic():
        for committee in committees:
            if committee.meeting_weekday is None:
                result.unscheduled.append(committee)
                continue
            taken = set(Meeting.objects.filter(committee=committee).values_list("meeting_date", flat=True))
            for usual, day in meeting_days(committee.meeting_weekday, weeks, first_day=first_day, last_day=last_day):
                if day is None:
                    result.skipped.append((committee, usual))
                    continue
                if day in taken:
                    result.existing.append((committee, day))
                    continue
                meeting = Meeting(
                    committee=committee, meeting_date=day, start_time=committee.meeting_time or datetime.time(10, 0),
                    note=moved_note(usual, day),
                )
                meeting.full_clean()
                meeting.save()
                result.created.append(meeting)
                if day != usual:
                    result.moved.append(meeting)
    return result
