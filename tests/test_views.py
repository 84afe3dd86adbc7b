import datetime


import pytest
from django.db import connection
from django.urls import reverse
from django.template.defaultfilters import date as format_date
from django.utils import timezone

from cabinet.business_days import add_business_days
from cabinet.models import Profile
from decisions.models import FollowUp
from tests.factories import (
    AgencyFactory, DecisionItemFactory, FollowUpFactory, MinuteFactory, PortfolioFactory, make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tuesday_10_march")]


@pytest.fixture
def theirs(agency, portfolio):
    """A follow-up of the official's agency."""
    minute = MinuteFactory(reference="CAB-26-MIN-0018", paper__lead_agency=agency, title="Critical minerals framework")
    minute.portfolios.set([portfolio])
    decision = DecisionItemFactory(minute=minute, number="4", text="invited the Minister for Resources to return to Cabinet;")
    return FollowUpFactory(
        decision=decision, responsible_agency=agency, responsible_portfolio=portfolio,
        due_date=add_business_days(timezone.localdate(), -3), description="Return to Cabinet with further advice",
    )


@pytest.fixture
def others():
    """A follow-up of another agency and portfolio."""
    other_agency = AgencyFactory(name="Ministry of Social Development", short_name="MSD")
    minute = MinuteFactory(reference="CAB-26-MIN-0050", paper__lead_agency=other_agency, title="Income support secret plan")
    decision = DecisionItemFactory(minute=minute, number="2", text="invited the Minister for Social Development to report back;")
    return FollowUpFactory(
        decision=decision, responsible_agency=other_agency, responsible_portfolio=PortfolioFactory(name="Social Development"),
        description="Report back on income support",
    )


def test_every_page_requires_sign_in(client, theirs):
    for url in [reverse("decisions:dashboard"), reverse("decisions:followup_list"), theirs.get_absolute_url(),
                reverse("decisions:search"), theirs.decision.minute.get_absolute_url()]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_sign_in_page_and_sign_in(client, official):
    official.set_password("a long enough passphrase")
    official.save()
    assert b"Sign in" in client.get(reverse("login")).content
    response = client.post(reverse("login"), {"login": "official", "password": "a long enough passphrase"})
    assert response.status_code == 302
    assert client.get(reverse("decisions:dashboard")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("decisions:dashboard")).status_code == 302


def test_dashboard_groups_my_follow_ups(client, official, theirs, others):
    undated = FollowUpFactory(
        decision=DecisionItemFactory(minute=theirs.decision.minute, number="5"), responsible_agency=theirs.responsible_agency,
        due_date=None, due_precision="none", description="Undated advice",
    )
    client.force_login(official)
    response = client.get(reverse("decisions:dashboard"))
    groups = {group.key: group.follow_ups for group in response.context["groups"]}
    assert groups["overdue"] == [theirs]
    assert groups["undated"] == [undated]
    content = response.content.decode()
    assert "Report-backs marked “Needs a due date” have none yet" in content
    assert "Report back on income support" not in content
    assert "3 business days overdue" in content


def test_clerk_dashboard_shows_the_register_by_committee_and_portfolio(client, clerk, theirs, others):
    others.due_date = datetime.date(2020, 1, 31)
    others.save()
    client.force_login(clerk)
    response = client.get(reverse("decisions:dashboard"))
    register = [(row["responsible_portfolio__name"], row["count"], row["oldest"]) for row in response.context["register"]]
    assert register == [("Social Development", 1, datetime.date(2020, 1, 31)), ("Resources", 1, theirs.due_date)]
    assert f"committee={theirs.report_to_id}" in response.content.decode()


def test_dashboard_groups_show_the_first_rows_and_link_to_all(client, official, theirs):
    from decisions import views

    for n in range(views.DASHBOARD_ROWS + 2):
        FollowUpFactory(
            decision=DecisionItemFactory(minute=theirs.decision.minute, number=str(20 + n)),
            responsible_agency=theirs.responsible_agency, due_date=datetime.date(2026, 1, 5),
        )
    client.force_login(official)
    response = client.get(reverse("decisions:dashboard"))
    overdue = response.context["groups"][0]
    assert (len(overdue.follow_ups), overdue.total) == (views.DASHBOARD_ROWS, views.DASHBOARD_ROWS + 3)
    assert "See all 28" in response.content.decode()
    listed = client.get(reverse("decisions:followup_list") + "?" + overdue.query)
    assert listed.context["page"].paginator.count == views.DASHBOARD_ROWS + 3


def test_list_filters_are_kept_in_the_url_and_respect_need_to_know(client, official, theirs, others):
    client.force_login(official)
    response = client.get(reverse("decisions:followup_list"), {"overdue": "on", "status": "open", "sort": "-due"})
    assert list(response.context["page"].object_list) == [theirs]
    assert "overdue=on" in response.context["query"]
    assert list(client.get(reverse("decisions:followup_list"), {"q": "income"}).context["page"].object_list) == []
    by_reference = client.get(reverse("decisions:followup_list"), {"q": "CAB-26-MIN-18"})
    assert list(by_reference.context["page"].object_list) == [theirs]


def test_list_returns_a_fragment_to_htmx(client, official, theirs):
    client.force_login(official)
    response = client.get(reverse("decisions:followup_list"), {"overdue": "on"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and b"Return to Cabinet" in response.content


def test_invalid_filters_get_a_message(client, official, theirs):
    client.force_login(official)
    response = client.get(reverse("decisions:followup_list"), {"due_from": "2026-05-01", "due_to": "2026-04-01"})
    assert "“Due by” must be on or after “Due from”" in response.content.decode()


def test_list_dashboard_and_minute_queries_do_not_grow_with_rows(client, official, theirs, django_assert_max_num_queries):
    def add_rows(count, start):
        for n in range(start, start + count):
            FollowUpFactory(
                decision=DecisionItemFactory(minute=theirs.decision.minute, number=str(10 + n)),
                responsible_agency=theirs.responsible_agency, due_date=datetime.date(2026, 1, 5) + datetime.timedelta(days=n),
            )

    pages = [reverse("decisions:followup_list"), reverse("decisions:dashboard"), theirs.decision.minute.get_absolute_url(),
             theirs.decision.minute.paper.get_absolute_url(), reverse("decisions:search") + "?q=Example"]
    client.force_login(official)
    add_rows(2, 0)
    small = []
    for url in pages:
        # session, user, profile, scope (2), then the page's own: at most 10 (the paper page: paper, its
        # portfolios and ministers, minutes, items, redactions, grounds, follow-ups; search: the names
        # matched, then for each of its four sections the ranked matches and the shown rows, and redactions).
        with django_assert_max_num_queries(15) as queries:
            assert client.get(url).status_code == 200
        small.append(len(queries.captured_queries))
    add_rows(10, 2)
    for url, before in zip(pages, small):
        with django_assert_max_num_queries(before) as queries:
            client.get(url)
        assert len(queries.captured_queries) == before, url



def test_follow_up_page_queries_do_not_grow_with_its_notes_and_date_changes(client, official, clerk, theirs,
                                                                            django_assert_max_num_queries):
    """Each note's author, each request's asker and decider are read once for the page, whoever they are."""
    from decisions.models import DueDateChange, ProgressNote

    def add(count, start):
        for n in range(start, start + count):
            author = make_user(Profile.Role.OFFICIAL, username=f"colleague{n}", first_name=f"Colleague {n}",
                               agencies=[theirs.responsible_agency])
            ProgressNote.objects.create(follow_up=theirs, author=author, text=f"Note {n}")
            DueDateChange.objects.create(
                follow_up=theirs, to_date=datetime.date(2026, 6, 1) + datetime.timedelta(days=n), reason=f"Reason {n}",
                requested_by=author, decided_by=clerk, decided_at=timezone.now(), status=DueDateChange.Status.APPROVED,
            )

    url = theirs.get_absolute_url()
    client.force_login(official)
    add(1, 0)
    with django_assert_max_num_queries(20) as small:
        response = client.get(url)
    assert "Colleague 0" in response.content.decode()
    add(5, 1)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)
    page = response.content.decode()
    assert all(f"Colleague {n}" in page for n in range(6))


def test_follow_up_timeline_names_who_changed_its_status_in_the_same_queries_however_many_changes(
    client, official, theirs, django_assert_max_num_queries,
):
    """The history is read once, with only what the entries say: a change more is no query more."""

    def change(count, start):
        for n in range(start, start + count):
            theirs._history_user = make_user(Profile.Role.OFFICIAL, username=f"changer{n}", first_name="Changer", last_name=str(n))
            theirs.status, theirs.submitted_reference = FollowUp.Status.SUBMITTED, f"CAB-26-SUB-{n + 1:04d}"
            theirs.save()
            theirs.status = FollowUp.Status.OPEN
            theirs.save()

    url = theirs.get_absolute_url()
    client.force_login(official)
    change(1, 0)
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    change(4, 1)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        page = client.get(url).content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)
    assert page.count("Status changed from Open to Submitted.") == 5
    assert page.count("Status changed from Submitted to Open.") == 5
    assert all(f"Changer {n}</p>" in page for n in range(5))


def test_detail_shows_the_decision_in_context_with_redactions_as_grounds(client, official, theirs):
    from cabinet.models import OIAGround
    from decisions.models import Redaction

    sibling = DecisionItemFactory(minute=theirs.decision.minute, number="2", text="noted that, Negotiations [REDACTED]")
    Redaction.objects.create(decision=sibling, label="Negotiations", marker="[REDACTED]", ground=OIAGround.objects.get(code="9(2)(j)"))
    client.force_login(official)
    content = client.get(theirs.get_absolute_url()).content.decode()
    assert "[Withheld: s9(2)(j) negotiations]" in content
    assert "[REDACTED]" not in content
    assert "invited the Minister for Resources to return to Cabinet" in content


def _urls(follow_up):
    return [
        reverse(f"decisions:{name}", args=[follow_up.pk])
        for name in ["followup_detail", "followup_add_note", "followup_request_extension", "followup_decide_request",
                     "followup_set_due_date", "followup_mark_submitted", "followup_discharge", "followup_close"]
    ]


def test_an_official_of_another_agency_gets_404_on_every_url_get_and_post(client, others, official):
    client.force_login(official)
    for url in _urls(others):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"version": 1, "text": "x", "reason": "x", "to_date": "2030-01-01"}).status_code == 404, url
    assert client.get(others.decision.minute.get_absolute_url()).status_code == 404
    assert client.get(others.decision.minute.paper.get_absolute_url()).status_code == 404
    search = client.get(reverse("decisions:search"), {"q": "income"})
    assert b"Income support" not in search.content
    assert client.get(reverse("decisions:search"), {"q": "CAB-26-MIN-0050"}).context["minutes"] == []
    others.refresh_from_db()
    assert others.notes.count() == 0 and others.version == 1


