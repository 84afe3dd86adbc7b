"""Report-backs due at a meeting: which meeting of the committee reported to, and its lodgement deadline.

A dated report-back to a committee is due at that committee's last meeting on or before its due date; where the
minute words it as due "by the meeting of ..." (or by a meeting), at the first meeting on or after that date.
Cancelled meetings do not count. The reminder job and the emails ask here (reminder_counted_dates,
lodgement_phrase) so that they count to the lodgement deadline, not to the meeting.
"""

import bisect
import datetime
import re
from collections import defaultdict
from typing import NamedTuple

from django.utils import timezone

from cabinet.models import Meeting
from decisions.access import among
from decisions.models import FollowUp

BY_A_MEETING = re.compile(r"\bmeeting\b", re.IGNORECASE)
# How far either side of the due dates meetings are read: longer than any recess between two meetings.
REACH = datetime.timedelta(days=120)


def is_by_a_meeting(due_text):
    return bool(BY_A_MEETING.search(due_text or ""))


def meeting_at(meetings, due_date, due_text):
    """Of a committee's meetings (sorted by date), the one a report-back due on `due_date` is due at, or None."""
    dates = [meeting.meeting_date for meeting in meetings]
    if is_by_a_meeting(due_text):
        index = bisect.bisect_left(dates, due_date)
        return meetings[index] if index < len(meetings) else None
    index = bisect.bisect_right(dates, due_date)
    return meetings[index - 1] if index else None


class Dated(NamedTuple):
    """A meeting as a calendar needs it: when, and which."""

    pk: int
    committee_id: int
    meeting_date: datetime.date


def calendars(committee_ids, first, last, *, dates_only=False):
    """Each committee's meetings that take place between `first` and `last` (one query), sorted by date.

    With `dates_only`, each is a `Dated` rather than the meeting with its committee: a third of the time, for a
    caller that only finds which meeting a date falls at (the dashboard reads eight months of calendars).
    """
    by_committee = defaultdict(list)
    if committee_ids:
        rows = (
            Meeting.objects.taking_place()
            .filter(committee_id__in=sorted(committee_ids), meeting_date__gte=first, meeting_date__lte=last)
            .order_by("meeting_date")
        )
        rows = (
            map(Dated._make, rows.values_list("pk", "committee_id", "meeting_date")) if dates_only
            else rows.select_related("committee")
        )
        for meeting in rows:
            by_committee[meeting.committee_id].append(meeting)
    return by_committee


def _dated(follow_up):
    return follow_up.kind == FollowUp.Kind.REPORT_BACK and follow_up.due_date and follow_up.report_to_id


def due_meetings(follow_ups):
    """{follow-up pk: the meeting it is due at} for those that are due at one (one query)."""
    dated = [follow_up for follow_up in follow_ups if _dated(follow_up)]
    if not dated:
        return {}
    days = [follow_up.due_date for follow_up in dated]
    meetings = calendars({follow_up.report_to_id for follow_up in dated}, min(days) - REACH, max(days) + REACH)
    found = {}
    for follow_up in dated:
        meeting = meeting_at(meetings[follow_up.report_to_id], follow_up.due_date, follow_up.due_text)
        if meeting is not None:
            found[follow_up.pk] = meeting
    return found


def due_meeting(follow_up):
    return due_meetings([follow_up]).get(follow_up.pk)


def long_date(day):
    return f"{day:%A} {day.day} {day:%B %Y}"


def lodgement_phrase(meeting):
    """"lodge by 10:00 Thursday 4 March 2027 for the SWC meeting on Wednesday 10 March 2027"."""
    deadline = timezone.localtime(meeting.lodgement_deadline)
    return (
        f"lodge by {deadline:%H:%M} {long_date(deadline.date())} for the {meeting.committee.code} meeting "
        f"on {long_date(meeting.meeting_date)}"
    )


def lodgement_phrases(follow_ups):
    """{follow-up pk: its lodgement phrase} for those due at a meeting: what a reminder says (one query)."""
    return {pk: lodgement_phrase(meeting) for pk, meeting in due_meetings(follow_ups).items()}


