"""Release reminders: an agency's officials are told of its proactive releases due in 10 and in 3 business days, and overdue.

`sendreminders` calls `run(on=day)` after the follow-up reminders, each business day. It plans, as the follow-up
planner does, one ReleaseReminder row per release, milestone, date owed and official (unique, so a second run or
a second host plans nothing twice), then emails each official whose digest day it is one digest of their releases,
claimed first with a conditional UPDATE. A release published or withheld meanwhile, or no longer the official's
agency's, is left out and its row marked withheld. Claims older than `STALE_CLAIM` are sent again.
"""

import datetime
import hashlib
import smtplib
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import models
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cabinet.business_days import add_business_days
from cabinet.models import ProactiveRelease, Profile

STALE_CLAIM = datetime.timedelta(minutes=30)


class ReleaseReminder(models.Model):
    """One official's copy of a reminder that a proactive release is due soon or overdue."""

    class Kind(models.TextChoices):
        DUE_10 = "due_10", "Due in 10 business days"
        DUE_3 = "due_3", "Due in 3 business days"
        OVERDUE = "overdue", "Overdue"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        WITHHELD = "withheld", "Not sent: published, withheld, or no longer the recipient's"

    release = models.ForeignKey(ProactiveRelease, on_delete=models.PROTECT, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind)
    owed_date = models.DateField(help_text="The date the release was owed when planned (a delayed one: its new date).")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    planned_for = models.DateField()
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        app_label = "decisions"
        ordering = ["planned_for", "release", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "kind", "owed_date", "recipient"], name="decisions_releasereminder_unique_copy"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False) & ~Q(message_id=""),
                name="decisions_releasereminder_sent_has_time_and_id",
            ),
        ]
        indexes = [
            # The sender reads the copies waiting or claimed; a sent one leaves the index.
            models.Index(fields=["status", "recipient"], name="decisions_releasereminder_due",
                         condition=Q(status__in=["pending", "sending"])),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.release} to {self.recipient}"


def milestone(owed_date, on):
    """The latest reminder a release owed on `owed_date` has reached by `on`, or None."""
    if owed_date < on:
        return ReleaseReminder.Kind.OVERDUE
    if on >= add_business_days(owed_date, -3):
        return ReleaseReminder.Kind.DUE_3
    if on >= add_business_days(owed_date, -10):
        return ReleaseReminder.Kind.DUE_10
    return None


@dataclass
class ReleaseRunResult:
    planned: int = 0
    emails: int = 0
    releases: int = 0
    withheld: int = 0
    undelivered: int = 0  # copies due today that did not reach their recipient (left waiting, or with no address)
    problems: list = field(default_factory=list)


def plan(*, on):
    """Write the copies fallen due by `on` that have no row yet; returns how many were written."""
    officials = {}
    for user_id, agency_id in Profile.objects.filter(
        role=Profile.Role.OFFICIAL, user__is_active=True, agencies__isnull=False
    ).values_list("user_id", "agencies"):
        officials.setdefault(agency_id, []).append(user_id)
    soon = add_business_days(on, 10)
    owed = ProactiveRelease.objects.filter(agency_id__in=sorted(officials)).filter(
        pk__in=ProactiveRelease.objects.due_between(datetime.date.min, soon).values("pk")
    )
    copies = []
    for release in owed.only("pk", "status", "agency_id", "publication_due_date", "delayed_until"):
        kind = milestone(release.owed_date, on)
        if kind is None:
            continue
        copies.extend(
            ReleaseReminder(release_id=release.pk, kind=kind, owed_date=release.owed_date, recipient_id=user_id, planned_for=on)
            for user_id in officials[release.agency_id]
        )
    before = ReleaseReminder.objects.count()
    ReleaseReminder.objects.bulk_create(copies, ignore_conflicts=True)
    return ReleaseReminder.objects.count() - before


