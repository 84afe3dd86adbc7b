"""The register's follow-ups counted by status, due date and kind (PostgreSQL, migration decisions 0018).

A clerk's or reader's dashboard counts the register from this tally. Here every change that can alter a count is
made the way the app makes it (a follow-up created, a step of its lifecycle, a new due date, a bulk update as a
machinery-of-government change does, a bulk insert as an import does, a deletion, a flush), and after each one the
tally must equal the follow-ups counted here, one by one.
"""

import datetime
import importlib
import zoneinfo

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from decisions.models import FollowUp, FollowUpTally
from tests.databases import database_url
from tests.factories import DecisionItemFactory, FollowUpFactory, MinuteFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the tally is kept by PostgreSQL triggers"),
]

tally_migration = importlib.import_module("decisions.migrations.0018_follow_up_tally")

SEPTEMBER, OCTOBER = datetime.date(2026, 9, 30), datetime.date(2026, 10, 30)


def tally():
    return {(row.status, row.due_date, row.report_back): row.follow_ups for row in FollowUpTally.objects.all()}


def counted_one_by_one():
    """What the tally stands for: each follow-up counted under its status, its due date while owed, and its kind."""
    counts = {}
    for follow_up in FollowUp.objects.all():
        due_date = follow_up.due_date if follow_up.status in FollowUp.ACTIVE_STATUSES else None
        key = (follow_up.status, due_date, follow_up.kind == FollowUp.Kind.REPORT_BACK)
        counts[key] = counts.get(key, 0) + 1
    return counts


@pytest.fixture
def minute():
    return MinuteFactory(reference="CAB-26-MIN-0018")


def follow_up(minute, number, **fields):
    return FollowUpFactory(decision=DecisionItemFactory(minute=minute, number=str(number)), **fields)


def test_the_triggers_keep_the_due_date_of_the_statuses_the_app_calls_owed():
    assert tally_migration.OWED == "(" + ", ".join(f"'{status}'" for status in FollowUp.ACTIVE_STATUSES) + ")"


def test_follow_ups_created_are_counted_by_status_due_date_and_kind(minute):
    follow_up(minute, 1, due_date=SEPTEMBER)
    follow_up(minute, 2, due_date=SEPTEMBER)
    follow_up(minute, 3, due_date=OCTOBER)
    follow_up(minute, 4, due_date=SEPTEMBER, kind=FollowUp.Kind.DIRECTION)
    follow_up(minute, 5, due_date=None, due_precision="none", due_text="")
    assert tally() == counted_one_by_one() == {
        ("open", SEPTEMBER, True): 2, ("open", OCTOBER, True): 1, ("open", SEPTEMBER, False): 1, ("open", None, True): 1,
    }


def test_each_step_moves_its_follow_up_from_one_count_to_another(minute, clerk):
    first, second = follow_up(minute, 1, due_date=SEPTEMBER), follow_up(minute, 2, due_date=SEPTEMBER)
    FollowUp.objects.filter(pk=second.pk).update(status=FollowUp.Status.EXTENSION_REQUESTED)
    # Still owed: counted under its due date.
    assert tally() == counted_one_by_one() == {("open", SEPTEMBER, True): 1, ("extension", SEPTEMBER, True): 1}
    FollowUp.objects.filter(pk=second.pk).update(status=FollowUp.Status.OPEN)
    with transaction.atomic():
        FollowUp.objects.select_for_update().get(pk=first.pk).take(
            "close", user=clerk, status=FollowUp.Status.CANCELLED, reason="Overtaken by events."
        )
    # No longer owed: counted by status alone, its due date dropped.
    assert tally() == counted_one_by_one() == {("open", SEPTEMBER, True): 1, ("cancelled", None, True): 1}
    second.due_date = OCTOBER
    second.save()
    # The September count fell to zero and is gone, not kept at zero.
    assert tally() == counted_one_by_one() == {("open", OCTOBER, True): 1, ("cancelled", None, True): 1}
    assert not FollowUpTally.objects.filter(follow_ups=0).exists()


def test_a_change_that_keeps_the_key_leaves_the_counts_alone(minute):
    kept = follow_up(minute, 1, due_date=SEPTEMBER)
    before = tally()
    kept.description = "Report back on the options, revised"
    kept.save()
    assert tally() == before == counted_one_by_one()


