"""Release reminders: an agency's officials are told of its proactive releases due in 10 and in 3 business days, and overdue.

`sendreminders` calls `plan(on=day)` each business day, before sending. It writes, as the follow-up planner does,
one ReleaseReminder row per release, milestone, date owed and official (unique, so a second run or a second host
plans nothing twice). The rows are sent in the official's reminder digest, on their digest day
(decisions/reminders/sending.py: claimed with the recipient's follow-up copies, recorded sent with them, in a
"Proactive releases" section built by decisions/reminders/emails.py `release_line`). A release published or
withheld meanwhile, or no longer the official's agency's, is left out and its row marked withheld.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cabinet.business_days import add_business_days
from cabinet.models import ProactiveRelease, Profile


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