def _state(follow_up):
    """Everything an action could change on a follow-up, read afresh from the database."""
    follow_up = FollowUp.objects.get(pk=follow_up.pk)
    return (
        follow_up.status, follow_up.due_date, follow_up.due_precision, follow_up.version, follow_up.closed_reason,
        follow_up.notes.count(), follow_up.due_date_changes.count(), follow_up.history.count(),
    )


def test_a_reader_sees_everything_and_changes_nothing(client, reader, others):
    client.force_login(reader)
    before = _state(others)
    assert client.get(others.get_absolute_url()).status_code == 200
    assert client.post(reverse("decisions:followup_add_note", args=[others.pk]), {"version": 1, "text": "hi"}).status_code == 403
    assert client.get(reverse("decisions:followup_request_extension", args=[others.pk])).status_code == 403
    data = {"version": 1, "text": "x", "reason": "x", "to_date": "2030-01-01", "decision": "approve",
            "approved_by": "Chair", "reference": "CAB-26-MIN-0099", "status": "cancelled"}
    for url in _urls(others)[1:]:
        assert client.post(url, data).status_code == 403, url
    assert _state(others) == before


def test_clerk_only_actions_are_refused_to_officials(client, official, theirs):
    client.force_login(official)
    before = _state(theirs)
    data = {"version": 1, "to_date": "2030-01-01", "reason": "x", "decision": "approve", "approved_by": "Chair",
            "reference": "CAB-26-MIN-0099", "status": "cancelled"}
    for name in ["followup_decide_request", "followup_set_due_date", "followup_discharge", "followup_close"]:
        assert client.post(reverse(f"decisions:{name}", args=[theirs.pk]), data).status_code == 403
    assert _state(theirs) == before


