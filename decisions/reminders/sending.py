"""Sending: cancel copies no longer needed, claim each recipient's copies and email them one digest, with retries."""

import collections
import dataclasses
import datetime
import logging
import smtplib
import uuid
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from decisions import access
from decisions.models import FollowUp, Reminder, ReminderDelivery
from decisions.release_reminders import ReleaseReminder

from .emails import RELEASE_URGENCY, FollowUpLines, Item, message_id_for, release_line, reminder_email
from .schedule import config, is_digest_day

logger = logging.getLogger(__name__)

Status, Reason = ReminderDelivery.Status, ReminderDelivery.Reason
ReleaseStatus = ReleaseReminder.Status


@dataclasses.dataclass
class SendResult:
    emails: int = 0
    items: int = 0  # recipients' copies delivered (accepted by the mail server)
    retrying: int = 0  # copies back in the outbox after a temporary failure (4xx, connection)
    failed: int = 0  # copies failed for good: refused (5xx), no address, or out of attempts
    releases: int = 0  # release reminder copies delivered, in the same digests
    withheld: int = 0  # copies not sent: the recipient was deactivated or no longer sees the follow-up or release
    cancelled: int = 0  # copies no longer needed
    waiting: int = 0  # recipients whose digest day is another day
    error: str = ""  # the mail server could not be reached
    problems: collections.Counter = dataclasses.field(default_factory=collections.Counter)  # why, per copy

    @property
    def undelivered(self):
        """Copies due in this run that did not reach their recipient's mail server."""
        return self.retrying + self.failed


class MailServerDown(Exception):
    pass


