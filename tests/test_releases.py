"""Proactive releases: the steps and their history, who sees which release, the Releases page and a release's steps."""

import datetime

import pytest
from django.urls import reverse

from cabinet.models import OIAGround, ProactiveRelease, Profile
from decisions import releases
from decisions.lifecycle import StaleChange, TransitionRefused
from tests.factories import AgencyFactory, MinuteFactory, ProactiveReleaseFactory, committee, make_user

pytestmark = pytest.mark.django_db
D = datetime.date
Status = ProactiveRelease.Status


@pytest.fixture
def release(agency, tuesday_10_march):
    # Decided Monday 2 February 2026: 30 business days (Waitangi Day off) make Tuesday 17 March.
    return ProactiveReleaseFactory(minute=MinuteFactory(decision_date=D(2026, 2, 2), paper__lead_agency=agency), agency=agency)


def test_a_cabinet_minute_starts_due_and_a_committee_minute_waits_for_confirmation(agency):
    assert ProactiveReleaseFactory(minute=MinuteFactory()).status == Status.DUE
    report = MinuteFactory(kind="report", decision_date=D(2026, 2, 9))
    committee_minute = MinuteFactory(committee=committee("ECO"), decision_date=D(2026, 2, 4))
    waiting = ProactiveReleaseFactory(minute=committee_minute)
    assert (waiting.status, waiting.publication_due_date) == (Status.AWAITING, None)
    committee_minute.confirmed_by = report
    committee_minute.save()
    waiting.final_decision_date = None
    waiting.save()
    waiting.refresh_from_db()
    # Confirmed Monday 9 February: six working weeks with no holiday make Monday 23 March.
    assert (waiting.status, waiting.publication_due_date) == (Status.DUE, D(2026, 3, 23))


def test_each_step_is_a_history_row_with_who_and_the_step(release, official):
    releases.take(release, "start_preparing", user=official, version=1)
    releases.take(release, "send_to_minister", user=official, version=2)
    outcome = releases.take(
        release, "publish", user=official, version=3, published_date=D(2026, 3, 9),
        published_url="https://www.mbie.govt.nz/proactive-release/cab-26-min-0018",
    )
    assert outcome == "Recorded as published on 9 March 2026, with the address where it was published."
    release.refresh_from_db()
    assert (release.status, release.published_date, release.version) == (Status.PUBLISHED, D(2026, 3, 9), 4)
    rows = list(release.history.order_by("history_id"))
    assert [(row.status, row.history_change_reason) for row in rows[1:]] == [
        ("preparing", "Start preparing the pack"), ("minister", "Send to the Minister"), ("published", "Record publication"),
    ]


def test_steps_not_open_from_the_state_and_stale_versions_are_refused(release, official):
    with pytest.raises(TransitionRefused, match="due: “Reconsider"):
        releases.take(release, "reconsider", user=make_user(Profile.Role.CLERK), version=1, reason="x")
    with pytest.raises(StaleChange, match="changed after version 7 was opened"):
        releases.take(release, "start_preparing", user=official, version=7)
    releases.take(release, "withhold", user=official, version=1, reason="Negotiations continue.",
                  ground=OIAGround.objects.get(code="9(2)(j)"))
    with pytest.raises(TransitionRefused, match="withheld: “Record publication” is not open"):
        releases.take(release, "publish", user=official, version=2, published_date=D(2026, 3, 9), published_url="https://x.govt.nz/")
    # Reconsidering is the Cabinet Office's: an official may not.
    with pytest.raises(TransitionRefused, match="You cannot"):
        releases.take(release, "reconsider", user=official, version=2, reason="Negotiations ended.")


def test_publication_needs_a_past_date_after_the_decision_and_a_delay_a_future_date(release, official):
    with pytest.raises(TransitionRefused, match="cannot be in the future"):
        releases.take(release, "publish", user=official, published_date=D(2026, 3, 11), published_url="https://x.govt.nz/")
    with pytest.raises(TransitionRefused, match="before the final decision on 2 February 2026"):
        releases.take(release, "publish", user=official, published_date=D(2026, 1, 30), published_url="https://x.govt.nz/")
    with pytest.raises(TransitionRefused, match="after today"):
        releases.take(release, "delay", user=official, reason="Announcement", new_date=D(2026, 3, 10))
    releases.take(release, "delay", user=official, reason="Announcement first", new_date=D(2026, 4, 2))
    release.refresh_from_db()
    # Its owed date is now the new one: not overdue on 18 March, when the 30 business days have run.
    assert release.owed_date == D(2026, 4, 2) and not release.is_overdue(D(2026, 3, 18))
    assert not ProactiveRelease.objects.overdue(D(2026, 3, 18)).exists()


def test_database_refuses_a_withheld_release_without_its_ground(release):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError, match="cabinet_proactiverelease_withheld_has_reason_and_ground"), transaction.atomic():
        ProactiveRelease.objects.filter(pk=release.pk).update(status=Status.WITHHELD, withheld_reason="No ground")


# Who sees which release


