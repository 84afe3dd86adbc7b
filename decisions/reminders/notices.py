"""Notices: email an official the Cabinet Office's decision on their request, from the RequestNotice outbox.

Each row was written with the decision (one transaction); a sender claims it with a conditional UPDATE before
emailing, so two runs at once send it once. Failures go back to the outbox with the reminders' back-off; a
refusal (5xx) or the last attempt fails it for good. The recipient is checked again when it is sent.
`send_outbox` does this for every notice outbox (decisions/reminders/machinery.py's too).
"""

import dataclasses
import datetime
import uuid

from django.conf import settings
from django.core import mail
from django.db.models import F, Q
from django.utils import timezone

from cabinet.models import format_marking
from decisions import access
from decisions.models import RequestNotice

from .emails import _mail_domain, automatic_email, follow_up_url
from .schedule import config
from .sending import _backoff, _describe, _is_permanent

Status, Reason = RequestNotice.Status, RequestNotice.Reason


@dataclasses.dataclass
class NoticeResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    withheld: int = 0
    problems: list = dataclasses.field(default_factory=list)


def notice_email(notice):
    """The email for one notice: subject, plain text and HTML, with the minute's marking, marked as automatic."""
    change = notice.change
    follow_up, recipient = change.follow_up, notice.recipient
    minute = follow_up.decision.minute
    context = {
        "marking": format_marking(minute.classification, minute.endorsement),
        "name": recipient.first_name or recipient.get_username(),
        "change": change, "follow_up": follow_up, "reference": minute.reference, "number": follow_up.decision.number,
        "asked_by_them": change.requested_by_id == recipient.pk,
        "requested_by": change.requested_by.get_full_name() or change.requested_by.get_username(),
        "url": follow_up_url(follow_up), "site_url": settings.SITE_URL, "service_name": settings.SERVICE_NAME,
    }
    return automatic_email(
        "request-declined", context, to=recipient.email, message_id=f"<request-notice-{notice.pk}@{_mail_domain()}>",
    )


def send_notices(*, now=None):
    """Claim and email each request notice due to go (and any a crashed sender left claimed). Call it outside a
    transaction."""
    return send_outbox(
        RequestNotice,
        related=["change__requested_by", "change__decided_by", "change__follow_up__decision__minute"],
        email_for=notice_email, withheld_why=_may_not_be_told, now=now,
    )


def _may_not_be_told(notice):
    """Why the official may not be told of the decision now (the follow-up is no longer theirs), or None."""
    recipient = notice.recipient
    if not recipient.is_active:
        return Reason.INACTIVE, f"{recipient.get_username()} may not be told now"
    if not access.visible_follow_ups(recipient).filter(pk=notice.change.follow_up_id).exists():
        return Reason.NOT_RESPONSIBLE, f"{recipient.get_username()} may not be told now"
    return None


def send_outbox(model, *, related, email_for, withheld_why, now=None):
    """Claim and email each row of a notice outbox (RequestNotice, MachineryNotice) due to go, and any a crashed
    sender left claimed; record each outcome. `related`: what `email_for(notice)`, which builds its email, reads;
    `withheld_why(notice)`: (reason, words) when its recipient may not be told now, else None."""
    cfg, now = config(), now or timezone.now()
    result = NoticeResult()
    due = Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=now - datetime.timedelta(minutes=cfg["claim_timeout_minutes"])
    )
    ids = list(model.objects.filter(due).order_by("pk").values_list("pk", flat=True))
    if not ids:
        return result
    mailer = mail.mailers.default
    for pk in ids:
        token = uuid.uuid4().hex
        # The claim: only one sender's UPDATE finds the row still due.
        if not model.objects.filter(due, pk=pk).update(status=Status.SENDING, claim_token=token, claimed_at=now):
            continue
        claimed = model.objects.filter(pk=pk, claim_token=token, status=Status.SENDING)
        notice = model.objects.select_related("recipient", *related).get(pk=pk)
        _send(notice, claimed, email_for=email_for, withheld_why=withheld_why, mailer=mailer, now=now, cfg=cfg,
              result=result)
    return result


def _send(notice, claimed, *, email_for, withheld_why, mailer, now, cfg, result):
    recipient = notice.recipient
    done = {"claim_token": "", "claimed_at": None}
    withheld = withheld_why(notice)
    if withheld is not None:
        reason, words = withheld
        claimed.update(status=Status.WITHHELD, reason=reason, last_error=words, **done)
        result.withheld += 1
        return
    if not recipient.email:
        claimed.update(status=Status.FAILED, reason=Reason.NO_ADDRESS,
                       last_error=f"{recipient.get_username()} has no email address", **done)
        result.failed += 1
        result.problems.append(f"{recipient.get_username()} has no email address")
        return
    email = email_for(notice)
    try:
        accepted = mailer.send_messages([email])
        error = None if accepted == 1 else "The mail backend reported the email not sent."
    except (OSError, ValueError) as failure:  # smtplib's errors are OSErrors
        error = failure
    if error is None:
        claimed.update(status=Status.SENT, sent_at=now, message_id=email.extra_headers["Message-ID"],
                       attempts=F("attempts") + 1, last_error="", reason="", **done)
        result.sent += 1
        return
    text = _describe(error) if isinstance(error, BaseException) else error
    result.problems.append(f"{recipient.get_username()}: {text}")
    refused = isinstance(error, BaseException) and _is_permanent(error)
    if refused or notice.attempts + 1 >= cfg["max_attempts"]:
        claimed.update(status=Status.FAILED, reason=Reason.REFUSED if refused else Reason.GAVE_UP,
                       attempts=F("attempts") + 1, last_error=text[:1000], **done)
        result.failed += 1
    else:
        claimed.update(status=Status.PENDING, attempts=F("attempts") + 1,
                       next_attempt_at=now + _backoff(notice.attempts + 1, cfg), last_error=text[:1000], **done)
        result.retrying += 1
