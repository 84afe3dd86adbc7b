"""The Cabinet cycle on real dates: lodgement deadlines, a term's meetings, the meeting a report-back is due at."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from cabinet.meetings import generate_meetings, lodgement_deadline
from cabinet.models import Meeting
from decisions.meetings import due_meeting, lodgement_phrase, reminder_counted_dates
from tests.factories import FollowUpFactory, committee, make_user

pytestmark = pytest.mark.django_db

# From a 2026 calendar: 1 November 2026 is a Sunday, so Wednesdays fall on 4, 11, 18 and 25 November;
# Labour Day is Monday 26 October 2026. In 2027 Good Friday is 26 March and Easter Monday 29 March.


def local(text):
    return timezone.make_aware(datetime.datetime.fromisoformat(text))


def wednesdays(first, count):
    return [first + datetime.timedelta(weeks=n) for n in range(count)]


@pytest.fixture
def sou():
    """The Social Outcomes Committee, meeting on Wednesdays at 10:00."""
    body = committee("SOU")
    body.meeting_weekday, body.meeting_time = 2, datetime.time(10)
    body.save()
    return body


def test_papers_for_a_wednesday_meeting_are_lodged_by_10_on_the_thursday_before():
    # Wednesday 11 November 2026: the Thursday of the week before is 5 November; no holiday in between.
    assert lodgement_deadline(datetime.date(2026, 11, 11)) == local("2026-11-05T10:00")
    # Cabinet on Monday 16 November: Thursday 12 November.
    assert lodgement_deadline(datetime.date(2026, 11, 16)) == local("2026-11-12T10:00")


def test_a_public_holiday_between_deadline_and_meeting_moves_the_deadline_a_business_day_earlier():
    # Wednesday 28 October 2026: Thursday 22 October, but Labour Day (Monday 26) falls in between: Wednesday 21.
    assert lodgement_deadline(datetime.date(2026, 10, 28)) == local("2026-10-21T10:00")
    # Wednesday 31 March 2027: Good Friday and Easter Monday fall between Thursday 25 March and the meeting: Tuesday 23.
    assert lodgement_deadline(datetime.date(2027, 3, 31)) == local("2027-03-23T10:00")


def test_without_the_holiday_rule_only_a_deadline_on_a_holiday_moves(settings):
    settings.LODGEMENT_HOLIDAYS_EARLIER = False
    assert lodgement_deadline(datetime.date(2026, 10, 28)) == local("2026-10-22T10:00")
    # Lodging on the Monday of the week before: for Wednesday 17 February 2027 that is Monday 8 February, Waitangi Day
    # observed, so the deadline is the business day before, Friday 5 February.
    settings.LODGEMENT_WEEKDAY = 0
    assert lodgement_deadline(datetime.date(2027, 2, 17)) == local("2027-02-05T10:00")


def test_the_lodgement_time_and_day_are_settings(settings):
    settings.LODGEMENT_WEEKDAY, settings.LODGEMENT_TIME = 4, "12:00"  # Friday at noon
    assert lodgement_deadline(datetime.date(2026, 11, 11)) == local("2026-11-06T12:00")


def test_a_term_of_meetings_skips_recess_weeks_and_moves_off_holidays(sou):
    cabinet = committee("CAB")
    cabinet.meeting_weekday = 0
    cabinet.save()
    # Term from Monday 12 October to Friday 6 November 2026, the week of 19 October in recess.
    result = generate_meetings(
        [cabinet, sou], first_day=datetime.date(2026, 10, 12), last_day=datetime.date(2026, 11, 6),
        recess=[datetime.date(2026, 10, 21)],
    )
    dates = sorted((m.committee.code, m.meeting_date) for m in Meeting.objects.all())
    assert dates == sorted([
        ("CAB", datetime.date(2026, 10, 12)), ("CAB", datetime.date(2026, 10, 27)), ("CAB", datetime.date(2026, 11, 2)),
        ("SOU", datetime.date(2026, 10, 14)), ("SOU", datetime.date(2026, 10, 28)), ("SOU", datetime.date(2026, 11, 4)),
    ])
    moved = Meeting.objects.get(committee=cabinet, meeting_date=datetime.date(2026, 10, 27))
    assert "public holiday" in moved.note and result.moved == [moved]
    assert Meeting.objects.get(committee=sou, meeting_date=datetime.date(2026, 10, 28)).lodgement_deadline == local(
        "2026-10-21T10:00"
    )
    again = generate_meetings(
        [cabinet, sou], first_day=datetime.date(2026, 10, 12), last_day=datetime.date(2026, 11, 6),
        recess=[datetime.date(2026, 10, 19)],
    )
    assert again.created == [] and len(again.existing) == 6
    assert moved.history.count() == 1


def report_back(due_date, due_text, body):
    return FollowUpFactory(report_to=body, due_date=due_date, due_text=due_text)


def test_a_report_back_due_17_november_is_due_at_the_meeting_of_11_november(sou):
    for day in wednesdays(datetime.date(2026, 10, 28), 6):
        Meeting.objects.create(committee=sou, meeting_date=day)
    follow_up = report_back(datetime.date(2026, 11, 17), "by 17 November 2026", sou)
    meeting = due_meeting(follow_up)
    assert meeting.meeting_date == datetime.date(2026, 11, 11)
    assert meeting.lodgement_deadline == local("2026-11-05T10:00")
    assert lodgement_phrase(meeting) == (
        "lodge by 10:00 Thursday 5 November 2026 for the SOU meeting on Wednesday 11 November 2026"
    )
    by_the_meeting = report_back(datetime.date(2026, 11, 17), "by the meeting of 17 November 2026", sou)
    assert due_meeting(by_the_meeting).meeting_date == datetime.date(2026, 11, 18)


def test_a_cancelled_meeting_does_not_count(sou):
    for day in wednesdays(datetime.date(2026, 10, 28), 6):
        Meeting.objects.create(committee=sou, meeting_date=day)
    Meeting.objects.filter(meeting_date=datetime.date(2026, 11, 11)).update(status=Meeting.Status.CANCELLED)
    follow_up = report_back(datetime.date(2026, 11, 17), "by 17 November 2026", sou)
    assert due_meeting(follow_up).meeting_date == datetime.date(2026, 11, 4)


def test_a_report_back_with_no_meeting_in_the_calendar_has_none(sou):
    assert due_meeting(report_back(datetime.date(2026, 11, 17), "by 17 November 2026", sou)) is None


def test_the_reminder_dry_run_a_week_before_the_lodgement_deadline_names_it(sou, capsys):
    official = make_user(username="sou-official", email="sou@agency.example.govt.nz")
    for day in wednesdays(datetime.date(2026, 10, 28), 6):
        Meeting.objects.create(committee=sou, meeting_date=day)
    follow_up = report_back(datetime.date(2026, 11, 17), "by 17 November 2026", sou)
    official.profile.portfolios.set([follow_up.responsible_portfolio])
    # Thursday 29 October is a week before the deadline of Thursday 5 November; the due date (17 November) is
    # 13 business days away, further than the first reminder (10 business days), so only the deadline brings it.
    call_command("sendreminders", "--dry-run", "--date", "2026-10-29")
    out = capsys.readouterr().out
    assert "To sou@agency.example.govt.nz" in out
    assert "lodge by 10:00 Thursday 5 November 2026 for the SOU meeting on Wednesday 11 November 2026" in out


def test_reminders_count_to_the_lodgement_deadline_up_to_its_day_and_to_the_due_date_after_it(sou):
    for day in wednesdays(datetime.date(2026, 10, 28), 6):
        Meeting.objects.create(committee=sou, meeting_date=day)
    follow_up = report_back(datetime.date(2026, 11, 17), "by 17 November 2026", sou)  # lodge by Thursday 5 November
    deadline_day = datetime.date(2026, 11, 5)
    assert reminder_counted_dates([follow_up.pk], on=datetime.date(2026, 10, 29)) == {follow_up.pk: deadline_day}
    assert reminder_counted_dates([follow_up.pk], on=deadline_day) == {follow_up.pk: deadline_day}
    assert reminder_counted_dates([follow_up.pk], on=datetime.date(2026, 11, 6)) == {}  # passed: the due date counts
