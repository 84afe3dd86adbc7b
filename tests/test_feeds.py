"""Calendar feeds: a secret address per person, stored hashed, of the due dates they see; reset, turned off, 404."""

import datetime
import hashlib
import re

import icalendar
import pytest
from django.urls import reverse

from cabinet.audit import AccessLogEntry
from cabinet.models import Profile
from decisions.models import CalendarFeed, DecisionItem, FollowUp
from tests.factories import AgencyFactory, FollowUpFactory, PortfolioFactory, follow_up_on, make_user, minute_of

pytestmark = pytest.mark.django_db

SETTINGS_URL = reverse("decisions:calendar_feed_settings")
ADDRESS = re.compile(r'value="(http://[^"]+/calendar/([A-Za-z0-9_-]+)\.ics)"')


@pytest.fixture
def register(agency, portfolio):
    mfat = AgencyFactory(name="Ministry of Foreign Affairs and Trade", short_name="MFAT")
    ours = minute_of(lead_agency=agency, reference="CAB-26-MIN-0201")
    decision = DecisionItem.objects.create(
        minute=ours, number="7", verb=DecisionItem.Verb.INVITED,
        text="invited the Minister for Resources to report back on the confidential royalty settlement;",
    )
    theirs = minute_of(lead_agency=mfat, reference="CAB-26-MIN-0202")
    return {
        "owed": FollowUpFactory(decision=decision, responsible_agency=agency, responsible_portfolio=portfolio,
                                description="Report back on royalties", due_date=datetime.date(2026, 6, 30)),
        "undated": follow_up_on(ours, agency=agency, portfolio=portfolio, number="8", description="Report back on permits",
                                due_date=None, due_precision="none", due_text=""),
        "closed": follow_up_on(ours, agency=agency, portfolio=portfolio, number="9", description="Report back on levies",
                               status=FollowUp.Status.CANCELLED, closed_reason="Overtaken."),
        "other": follow_up_on(theirs, agency=mfat, portfolio=PortfolioFactory(name="Trade"), number="2",
                              description="Report back on the trade talks", due_date=datetime.date(2026, 5, 29)),
        "mfat": mfat,
    }


def turn_on(client):
    response = client.post(SETTINGS_URL, {"action": "turn_on"})
    assert response.status_code == 200
    address, token = ADDRESS.search(response.content.decode()).groups()
    return address, token


def feed(client, token):
    return client.get(reverse("decisions:calendar_feed", args=[token]))


def events(response):
    calendar = icalendar.Calendar.from_ical(response.content)
    return [component for component in calendar.walk("VEVENT")]


def test_turning_the_feed_on_shows_the_address_once_and_stores_only_its_hash(client, official):
    client.force_login(official)
    address, token = turn_on(client)
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    feed_row = CalendarFeed.objects.get(user=official)
    assert feed_row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(CalendarFeed.objects.values_list().get())  # only the hash is stored
    assert token not in str(list(CalendarFeed.history.values_list()))
    # Shown once: the settings page afterwards says it is on, but not where.
    page = client.get(reverse("decisions:profile_settings")).content.decode()
    assert "Your calendar feed is on" in page and token not in page


def test_the_feed_holds_the_due_dates_the_official_sees_and_no_decision_text(client, official, register):
    client.force_login(official)
    _, token = turn_on(client)
    client.logout()  # calendar clients cannot sign in
    response = feed(client, token)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    found = events(response)
    # MBIE's owed follow-up with a due date; not the undated one, not the cancelled one, nothing of MFAT's.
    assert [str(event["SUMMARY"]) for event in found] == ["CAB-26-MIN-0201 para 7: Report back on royalties"]
    event = found[0]
    assert event.decoded("DTSTART") == datetime.date(2026, 6, 30)
    assert event.decoded("DTEND") == datetime.date(2026, 7, 1)
    assert str(event["URL"]).endswith(register["owed"].get_absolute_url())
    assert str(event["UID"]).startswith(f"follow-up-{register['owed'].pk}@")
    body = response.content.decode()
    assert "confidential royalty settlement" not in body  # the decision's words never leave
    assert "trade talks" not in body and "permits" not in body and "levies" not in body