def test_progress_note_is_added_and_in_history_with_its_author(client, official, theirs):
    client.force_login(official)
    response = client.post(reverse("decisions:followup_add_note", args=[theirs.pk]), {"version": 1, "text": "Draft with the Minister."})
    assert response.status_code == 302
    note = theirs.notes.get()
    assert note.author == official and note.history.first().history_user == official
    assert "Draft with the Minister." in client.get(theirs.get_absolute_url()).content.decode()


def test_empty_note_gets_an_error_and_saves_nothing(client, official, theirs):
    client.force_login(official)
    response = client.post(reverse("decisions:followup_add_note", args=[theirs.pk]), {"version": 1, "text": ""})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    assert not theirs.notes.exists()


def test_note_by_htmx_returns_the_timeline(client, official, theirs):
    client.force_login(official)
    response = client.post(
        reverse("decisions:followup_add_note", args=[theirs.pk]), {"version": 1, "text": "Consulting MFAT."}, HTTP_HX_REQUEST="true"
    )
    assert b"<html" not in response.content and b"Consulting MFAT." in response.content


def test_short_extension_is_recorded_as_notified_and_moves_the_date(client, official, theirs):
    client.force_login(official)
    new_date = theirs.due_date + datetime.timedelta(days=20)
    url = reverse("decisions:followup_request_extension", args=[theirs.pk])
    assert b"Request the extension" in client.get(url).content
    client.post(url, {"version": 1, "to_date": new_date.isoformat(), "reason": "Waiting on officials' advice."})
    theirs.refresh_from_db()
    change = theirs.due_date_changes.get()
    assert (theirs.due_date, theirs.status, change.tier, change.status) == (new_date, "open", "notified", "approved")
    assert theirs.original_due_date != new_date