def send(*, on, now=None):
    """Email each official whose digest day `on` is one digest of their waiting release reminders."""
    from decisions import access
    from decisions.reminders import is_digest_day

    now, result = now or timezone.now(), ReleaseRunResult()
    ready = Q(status=ReleaseReminder.Status.PENDING) | Q(status=ReleaseReminder.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    waiting = (
        ReleaseReminder.objects.filter(ready).values_list("recipient_id", "recipient__profile__digest").distinct().order_by()
    )
    recipients = sorted({user_id for user_id, digest in waiting if is_digest_day(digest, on)})
    users = get_user_model().objects.select_related("profile").in_bulk(recipients)
    for user_id in recipients:
        token = uuid.uuid4().hex
        claimed_count = ReleaseReminder.objects.filter(ready, recipient_id=user_id).update(
            status=ReleaseReminder.Status.SENDING, claim_token=token, claimed_at=now
        )
        if not claimed_count:
            continue  # another sender took them
        claimed = ReleaseReminder.objects.filter(claim_token=token, status=ReleaseReminder.Status.SENDING)
        user = users[user_id]
        visible = access.visible_releases(user).unfinished() if user.is_active else ProactiveRelease.objects.none()
        gone = claimed.exclude(release__in=visible)
        result.withheld += gone.update(status=ReleaseReminder.Status.WITHHELD, claim_token="", claimed_at=None)
        copies = list(claimed.select_related("release__minute").order_by("release__publication_due_date", "pk"))
        if not copies:
            continue
        if not user.email:
            claimed.update(status=ReleaseReminder.Status.WITHHELD, claim_token="", claimed_at=None)
            result.problems.append(f"{user.get_username()} has no email address")
            result.undelivered += len(copies)
            continue
        message_id = _message_id(copies)
        try:
            accepted = mail.mailers.default.send_messages([release_email(user, copies, on=on, message_id=message_id)])
        except (smtplib.SMTPException, OSError) as error:
            accepted, why = 0, f"the mail server refused or could not be reached ({error.__class__.__name__}: {error})"
        else:
            why = "the mail server accepted nothing"
        if not accepted:
            # Nothing is lost: the copies wait for the next run, which sends them with the same Message-ID.
            claimed.update(status=ReleaseReminder.Status.PENDING, claim_token="", claimed_at=None)
            result.problems.append(f"{user.get_username()}: {why}; left waiting for the next run")
            result.undelivered += len(copies)
            continue
        claimed.update(status=ReleaseReminder.Status.SENT, sent_at=now, message_id=message_id, claim_token="", claimed_at=None)
        result.emails += 1
        result.releases += len({copy.release_id for copy in copies})
    return result


def run(*, on, now=None):
    """Plan, then send: what `sendreminders` calls each business day."""
    planned = plan(on=on)
    result = send(on=on, now=now)
    result.planned = planned
    return result


def _message_id(copies):
    digest = hashlib.sha256(",".join(str(copy.pk) for copy in sorted(copies, key=lambda c: c.pk)).encode()).hexdigest()[:16]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "localhost"
    return f"<release-reminders-{copies[0].pk}-{digest}@{domain}>"


SECTIONS = [
    (ReleaseReminder.Kind.OVERDUE, "Overdue"),
    (ReleaseReminder.Kind.DUE_3, "Due in 3 business days or fewer"),
    (ReleaseReminder.Kind.DUE_10, "Due in 10 business days or fewer"),
]


def release_email(user, copies, *, on, message_id):
    """The release digest: each release once, under its most pressing reminder."""
    rank = {kind: index for index, (kind, _) in enumerate(SECTIONS)}
    latest = {}
    for copy in copies:
        if copy.release_id not in latest or rank[copy.kind] < rank[latest[copy.release_id].kind]:
            latest[copy.release_id] = copy
    sections = []
    for kind, heading in SECTIONS:
        lines = [
            {
                "reference": copy.release.minute.reference, "title": copy.release.minute.title,
                "owed": copy.release.owed_date, "state": copy.release.get_status_display(),
                "url": f"{settings.SITE_URL}{reverse('decisions:release_detail', args=[copy.release_id])}",
            }
            for copy in latest.values() if copy.kind == kind
        ]
        if lines:
            sections.append({"heading": heading, "lines": lines})
    context = {
        "name": user.first_name or user.get_username(), "sections": sections, "on": on, "total": len(latest),
        "site_url": settings.SITE_URL, "service_name": settings.SERVICE_NAME,
    }
    subject = " ".join(render_to_string("emails/release-reminder-subject.txt", context).split())
    email = EmailMultiAlternatives(
        subject, render_to_string("emails/release-reminder-body.txt", context), to=[user.email],
        headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    )
    email.attach_alternative(render_to_string("emails/release-reminder-body.html", context), "text/html")
    return email
