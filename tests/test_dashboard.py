"""The dashboard's groups at their edges: each follow-up in exactly one group, and each group's "see all" list the same rows."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from tests.factories import DecisionItemFactory, FollowUpFactory, MinuteFactory

pytestmark = pytest.mark.django_db

# Tuesday 31 March 2026, 10 am in Wellington. Counting ten business days from it skips Good Friday (3 April)
# and Easter Monday (6 April) as well as two weekends: 1, 2, 7, 8, 9, 10, 13, 14, 15, 16 April.
TODAY = datetime.date(2026, 3, 31)
YESTERDAY = datetime.date(2026, 3, 30)
TENTH_BUSINESS_DAY = datetime.date(2026, 4, 16)  # Thursday
ELEVENTH_BUSINESS_DAY = datetime.date(2026, 4, 17)  # Friday


@pytest.fixture(autouse=True)
def tuesday_before_easter():
    with time_machine.travel(datetime.datetime(2026, 3, 31, 10, tzinfo=zoneinfo.ZoneInfo("Pacific/Auckland")), tick=False):
        yield


@pytest.fixture
def edges(agency, portfolio, clerk):
    """One follow-up of the official's at each edge, by name, and one closed one that belongs in no group."""
    minute = MinuteFactory(reference="CAB-26-MIN-0070", paper__lead_agency=agency)
    dates = {
        "yesterday": YESTERDAY, "today": TODAY, "tenth": TENTH_BUSINESS_DAY, "eleventh": ELEVENTH_BUSINESS_DAY,
        "undated": None,
    }
    follow_ups = {
        name: FollowUpFactory(
            decision=DecisionItemFactory(minute=minute, number=str(number)), responsible_agency=agency,
            responsible_portfolio=portfolio, due_date=due, due_precision="day" if due else "none",
            description=f"Report back ({name})",
        )
        for number, (name, due) in enumerate(dates.items(), start=1)
    }
    FollowUpFactory(
        decision=DecisionItemFactory(minute=minute, number="9"), responsible_agency=agency, responsible_portfolio=portfolio,
        due_date=YESTERDAY, description="Cancelled with approval",
    ).take("close", user=clerk, status="cancelled", reason="Overtaken by events.")
    return follow_ups


def test_each_edge_falls_in_exactly_one_group(client, official, edges):
    client.force_login(official)
    groups = {group.key: group for group in client.get(reverse("decisions:dashboard")).context["groups"]}
    expected = {
        "overdue": [edges["yesterday"]],
        "soon": [edges["today"], edges["tenth"]],
        "later": [edges["eleventh"]],
        "undated": [edges["undated"]],
    }
    assert {key: group.follow_ups for key, group in groups.items()} == expected
    assert {key: group.total for key, group in groups.items()} == {key: len(rows) for key, rows in expected.items()}


def test_each_groups_see_all_list_shows_the_same_rows(client, official, edges):
    client.force_login(official)
    groups = client.get(reverse("decisions:dashboard")).context["groups"]
    assert len(groups) == 4
    for group in groups:
        listed = client.get(reverse("decisions:followup_list") + "?" + group.query)
        assert listed.status_code == 200
        assert listed.context["form"].errors == {}
        assert set(listed.context["page"].object_list) == set(group.follow_ups), group.key


def test_a_follow_up_due_today_is_due_soon_not_overdue(client, official, edges):
    client.force_login(official)
    content = client.get(reverse("decisions:dashboard")).content.decode()
    assert "Due in the next 10 business days (2)" in content
    assert "Overdue (1)" in content


def test_status_counts_and_the_official_view(client, official, edges):
    client.force_login(official)
    response = client.get(reverse("decisions:dashboard"))
    counts = {value: count for value, _, count in response.context["status_counts"]}
    assert counts == {"open": 5, "extension": 0, "submitted": 0, "discharged": 0, "cancelled": 1, "superseded": 0}
    assert response.context["register"] is None and response.context["is_clerk"] is False
    content = response.content.decode()
    assert "The Cabinet Office needs a date: propose one" in content and "Set one from each follow-up's page." not in content


def test_a_clerk_sees_the_overdue_register(client, clerk, edges):
    client.force_login(clerk)
    response = client.get(reverse("decisions:dashboard"))
    overdue = edges["yesterday"]
    assert [(row["report_to"], row["responsible_portfolio__name"], row["count"], row["oldest"])
            for row in response.context["register"]] == [(overdue.report_to_id, "Resources", 1, YESTERDAY)]
    assert response.context["is_clerk"] is True
    assert "Set one from each follow-up's page." in response.content.decode()