def test_long_extension_goes_to_a_clerk_who_approves_it(client, official, clerk, theirs):
    client.force_login(official)
    new_date = theirs.due_date + datetime.timedelta(days=70)
    client.post(reverse("decisions:followup_request_extension", args=[theirs.pk]),
                {"version": 1, "to_date": new_date.isoformat(), "reason": "Needs Budget decisions first."})
    theirs.refresh_from_db()
    assert theirs.status == FollowUp.Status.EXTENSION_REQUESTED and theirs.due_date != new_date
    client.force_login(clerk)
    url = reverse("decisions:followup_decide_request", args=[theirs.pk])
    missing = client.post(url, {"version": theirs.version, "decision": "approve", "approved_by": ""})
    assert "Enter who agreed to the new date" in missing.content.decode()
    client.post(url, {"version": theirs.version, "decision": "approve", "approved_by": "Chair, ECO"})
    theirs.refresh_from_db()
    assert (theirs.status, theirs.due_date) == ("open", new_date)
    change = theirs.due_date_changes.get()
    assert (change.status, change.approved_by, change.decided_by) == ("approved", "Chair, ECO", clerk)
    timeline = client.get(theirs.get_absolute_url()).content.decode()
    assert f"Approved the new due date of {format_date(new_date)}, agreed by Chair, ECO." in timeline
    assert "Asked to move the due date from" in timeline  # the request keeps its own entry, as it was asked


