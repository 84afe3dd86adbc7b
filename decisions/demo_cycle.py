"""The demo's Cabinet cycle (called by `manage.py loaddemo`): a term of meetings around today, a committee minute
awaiting Cabinet's confirmation, a Cabinet minute citing an earlier one (a discharge proposal waits for a clerk),
and a portfolio renamed with its open follow-ups moved."""

import datetime

from cabinet.business_days import add_business_days
from cabinet.meetings import generate_meetings
from cabinet.models import Agency, Committee, DatePrecision, Meeting, Minute, Paper, Portfolio
from decisions import cycle
from decisions.models import DecisionItem, FollowUp, MachineryChange

# Each committee's usual day this term: Cabinet on Mondays, its committees through the week.
USUAL_DAYS = {"CAB": (0, datetime.time(10)), "FPS": (1, datetime.time(10)), "ECO": (2, datetime.time(9, 30)),
              "SOU": (2, datetime.time(13, 30)), "EXP": (3, datetime.time(10))}
RENAMED = ("Regional Development", "Regional Economic Development")


def load_cycle(*, today, clerk):
    committees = []
    for code, (weekday, time) in USUAL_DAYS.items():
        committee = Committee.objects.for_code(code, on=today)
        committee.meeting_weekday, committee.meeting_time = weekday, time
        committee.save(update_fields=["meeting_weekday", "meeting_time"])
        committees.append(committee)
    monday = today - datetime.timedelta(days=today.weekday())
    # A term from eight weeks back to twelve weeks on, with a two-week recess starting four weeks from now.
    generate_meetings(
        committees, first_day=monday - datetime.timedelta(weeks=8), last_day=monday + datetime.timedelta(weeks=12, days=4),
        recess=[monday + datetime.timedelta(weeks=4), monday + datetime.timedelta(weeks=5)],
    )
    Meeting.objects.filter(meeting_date__lt=today, status=Meeting.Status.SCHEDULED).update(status=Meeting.Status.HELD)
    _awaiting_confirmation(today)
    _citing_minute(today)
    _renamed(today, clerk)


def _last_meeting(code, today):
    return Meeting.objects.filter(committee__code=code, meeting_date__lte=today).taking_place().latest("meeting_date")


def _minute(reference, code, day, title, portfolio, agency):
    paper = Paper.objects.create(
        reference=reference.replace("MIN", "SUB"), title=title, lead_agency=agency,
        paper_date=add_business_days(day, -5), date_precision=DatePrecision.DAY,
    )
    paper.portfolios.set([portfolio])
    minute = Minute.objects.create(
        reference=reference, committee=Committee.objects.for_code(code, on=day), decision_date=day, title=title,
        paper=paper, signatory="Rachel Hayward",
    )
    minute.portfolios.set([portfolio])
    return minute


def _awaiting_confirmation(today):
    """An ECO minute of its last meeting: no Power to Act, not yet in a Report of Committee."""
    meeting = _last_meeting("ECO", today)
    finance, treasury = Portfolio.objects.get(name="Finance"), Agency.objects.get(short_name="Treasury")
    minute = _minute("ECO-26-MIN-0160", "ECO", meeting.meeting_date, "Fiscal strategy: options for the Budget",
                     finance, treasury)
    due = add_business_days(today, 20)
    decision = DecisionItem.objects.create(
        minute=minute, number="1", verb=DecisionItem.Verb.INVITED,
        text=f"invited the Minister of Finance to report back to the Cabinet Economic Policy Committee by "
             f"{due.day} {due:%B %Y} on the fiscal strategy options.",
    )
    FollowUp.objects.create(
        decision=decision, description="Report back on the fiscal strategy options", responsible_portfolio=finance,
        responsible_agency=treasury, responsible_text="the Minister of Finance", report_to=minute.committee,
        due_date=due, due_precision=DatePrecision.DAY, due_text=f"by {due.day} {due:%B %Y}",
    )


def _citing_minute(today):
    """A Cabinet minute of its last meeting citing ECO-26-MIN-0121 (Resources): a discharge proposal waits."""
    meeting = _last_meeting("CAB", today)
    resources, mbie = Portfolio.objects.get(name="Resources"), Agency.objects.get(short_name="MBIE")
    minute = _minute("CAB-26-MIN-0161", "CAB", meeting.meeting_date, "Critical minerals: the report-back",
                     resources, mbie)
    items = [
        DecisionItem.objects.create(
            minute=minute, number="1", verb=DecisionItem.Verb.NOTED,
            text="noted that the Cabinet Economic Policy Committee invited the Minister for Resources to report back on "
                 "a critical minerals list [ECO-26-MIN-0121 refers];",
        ),
        DecisionItem.objects.create(
            minute=minute, number="2", verb=DecisionItem.Verb.AGREED,
            text="agreed to the critical minerals list attached to the paper under CAB-26-SUB-0161.",
        ),
    ]
    cycle.after_minute_recorded(minute, items)


def _renamed(today, clerk):
    old, new_name = Portfolio.objects.get(name=RENAMED[0]), RENAMED[1]
    new = Portfolio.objects.create(name=new_name, minister_title="Minister for Regional Economic Development")
    cycle.record_machinery_change(
        MachineryChange(
            kind=MachineryChange.Kind.PORTFOLIO, from_portfolio=old, to_portfolio=new,
            effective_date=add_business_days(today, -10),
            description=f"The {old} portfolio is renamed {new}.",
        ),
        user=clerk,
    )