def test_officials_see_their_agencies_releases_clerks_and_readers_all(client, release, official, reader):
    other = ProactiveReleaseFactory(agency=AgencyFactory(short_name="MSD"))
    from decisions import access

    assert list(access.visible_releases(official)) == [release]
    assert set(access.visible_releases(reader)) == {release, other}
    client.force_login(official)
    assert client.get(reverse("decisions:release_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("decisions:release_pack", args=[other.pk, "pdf"])).status_code == 404
    assert client.post(reverse("decisions:release_step", args=[other.pk, "start_preparing"]), {"version": 1}).status_code == 404
    client.force_login(reader)
    assert client.get(reverse("decisions:release_detail", args=[other.pk])).status_code == 200
    assert client.get(reverse("decisions:release_pack", args=[other.pk, "html"])).status_code == 403
    assert client.post(reverse("decisions:release_step", args=[other.pk, "start_preparing"]), {"version": 1}).status_code == 403


# The Releases page


def _listed(client, **query):
    response = client.get(reverse("decisions:release_list"), query)
    assert response.status_code == 200
    return [release.minute.reference for release in response.context["page"].object_list]


def test_the_releases_page_shows_due_soon_overdue_held_and_published(client, clerk, tuesday_10_march):
    agency = AgencyFactory(short_name="MBIE")

    def release_decided(day, reference):
        return ProactiveReleaseFactory(minute=MinuteFactory(reference=reference, decision_date=day), agency=agency)

    soon = release_decided(D(2026, 2, 2), "CAB-26-MIN-0901")  # due 17 March: within 10 business days of 10 March
    overdue = release_decided(D(2026, 1, 20), "CAB-26-MIN-0902")  # due 4 March
    later = release_decided(D(2026, 3, 2), "CAB-26-MIN-0903")  # due 14 April
    held = release_decided(D(2026, 1, 21), "CAB-26-MIN-0904")
    releases.take(held, "delay", user=clerk, reason="Waiting for the Budget", new_date=D(2026, 5, 21))
    done = release_decided(D(2026, 1, 19), "CAB-26-MIN-0905")
    releases.take(done, "publish", user=clerk, published_date=D(2026, 3, 2), published_url="https://www.mbie.govt.nz/r/0905")
    client.force_login(clerk)
    assert _listed(client, show="soon") == [soon.minute.reference]
    assert _listed(client, show="overdue") == [overdue.minute.reference]
    assert _listed(client, show="held") == [held.minute.reference]
    assert _listed(client, show="published") == [done.minute.reference]
    assert set(_listed(client)) == {soon.minute.reference, overdue.minute.reference, later.minute.reference, held.minute.reference}
    assert _listed(client, q="0903") == [later.minute.reference]
    page = client.get(reverse("decisions:release_list"), {"show": "held"}).content.decode()
    assert "Waiting for the Budget" in page


def test_a_clerk_records_publication_with_its_address_in_one_step(client, clerk, release):
    client.force_login(clerk)
    url = reverse("decisions:release_step", args=[release.pk, "publish"])
    response = client.post(url, {"version": 1, "published_date": "2026-03-09", "published_url": ""})
    assert response.status_code == 200 and "Enter the address where it was published" in response.content.decode()
    response = client.post(url, {"version": 1, "published_date": "2026-03-09", "published_url": "https://www.mbie.govt.nz/r/18"})
    assert response.status_code == 302
    release.refresh_from_db()
    assert (release.status, release.published_url) == (Status.PUBLISHED, "https://www.mbie.govt.nz/r/18")
    assert release.history.latest().history_user == clerk
    detail = client.get(release.get_absolute_url()).content.decode()
    assert "https://www.mbie.govt.nz/r/18" in detail and "Record publication" in detail  # in its history


def test_a_stale_step_saves_nothing_and_says_so(client, official, release):
    client.force_login(official)
    client.post(reverse("decisions:release_step", args=[release.pk, "start_preparing"]), {"version": 1})
    response = client.post(reverse("decisions:release_step", args=[release.pk, "send_to_minister"]), {"version": 1}, follow=True)
    assert "changed after you opened the page" in response.content.decode()
    release.refresh_from_db()
    assert release.status == Status.PREPARING


def test_the_demo_has_releases_in_every_state_some_overdue():
    from django.core.management import call_command

    call_command("loaddemo", stdout=open("/dev/null", "w"))
    assert set(ProactiveRelease.objects.values_list("status", flat=True)) == set(Status.values)
    assert ProactiveRelease.objects.overdue().count() >= 3
    published = ProactiveRelease.objects.filter(status=Status.PUBLISHED).exclude(published_url="")
    assert published.exists() and all(r.history.filter(history_change_reason="Record publication").exists() for r in published)
    assert ProactiveRelease.objects.filter(status=Status.WITHHELD, withheld_ground__code="9(2)(j)").exists()
    assert ProactiveRelease.objects.filter(status=Status.DELAYED, delayed_until__gt=datetime.date.today()).exists()


@pytest.mark.parametrize("count", [3, 30])
def test_the_releases_page_reads_a_fixed_number_of_queries(client, clerk, count, django_assert_max_num_queries):
    agency = AgencyFactory(short_name="MBIE")
    for _ in range(count):
        ProactiveReleaseFactory(agency=agency)
    client.force_login(clerk)
    # Session and user (2), the profile for the role (1), the agencies for the filter (1), the views' counts in one
    # aggregate (1), the page's count and rows (2), with a margin of 3 for the middleware's own reads.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("decisions:release_list"), {"show": "all"})
    assert len(response.context["page"].object_list) == min(count, 25)