def test_a_bulk_update_bulk_insert_and_deletion_each_keep_the_tally(minute):
    for number in range(1, 7):
        follow_up(minute, number, due_date=SEPTEMBER if number % 2 else OCTOBER)
    # A machinery-of-government change or a clerk's bulk action: one UPDATE of many rows.
    FollowUp.objects.filter(due_date=SEPTEMBER).update(due_date=OCTOBER)
    assert tally() == counted_one_by_one() == {("open", OCTOBER, True): 6}
    FollowUp.objects.filter(pk__in=list(FollowUp.objects.values_list("pk", flat=True)[:2])).update(
        status=FollowUp.Status.SUBMITTED, submitted_reference="CAB-26-SUB-0100"
    )
    assert tally() == counted_one_by_one() == {("open", OCTOBER, True): 4, ("submitted", None, True): 2}
    # An import: many follow-ups in one INSERT.
    FollowUp.objects.bulk_create([
        FollowUp(decision=item, minute=minute, kind=FollowUp.Kind.DIRECTION, description="Consult", due_date=SEPTEMBER,
                 due_precision="day")
        for item in [DecisionItemFactory(minute=minute, number=str(number)) for number in range(10, 13)]
    ])
    assert tally() == counted_one_by_one()
    assert tally()[("open", SEPTEMBER, False)] == 3
    FollowUp.objects.filter(kind=FollowUp.Kind.DIRECTION).delete()
    assert tally() == counted_one_by_one() == {("open", OCTOBER, True): 4, ("submitted", None, True): 2}


def test_a_flush_empties_the_tally(minute):
    follow_up(minute, 1)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as Django's flush finds it: no checks left to run
        cursor.execute("TRUNCATE decisions_followup CASCADE")
    assert tally() == {}


def test_a_tally_out_of_step_fails_the_change_rather_than_counting_below_zero(minute):
    gone = follow_up(minute, 1, due_date=SEPTEMBER)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM decisions_followup_tally")
    with pytest.raises(IntegrityError), transaction.atomic():
        gone.delete()
    assert FollowUp.objects.filter(pk=gone.pk).exists()


def test_the_migration_counts_the_follow_ups_already_there(minute):
    follow_up(minute, 1, due_date=SEPTEMBER)
    follow_up(minute, 2, due_date=None, due_precision="none", due_text="", kind=FollowUp.Kind.DIRECTION)
    expected = tally()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM decisions_followup_tally")
        cursor.execute(tally_migration.FORWARD[-1])  # what the migration fills the new table with
    assert tally() == expected == counted_one_by_one()


def test_a_clerk_s_and_a_reader_s_dashboard_count_the_register_from_the_tally(client, clerk, reader, minute):
    today = datetime.date(2026, 9, 29)
    for number, due in enumerate([datetime.date(2026, 9, 1), today, OCTOBER, None], start=1):
        follow_up(minute, number, due_date=due, due_precision="day" if due else "none")
    follow_up(minute, 5, due_date=datetime.date(2026, 9, 2), kind=FollowUp.Kind.DIRECTION)
    FollowUpFactory(decision=DecisionItemFactory(minute=minute, number="6"), status=FollowUp.Status.SUBMITTED,
                    submitted_reference="CAB-26-SUB-0101")
    with time_machine.travel(datetime.datetime(2026, 9, 29, 10, tzinfo=zoneinfo.ZoneInfo("Pacific/Auckland")), tick=False):
        for user in (clerk, reader):
            client.force_login(user)
            response = client.get(reverse("decisions:dashboard"))
            assert {group.key: group.total for group in response.context["groups"]} == {
                "overdue": 2, "soon": 1, "later": 1, "undated": 1,
            }
            assert {value: count for value, _, count in response.context["status_counts"]}["submitted"] == 1
        # The counts were the tally's: with it emptied, the dashboard counts nothing.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM decisions_followup_tally")
        response = client.get(reverse("decisions:dashboard"))
        assert {group.key: group.total for group in response.context["groups"]} == {
            "overdue": 0, "soon": 0, "later": 0, "undated": 0,
        }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # two connections must see the follow-ups
def test_two_transactions_moving_follow_ups_between_the_same_counts_take_turns_and_lose_nothing(minute):
    import threading

    import psycopg

    first, second = follow_up(minute, 1, due_date=SEPTEMBER), follow_up(minute, 2, due_date=SEPTEMBER)
    move = "UPDATE decisions_followup SET due_date = %s WHERE id = %s"
    with psycopg.connect(database_url()) as one, psycopg.connect(database_url()) as other:
        # Both leave September's count (2) for October's, which neither has written yet.
        one.execute(move, [OCTOBER, first.pk])
        done = threading.Event()

        def second_move():
            other.execute(move, [OCTOBER, second.pk])
            done.set()

        thread = threading.Thread(target=second_move)
        thread.start()
        # The second waits for the first's rows of the tally...
        assert not done.wait(1)
        one.commit()
        # ...and then finds them as the first left them.
        thread.join(10)
        assert done.is_set()
        other.commit()
    assert tally() == counted_one_by_one() == {("open", OCTOBER, True): 2}