def reminder_counted_dates(pks, *, on):
    """{follow-up pk: the date its reminders count to} for report-backs due at a meeting whose deadline is to come.

    Until the lodgement deadline passes, reminders count to its day (due soon before it, due on it); after it,
    to the due date as before, so that overdue still means past the due date. Two queries for a batch.
    """
    follow_ups = FollowUp.objects.filter(among("pk", sorted(pks)), kind=FollowUp.Kind.REPORT_BACK, due_date__isnull=False,
                                         report_to__isnull=False).only("pk", "kind", "due_date", "due_text", "report_to")
    counted = {}
    for pk, meeting in due_meetings(list(follow_ups)).items():
        day = timezone.localtime(meeting.lodgement_deadline).date()
        if on <= day:
            counted[pk] = day
    return counted


def neighbours(meeting):
    """The committee's meetings just before and just after `meeting` (cancelled ones skipped), either may be None."""
    others = Meeting.objects.taking_place().filter(committee_id=meeting.committee_id).exclude(pk=meeting.pk)
    previous = others.filter(meeting_date__lt=meeting.meeting_date).order_by("-meeting_date").first()
    following = others.filter(meeting_date__gt=meeting.meeting_date).order_by("meeting_date").first()
    return previous, following


def due_at(meeting, follow_ups, *, around=None):
    """Of `follow_ups` (a queryset), the dated report-backs to the meeting's committee that are due at `meeting`.

    Only due dates between its neighbouring meetings can be due at it: one query for them (plus the neighbours,
    unless `around` gives them).
    """
    previous, following = around if around is not None else neighbours(meeting)
    low = previous.meeting_date + datetime.timedelta(days=1) if previous else meeting.meeting_date - REACH
    high = following.meeting_date - datetime.timedelta(days=1) if following else meeting.meeting_date + REACH
    calendar = [m for m in (previous, meeting, following) if m is not None]
    candidates = follow_ups.filter(
        kind=FollowUp.Kind.REPORT_BACK, report_to_id=meeting.committee_id, due_date__gte=low, due_date__lte=high,
    )
    return [f for f in candidates if meeting_at(calendar, f.due_date, f.due_text) == meeting]


COMING_WEEKS = 5  # the dashboard lists what is due at the meetings of the next five weeks
COMING_ROWS = 10  # follow-ups listed under each meeting; the meeting's page lists them all
CLERK_COMING_ROWS = 5  # a clerk's: every committee's report-backs come to them, a dozen meetings' worth


def coming_meetings(visible, *, today, shown=COMING_ROWS):
    """The meetings of the coming weeks at which some of `visible` (the user's follow-ups) are due.

    [(meeting, [keys of the first `shown` follow-ups], how many)], soonest first, in due-date order. Three queries
    whatever the number of meetings: the coming meetings, their committees' calendars, the candidates' keys and
    dates. The caller reads the rows shown (the dashboard, with its other rows in one query).
    """
    last = today + datetime.timedelta(weeks=COMING_WEEKS)
    coming = list(
        Meeting.objects.taking_place().filter(meeting_date__gte=today, meeting_date__lte=last)
        .select_related("committee").order_by("meeting_date", "committee__code")
    )
    if not coming:
        return []
    committees = {meeting.committee_id for meeting in coming}
    meetings = calendars(committees, today - REACH, last + REACH, dates_only=True)
    # Only due dates after each committee's last meeting before today, and before its first after `last`, can be due
    # at a coming meeting.
    low = min(max([m.meeting_date for m in meetings[c] if m.meeting_date < today], default=today - REACH) for c in committees)
    high = max(min([m.meeting_date for m in meetings[c] if m.meeting_date > last], default=last + REACH) for c in committees)
    rows = (
        visible.active().filter(
            kind=FollowUp.Kind.REPORT_BACK, report_to_id__in=sorted(committees), due_date__gt=low, due_date__lt=high,
        ).order_by("due_date", "pk").values_list("pk", "report_to_id", "due_date", "due_text")
    )
    by_meeting = defaultdict(list)
    for pk, committee_id, due_date, due_text in rows:
        meeting = meeting_at(meetings[committee_id], due_date, due_text)
        if meeting is not None and today <= meeting.meeting_date <= last:
            by_meeting[meeting.pk].append(pk)
    return [
        (meeting, by_meeting[meeting.pk][:shown], len(by_meeting[meeting.pk]))
        for meeting in coming if by_meeting[meeting.pk]
    ]