def test_a_group_of_exactly_its_row_limit_and_one_more(client, official, agency, portfolio):
    from decisions import views

    minute = MinuteFactory(reference="CAB-26-MIN-0071", paper__lead_agency=agency)

    def overdue(number):
        return FollowUpFactory(
            decision=DecisionItemFactory(minute=minute, number=str(number)), responsible_agency=agency,
            responsible_portfolio=portfolio, due_date=YESTERDAY,
        )

    for number in range(1, views.DASHBOARD_ROWS + 1):
        overdue(number)
    client.force_login(official)
    response = client.get(reverse("decisions:dashboard"))
    group = response.context["groups"][0]
    assert (group.key, len(group.follow_ups), group.total) == ("overdue", views.DASHBOARD_ROWS, views.DASHBOARD_ROWS)
    assert "See all" not in response.content.decode()
    overdue(views.DASHBOARD_ROWS + 1)
    response = client.get(reverse("decisions:dashboard"))
    group = response.context["groups"][0]
    assert (len(group.follow_ups), group.total) == (views.DASHBOARD_ROWS, views.DASHBOARD_ROWS + 1)
    assert f"See all {views.DASHBOARD_ROWS + 1}" in response.content.decode()


def test_the_dashboard_only_answers_get(client, official, edges):
    client.force_login(official)
    assert client.post(reverse("decisions:dashboard")).status_code == 405
    assert client.get(reverse("decisions:dashboard")).status_code == 200


# The to-do: each queue's count, and its link's list the same follow-ups.


@pytest.fixture
def queues(agency, portfolio, official, clerk, edges):
    """Beside the edges (one of them an undated report-back): a long extension and a proposed date waiting for a
    clerk, one submitted, an undated action (not a report-back: no date needed) and one the official leads."""
    minute = MinuteFactory(reference="CAB-26-MIN-0072", paper__lead_agency=agency)

    def follow_up(number, **fields):
        return FollowUpFactory(
            decision=DecisionItemFactory(minute=minute, number=str(number)), responsible_agency=agency,
            responsible_portfolio=portfolio, **fields,
        )

    extension = follow_up(1, due_date=TODAY)
    extension.take("request_extension", user=official, to_date=datetime.date(2026, 9, 30), reason="Consultation ran long.")
    proposed = follow_up(2, due_date=None, due_precision="none", due_text="")
    proposed.take("propose_due_date", user=official, to_date=datetime.date(2026, 6, 30), reason="After the Budget.")
    submitted = follow_up(3, due_date=YESTERDAY)
    submitted.take("mark_submitted", user=official, reference="CAB-26-SUB-0300")
    follow_up(4, due_date=None, due_precision="none", due_text="", kind="action")
    led = follow_up(5, due_date=ELEVENTH_BUSINESS_DAY)
    led.take("assign_lead", user=official, lead=official)
    return {
        "waiting": {extension, proposed}, "submitted": {submitted},
        "undated": {edges["undated"], proposed},  # report-backs only, still owed, without a date
        "mine": {led},
    }


def test_a_clerk_s_dashboard_opens_with_the_to_do_each_queue_linking_to_the_same_follow_ups(client, clerk, queues):
    client.force_login(clerk)
    response = client.get(reverse("decisions:dashboard"))
    todo = response.context["todo"]
    assert [(queue.key, queue.count) for queue in todo] == [("waiting", 2), ("submitted", 1), ("undated", 2)]
    for queue in todo:
        listed = client.get(reverse("decisions:followup_list") + "?" + queue.query)
        assert listed.context["form"].errors == {}
        assert set(listed.context["page"].object_list) == queues[queue.key], queue.key
    content = response.content.decode()
    assert content.index("Your to-do") < content.index("Overdue, by committee and portfolio") < content.index("Due later")
    assert "Extensions and proposed due dates to decide" in content and "?waiting=on" in content


def test_an_official_s_queue_is_what_they_lead(client, official, queues):
    client.force_login(official)
    response = client.get(reverse("decisions:dashboard"))
    [queue] = response.context["todo"]
    assert (queue.key, queue.title, queue.count) == ("mine", "Assigned to me", 1)
    listed = client.get(reverse("decisions:followup_list") + "?" + queue.query)
    assert set(listed.context["page"].object_list) == queues["mine"]
    assert "Extensions and proposed due dates to decide" not in response.content.decode()


def test_an_empty_queue_says_so_without_a_link(client, clerk, edges):
    client.force_login(clerk)
    response = client.get(reverse("decisions:dashboard"))
    assert [(queue.key, queue.count) for queue in response.context["todo"]] == [("waiting", 0), ("submitted", 0), ("undated", 1)]
    content = response.content.decode()
    # Waiting and submitted, and the discharge proposals (the Cabinet cycle's line of the to-do).
    assert content.count("Nothing to do") == 3 and "?waiting=on" not in content


