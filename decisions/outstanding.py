"""The paper "Report-backs outstanding to this committee" for a meeting's agenda, as HTML and as PDF.

The same meeting gives the same document: everything in it is read from the records and counted as at the meeting's
date, in a fixed order, and nothing records when it was made.
"""

import datetime
import os
from dataclasses import dataclass, field
from itertools import groupby

from django.template.loader import render_to_string

from cabinet.business_days import business_days_between
from cabinet.models import Classification, format_marking
from decisions.meetings import due_at, neighbours
from decisions.models import DueDateChange, FollowUp

RANK = {value: rank for rank, value in enumerate(Classification.values)}
NO_PORTFOLIO = "No portfolio recorded"


@dataclass
class Line:
    follow_up: FollowUp
    days_overdue: int = 0
    extension: DueDateChange | None = None

    @property
    def minute(self):
        return self.follow_up.decision.minute

    @property
    def reference(self):
        return f"{self.minute.reference} para {self.follow_up.decision.number}"


@dataclass
class Section:
    key: str
    title: str
    empty: str
    portfolios: list = field(default_factory=list)  # [(portfolio name, [Line])]

    @property
    def count(self):
        return sum(len(lines) for _, lines in self.portfolios)


def _by_portfolio(lines):
    def name(line):
        portfolio = line.follow_up.responsible_portfolio
        return portfolio.name if portfolio else NO_PORTFOLIO

    ordered = sorted(lines, key=lambda line: (
        name(line) == NO_PORTFOLIO, name(line), line.follow_up.due_date or datetime.date.max, line.minute.reference,
        line.follow_up.decision.sort_key, line.follow_up.pk,
    ))
    return [(portfolio, list(group)) for portfolio, group in groupby(ordered, key=name)]


def outstanding_paper(meeting):
    """The paper's sections and marking for `meeting` (clerks only: it covers every portfolio)."""
    previous, following = neighbours(meeting)
    as_at = meeting.meeting_date
    owed = FollowUp.objects.filter(
        report_to_id=meeting.committee_id, kind=FollowUp.Kind.REPORT_BACK,
        status__in=[*FollowUp.ACTIVE_STATUSES, FollowUp.Status.SUBMITTED],
    ).select_related("decision__minute", "responsible_portfolio", "responsible_agency")
    due_here = due_at(meeting, owed, around=(previous, following))
    here = {follow_up.pk for follow_up in due_here}
    overdue = [
        Line(follow_up, business_days_between(follow_up.due_date, as_at))
        for follow_up in owed.filter(status__in=FollowUp.ACTIVE_STATUSES, due_date__lt=as_at)
        if follow_up.pk not in here
    ]
    since = previous.meeting_date if previous else as_at - datetime.timedelta(weeks=4)
    changes = (
        DueDateChange.objects.filter(
            follow_up__in=owed, status=DueDateChange.Status.APPROVED,
            decided_at__date__gt=since, decided_at__date__lte=as_at,
        ).exclude(from_date=None).order_by("follow_up", "decided_at", "pk")
    )
    latest = {}
    for change in changes:
        if change.to_date > change.from_date:
            latest[change.follow_up_id] = change
    extended = [Line(follow_up, extension=latest[follow_up.pk]) for follow_up in owed.filter(pk__in=sorted(latest))]
    sections = [
        Section("due", f"Due at this meeting ({meeting.meeting_date.day} {meeting.meeting_date:%B %Y})",
                "No report-back is due at this meeting.", _by_portfolio([Line(f) for f in due_here])),
        Section("overdue", "Overdue", "No report-back to this committee is overdue.", _by_portfolio(overdue)),
        Section("extended", "Extended since the last meeting" + (
            f" ({previous.meeting_date.day} {previous.meeting_date:%B %Y})" if previous else ""),
            "No due date was extended since the last meeting.", _by_portfolio(extended)),
    ]
    minutes = [line.minute for section in sections for _, lines in section.portfolios for line in lines]
    top = max(minutes, key=lambda m: (RANK[m.classification], m.endorsement), default=None)
    marking = format_marking(top.classification, top.endorsement) if top else format_marking(Classification.IN_CONFIDENCE, "")
    return {"meeting": meeting, "previous": previous, "sections": sections, "document_marking": marking, "as_at": as_at}


PDF_STYLESHEET = """
@page { size: A4; margin: 22mm 15mm 20mm;
  @top-center { content: "%(marking)s"; font: bold 10pt sans-serif; }
  @bottom-center { content: "%(marking)s"; font: bold 10pt sans-serif; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt sans-serif; } }
body { font: 10pt/1.35 sans-serif; color: #0b0c0c; }
h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 13pt; margin: 14pt 0 4pt; } h3 { font-size: 11pt; margin: 8pt 0 2pt; }
table { width: 100%%; border-collapse: collapse; margin-bottom: 6pt; }
th, td { text-align: left; vertical-align: top; border-bottom: 0.5pt solid #b1b4b6; padding: 2pt 4pt 2pt 0; }
thead { display: table-header-group; } tr { page-break-inside: avoid; }
td:first-child, td:nth-child(4) { white-space: nowrap; } .app-paper__meta { color: #505a5f; } a { color: inherit; text-decoration: none; }
"""


def outstanding_pdf(context):
    """The paper as PDF bytes (WeasyPrint), its marking at the top and bottom of every page."""
    from weasyprint import CSS, HTML

    # The same records give the same bytes. Where HarfBuzz's subsetter (Debian's libharfbuzz-subset0) is missing,
    # WeasyPrint subsets fonts with fontTools, which stamps each font with the time unless SOURCE_DATE_EPOCH (the
    # reproducible-builds convention, read by fontTools alone here) says otherwise.
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    html = render_to_string("decisions/meeting_outstanding_print.html", context)
    stylesheet = CSS(string=PDF_STYLESHEET % {"marking": context["document_marking"].replace('"', "")})
    return HTML(string=html).write_pdf(stylesheets=[stylesheet])