def test_stale_form_is_refused_with_what_changed(client, official, clerk, theirs):
    client.force_login(clerk)
    client.post(reverse("decisions:followup_set_due_date", args=[theirs.pk]),
                {"version": 1, "to_date": "2030-03-31", "reason": "Agreed with the Minister's office.", "confirm_date": "on"})
    client.force_login(official)
    response = client.post(reverse("decisions:followup_mark_submitted", args=[theirs.pk]),
                           {"version": 1, "reference": "CAB-26-SUB-0300"}, follow=True)
    content = response.content.decode()
    assert "changed this follow-up" in content and "31 March 2030" in content and "Nothing was saved" in content
    theirs.refresh_from_db()
    assert theirs.status == FollowUp.Status.OPEN


def test_forged_version_or_choice_changes_nothing(client, clerk, theirs):
    client.force_login(clerk)
    response = client.post(reverse("decisions:followup_close", args=[theirs.pk]), {"version": "x", "status": "discharged", "reason": "r"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == FollowUp.Status.OPEN


def test_mark_submitted_needs_a_paper_reference(client, official, theirs):
    client.force_login(official)
    url = reverse("decisions:followup_mark_submitted", args=[theirs.pk])
    assert "is a minute" in client.post(url, {"version": 1, "reference": "CAB-26-MIN-0300"}).content.decode()
    client.post(url, {"version": 1, "reference": "CAB\u201126-SUB-300"})
    theirs.refresh_from_db()
    assert (theirs.status, theirs.submitted_reference) == ("submitted", "CAB-26-SUB-0300")


def test_clerk_records_discharge_by_a_recorded_minute_or_a_new_paper(client, clerk, theirs):
    client.force_login(clerk)
    url = reverse("decisions:followup_discharge", args=[theirs.pk])
    unknown_minute = client.post(url, {"version": 1, "reference": "CAB-26-MIN-0999"})
    assert "is not recorded yet" in unknown_minute.content.decode()
    no_title = client.post(url, {"version": 1, "reference": "CAB-26-SUB-0999"})
    assert "give its title" in no_title.content.decode()
    client.post(url, {"version": 1, "reference": "CAB-26-SUB-0999", "paper_title": "Critical minerals: report-back"})
    theirs.refresh_from_db()
    assert theirs.status == "discharged" and theirs.discharged_by_paper.title == "Critical minerals: report-back"


def test_clerk_supersedes_with_a_reason(client, clerk, theirs):
    client.force_login(clerk)
    client.post(reverse("decisions:followup_close", args=[theirs.pk]), {"version": 1, "status": "superseded", "reason": "Replaced by CAB-26-MIN-0200."})
    theirs.refresh_from_db()
    assert (theirs.status, theirs.closed_reason) == ("superseded", "Replaced by CAB-26-MIN-0200.")
    response = client.get(reverse("decisions:followup_request_extension", args=[theirs.pk]))
    assert response.status_code == 409
    assert "This follow-up is superseded: “Request an extension” is not open to it." in response.content.decode()


def test_minute_and_paper_pages_show_items_follow_ups_and_release(client, official, theirs):
    from cabinet.models import ProactiveRelease

    ProactiveRelease.objects.create(minute=theirs.decision.minute)
    client.force_login(official)
    minute_page = client.get(theirs.decision.minute.get_absolute_url()).content.decode()
    assert "Return to Cabinet with further advice" in minute_page and "Publication due" in minute_page
    assert "17 March 2026" in minute_page
    paper_page = client.get(theirs.decision.minute.paper.get_absolute_url()).content.decode()
    assert "CAB-26-MIN-0018" in paper_page and "Return to Cabinet" in paper_page


def test_search_finds_minutes_papers_and_decisions(client, official, theirs):
    client.force_login(official)
    response = client.get(reverse("decisions:search"), {"q": "critical minerals"})
    assert list(response.context["minutes"]) == [theirs.decision.minute]
    response = client.get(reverse("decisions:search"), {"q": "return to cabinet"})
    assert list(response.context["decisions"]) == [theirs.decision]


def test_demo_mbie_official_sees_the_undated_report_back_and_msd_does_not(client):
    from django.core.management import call_command
    from django.contrib.auth import get_user_model

    call_command("loaddemo", stdout=open("/dev/null", "w"))
    report_back = FollowUp.objects.get(decision__minute__reference="CAB-26-MIN-0018")
    users = get_user_model().objects
    client.force_login(users.get(username="mbie"))
    dashboard = client.get(reverse("decisions:dashboard"))
    undated = {group.key: group.follow_ups for group in dashboard.context["groups"]}["undated"]
    assert report_back in undated
    client.force_login(users.get(username="msd"))
    assert client.get(report_back.get_absolute_url()).status_code == 404
    assert "CAB-26-MIN-0018" not in client.get(reverse("decisions:dashboard")).content.decode()
    assert client.get(reverse("decisions:followup_list"), {"q": "CAB-26-MIN-0018"}).context["page"].paginator.count == 0


def test_an_official_chooses_when_reminders_arrive(client, official):
    client.force_login(official)
    url = reverse("decisions:profile_settings")
    assert "When do you want reminder emails?" in client.get(url).content.decode()
    assert client.post(url, {"digest": "someday"}).status_code == 200
    official.profile.refresh_from_db()
    assert official.profile.digest == Profile.Digest.DAILY
    client.post(url, {"digest": Profile.Digest.WEDNESDAY})
    official.profile.refresh_from_db()
    assert official.profile.digest == Profile.Digest.WEDNESDAY
    assert official.profile.history.first().history_user == official


def test_not_found_and_forbidden_pages_are_ours(client, official, reader, others):
    client.force_login(official)
    response = client.get(others.get_absolute_url())
    assert response.status_code == 404 and "you see the follow-ups of your own agencies" in response.content.decode()
    client.force_login(reader)
    response = client.get(reverse("decisions:followup_request_extension", args=[others.pk]))
    assert response.status_code == 403 and "You can read this follow-up but not change it." in response.content.decode()


def test_a_forged_form_without_csrf_token_changes_nothing(official, theirs):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(official)
    response = client.post(reverse("decisions:followup_add_note", args=[theirs.pk]), {"version": 1, "text": "forged"})
    assert response.status_code == 403 and "Your form expired" in response.content.decode()
    assert not theirs.notes.exists()


def test_each_list_filter_narrows_the_list(client, clerk, theirs, others):
    client.force_login(clerk)
    url = reverse("decisions:followup_list")

    def listed(**params):
        return list(client.get(url, params).context["page"].object_list)

    assert listed(agency=theirs.responsible_agency_id) == [theirs]
    assert listed(portfolio=others.responsible_portfolio_id) == [others]
    assert listed(kind="direction") == []
    assert set(listed(committee=theirs.report_to_id)) == {theirs, others}
    assert listed(due_from=theirs.due_date.isoformat(), due_to=theirs.due_date.isoformat()) == [theirs]
    assert listed(status=["cancelled"]) == []


def test_dashboard_puts_each_owed_follow_up_in_exactly_one_group_and_counts_them_all(client, clerk, theirs):
    minute = theirs.decision.minute
    today = timezone.localdate()
    soon = add_business_days(today, 10)
    due = {"yesterday": today - datetime.timedelta(days=1), "today": today, "soon": soon,
           "after soon": soon + datetime.timedelta(days=1)}
    made = {
        name: FollowUpFactory(decision=DecisionItemFactory(minute=minute, number=str(20 + n)), due_date=day)
        for n, (name, day) in enumerate(due.items())
    }
    closed = FollowUpFactory(decision=DecisionItemFactory(minute=minute, number="30"), due_date=today)
    FollowUp.objects.filter(pk=closed.pk).update(status=FollowUp.Status.SUBMITTED, submitted_reference="CAB-26-SUB-0300")
    client.force_login(clerk)
    response = client.get(reverse("decisions:dashboard"))
    groups = {group.key: (group.total, set(group.follow_ups)) for group in response.context["groups"]}
    # Overdue: before today (theirs, three business days ago, and yesterday's); due soon: today up to ten business
    # days on, both ends included; later: after that. The submitted one is owed by no one.
    assert groups == {
        "overdue": (2, {theirs, made["yesterday"]}),
        "soon": (2, {made["today"], made["soon"]}),
        "later": (1, {made["after soon"]}),
        "undated": (0, set()),
    }
    statuses = {value: count for value, _, count in response.context["status_counts"]}
    assert statuses["open"] == 5 and statuses["submitted"] == 1


def test_clerk_dashboard_queries_do_not_grow_with_the_register(client, clerk, theirs, django_assert_max_num_queries):
    def add_rows(count, start):
        for n in range(start, start + count):
            FollowUpFactory(
                decision=DecisionItemFactory(minute=theirs.decision.minute, number=str(100 + n)),
                responsible_portfolio=PortfolioFactory(name=f"Portfolio {n}"),
                due_date=datetime.date(2025, 1, 6) + datetime.timedelta(days=n * 5),
            )

    client.force_login(clerk)
    add_rows(3, 0)
    client.get(reverse("decisions:dashboard"))
    # Session, user, profile; one aggregate of every count; each non-empty group's first keys; their rows; the
    # register's pairs, counted by key, then their committees' and portfolios' names.
    with django_assert_max_num_queries(12) as small:
        assert client.get(reverse("decisions:dashboard")).status_code == 200
    add_rows(40, 3)
    with django_assert_max_num_queries(12) as large:
        response = client.get(reverse("decisions:dashboard"))
    # Every overdue follow-up added has a portfolio of its own: a pair each, beside those already there.
    pairs = {
        (f.report_to_id, f.responsible_portfolio_id) for f in FollowUp.objects.active() if f.due_date and f.due_date < timezone.localdate()
    }
    assert len(pairs) > 40
    assert len(response.context["register"]) == 25 and response.context["register_total"] == len(pairs)
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans of prepared statements")
def test_a_follow_up_pages_read_is_planned_once_and_kept_by_the_connection(client, official, theirs):
    """The follow-up's read joins eight tables, which cost more to plan than to run: the connection prepares it and
    PostgreSQL comes to run it with a plan it keeps, not one made for each page. Nobody else's follow-up is shown."""
    client.force_login(official)

    def plans():
        """(generic, custom) plans of the follow-up's read, as prepared on this connection (summed: other tests may
        have prepared it already, or a form of it for another number of agencies)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) FROM pg_prepared_statements "
                "WHERE statement LIKE %s AND statement LIKE %s",
                ['SELECT "decisions_followup"."id"%', '%"cabinet_committee"%'],
            )
            return cursor.fetchone()

    for _ in range(13):  # psycopg prepares it from the sixth run; PostgreSQL plans the first five runs for their values
        response = client.get(theirs.get_absolute_url())
        assert response.status_code == 200 and theirs.description in response.content.decode()
    generic, custom = plans()
    assert client.get(theirs.get_absolute_url()).status_code == 200
    assert plans() == (generic + 1, custom)  # then runs it with the plan it keeps
    others = FollowUpFactory(responsible_agency=AgencyFactory(short_name="MSD"), responsible_portfolio=None)
    assert client.get(others.get_absolute_url()).status_code == 404
