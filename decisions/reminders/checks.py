"""Dry run and reconciliation: the emails a run would send, and the outbox checked against what is due."""

import dataclasses
import datetime
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from decisions.models import FollowUp, Reminder, ReminderDelivery

from .emails import FollowUpLines, Item, digest_context, reminder_subject
from .planning import due_in_batch, existing_keys, follow_up_batches
from .schedule import Recipients, Schedule, config, is_digest_day

Status = ReminderDelivery.Status


@dataclasses.dataclass
class PreviewEmail:
    recipient: object
    subject: str
    sections: list


def preview(*, on, plan, now=None):
    """The emails a run on `on` would send: the outbox as it stands plus what `plan` (a dry run) would add."""
    cfg, now = config(), now or timezone.now()
    stale_before = now - datetime.timedelta(minutes=cfg["claim_timeout_minutes"])
    copies = list(ReminderDelivery.objects.filter(
        Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, claimed_at__lt=stale_before)
    ).values_list("recipient_id", "reminder__follow_up_id", "reminder__kind", "reminder__offset", "reminder__due_date"))
    lines = FollowUpLines(on).load({copy[1] for copy in copies} | {p.follow_up_id for p in plan.planned})
    items = defaultdict(list)
    for recipient_id, follow_up_id, kind, offset, due_date in copies:
        follow_up = lines.follow_up(follow_up_id)
        if follow_up.is_active and follow_up.due_date == due_date:
            items[recipient_id].append(Item(lines[follow_up_id], kind, offset))
    add_planned_items(items, plan.planned, lines)
    users = get_user_model().objects.select_related("profile").in_bulk(list(items))
    emails, waiting = [], []
    for user_id, user_items in sorted(items.items(), key=lambda pair: users[pair[0]].email):
        user = users[user_id]
        profile = getattr(user, "profile", None)
        if not is_digest_day(profile.digest if profile else "", on):
            waiting.append(user)
            continue
        context = digest_context(user_items, on=on)
        emails.append(PreviewEmail(user, reminder_subject(user, user_items, on=on, context=context), context["sections"]))
    return emails, waiting


def add_planned_items(items, planned, lines):
    """Add each planned reminder to the digest items of each of its recipients (`items`: recipient pk: list)."""
    for reminder in planned:
        line = lines[reminder.follow_up_id]
        for user_id in reminder.recipients:
            items[user_id].append(Item(line, reminder.kind, reminder.offset))


@dataclasses.dataclass
class Reconciliation:
    missing: list  # Planned reminders due by the day that have no row
    nobody: int  # reminders of active follow-ups queued to no one
    unreachable: list  # usernames who should get reminders but have no email address
    failed: int  # copies marked failed, waiting for a clerk
    stuck: int  # copies claimed by a sender that has not finished (crashed?) for longer than the timeout

    @property
    def ok(self):
        return not (self.missing or self.nobody or self.unreachable or self.failed or self.stuck)


def reconcile(*, on, now=None, plan=None):
    """Check the outbox against what is due by `on`: every reminder that has fallen due must have its row.

    Given the day's `plan` (a real run's), its reminders due are checked rather than worked out again.
    """
    cfg, now = config(), now or timezone.now()
    missing, unreachable = [], set()
    if plan is None:
        schedule, recipients = Schedule(cfg), Recipients()
        due = []
        for rows in follow_up_batches(cfg["batch_size"]):
            for planned, without_email in due_in_batch(rows, on=on, schedule=schedule, recipients=recipients):
                due.append(planned)
                unreachable |= {recipients.username[user_id] for user_id in without_email}
    else:
        due, unreachable = plan.due, set(plan.unreachable)
    size = cfg["batch_size"] * 4
    for start in range(0, len(due), size):
        chunk = due[start:start + size]
        existing = existing_keys(chunk)
        missing.extend(p for p in chunk if p.key not in existing)
    return Reconciliation(
        missing=missing,
        nobody=Reminder.objects.filter(
            follow_up__status__in=FollowUp.ACTIVE_STATUSES, queued_at__isnull=False, deliveries__isnull=True
        ).count(),
        unreachable=sorted(unreachable),
        failed=ReminderDelivery.objects.filter(status=Status.FAILED).count(),
        stuck=ReminderDelivery.objects.filter(
            status=Status.SENDING, claimed_at__lt=now - datetime.timedelta(minutes=cfg["claim_timeout_minutes"])
        ).count(),
    )
