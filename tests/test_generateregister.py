"""`manage.py generateregister`: a realistic register at any size, consistent with every rule the app keeps."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction

from cabinet.meetings import lodgement_deadline
from cabinet.models import Agency, Meeting, Minute, Paper, ProactiveRelease, Profile
from decisions.models import DecisionItem, DueDateChange, FollowUp, ProgressNote, Redaction

pytestmark = pytest.mark.django_db
UNTIL = datetime.date(2026, 3, 10)


def generate(**options):
    call_command("generateregister", minutes=50, seed=7, until=UNTIL, stdout=StringIO(), **options)


def fingerprint():
    return (
        list(Minute.objects.order_by("reference").values_list("reference", "title", "decision_date", "kind")),
        list(DecisionItem.objects.order_by("minute__reference", "sort_key").values_list("minute__reference", "number", "text")),
        list(FollowUp.objects.order_by("decision__minute__reference", "decision__sort_key").values_list(
            "decision__minute__reference", "status", "due_date", "responsible_agency__short_name")),
        list(Meeting.objects.order_by("meeting_date", "committee__code").values_list("committee__code", "meeting_date", "status")),
    )


class Rollback(Exception):
    pass


def test_it_builds_a_register_of_the_size_asked_with_the_issue_s_ratios():
    generate()
    minutes, follow_ups, items = Minute.objects.count(), FollowUp.objects.count(), DecisionItem.objects.count()
    assert minutes == 50
    assert follow_ups == 50  # one follow-up per minute, as in the register described (20,000 and 20,000)
    assert FollowUp.objects.active().count() == 25  # half still owed
    assert 5 <= items / minutes <= 10  # about 7.5 decision items a minute (150,000 over 20,000)
    assert Agency.objects.count() == 40
    assert Minute.objects.filter(kind=Minute.Kind.REPORT).exists()
    years = Minute.objects.values_list("decision_date", flat=True)
    assert min(years) > UNTIL.replace(year=UNTIL.year - 20) and max(years) <= UNTIL
    assert Profile.objects.filter(role=Profile.Role.CLERK).exists() and Profile.objects.filter(role=Profile.Role.OFFICIAL).count() > 40
    # Without --password nobody can sign in with one.
    assert not any(user.has_usable_password() for user in get_user_model().objects.all())


def test_every_record_passes_the_model_s_own_validation():
    call_command("generateregister", minutes=150, seed=3, until=UNTIL, stdout=StringIO())
    for model in [Minute, Paper, DecisionItem, Redaction, FollowUp, DueDateChange, ProgressNote, ProactiveRelease, Meeting]:
        sample = list(model.objects.order_by("?")[:40])
        assert sample, model
        for record in sample:
            record.full_clean()
    for minute in Minute.objects.exclude(committee__is_cabinet=True).filter(has_power_to_act=False, confirmed_by__isnull=False)[:20]:
        assert minute.confirmed_by.decision_date > minute.decision_date
    for follow_up in FollowUp.objects.filter(status=FollowUp.Status.EXTENSION_REQUESTED):
        assert follow_up.due_date_changes.filter(status=DueDateChange.Status.PENDING).count() == 1
    for item in DecisionItem.objects.filter(is_redacted=True):
        assert item.redactions.exists()


def test_history_is_written_for_what_it_creates():
    generate()
    for model in [Minute, Paper, DecisionItem, FollowUp, ProgressNote, Meeting]:
        assert model.history.model.objects.filter(history_type="+").count() == model.objects.count(), model
    closed = FollowUp.objects.exclude(status__in=FollowUp.ACTIVE_STATUSES).first()
    statuses = list(closed.history.order_by("history_date", "history_id").values_list("status", flat=True))
    assert statuses == [FollowUp.Status.OPEN, closed.status]  # created open, then moved on: the page's timeline shows it
    minute = Minute.objects.filter(portfolios__isnull=False).first()
    assert list(minute.history.first().portfolios.values_list("portfolio", flat=True)) == list(
        minute.portfolios.values_list("pk", flat=True)
    )


def test_it_builds_the_cabinet_cycle_the_register_was_decided_in_and_the_half_year_ahead():
    generate()
    meetings = Meeting.objects.select_related("committee")
    # Every minute was decided at a meeting of its committee that took place.
    held = set(meetings.taking_place().values_list("committee_id", "meeting_date"))
    assert set(Minute.objects.values_list("committee_id", "decision_date")) <= held
    # Weekly while each committee exists, held before the register's last day and scheduled from it on, for half a year.
    cabinet = meetings.filter(committee__code="CAB")
    assert cabinet.count() > 40 * 19  # a summer recess a year
    assert not meetings.filter(meeting_date__lt=UNTIL, status=Meeting.Status.SCHEDULED).exists()
    assert not meetings.filter(meeting_date__gte=UNTIL, status=Meeting.Status.HELD).exists()
    ahead = meetings.filter(meeting_date__gte=UNTIL)
    assert ahead.exists() and max(ahead.values_list("meeting_date", flat=True)) > UNTIL + datetime.timedelta(weeks=20)
    for meeting in meetings.order_by("?")[:100]:
        assert meeting.committee.valid_from <= meeting.meeting_date
        assert meeting.committee.valid_to is None or meeting.meeting_date <= meeting.committee.valid_to
        assert meeting.lodgement_deadline == lodgement_deadline(meeting.meeting_date)


def test_the_same_seed_gives_the_same_register():
    with pytest.raises(Rollback, match="the first register is undone"):
        with transaction.atomic():
            generate()
            first = fingerprint()
            raise Rollback("the first register is undone")
    generate()
    assert fingerprint() == first


def test_it_refuses_a_database_that_holds_records_unless_forced():
    generate()
    before = fingerprint()
    with pytest.raises(CommandError, match="already holds 50 minutes: nothing was generated"):
        generate()
    assert fingerprint() == before
    generate(force=True)
    assert Minute.objects.count() == 100
    assert FollowUp.objects.count() == 100
