import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from cabinet.history import acting_as
from cabinet.models import Minute, OIAGround, Profile
from decisions.models import DueDateChange, FollowUp, ProgressNote, Redaction
from tests.factories import (
    DecisionItemFactory, FollowUpFactory, MinisterFactory, MinuteFactory, PaperFactory, committee, make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, clerk):
    client.force_login(clerk)
    return client


def test_minute_change_page_edits_its_decision_items_and_lists_follow_ups(admin_client):
    follow_up = FollowUpFactory(decision__number="4", due_date=None, due_precision="none", due_text="")
    minute = follow_up.decision.minute
    response = admin_client.get(reverse("admin:cabinet_minute_change", args=[minute.pk]))
    assert response.status_code == 200
    assert b'name="decisions-0-number"' in response.content
    assert b"para 4: Report-back (Open), due no date set" in response.content


def test_changes_made_in_the_admin_are_in_history_with_their_user(admin_client, clerk):
    minute = MinuteFactory(reference="CAB-26-MIN-0018", title="Old title")
    url = reverse("admin:cabinet_minute_change", args=[minute.pk])
    data = {
        "seen_change": admin_client.get(url).context["adminform"].form["seen_change"].initial,
        "reference": "CAB-26-MIN-0018", "committee": minute.committee_id, "kind": "decision",
        "decision_date": "2026-02-02", "title": "New title", "classification": "in_confidence", "paper": minute.paper_id,
        "decisions-TOTAL_FORMS": "1", "decisions-INITIAL_FORMS": "0", "decisions-MIN_NUM_FORMS": "0",
        "decisions-MAX_NUM_FORMS": "1000", "decisions-0-number": "1", "decisions-0-verb": "noted",
        "decisions-0-text": "noted the report;",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    minute.refresh_from_db()
    assert minute.title == "New title"
    assert minute.history.first().history_user == clerk
    assert minute.decisions.get().history.first().history_user == clerk
    history = admin_client.get(reverse("admin:cabinet_minute_history", args=[minute.pk]))
    assert b"clerk" in history.content


def test_invalid_reference_in_the_admin_gets_a_clear_message(admin_client):
    response = admin_client.post(
        reverse("admin:cabinet_minute_add"),
        {"reference": "CAB-26-MINUTE-1", "committee": committee("CAB").pk, "kind": "decision",
         "decision_date": "2026-02-02", "title": "x", "classification": "in_confidence",
         "decisions-TOTAL_FORMS": "0", "decisions-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 200
    assert "is not a Cabinet reference" in response.content.decode()
    assert not Minute.objects.exists()


def test_nothing_can_be_deleted_through_the_admin(admin_client):
    minute = MinuteFactory()
    assert admin_client.get(reverse("admin:cabinet_minute_delete", args=[minute.pk])).status_code == 403
    assert admin_client.post(reverse("admin:cabinet_minute_delete", args=[minute.pk]), {"post": "yes"}).status_code == 403
    assert list(Minute.objects.all()) == [minute]
    response = admin_client.get(reverse("admin:cabinet_minute_changelist"))
    assert b"delete_selected" not in response.content


def test_search_finds_a_minute_by_any_printed_form_of_its_reference(admin_client):
    MinuteFactory(reference="CAB-19-MIN-0219")
    MinuteFactory(reference="CAB-19-MIN-0220")
    response = admin_client.get(reverse("admin:cabinet_minute_changelist"), {"q": "CAB\u201119-MIN-219"})
    assert response.context["cl"].result_count == 1


@pytest.mark.parametrize(
    "url_name", ["admin:cabinet_minute_changelist", "admin:decisions_followup_changelist", "admin:decisions_decisionitem_changelist"]
)
def test_list_pages_run_a_constant_number_of_queries(admin_client, django_assert_max_num_queries, url_name):
    def add_rows(count):
        for _ in range(count):
            FollowUpFactory()

    add_rows(2)
    with django_assert_max_num_queries(30) as small:
        admin_client.get(reverse(url_name))
    add_rows(20)
    with django_assert_max_num_queries(30) as large:
        admin_client.get(reverse(url_name))
    # Filters list each year or committee once; rows themselves add no queries.
    assert len(large.captured_queries) == len(small.captured_queries)


def test_overdue_filter(admin_client):
    overdue = FollowUpFactory(due_date=datetime.date(2020, 1, 31))
    FollowUpFactory(due_date=datetime.date(2099, 1, 30))
    response = admin_client.get(reverse("admin:decisions_followup_changelist"), {"due": "overdue"})
    assert list(response.context["cl"].result_list) == [overdue]


def test_discharge_action_needs_a_recorded_paper_or_minute_and_a_reason(admin_client, clerk):
    follow_up = FollowUpFactory()
    url = reverse("admin:decisions_followup_changelist")
    selection = {"action": "mark_discharged", ACTION_CHECKBOX_NAME: [follow_up.pk]}
    confirm = admin_client.post(url, selection)
    assert b"Discharging paper or minute" in confirm.content

    unknown = admin_client.post(url, {**selection, "confirm": "yes", "reason": "Considered.", "reference": "CAB-26-SUB-0999"})
    assert "CAB-26-SUB-0999 is not recorded yet" in unknown.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.OPEN

    PaperFactory(reference="CAB-26-SUB-0999")
    done = admin_client.post(url, {**selection, "confirm": "yes", "reason": "Considered.", "reference": "CAB-26-SUB-999"})
    assert done.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUp.Status.DISCHARGED
    assert follow_up.discharged_by_paper.reference == "CAB-26-SUB-0999"
    assert follow_up.history.first().history_user == clerk


def test_cancel_action_requires_a_reason(admin_client):
    follow_up = FollowUpFactory()
    url = reverse("admin:decisions_followup_changelist")
    selection = {"action": "mark_cancelled", ACTION_CHECKBOX_NAME: [follow_up.pk], "confirm": "yes"}
    assert b"This field is required" in admin_client.post(url, {**selection, "reason": ""}).content
    admin_client.post(url, {**selection, "reason": "Programme stopped."})
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.closed_reason) == (FollowUp.Status.CANCELLED, "Programme stopped.")


def test_a_stale_admin_edit_is_refused_and_loses_nothing(client, clerk):

    other_clerk = make_user(Profile.Role.CLERK, username="other", is_superuser=True)
    follow_up = FollowUpFactory(description="Original")
    url = reverse("admin:decisions_followup_change", args=[follow_up.pk])
    client.force_login(clerk)
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and not hasattr(value, "pk")}
    data.update({
        "seen_change": form["seen_change"].initial, "decision": follow_up.decision_id, "kind": "report_back",
        "status": "open", "due_date": "2026-09-30", "due_precision": "day", "report_to": follow_up.report_to_id,
        "responsible_agency": follow_up.responsible_agency_id, "responsible_portfolio": follow_up.responsible_portfolio_id,
        "due_date_changes-TOTAL_FORMS": "0", "due_date_changes-INITIAL_FORMS": "0",
        "notes-TOTAL_FORMS": "0", "notes-INITIAL_FORMS": "0",
    })
    # Someone else saves first.

    with acting_as(other_clerk):
        follow_up.description = "Changed by the other clerk"
        follow_up.save()
    response = client.post(url, {**data, "description": "My change"})
    assert response.status_code == 200
    assert "other changed this follow-up" in response.content.decode()
    follow_up.refresh_from_db()
    assert follow_up.description == "Changed by the other clerk"
    fresh = client.get(url).context["adminform"].form["seen_change"].initial
    assert client.post(url, {**data, "seen_change": fresh, "description": "My change"}).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.description == "My change"


def _add_notes_and_changes(follow_up, count, clerk):
    for n in range(count):
        author = make_user(Profile.Role.OFFICIAL, username=f"author{follow_up.pk}-{len(follow_up.notes.all())}-{n}")
        ProgressNote.objects.create(follow_up=follow_up, author=author, text=f"Note {n}")
        DueDateChange.objects.create(
            follow_up=follow_up, from_date=follow_up.due_date, to_date=follow_up.due_date + datetime.timedelta(days=n + 1),
            reason="Consultation took longer.", requested_by=author, status=DueDateChange.Status.APPROVED,
            decided_by=clerk, decided_at=timezone.now(),
        )


def _add_redactions_and_follow_ups(decision, count):
    ground = OIAGround.objects.get(code="9(2)(j)")
    for n in range(count):
        Redaction.objects.create(decision=decision, marker=f"[s9(2)(j) {n}]", ground=ground, label="Negotiations")
        FollowUpFactory(decision=decision, responsible_minister=MinisterFactory(), report_to=committee("ECO"))


def _add_items(minute, count):
    # After the minute's highest paragraph: a fixed base (1000) met the factories' own numbers once a run had made
    # a thousand decision items before this test.
    start = max((int(number) for number in minute.decisions.values_list("number", flat=True) if number.isdigit()), default=0) + 1
    for n in range(start, start + count):
        DecisionItemFactory(minute=minute, number=str(n))


@pytest.mark.parametrize("page", ["follow-up", "decision item", "minute"])
def test_change_pages_run_a_constant_number_of_queries_however_many_inline_rows(
    client, clerk, django_assert_max_num_queries, page
):
    client.force_login(clerk)
    admin_client = client
    follow_up = FollowUpFactory(responsible_minister=MinisterFactory())
    grow, url = {
        "follow-up": (lambda n: _add_notes_and_changes(follow_up, n, clerk),
                      reverse("admin:decisions_followup_change", args=[follow_up.pk])),
        "decision item": (lambda n: _add_redactions_and_follow_ups(follow_up.decision, n),
                          reverse("admin:decisions_decisionitem_change", args=[follow_up.decision.pk])),
        "minute": (lambda n: _add_items(follow_up.decision.minute, n),
                   reverse("admin:cabinet_minute_change", args=[follow_up.decision.minute.pk])),
    }[page]
    grow(2)
    admin_client.get(url)  # warm the content-type cache, read once per process
    # Session, user, the record, its latest history row, each field's chosen label or choices once, the inlines'
    # rows with what they show: at most 40 whatever the size.
    with django_assert_max_num_queries(40) as small:
        assert admin_client.get(url).status_code == 200
    grow(15)
    with django_assert_max_num_queries(40) as large:
        response = admin_client.get(url)
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_minute_changelist_counts_items_and_open_follow_ups_of_each_shown_minute(admin_client):
    busy = MinuteFactory(reference="CAB-26-MIN-0101")
    for number, status in [("1", FollowUp.Status.OPEN), ("2", FollowUp.Status.EXTENSION_REQUESTED), ("3", FollowUp.Status.SUBMITTED)]:
        follow_up = FollowUpFactory(decision=DecisionItemFactory(minute=busy, number=number))
        FollowUp.objects.filter(pk=follow_up.pk).update(status=status, submitted_reference="CAB-26-SUB-0200")
    DecisionItemFactory(minute=busy, number="4")
    quiet = MinuteFactory(reference="CAB-26-MIN-0102")
    response = admin_client.get(reverse("admin:cabinet_minute_changelist"))
    rows = {minute.reference: (minute.item_count, minute.open_follow_ups) for minute in response.context["cl"].result_list}
    # Four items; the open one and the one waiting on an extension are owed, the submitted one is not.
    assert rows[busy.reference] == (4, 2)
    assert rows[quiet.reference] == (0, 0)
    by_items = admin_client.get(reverse("admin:cabinet_minute_changelist"), {"o": "-6"})
    assert [m.reference for m in by_items.context["cl"].result_list][:1] == [busy.reference]


def test_a_long_admin_list_is_counted_only_up_to_its_cap(admin_client, monkeypatch):
    from cabinet.admin import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "CAP", 3)
    for number in range(1, 6):
        MinuteFactory(reference=f"CAB-26-MIN-{number:04d}")
    response = admin_client.get(reverse("admin:cabinet_minute_changelist"))
    # Five minutes, counted to the cap of three: the list says so rather than give three as its size.
    assert response.context["cl"].result_count == 3
    assert "3 or more minutes: filter, search or sort to reach the rest" in response.content.decode()
    # Under the cap the count is exact.
    response = admin_client.get(reverse("admin:cabinet_minute_changelist"), {"q": "CAB-26-MIN-0002"})
    assert response.context["cl"].result_count == 1 and "or more" not in response.content.decode()