def test_the_other_agencys_official_gets_only_theirs(client, register):
    probe = make_user(Profile.Role.OFFICIAL, username="mfat-official", agencies=[register["mfat"]])
    client.force_login(probe)
    _, token = turn_on(client)
    client.logout()
    assert [str(event["SUMMARY"]) for event in events(feed(client, token))] == [
        "CAB-26-MIN-0202 para 2: Report back on the trade talks"
    ]


def test_a_reset_address_is_404_and_the_new_one_works(client, official, register):
    client.force_login(official)
    _, old = turn_on(client)
    response = client.post(SETTINGS_URL, {"action": "reset"})
    assert "Your calendar feed has a new address" in response.content.decode()
    new = ADDRESS.search(response.content.decode()).group(2)
    assert new != old
    client.logout()
    assert feed(client, old).status_code == 404
    assert feed(client, new).status_code == 200
    assert CalendarFeed.objects.get(token_hash=hashlib.sha256(old.encode()).hexdigest()).ended == CalendarFeed.Ended.RESET


def test_a_turned_off_feed_is_404(client, official, register):
    client.force_login(official)
    _, token = turn_on(client)
    response = client.post(SETTINGS_URL, {"action": "turn_off"}, follow=True)
    assert "Your calendar feed is off" in response.content.decode()
    client.logout()
    assert feed(client, token).status_code == 404
    assert CalendarFeed.objects.active().count() == 0


def test_an_unknown_token_is_404(client, official, register):
    client.force_login(official)
    _, token = turn_on(client)
    client.logout()
    assert feed(client, token[:-1] + ("A" if token[-1] != "A" else "B")).status_code == 404
    assert feed(client, "x").status_code == 404


def test_a_deactivated_persons_feed_is_404(client, official, register):
    client.force_login(official)
    _, token = turn_on(client)
    client.logout()
    official.is_active = False
    official.save()
    assert feed(client, token).status_code == 404


def test_a_clerk_turns_a_persons_feed_off_in_the_admin(client, clerk, official, register):
    client.force_login(official)
    _, token = turn_on(client)
    client.force_login(clerk)
    row = CalendarFeed.objects.get(user=official)
    response = client.post(
        reverse("admin:decisions_calendarfeed_changelist"), {"action": "turn_off", "_selected_action": [row.pk]}, follow=True,
    )
    assert "1 calendar feed(s) turned off" in response.content.decode()
    row.refresh_from_db()
    assert row.ended == CalendarFeed.Ended.CLERK and row.revoked_by == clerk
    assert row.history.count() == 2  # made, then turned off
    client.logout()
    assert feed(client, token).status_code == 404


def test_each_read_of_the_feed_is_logged_without_the_address(client, official, register):
    client.force_login(official)
    _, token = turn_on(client)
    client.logout()
    feed(client, token)
    entry = AccessLogEntry.objects.get(record_type="decisions.calendarfeed")
    assert entry.user == official
    assert token not in entry.path


def test_only_one_feed_is_on_at_a_time(client, official):
    client.force_login(official)
    turn_on(client)
    turn_on(client)  # turning it on again replaces the address
    assert CalendarFeed.objects.filter(user=official).count() == 2
    assert CalendarFeed.objects.active().filter(user=official).count() == 1


def test_the_settings_form_refuses_an_unknown_action(client, official):
    client.force_login(official)
    response = client.post(SETTINGS_URL, {"action": "publish"}, follow=True)
    assert "Choose to turn your calendar feed on" in response.content.decode()
    assert not CalendarFeed.objects.exists()


def test_the_feed_settings_need_a_post(client, official):
    client.force_login(official)
    assert client.get(SETTINGS_URL).status_code == 405