def _is_connection_error(error):
    if isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return True
    # smtplib's errors are OSErrors too; any other OSError is the network.
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _is_permanent(error):
    """A refusal the server will give again (5xx), or an address that cannot be sent to: no point retrying."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException) and not isinstance(error, smtplib.SMTPConnectError):
        return 500 <= error.smtp_code < 600
    return isinstance(error, ValueError)  # an address Django cannot encode


def _describe(error):
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address} refused: {code} {message.decode(errors='replace') if isinstance(message, bytes) else message}"
            for address, (code, message) in error.recipients.items()
        )
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"{type(error).__name__}: {error.smtp_code} {message}"
    return f"{type(error).__name__}: {error}"


def cancel_stale():
    """Cancel waiting copies no longer needed: the follow-up closed or was submitted, or its due date changed."""
    follow_up = "reminder__follow_up__"
    stale = ReminderDelivery.objects.filter(status=Status.PENDING).filter(
        ~Q(**{f"{follow_up}status__in": FollowUp.ACTIVE_STATUSES})
        | Q(reminder__due_date__isnull=True, **{f"{follow_up}due_date__isnull": False})
        | Q(reminder__due_date__isnull=False, **{f"{follow_up}due_date__isnull": True})
        | Q(reminder__due_date__isnull=False) & ~Q(**{f"{follow_up}due_date": F("reminder__due_date")})
    )
    ids, cancelled = list(stale.values_list("pk", flat=True)), 0
    size = config()["batch_size"]
    for start in range(0, len(ids), size):
        # By primary key and status only, so a copy claimed meanwhile is left to its sender.
        cancelled += ReminderDelivery.objects.filter(pk__in=ids[start:start + size], status=Status.PENDING).update(
            status=Status.CANCELLED
        )
    return cancelled


def _backoff(attempt, cfg):
    minutes = cfg["retry_backoff_minutes"] * 2 ** max(0, attempt - 1)
    return datetime.timedelta(minutes=min(minutes, cfg["retry_backoff_max_minutes"]))


def _record_failure(queryset, error, *, now, cfg, result):
    """One more failed attempt for these copies.

    A permanent refusal (5xx) fails them at once; a temporary one puts them back in the outbox after a back-off,
    or fails them at the last attempt.
    """
    text = _describe(error) if isinstance(error, BaseException) else error
    if isinstance(error, BaseException) and _is_permanent(error):
        failed = queryset.update(
            status=Status.FAILED, reason=Reason.REFUSED, attempts=F("attempts") + 1, claim_token="", claimed_at=None,
            last_error=text[:1000],
        )
        result.failed += failed
        result.problems[f"refused for good: {text}"] += failed
        logger.warning("Reminders refused for good (%d copies): %s", failed, text)
        return
    cap = cfg["max_attempts"]
    failed = queryset.filter(attempts__gte=cap - 1).count()
    last = Q(attempts__gte=cap - 1)
    # Each expression sees the row as it was before this UPDATE.
    updated = queryset.update(
        status=Case(When(last, then=Value(Status.FAILED)), default=Value(Status.PENDING)),
        reason=Case(When(last, then=Value(Reason.GAVE_UP)), default=Value("")),
        next_attempt_at=Case(
            *[When(attempts=done, then=Value(now + _backoff(done + 1, cfg))) for done in range(cap)],
            default=Value(now + _backoff(cap, cfg)),
        ),
        attempts=F("attempts") + 1,
        claim_token="",
        claimed_at=None,
        last_error=text[:1000],
    )
    result.failed += failed
    result.retrying += updated - failed
    if failed:
        result.problems[f"failed after {cap} attempts: {text}"] += failed
    if updated - failed:
        result.problems[f"to be retried: {text}"] += updated - failed
    logger.warning("Sending reminders failed (%d copies): %s", updated, text)


def send_due(*, on, now=None):
    """Email each recipient one digest of their copies due to go on `on`.

    Copies are claimed for several recipients at once (the setting `claim_recipients`), each claim one short
    transaction: it locks the recipients in order (waiting for a second sender's claim of any of them), takes
    their copies with one UPDATE that returns the rows it took and their release reminders with another, and
    commits, so each recipient's copies go to one sender and in one email. Each batch's sent copies are then
    recorded in one UPDATE. A crash in between leaves that batch claimed: after `claim_timeout_minutes` each
    recipient's copies are sent again, as claimed, with the same Message-ID. Call it outside any transaction.
    """
    cfg, now = config(), now or timezone.now()
    result = SendResult(cancelled=cancel_stale())
    stale_before = now - datetime.timedelta(minutes=cfg["claim_timeout_minutes"])
    ready = Q(status=Status.PENDING, next_attempt_at__lte=now)
    abandoned = Q(status=Status.SENDING, claimed_at__lt=stale_before)
    outbox = (
        ReminderDelivery.objects.filter(ready | abandoned)
        .values_list("recipient_id", "recipient__profile__digest", "status", "claim_token")
        .order_by("recipient_id")
        .distinct()
    )
    # Release reminders (decisions/release_reminders.py) go in the same digest: claimed with the recipient's copies.
    release_ready = Q(status=ReleaseStatus.PENDING) | Q(status=ReleaseStatus.SENDING, claimed_at__lt=stale_before)
    release_outbox = (
        ReleaseReminder.objects.filter(release_ready)
        .values_list("recipient_id", "recipient__profile__digest").order_by().distinct()
    )
    abandoned_tokens, due_today, waiting = set(), set(), set()
    for recipient_id, digest in release_outbox:
        # Rows left claimed by a crashed sender go with their follow-up copies' (below) or on the next digest day.
        (due_today if is_digest_day(digest, on) else waiting).add(recipient_id)
    for recipient_id, digest, status, token in outbox:
        if status == Status.SENDING:
            abandoned_tokens.add((recipient_id, token))
        elif is_digest_day(digest, on):
            due_today.add(recipient_id)
        else:
            waiting.add(recipient_id)
    result.waiting = len(waiting)
    recipients = sorted(due_today | {recipient_id for recipient_id, _ in abandoned_tokens})
    if not recipients:
        return result

    users = get_user_model().objects.select_related("profile").in_bulk(recipients)
    access.read_scopes(users.values())  # what each may see, for the checks as their copies are sent
    mailer = mail.mailers.default
    sender = _Sender(mailer, users, on=on, now=now, cfg=cfg, result=result)
    try:
        mailer.open()
    except OSError as error:  # refused, timed out, TLS or authentication failed (smtplib's errors are OSErrors)
        result.error = f"{type(error).__name__}: {error}"
        _record_failure(
            ReminderDelivery.objects.filter(ready, recipient_id__in=sorted(due_today)),
            error, now=now, cfg=cfg, result=result,
        )
        _releases_wait(ReleaseReminder.objects.filter(release_ready, recipient_id__in=sorted(due_today)), result.error, result)
        return result
    fresh = sorted(due_today)
    size = max(1, cfg["claim_recipients"])
    claimed_upto = 0  # the batches from here on are not claimed yet
    try:
        # Left claimed by a crashed sender: each recipient's copies go again whole, as claimed, keeping their Message-ID.
        for old in sorted({token for _, token in abandoned_tokens}):
            token = uuid.uuid4().hex
            # The release reminders claimed with them go again in the same digest, taken in the same transaction:
            # a second sender's claim waits for it and then finds the old token gone from both.
            with transaction.atomic():
                copies = _claim(
                    "claim_token = %s AND status = %s AND claimed_at < %s", [old, Status.SENDING, _when(stale_before)],
                    token=token, now=now,
                )
                releases = ReleaseReminder.objects.filter(
                    claim_token=old, status=ReleaseStatus.SENDING, claimed_at__lt=stale_before
                ).update(claim_token=token, claimed_at=now)
            sender.send_claimed(token, copies, releases=releases)
        for start in range(0, len(fresh), size):
            token = uuid.uuid4().hex
            with transaction.atomic():
                # The recipients first, in order: a second sender's claim of any of them waits for this one to
                # commit, then finds nothing left, so whoever holds a recipient takes all their copies and release
                # reminders and no one gets two emails. (SQLite has one writer at a time.)
                batch = list(
                    get_user_model().objects.filter(pk__in=fresh[start:start + size]).order_by("pk")
                    .select_for_update(no_key=True).values_list("pk", flat=True)
                )
                copies = _claim(
                    f"status = %s AND next_attempt_at <= %s AND recipient_id IN ({', '.join(['%s'] * len(batch))})",
                    [Status.PENDING, _when(now), *batch], token=token, now=now,
                ) if batch else []
                releases = ReleaseReminder.objects.filter(release_ready, recipient_id__in=batch).update(
                    status=ReleaseStatus.SENDING, claim_token=token, claimed_at=now
                )
            claimed_upto = start + size
            sender.send_claimed(token, copies, releases=releases)
    except MailServerDown as down:
        result.error = str(down)
        # The failed email's copies already wait out their back-off; the rest get the same attempt.
        _record_failure(
            ReminderDelivery.objects.filter(ready, recipient_id__in=fresh),
            down.__cause__, now=now, cfg=cfg, result=result,
        )
        # The batches claimed put theirs back; the release reminders of those not reached wait too.
        _releases_wait(
            ReleaseReminder.objects.filter(release_ready, recipient_id__in=fresh[claimed_upto:]), result.error, result
        )
    finally:
        try:
            mailer.close()
        except (OSError, smtplib.SMTPException):
            pass
    return result


def _releases_wait(queryset, text, result):
    """Release reminder copies not delivered this run wait, unclaimed, for the next (same Message-ID)."""
    count = queryset.update(status=ReleaseStatus.PENDING, claim_token="", claimed_at=None)
    if count:
        result.retrying += count
        result.problems[f"release reminder(s) to be sent with the next run: {text}"] += count
    return count


def _when(moment):
    return connection.ops.adapt_datetimefield_value(moment)


def _claim(condition, params, *, token, now):
    """Claim the copies matching `condition` with one UPDATE: (pk, resends, recipient, reminder) of each it took.

    Run in the claim's transaction (see send_due); a second sender's UPDATE of the same rows waits for it to
    commit, finds them no longer waiting and takes none of them.
    """
    table = connection.ops.quote_name(ReminderDelivery._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, claim_token = %s, claimed_at = %s WHERE {condition} "
            "RETURNING id, resends, recipient_id, reminder_id",
            [Status.SENDING, token, _when(now), *params],
        )
        return sorted(cursor.fetchall())


class _Sender:
    """One run's sending: the open connection, the people, and what each reminder and follow-up says (read once)."""

    def __init__(self, mailer, users, *, on, now, cfg, result):
        self.mailer, self.users = mailer, users
        self.on, self.now, self.cfg, self.result = on, now, cfg, result
        self.lines, self.reminders, self.release_lines = FollowUpLines(on), {}, {}

    def send_claimed(self, token, copies, releases=0):
        """Email each recipient their claimed copies and release reminders, then record the ones sent (an UPDATE each)."""
        if not copies and not releases:
            return
        missing = {reminder_id for *_, reminder_id in copies} - self.reminders.keys()
        if missing:
            rows = Reminder.objects.filter(access.among("pk", sorted(missing))).values_list("pk", "follow_up_id", "kind", "offset")
            self.reminders.update((pk, rest) for pk, *rest in rows)
        self.lines.load(self.reminders[reminder_id][0] for *_, reminder_id in copies)
        by_recipient = defaultdict(list)
        for pk, resends, recipient_id, reminder_id in copies:
            by_recipient[recipient_id].append((pk, resends, *self.reminders[reminder_id]))
        claimed = ReminderDelivery.objects.filter(claim_token=token, status=Status.SENDING)
        claimed_releases = ReleaseReminder.objects.filter(claim_token=token, status=ReleaseStatus.SENDING)
        their_releases = defaultdict(list)
        if releases:
            for copy in claimed_releases.select_related("release__minute").order_by("pk"):
                their_releases[copy.recipient_id].append(copy)
        sent = {}  # recipient: (Message-ID, copies, release copies)
        try:
            for recipient_id in sorted(by_recipient.keys() | their_releases.keys()):
                outcome = self._send(
                    self.users[recipient_id], by_recipient.get(recipient_id, []), claimed.filter(recipient_id=recipient_id),
                    their_releases.get(recipient_id, []),
                )
                if outcome:
                    sent[recipient_id] = outcome
        except MailServerDown as down:
            # What this batch claimed and did not send goes back to the outbox with the same attempt.
            unsent = claimed.exclude(recipient_id__in=sorted(sent))
            if unsent.exists():
                _record_failure(unsent, down.__cause__, now=self.now, cfg=self.cfg, result=self.result)
            if releases:
                _releases_wait(claimed_releases.exclude(recipient_id__in=sorted(sent)), str(down), self.result)
            raise
        finally:
            self._record_sent(claimed, claimed_releases if releases else None, sent)

    def _send(self, recipient, copies, claimed, releases):
        """Email one recipient their copies and release reminders: (Message-ID, copies, release copies) once accepted."""
        copies = self._still_theirs(recipient, claimed, copies)
        releases = self._releases_still_theirs(recipient, releases)
        if not copies and not releases:
            return None
        items = [Item(self.lines[follow_up_id], kind, offset) for _, _, follow_up_id, kind, offset in copies]
        items += [Item(line, copy.kind, RELEASE_URGENCY[copy.kind]) for copy, line in releases]
        message_id = message_id_for([(pk, resends) for pk, resends, *_ in copies], [copy.pk for copy, _ in releases])
        email = reminder_email(recipient, items, on=self.on, message_id=message_id)
        theirs = ReleaseReminder.objects.filter(pk__in=[copy.pk for copy, _ in releases], status=ReleaseStatus.SENDING)
        if not email.recipients():
            text = f"{recipient.get_username()} has no email address"
            if copies:
                self._not_sent(claimed, Status.FAILED, Reason.NO_ADDRESS, text)
            if releases:
                # A release reminder has no failed state: withheld, and counted as not delivered.
                count = theirs.update(status=ReleaseStatus.WITHHELD, claim_token="", claimed_at=None)
                self.result.failed += count
                self.result.problems[f"release reminder(s) not sent: {text}"] += count
            return None
        try:
            accepted = self.mailer.send_messages([email])
        except (OSError, ValueError) as error:  # smtplib's errors are OSErrors
            _record_failure(claimed, error, now=self.now, cfg=self.cfg, result=self.result)
            _releases_wait(theirs, _describe(error), self.result)
            if _is_connection_error(error):
                raise MailServerDown(_describe(error)) from error
            return None
        if accepted != 1:
            # The backend kept a failure quiet (fail_silently) or dropped the address: not delivered, try again.
            text = "The mail backend reported the email not sent."
            _record_failure(claimed, text, now=self.now, cfg=self.cfg, result=self.result)
            _releases_wait(theirs, text, self.result)
            return None
        return message_id, len(copies), len(releases)

    def _record_sent(self, claimed, claimed_releases, sent):
        """Record every email of a batch the server accepted: an UPDATE a table, each copy given its email's Message-ID."""
        if not sent:
            return
        message_id = Case(
            *[When(recipient_id=recipient_id, then=Value(outcome[0])) for recipient_id, outcome in sent.items()],
            default=Value(""),  # never taken: the rows are the sent recipients'
        )
        recorded = claimed.filter(recipient_id__in=sorted(sent)).update(
            status=Status.SENT, sent_at=self.now, attempts=F("attempts") + 1, last_error="", reason="",
            claim_token="", claimed_at=None, message_id=message_id,
        )
        copies = sum(outcome[1] for outcome in sent.values())
        releases = sum(outcome[2] for outcome in sent.values())
        if claimed_releases is not None and releases:
            recorded_releases = claimed_releases.filter(recipient_id__in=sorted(sent)).update(
                status=ReleaseStatus.SENT, sent_at=self.now, claim_token="", claimed_at=None, message_id=message_id,
            )
            if recorded_releases != releases:
                logger.warning("%d of %d release reminder copies sent were recorded sent.", recorded_releases, releases)
        if recorded != copies:
            logger.warning("%d of %d copies sent were recorded sent.", recorded, copies)
        self.result.emails += len(sent)
        self.result.items += copies
        self.result.releases += releases

    def _releases_still_theirs(self, recipient, releases):
        """(copy, line) for the release reminders still owed and the recipient's (`access.visible_releases`, now).

        The rest (published, withheld, no longer their agency's, delayed beyond 10 business days, or a deactivated
        recipient) are marked withheld.
        """
        if not releases:
            return []
        visible = set()
        if recipient.is_active:
            visible = set(
                access.visible_releases(recipient).unfinished()
                .filter(pk__in=sorted({copy.release_id for copy in releases})).values_list("pk", flat=True)
            )
        kept = []
        for copy in releases:
            if copy.release_id not in visible:
                continue
            if copy.release_id not in self.release_lines:
                self.release_lines[copy.release_id] = release_line(copy.release, self.on)
            if self.release_lines[copy.release_id] is not None:
                kept.append((copy, self.release_lines[copy.release_id]))
        gone = [copy.pk for copy in releases if copy.pk not in {kept_copy.pk for kept_copy, _ in kept}]
        if gone:
            self.result.withheld += ReleaseReminder.objects.filter(pk__in=gone, status=ReleaseStatus.SENDING).update(
                status=ReleaseStatus.WITHHELD, claim_token="", claimed_at=None
            )
        return kept

    def _still_theirs(self, recipient, claimed, copies):
        """The copies the recipient may still be sent (`access.may_see`, now); the rest are withheld, with why."""
        if not recipient.is_active:
            if copies:
                self._not_sent(claimed, Status.WITHHELD, Reason.INACTIVE, f"{recipient.get_username()} is deactivated")
            return []
        visible = [copy for copy in copies if access.may_see(recipient, self.lines.follow_up(copy[2]))]
        if len(visible) < len(copies):
            kept = {copy[0] for copy in visible}
            self._not_sent(
                claimed.filter(pk__in=[copy[0] for copy in copies if copy[0] not in kept]), Status.WITHHELD,
                Reason.NOT_RESPONSIBLE, f"{recipient.get_username()} no longer sees the follow-up",
            )
        return visible

    def _not_sent(self, queryset, status, reason, text):
        count = queryset.update(status=status, reason=reason, last_error=text, claim_token="", claimed_at=None)
        if status == Status.WITHHELD:
            self.result.withheld += count
        else:
            self.result.failed += count
            self.result.problems[f"not sent: {text}"] += count
        logger.warning("%d reminder copy(ies) not sent: %s.", count, text)