def test_the_year_filter_offers_each_year_from_the_last_to_the_first(admin_client):
    MinuteFactory(reference="CAB-19-MIN-0001", decision_date=datetime.date(2019, 5, 6))
    MinuteFactory(reference="CAB-21-MIN-0001", decision_date=datetime.date(2021, 5, 3))
    response = admin_client.get(reverse("admin:cabinet_minute_changelist"))
    [year_filter] = [spec for spec in response.context["cl"].filter_specs if getattr(spec, "parameter_name", None) == "year"]
    assert [value for value, _ in year_filter.lookup_choices] == [2021, 2020, 2019]
    by_year = admin_client.get(reverse("admin:cabinet_minute_changelist"), {"year": "2019"})
    assert [m.reference for m in by_year.context["cl"].result_list] == ["CAB-19-MIN-0001"]


def test_each_row_of_a_large_list_has_the_checkbox_django_draws(admin_client):
    """The large lists write each row's action checkbox directly (cabinet.admin.LargeListMixin): the element must be
    the one Django's CheckboxInput draws, or the actions and their "select all" would not find it."""
    from django import forms

    follow_up = FollowUpFactory()
    expected = forms.CheckboxInput(
        {"class": "action-select", "aria-label": f"Select this object for an action - {follow_up}"}, lambda value: False,
    ).render(ACTION_CHECKBOX_NAME, str(follow_up.pk))

    content = admin_client.get(reverse("admin:decisions_followup_changelist")).content.decode()

    assert expected in content
    assert content.count('class="action-select"') == 1


