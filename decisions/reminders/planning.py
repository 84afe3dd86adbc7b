"""Planning: write a row for each reminder that has fallen due, and its recipients' copies, into the outbox."""

import dataclasses
import datetime
import logging
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from decisions.meetings import reminder_counted_dates
from decisions.models import FollowUp, Reminder, ReminderDelivery

from .schedule import Kind, Recipients, Schedule, Step, config, week_start

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Planned:
    """A reminder that has fallen due, with the people it goes to."""

    follow_up_id: int
    kind: str
    due_date: datetime.date | None
    offset: int
    planned_for: datetime.date
    recipients: frozenset = frozenset()

    @property
    def key(self):
        if self.due_date is None:
            return (self.follow_up_id, self.kind, self.planned_for)
        return (self.follow_up_id, self.kind, self.due_date, self.offset)


@dataclasses.dataclass
class PlanResult:
    planned: list = dataclasses.field(default_factory=list)  # new reminders (not written on a dry run)
    deliveries: int = 0  # recipients' copies queued
    unreachable: dict = dataclasses.field(default_factory=dict)  # username: copies not queued for want of an email
    nobody: list = dataclasses.field(default_factory=list)  # new reminders with no one to send them to
    due: list = dataclasses.field(default_factory=list)  # every reminder due by the day, new or not (for `reconcile`)


def follow_up_batches(batch_size):
    """Active follow-ups that can be reminded of (dated, or report-backs still needing a date), in pk batches."""
    queryset = (
        FollowUp.objects.active()
        .filter(Q(due_date__isnull=False) | Q(kind=FollowUp.Kind.REPORT_BACK))
        .order_by("pk")
        .values_list("pk", "due_date", "responsible_agency_id", "responsible_portfolio_id", "decision__minute__committee__code",
                     "lead_id")
    )
    last = 0
    while rows := list(queryset.filter(pk__gt=last)[:batch_size]):
        yield rows
        last = rows[-1][0]


def due_in_batch(rows, *, on, schedule, recipients):
    week = week_start(on)
    # Report-backs due at a meeting count to its lodgement deadline until it passes (decisions/meetings.py).
    counted = reminder_counted_dates([row[0] for row in rows if row[1] is not None], on=on)
    for pk, due_date, agency_id, portfolio_id, code, lead_id in rows:
        step = Step(Kind.UNDATED, 0, week) if due_date is None else schedule.latest(counted.get(pk, due_date), on)
        if step is None:
            continue
        people, unreachable = recipients.for_reminder(step.kind, agency_id, portfolio_id, code, lead_id)
        yield Planned(pk, step.kind, due_date, step.offset, step.planned_for, frozenset(people)), unreachable


def existing_keys(due):
    """The keys of reminders already written for these follow-ups (a pk range: one index range scan)."""
    if not due:
        return set()
    ids = [p.follow_up_id for p in due]
    rows = Reminder.objects.filter(follow_up_id__gte=min(ids), follow_up_id__lte=max(ids)).values_list(
        "follow_up_id", "kind", "due_date", "offset", "planned_for"
    )
    return {
        (fu, kind, planned_for) if due_date is None else (fu, kind, due_date, offset)
        for fu, kind, due_date, offset, planned_for in rows
    }


def plan_reminders(*, on, now=None, dry_run=False):
    """Write a row for every reminder fallen due by `on` that has none, and its recipients' copies.

    Each batch is one transaction; a second planner running at the same time finds the rows (or waits
    on their unique key) and queues nothing twice. With `dry_run` nothing is written.
    """
    cfg, now = config(), now or timezone.now()
    schedule, recipients = Schedule(cfg), Recipients()
    result, unreachable = PlanResult(), defaultdict(int)
    for rows in follow_up_batches(cfg["batch_size"]):
        due = []
        for planned, without_email in due_in_batch(rows, on=on, schedule=schedule, recipients=recipients):
            due.append(planned)
            for user_id in without_email:
                unreachable[user_id] += 1
        result.due.extend(due)
        existing = existing_keys(due)
        new = sorted((p for p in due if p.key not in existing), key=lambda p: (p.follow_up_id, p.kind, p.offset))
        if new and not dry_run:
            new = _write_batch(new, now=now)
        result.planned.extend(new)
        result.nobody.extend(p for p in new if not p.recipients)
        result.deliveries += sum(len(p.recipients) for p in new)
    for user_id, count in unreachable.items():
        logger.warning(
            "%s has no email address: %d reminder(s) are not sent to them.", recipients.username[user_id], count
        )
    result.unreachable = {recipients.username[user_id]: count for user_id, count in unreachable.items()}
    for planned in result.nobody:
        logger.warning("Nobody can be sent the %s reminder for follow-up %s.", planned.kind, planned.follow_up_id)
    return result


