"""A follow-up table's row (decisions.templatetags.tracker.follow_up_row), written in Python: what each cell says."""

import datetime

import pytest

from decisions.templatetags.tracker import follow_up_row
from tests.factories import AgencyFactory, FollowUpFactory, PortfolioFactory

pytestmark = pytest.mark.django_db


def test_a_row_links_the_decision_escapes_the_words_and_counts_the_business_days_overdue():
    follow_up = FollowUpFactory(
        description='Report on <b>"costs" & risks</b>', responsible_portfolio=PortfolioFactory(name="Resources & Energy"),
        responsible_agency=AgencyFactory(short_name="MBIE"), due_date=datetime.date(2026, 11, 26),
    )
    html = str(follow_up_row(follow_up, datetime.date(2026, 11, 30)))  # Thursday to Monday: Friday and Monday

    decision = follow_up.decision
    assert f'<a class="govuk-link" href="/follow-ups/{follow_up.pk}/">{decision.minute.reference} para {decision.number}</a>' in html
    assert "Report-back: Report on &lt;b&gt;&quot;costs&quot; &amp; risks&lt;/b&gt;" in html
    assert "Responsible: </span>Resources &amp; Energy<br>MBIE</td>" in html
    assert "26 November 2026<br><span class=\"govuk-body-s\">2 business days overdue</span>" in html
    assert "govuk-tag--red\">Overdue</strong>" in html


def test_a_row_with_no_date_and_no_one_responsible_says_so():
    follow_up = FollowUpFactory(responsible_portfolio=None, responsible_agency=None, due_date=None, due_precision="none", due_text="")
    html = str(follow_up_row(follow_up, datetime.date(2026, 11, 30)))

    assert '<td class="govuk-table__cell" role="cell"></td>' in html  # no "Responsible:" label over nothing
    assert 'aria-hidden="true">Due: </span>Not set</td>' in html
    assert "Needs a due date" in html