def test_the_large_lists_take_the_pages_width_and_the_other_pages_keep_the_navigation(admin_client):
    for url_name in ("admin:decisions_followup_changelist", "admin:cabinet_minute_changelist", "admin:decisions_decisionitem_changelist"):
        assert 'id="nav-sidebar"' not in admin_client.get(reverse(url_name)).content.decode(), url_name
    assert 'id="nav-sidebar"' in admin_client.get(reverse("admin:cabinet_agency_changelist")).content.decode()


def test_the_apps_and_models_are_worked_out_only_for_the_pages_that_show_them(admin_client, monkeypatch):
    from django.contrib import admin

    from cabinet.admin_site import TrackerAdminSite

    assert isinstance(admin.site._wrapped if hasattr(admin.site, "_wrapped") else admin.site, TrackerAdminSite)
    built = []
    build = admin.AdminSite._build_app_dict
    monkeypatch.setattr(admin.AdminSite, "_build_app_dict", lambda site, *args, **kwargs: built.append(args) or build(site, *args, **kwargs))
    for url_name in ("admin:decisions_followup_changelist", "admin:cabinet_minute_changelist", "admin:decisions_decisionitem_changelist"):
        assert admin_client.get(reverse(url_name)).status_code == 200
    assert built == []  # no sidebar, so nothing reads them
    sidebar = admin_client.get(reverse("admin:cabinet_agency_changelist")).content.decode()
    assert 'id="nav-sidebar"' in sidebar and reverse("admin:decisions_followup_changelist") in sidebar and len(built) == 1
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:cabinet_minute_changelist") in index and "Cabinet records" in index
    app = admin_client.get(reverse("admin:app_list", args=["decisions"]))
    assert app.status_code == 200 and reverse("admin:decisions_followup_changelist") in app.content.decode()
    assert admin_client.get("/admin/nosuchapp/").status_code == 404


def test_the_search_vectors_a_list_defers_are_those_of_the_record_and_each_one_along_its_paths():
    from cabinet.models import Agency, search_vectors
    from decisions.models import DecisionItem

    # Follow-ups, decision items, minutes and papers store a vector; agencies and committees do not.
    assert search_vectors(FollowUp, ["decision__minute", "responsible_agency", "report_to"]) == [
        "search_vector", "decision__search_vector", "decision__minute__search_vector",
    ]
    assert search_vectors(DecisionItem, ["minute__paper"]) == [
        "search_vector", "minute__search_vector", "minute__paper__search_vector",
    ]
    assert search_vectors(FollowUp) == ["search_vector"]
    assert search_vectors(Agency) == []
