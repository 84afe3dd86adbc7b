"""Report-back reminders: plan what fell due into the outbox, then email each recipient one digest of theirs.

Four steps, each safe to repeat and to run twice at once (two cron hosts):

1. `plan_reminders(on=day)` writes a `Reminder` row for each reminder that has fallen due by `day`
   (unique per follow-up, kind, due date and offset), and one `ReminderDelivery` row per recipient,
   before anything is sent.
2. `send_due(on=day)` cancels copies no longer needed (the follow-up closed or its due date moved),
   then, per recipient, claims their rows with a conditional UPDATE and emails them one digest.
   A failed send goes back to the outbox with back-off; after `max_attempts` it is marked failed.
   A crash between sending and recording leaves the rows claimed: after `claim_timeout_minutes`
   they are sent again with the same Message-ID, so the worst case is a duplicate, never a loss.
3. `send_notices()` emails officials the Cabinet Office's decline of their request, from its own outbox
   (RequestNotice, written with the decision), whatever the day.
4. `reconcile(on=day)` reports reminders due by `day` that have no row, and other loose ends.
"""

from .checks import PreviewEmail, Reconciliation, preview, reconcile
from .emails import FollowUpLines, Item, Line, digest_context, follow_up_url, message_id_for, reminder_email, section_of
from .notices import NoticeResult, notice_email, send_notices
from .planning import Planned, PlanResult, plan_reminders
from .schedule import DEFAULTS, Recipients, Schedule, Step, config, is_digest_day, reminder_day, week_start
from .sending import MailServerDown, SendResult, cancel_stale, send_due

__all__ = [
    "DEFAULTS",
    "FollowUpLines",
    "Item",
    "Line",
    "MailServerDown",
    "NoticeResult",
    "PlanResult",
    "Planned",
    "PreviewEmail",
    "Recipients",
    "Reconciliation",
    "Schedule",
    "SendResult",
    "Step",
    "cancel_stale",
    "config",
    "digest_context",
    "follow_up_url",
    "is_digest_day",
    "message_id_for",
    "notice_email",
    "plan_reminders",
    "preview",
    "reconcile",
    "reminder_day",
    "reminder_email",
    "section_of",
    "send_due",
    "send_notices",
    "week_start",
]