def _write_batch(new, *, now):
    """Write the reminders and their copies; return those written here (not by a planner running alongside).

    One INSERT returns the reminders it wrote: a reminder another planner wrote first (or is writing: the
    INSERT waits on its unique key) is skipped, and that planner queues its copies. A batch holds each
    follow-up once, so a written row is known by its follow-up.
    """
    with transaction.atomic(durable=True):
        if connection.vendor == "postgresql":
            # The foreign-key checks of the rows written run at commit, one primary-key lookup a row, with a plan
            # PostgreSQL caches for the session. Cached while the reminders table was still near empty (a first
            # run), that plan scans the table whole for every copy; planned afresh for each row, each check pays
            # for its planning (3 s of a first run at 10,000 follow-ups). With sequential scans off here, the
            # plan it caches is the index lookup, whatever the table's size then: 0.65 s.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        written = _insert_reminders(new, now=now)
        _queue_copies(
            [(written[p.follow_up_id], user_id) for p in new if p.follow_up_id in written for user_id in sorted(p.recipients)],
            now=now,
        )
    return [p for p in new if p.follow_up_id in written]


def _insert_reminders(new, *, now):
    """Insert the reminders, queued at `now`, skipping any already there: {follow-up pk: reminder pk} of those written."""
    table = connection.ops.quote_name(Reminder._meta.db_table)
    columns = 'follow_up_id, kind, due_date, "offset", planned_for, created_at, queued_at'
    ops, when = connection.ops, connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "
                "SELECT reminder.*, %s::timestamptz, %s::timestamptz FROM unnest(%s::bigint[], %s::varchar[], %s::date[], "
                "%s::smallint[], %s::date[]) AS reminder ON CONFLICT DO NOTHING RETURNING follow_up_id, id",
                [when, when, *map(_array, zip(*[(p.follow_up_id, p.kind, p.due_date, p.offset, p.planned_for) for p in new]))],
            )
        else:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join(['(%s, %s, %s, %s, %s, %s, %s)'] * len(new))} "
                "ON CONFLICT DO NOTHING RETURNING follow_up_id, id",
                [
                    value for p in new for value in (
                        p.follow_up_id, p.kind, ops.adapt_datefield_value(p.due_date), p.offset,
                        ops.adapt_datefield_value(p.planned_for), when, when,
                    )
                ],
            )
        return dict(cursor.fetchall())


def _queue_copies(pairs, *, now):
    """Insert a waiting copy for each (reminder pk, recipient pk), skipping any already there.

    A first run queues tens of thousands: one statement per batch, without building a model instance for each
    (bulk_create spent most of a first run preparing their thirteen fields). The values are the model's defaults.
    """
    if not pairs:
        return
    table = connection.ops.quote_name(ReminderDelivery._meta.db_table)
    columns = (
        "reminder_id, recipient_id, status, attempts, next_attempt_at, claim_token, resends, message_id, "
        "last_error, reason, created_at"
    )
    when = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            reminder_ids, recipient_ids = map(_array, zip(*pairs))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) "
                "SELECT copy.reminder_id, copy.recipient_id, %s, 0, %s, '', 0, '', '', '', %s "
                "FROM unnest(%s::bigint[], %s::bigint[]) AS copy(reminder_id, recipient_id) ON CONFLICT DO NOTHING",
                [ReminderDelivery.Status.PENDING, when, when, reminder_ids, recipient_ids],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, 0, %s, '', 0, '', '', '', %s) ON CONFLICT DO NOTHING",
                [(reminder_id, recipient_id, ReminderDelivery.Status.PENDING, when, when) for reminder_id, recipient_id in pairs],
            )


def _array(values):
    """PostgreSQL's text form of an array of keys, numbers, dates (None: NULL) or choice values, for `%s::date[]` and
    the like. One text parameter is one string join; psycopg dumps a list value by value (a first run's 38,000 copies,
    as two arrays: 79 ms against 25 ms). None of these values needs quoting in an array; anything else is refused."""
    text = ["NULL" if value is None else str(value) for value in values]
    if not all(
        value is None or type(value) in (int, datetime.date) or isinstance(value, str) and value.isidentifier()
        for value in values
    ):
        raise ValueError(f"Not a key, number, date or choice value: {values!r}")
    return "{" + ",".join(text) + "}"
