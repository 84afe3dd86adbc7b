"""The follow-up list as a work queue: what is still owed by default, most overdue first, undated last."""

import datetime

import pytest
from django.urls import reverse

from decisions.models import FollowUp
from tests.factories import DecisionItemFactory, FollowUpFactory, MinuteFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def queue(agency, portfolio, clerk):
    minute = MinuteFactory(paper__lead_agency=agency)

    def make(description, due_date):
        return FollowUpFactory(
            decision=DecisionItemFactory(minute=minute), responsible_agency=agency, responsible_portfolio=portfolio,
            description=description, due_date=due_date, due_precision="day" if due_date else "none",
        )

    make("Later", D(2026, 9, 30))
    make("Undated", None)
    make("Oldest", D(2026, 1, 30))
    make("Submitted", D(2026, 2, 27)).take("mark_submitted", user=clerk, reference="CAB-26-SUB-0901")
    make("Discharged", D(2026, 2, 13)).take("discharge", user=clerk, new_paper=("CAB-26-SUB-0902", "Report"))
    make("Cancelled", D(2026, 2, 20)).take("close", user=clerk, status=FollowUp.Status.CANCELLED, reason="Overtaken.")


def listed(client, **query):
    response = client.get(reverse("decisions:followup_list"), query)
    assert response.status_code == 200
    return [follow_up.description for follow_up in response.context["page"].object_list]


def test_the_list_defaults_to_what_is_owed_most_overdue_first_undated_last(client, official, queue):
    client.force_login(official)
    assert listed(client) == ["Oldest", "Submitted", "Later", "Undated"]
    assert listed(client, sort="-due") == ["Later", "Submitted", "Oldest", "Undated"]


def test_closed_ones_on_request(client, official, queue):
    client.force_login(official)
    assert listed(client, status=["discharged", "cancelled"]) == ["Discharged", "Cancelled"]


def test_an_invalid_filter_leaves_the_others_applied(client, official, queue):
    client.force_login(official)
    response = client.get(reverse("decisions:followup_list"), {"due_from": "2026-05-01", "due_to": "2026-04-01"})
    assert "“Due by” must be on or after “Due from”" in response.content.decode()
    assert [f.description for f in response.context["page"].object_list] == ["Later"]  # due_from still applies
    assert listed(client, due_from="not a date", undated="on") == ["Undated"]


def test_a_long_list_links_the_first_last_and_nearby_pages_never_every_page(client, official, agency, monkeypatch):
    import re

    from decisions import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)  # twelve follow-ups make twelve pages
    minute = MinuteFactory(paper__lead_agency=agency)
    for day in range(1, 13):
        FollowUpFactory(decision=DecisionItemFactory(minute=minute), responsible_agency=agency, due_date=D(2026, 5, day),
                        due_precision="day")
    client.force_login(official)
    page = client.get(reverse("decisions:followup_list"), {"page": 6}).content.decode()
    linked = [int(n) for n in re.findall(r'aria-label="Page (\d+)"', page)]
    # Page 6 of 12: the first and last pages, two either side of it, and a gap marked on each side.
    assert linked == [1, 4, 5, 6, 7, 8, 12]
    assert page.count("govuk-pagination__item--ellipses") == 2
    assert 'aria-label="Page 6" aria-current="page"' in page
    first = client.get(reverse("decisions:followup_list"), {"page": 1}).content.decode()
    assert [int(n) for n in re.findall(r'aria-label="Page (\d+)"', first)] == [1, 2, 3, 12]  # itself, two after, the last