def test_a_clerk_s_groups_show_fewer_rows_each_with_see_all(client, clerk, agency, portfolio):
    from decisions import views

    minute = MinuteFactory(reference="CAB-26-MIN-0073", paper__lead_agency=agency)
    for number in range(1, views.CLERK_DASHBOARD_ROWS + 2):
        FollowUpFactory(
            decision=DecisionItemFactory(minute=minute, number=str(number)), responsible_agency=agency,
            responsible_portfolio=portfolio, due_date=YESTERDAY,
        )
    client.force_login(clerk)
    response = client.get(reverse("decisions:dashboard"))
    group = response.context["groups"][0]
    assert (group.key, len(group.follow_ups), group.total) == ("overdue", 10, 11)
    assert "See all 11" in response.content.decode()


def test_a_reader_has_no_to_do(client, reader, queues):
    client.force_login(reader)
    response = client.get(reverse("decisions:dashboard"))
    assert response.context["todo"] == [] and "Your to-do" not in response.content.decode()
    assert "Your queue" not in response.content.decode()


def test_decided_requests_are_not_waiting_and_count_their_follow_up_once(client, clerk, official, queues):
    # The extension's request declined, then asked again: one follow-up with a decided request and one waiting.
    [extension] = [f for f in queues["waiting"] if f.due_date is not None]
    extension.take("decide_request", user=clerk, approve=False, reason="Not agreed.")
    extension.take("request_extension", user=official, to_date=datetime.date(2026, 8, 31), reason="Asked again.")
    # The proposal's decided (approved) and nothing asked since: no longer waiting.
    [proposed] = [f for f in queues["waiting"] if f.due_date is None]
    proposed.take("decide_request", user=clerk, approve=True, approved_by="Chair", reason="Agreed.")
    client.force_login(clerk)
    response = client.get(reverse("decisions:dashboard"))
    assert [(queue.key, queue.count) for queue in response.context["todo"]][0] == ("waiting", 1)
    # Each follow-up counts once in its status however many requests it has had: the edges' six (one cancelled)
    # and the queues' five, the extension's follow-up the only one waiting on an extension.
    counts = {value: count for value, _, count in response.context["status_counts"]}
    assert counts["extension"] == 1 and counts["cancelled"] == 1 and sum(counts.values()) == 11


def test_the_overdue_register_lists_the_oldest_first_then_by_committee_and_portfolio_with_the_nameless_last(client, clerk):
    from tests.factories import PortfolioFactory, committee

    for n in range(20):  # the portfolios' keys then differ from every committee's: names read by the wrong key fail
        PortfolioFactory(name=f"Unused {n}")
    energy, arts = PortfolioFactory(name="Energy"), PortfolioFactory(name="Arts")  # keys in the other order to names
    same_day = datetime.date(2026, 3, 2)
    for report_to, portfolio in [
        (committee("SOU"), PortfolioFactory(name="Housing")), (None, arts), (committee("CAB"), None),
        (committee("CAB"), energy), (committee("CAB"), arts),
    ]:
        FollowUpFactory(report_to=report_to, responsible_portfolio=portfolio, due_date=same_day)
    FollowUpFactory(report_to=committee("ECO"), responsible_portfolio=PortfolioFactory(name="Zoology"),
                    due_date=same_day - datetime.timedelta(days=7))
    FollowUpFactory(report_to=committee("CAB"), responsible_portfolio=arts, due_date=same_day)  # a second in a pair

    client.force_login(clerk)
    response = client.get(reverse("decisions:dashboard"))
    register = response.context["register"]
    assert response.context["register_total"] == 0  # every pair is shown: no "the 25 oldest of ..."
    assert [(row["report_to__name"], row["responsible_portfolio__name"], row["count"]) for row in register] == [
        ("Cabinet Economic Policy Committee", "Zoology", 1),
        ("Cabinet", "Arts", 2), ("Cabinet", "Energy", 1), ("Cabinet", None, 1),
        ("Cabinet Social Outcomes Committee", "Housing", 1),
        (None, "Arts", 1),
    ]


@pytest.mark.parametrize("pairs, total", [(25, 0), (26, 26)])
def test_the_overdue_register_says_how_many_pairs_only_when_it_shows_fewer_than_there_are(client, clerk, pairs, total):
    from decisions.views import DASHBOARD_ROWS
    from tests.factories import PortfolioFactory

    assert DASHBOARD_ROWS == 25
    for n in range(pairs):
        FollowUpFactory(responsible_portfolio=PortfolioFactory(name=f"Portfolio {n:02d}"), due_date=datetime.date(2026, 3, 2))
    client.force_login(clerk)
    response = client.get(reverse("decisions:dashboard"))
    assert (len(response.context["register"]), response.context["register_total"]) == (25, total)
    assert (f"The 25 oldest of {pairs} committee and portfolio pairs" in response.content.decode()) is bool(total)
