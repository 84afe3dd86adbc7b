"""Machinery-of-government notices: email the officials of both sides of a change, from the MachineryNotice outbox.

Each row was written with the change (one transaction); a sender claims it with a conditional UPDATE before emailing,
so two runs at once send it once. Failures go back to the outbox with the reminders' back-off; a refusal (5xx) or the
last attempt fails it for good; an official no longer active is not emailed.
"""

import datetime
import uuid

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from decisions.models import MachineryNotice

from .emails import _mail_domain
from .notices import NoticeResult
from .schedule import config
from .sending import _backoff, _describe, _is_permanent

Status, Reason = MachineryNotice.Status, MachineryNotice.Reason


def machinery_email(notice):
    """The email for one notice: what became what, from when, and how many owed follow-ups moved; marked automatic."""
    change, recipient = notice.change, notice.recipient
    context = {
        "name": recipient.first_name or recipient.get_username(), "change": change,
        "kind": change.get_kind_display().lower(), "source": change.source, "destination": change.destination,
        "url": settings.SITE_URL.rstrip("/") + reverse("decisions:dashboard"),
        "site_url": settings.SITE_URL, "service_name": settings.SERVICE_NAME,
    }
    subject = " ".join(render_to_string("emails/machinery-change-subject.txt", context).split())
    email = EmailMultiAlternatives(
        subject, render_to_string("emails/machinery-change-body.txt", context), to=[recipient.email],
        headers={
            "Message-ID": f"<machinery-notice-{notice.pk}@{_mail_domain()}>",
            "Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All",
        },
    )
    email.attach_alternative(render_to_string("emails/machinery-change-body.html", context), "text/html")
    return email


def send_machinery_notices(*, now=None):
    """Claim and email each notice due to go (and any a crashed sender left claimed). Call it outside a transaction."""
    cfg, now = config(), now or timezone.now()
    result = NoticeResult()
    due = Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=now - datetime.timedelta(minutes=cfg["claim_timeout_minutes"])
    )
    ids = list(MachineryNotice.objects.filter(due).order_by("pk").values_list("pk", flat=True))
    mailer = mail.mailers.default if ids else None
    for pk in ids:
        token = uuid.uuid4().hex
        if not MachineryNotice.objects.filter(due, pk=pk).update(status=Status.SENDING, claim_token=token, claimed_at=now):
            continue
        claimed = MachineryNotice.objects.filter(pk=pk, claim_token=token, status=Status.SENDING)
        notice = MachineryNotice.objects.select_related(
            "recipient", "change__from_portfolio", "change__to_portfolio", "change__from_agency", "change__to_agency",
        ).get(pk=pk)
        _send(notice, claimed, mailer=mailer, now=now, cfg=cfg, result=result)
    return result


def _send(notice, claimed, *, mailer, now, cfg, result):
    recipient = notice.recipient
    done = {"claim_token": "", "claimed_at": None}
    if not recipient.is_active:
        claimed.update(status=Status.WITHHELD, reason=Reason.INACTIVE, last_error=f"{recipient.get_username()} is inactive", **done)
        result.withheld += 1
        return
    if not recipient.email:
        claimed.update(status=Status.FAILED, reason=Reason.NO_ADDRESS, last_error=f"{recipient.get_username()} has no email address", **done)
        result.failed += 1
        result.problems.append(f"{recipient.get_username()} has no email address")
        return
    email = machinery_email(notice)
    try:
        error = None if mailer.send_messages([email]) == 1 else "The mail backend reported the email not sent."
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
        claimed.update(status=Status.PENDING, attempts=F("attempts") + 1, next_attempt_at=now + _backoff(notice.attempts + 1, cfg),
                       last_error=text[:1000], **done)
        result.retrying += 1
