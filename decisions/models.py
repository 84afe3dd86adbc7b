"""Decision items of a minute, the follow-ups they create, and each follow-up's due-date changes and progress notes."""

import calendar
import hashlib
import re
import secrets

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cabinet import business_days
from cabinet.paths import record_path
from decisions import lifecycle
from cabinet.models import Agency, Committee, DatePrecision, Minister, Minute, OIAGround, Paper, Portfolio

NUMBER_PATTERN = r"^[1-9][0-9]{0,3}(\.[1-9][0-9]{0,3}){0,4}$"


def one_month_after(day):
    """The same day next month, or that month's last day (31 January -> 28 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def number_sort_key(number):
    """"2.10" sorts after "2.9": each level zero-padded to four digits."""
    return ".".join(part.zfill(4) for part in number.split("."))


class DecisionItem(models.Model):
    """One numbered paragraph of a minute ("4 invited the Minister for Resources to return ...")."""

    class Verb(models.TextChoices):
        NOTED = "noted", "noted"
        AGREED = "agreed", "agreed"
        AGREED_IN_PRINCIPLE = "agreed_in_principle", "agreed in principle"
        APPROVED = "approved", "approved"
        AUTHORISED = "authorised", "authorised"
        INVITED = "invited", "invited"
        DIRECTED = "directed", "directed"
        ENDORSED = "endorsed", "endorsed"
        CONFIRMED = "confirmed", "confirmed"
        RESCINDED = "rescinded", "rescinded"
        AMENDED = "amended", "amended"
        REFERRED = "referred", "referred"
        OTHER = "other", "other"
        NONE = "", "no verb (sub-paragraph or redacted)"

    minute = models.ForeignKey(Minute, on_delete=models.PROTECT, related_name="decisions")
    number = models.CharField(max_length=24, help_text="4, 2.1 or 2.1.3.")
    sort_key = models.CharField(max_length=40, editable=False)
    verb = models.CharField(max_length=20, choices=Verb, blank=True)
    text = models.TextField(help_text="The paragraph's words after its number, as printed.")
    is_redacted = models.BooleanField(default=False, help_text="The whole paragraph is withheld.")
    # The paragraph's words for full-text search (none when wholly withheld), kept by a trigger with its GIN
    # index on PostgreSQL (see decisions/search.py); empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    history = HistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        ordering = ["minute", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["minute", "number"], name="decisions_decisionitem_unique_number"),
            models.CheckConstraint(condition=Q(number__regex=NUMBER_PATTERN), name="decisions_decisionitem_number_format"),
        ]

    def __str__(self):
        return f"{self.minute_id and self.minute.reference} para {self.number}"

    @property
    def level(self):
        return self.number.count(".")

    @property
    def parent_number(self):
        return self.number.rsplit(".", 1)[0] if "." in self.number else None

    def clean(self):
        if self.number and not re.match(NUMBER_PATTERN, self.number):
            raise ValidationError({"number": "Number paragraphs 4, 2.1 or 2.1.3: digits separated by full stops."})
        if self.minute_id and self.number:
            clash = DecisionItem.objects.filter(minute_id=self.minute_id, number=self.number).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError({"number": f"Paragraph {self.number} is already recorded on {self.minute}."})

    def save(self, *args, **kwargs):
        self.sort_key = number_sort_key(self.number)
        if kwargs.get("update_fields") is not None and "number" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_key"}
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding and (kwargs.get("update_fields") is None or "minute" in kwargs["update_fields"]):
            # Follow-ups carry their decision's minute: an item moved to another minute takes them along.
            self.follow_ups.exclude(minute_id=self.minute_id).update(minute_id=self.minute_id)

    def text_with_grounds(self):
        """The paragraph in plain text with each redaction marker replaced by its ground, as the pages show it
        (templatetags.tracker.redacted_text): a paragraph withheld whole is only its grounds. Never the words
        behind a marker. For exports and the read API; prefetch `redactions__ground`."""
        redactions = list(self.redactions.all())
        if self.is_redacted:
            return " ".join(redaction.withheld_text for redaction in redactions) or "[Withheld (ground not recorded)]"
        text = self.text
        for redaction in redactions:
            if redaction.marker and redaction.marker in text:
                text = text.replace(redaction.marker, redaction.withheld_text, 1)
            else:
                text = f"{text} {redaction.withheld_text}"
        return text


class Redaction(models.Model):
    """Withheld words in a decision item, with the ground the release gives for withholding them."""

    decision = models.ForeignKey(DecisionItem, on_delete=models.CASCADE, related_name="redactions")
    ground = models.ForeignKey(OIAGround, null=True, blank=True, on_delete=models.PROTECT, related_name="redactions")
    label = models.CharField(max_length=120, blank=True, help_text="Words printed before the marker: Negotiations.")
    marker = models.CharField(max_length=120, blank=True, help_text="The marker as printed: [REDACTED], s9(2)(j).")
    start = models.PositiveIntegerField(null=True, blank=True, help_text="Where the withheld span starts in the text.")
    end = models.PositiveIntegerField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["decision", "start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="decisions_redaction_span_order",
            ),
        ]

    def __str__(self):
        return f"{self.label or 'Redaction'} ({self.ground.code if self.ground_id else 'ground not given'})"

    @property
    def withheld_text(self):
        """What stands in plain text for the withheld words: "[Withheld: s9(2)(j) negotiations]"."""
        ground = f"s{self.ground.code} {self.ground.label}" if self.ground_id else "ground not given"
        return f"[Withheld: {ground}]"


class FollowUpQuerySet(models.QuerySet):
    def active(self):
        """Still owed: open, or waiting on an extension."""
        return self.filter(status__in=FollowUp.ACTIVE_STATUSES)

    def overdue(self, on=None):
        return self.active().filter(due_date__lt=on or timezone.localdate())

    def undated(self):
        """Report-backs still owed with no due date: each needs a clerk to set one."""
        return self.active().filter(due_date__isnull=True, kind=FollowUp.Kind.REPORT_BACK)

    def with_context(self):
        return self.select_related(
            "decision__minute__committee", "responsible_minister", "responsible_portfolio",
            "responsible_agency", "report_to", "lead",
        )


class FollowUp(models.Model):
    """What a decision obliges someone to do; most often a report-back to Cabinet by a date."""

    class Kind(models.TextChoices):
        REPORT_BACK = "report_back", "Report-back"
        DIRECTION = "direction", "Direction"
        DELEGATED_DECISION = "delegated_decision", "Delegated decision"
        DRAFTING_INSTRUCTIONS = "drafting_instructions", "Drafting instructions"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        EXTENSION_REQUESTED = "extension", "Extension requested"
        SUBMITTED = "submitted", "Submitted"
        DISCHARGED = "discharged", "Discharged"
        CANCELLED = "cancelled", "Cancelled"
        SUPERSEDED = "superseded", "Superseded"

    ACTIVE_STATUSES = (Status.OPEN, Status.EXTENSION_REQUESTED)
    CLOSED_STATUSES = (Status.DISCHARGED, Status.CANCELLED, Status.SUPERSEDED)

    decision = models.ForeignKey(DecisionItem, on_delete=models.PROTECT, related_name="follow_ups")
    # The decision's minute, copied on every save (and by DecisionItem.save when an item moves) so that
    # need-to-know finds a minute's follow-ups, and an official's minutes, by index rather than by join.
    # On PostgreSQL a composite foreign key to (decision, minute) holds it (decisions_followup_minute_matches_decision).
    minute = models.ForeignKey(Minute, on_delete=models.PROTECT, related_name="follow_ups", editable=False)
    kind = models.CharField(max_length=24, choices=Kind, default=Kind.REPORT_BACK)
    description = models.CharField(max_length=300, help_text="What is owed, in a short phrase.")
    responsible_minister = models.ForeignKey(
        Minister, null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups"
    )
    responsible_portfolio = models.ForeignKey(
        Portfolio, null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups"
    )
    responsible_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups"
    )
    responsible_text = models.CharField(
        max_length=300, blank=True, help_text="Who, as the decision words it: the Minister for Resources."
    )
    report_to = models.ForeignKey(
        Committee, null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups_due",
        help_text="The body reported to (report-backs).",
    )
    due_date = models.DateField(null=True, blank=True, help_text="The last day of the period when not a day.")
    due_precision = models.CharField(max_length=5, choices=DatePrecision, default=DatePrecision.NONE)
    due_text = models.CharField(max_length=200, blank=True, help_text="As worded: by the end of June 2026.")
    original_due_date = models.DateField(null=True, blank=True, editable=False)
    original_due_precision = models.CharField(max_length=5, choices=DatePrecision, default=DatePrecision.NONE, editable=False)
    status = models.CharField(max_length=12, choices=Status, default=Status.OPEN)
    submitted_reference = models.CharField(max_length=40, blank=True, help_text="The paper lodged.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    discharged_by_minute = models.ForeignKey(
        Minute, null=True, blank=True, on_delete=models.PROTECT, related_name="discharged_follow_ups"
    )
    discharged_by_paper = models.ForeignKey(
        Paper, null=True, blank=True, on_delete=models.PROTECT, related_name="discharged_follow_ups"
    )
    superseded_by = models.ForeignKey(
        DecisionItem, null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_follow_ups"
    )
    closed_reason = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="led_follow_ups",
        verbose_name="lead official", help_text="The official of its agency who leads it; reminders go to them.",
    )
    version = models.PositiveIntegerField(default=1, editable=False, help_text="Raised on every change; stale edits are refused.")
    created_at = models.DateTimeField(auto_now_add=True)
    # What is owed and who owes it (the responsible agency, portfolio and Minister by name) for full-text
    # search, kept by triggers on PostgreSQL (see decisions/search.py); empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    history = HistoricalRecords(excluded_fields=["search_vector"])

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = "follow-up"
        ordering = [models.F("due_date").asc(nulls_last=True), "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__isnull=True, due_precision="none") | Q(due_date__isnull=False) & ~Q(due_precision="none"),
                name="decisions_followup_due_precision_matches_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="discharged") | Q(discharged_by_minute__isnull=False) | Q(discharged_by_paper__isnull=False),
                name="decisions_followup_discharged_has_evidence",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["cancelled", "superseded"]) | ~Q(closed_reason=""),
                name="decisions_followup_closed_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["discharged", "cancelled", "superseded"], closed_at__isnull=False)
                | ~Q(status__in=["discharged", "cancelled", "superseded"]) & Q(closed_at__isnull=True),
                name="decisions_followup_closed_at_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(status="submitted") | ~Q(submitted_reference=""),
                name="decisions_followup_submitted_has_reference",
            ),
        ]
        indexes = [
            # The dashboard and the reminder job select active follow-ups by due date.
            models.Index(fields=["status", "due_date"], name="decisions_followup_status_due"),
            # "Assigned to me": an official's queue of what they lead.
            models.Index(fields=["lead", "status"], name="decisions_followup_lead"),
            # Lists in their default order (soonest due first), a page read in order rather than sorted whole:
            # every follow-up (the admin), and those still owed (the dashboard's groups, the follow-up list).
            models.Index(fields=["due_date", "id"], name="decisions_followup_due"),
            models.Index(
                fields=["due_date", "id"], name="decisions_followup_owed_due",
                condition=Q(status__in=["open", "extension", "submitted"]),
            ),
            # On PostgreSQL also decisions_followup_counts, a covering index for the dashboard's counts
            # (decisions/migrations/0011_page_indexes.py: SQLite has no covering indexes).
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.decision}"

    def get_absolute_url(self):
        return record_path("decisions:followup_detail", self.pk)

    @property
    def is_active(self):
        return self.status in self.ACTIVE_STATUSES

    @property
    def is_closed(self):
        return self.status in self.CLOSED_STATUSES

    @property
    def needs_date(self):
        """An undated report-back: a clerk must set its date (other kinds may stay open-ended)."""
        return self.is_active and self.due_date is None and self.kind == self.Kind.REPORT_BACK

    def business_days_overdue(self, on=None):
        """Business days past the due date (0 when not overdue)."""
        on = on or timezone.localdate()
        if not self.is_active or self.due_date is None or self.due_date >= on:
            return 0
        return business_days.business_days_between(self.due_date, on)

    @property
    def responsible(self):
        return self.responsible_text or str(self.responsible_portfolio or self.responsible_agency or self.responsible_minister or "")

    def clean(self):
        errors = {}
        if (self.due_date is None) != (self.due_precision == DatePrecision.NONE):
            errors["due_precision"] = "Choose “No date” exactly when there is no due date."
        if self.status == self.Status.DISCHARGED and not (self.discharged_by_minute_id or self.discharged_by_paper_id):
            errors["discharged_by_minute"] = "Record the paper or minute that discharged it."
        if self.status in (self.Status.CANCELLED, self.Status.SUPERSEDED) and not self.closed_reason.strip():
            errors["closed_reason"] = f"Say why it was {self.get_status_display().lower()}."
        if self.status == self.Status.SUBMITTED and not self.submitted_reference.strip():
            errors["submitted_reference"] = "Give the reference of the paper lodged."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "decision" in update_fields:
            self.minute_id = self.decision.minute_id
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "minute"}
        if self._state.adding:
            self.original_due_date, self.original_due_precision = self.due_date, self.due_precision
        if self.is_closed and self.closed_at is None:
            self.closed_at = timezone.now()
        elif not self.is_closed:
            self.closed_at = None
        super().save(*args, **kwargs)

    # The lifecycle (decisions/lifecycle.py declares it): take() is the only writer of `status`.

    def waiting_request(self):
        """The date-change request waiting for a clerk, if any (at most one: a named constraint).

        A page that prefetched the follow-up's changes reads them; a row just locked for a step asks the database.
        """
        if "due_date_changes" in getattr(self, "_prefetched_objects_cache", {}):
            return next((change for change in self.due_date_changes.all() if change.is_waiting), None)
        return self.due_date_changes.filter(status=DueDateChange.Status.PENDING).first()

    def available_steps(self, user):
        """The steps this user may take now, by name: what a page offers."""
        waiting = self.waiting_request()
        return [
            name for name in lifecycle.LIFECYCLE
            if lifecycle.refusal(self, name, waiting=waiting) is None and lifecycle.may_take(user, self, name)
        ]

    def take(self, name, *, user, version=None, **data):
        """Take the step `name` for `user`, checked against LIFECYCLE; returns what happened, in words.

        The caller holds the row (select_for_update) inside one transaction. Raises StaleChange when the follow-up
        moved on since `version` was opened, TransitionRefused when the step is not open to it now.
        """
        step = lifecycle.LIFECYCLE[name]
        if version is not None and version != self.version:
            raise lifecycle.StaleChange(self, version)
        if not lifecycle.may_take(user, self, name):
            raise lifecycle.TransitionRefused(f"You cannot “{step.label.lower()}” on this follow-up.")
        waiting = self.waiting_request()
        reason = lifecycle.refusal(self, name, waiting=waiting)
        if reason:
            raise lifecycle.TransitionRefused(reason)
        if step.overtakes_waiting and waiting is not None:
            waiting.close(DueDateChange.Status.SUPERSEDED, user=user, reason=f"Overtaken: {step.label.lower()}.")
        return getattr(self, f"_step_{name}")(user=user, waiting=waiting, **data)

    def _step_add_note(self, *, user, waiting, text):
        ProgressNote.objects.create(follow_up=self, author=user, text=text)
        return "Progress note added."

    def _step_request_extension(self, *, user, waiting, to_date, reason):
        """Up to one month later the date moves at once and the Cabinet Office is told; longer waits for a clerk."""
        if to_date <= one_month_after(self.due_date):
            self._change_due_date(to_date, user=user, reason=reason, tier=DueDateChange.Tier.NOTIFICATION)
            return f"Due date moved to {to_date:%-d %B %Y}; the Cabinet Office has been told."
        DueDateChange.objects.create(
            follow_up=self, from_date=self.due_date, from_precision=self.due_precision, to_date=to_date,
            reason=reason, requested_by=user, tier=DueDateChange.Tier.CHAIR,
        )
        self.status = self.Status.EXTENSION_REQUESTED
        self._apply("status")
        return f"Request sent: the due date stays {self.due_date:%-d %B %Y} until a clerk decides."

    def _step_propose_due_date(self, *, user, waiting, to_date, reason):
        DueDateChange.objects.create(
            follow_up=self, from_date=None, to_date=to_date, reason=reason, requested_by=user,
            tier=DueDateChange.Tier.PROPOSED,
        )
        self._apply()
        return f"Due date of {to_date:%-d %B %Y} proposed: a clerk accepts it or sets another."

    def _step_withdraw_request(self, *, user, waiting, reason=""):
        waiting.close(DueDateChange.Status.WITHDRAWN, user=user, reason=reason or "Withdrawn by the agency.")
        self._return_to_open()
        return "Request withdrawn: the due date stays as it was."

    def _step_decide_request(self, *, user, waiting, approve, approved_by="", reason=""):
        if approve:
            waiting.close(DueDateChange.Status.APPROVED, user=user, reason=reason, approved_by=approved_by)
            self.due_date, self.due_precision = waiting.to_date, waiting.to_precision
            self._return_to_open("due_date", "due_precision")
            return f"Approved: the due date is now {waiting.to_date:%-d %B %Y}."
        waiting.close(DueDateChange.Status.DECLINED, user=user, reason=reason)
        RequestNotice.queue(waiting)  # the emails to whoever asked, in this transaction: sent by sendreminders
        self._return_to_open()
        stays = f"stays {self.due_date:%-d %B %Y}" if self.due_date else "is still to be set"
        return f"Declined: the due date {stays}, and the agency sees your reason."

    def _step_assign_lead(self, *, user, waiting, lead):
        """The lead is one of the officials who may act on it (or nobody: every official of the agency again)."""
        if lead is not None and not (lead.is_active and lifecycle.may_take(lead, self, "add_note")):
            raise lifecycle.TransitionRefused(f"{lead.get_full_name() or lead} is not an official of its agency or portfolio.")
        self.lead = lead
        self._apply("lead")
        if lead is None:
            return "No lead now: reminders go to every official of the agency."
        return f"{lead.get_full_name() or lead.get_username()} now leads it; reminders go to them and the agency's coordinators."

    def _step_mark_submitted(self, *, user, waiting, reference):
        self.status, self.submitted_reference, self.submitted_at = self.Status.SUBMITTED, reference, timezone.now()
        self._apply("status", "submitted_reference", "submitted_at")
        return f"Marked submitted as {reference}: reminders stop, and a clerk records its discharge when it is considered."

    def _step_set_due_date(self, *, user, waiting, to_date, reason):
        """A clerk sets or corrects the date (an undated report-back gets its first one this way)."""
        self._change_due_date(to_date, user=user, reason=reason, tier=DueDateChange.Tier.SET)
        return f"Due date set to {to_date:%-d %B %Y}."

    def _step_discharge(self, *, user, waiting, by=None, new_paper=None, reason=""):
        """Discharged by `by`, the minute or paper that considered it; `new_paper` (reference, title) records one."""
        if by is None:
            reference, title = new_paper
            by = Paper.objects.create(
                reference=reference, title=title, lead_agency=self.responsible_agency,
                paper_date=timezone.localdate(), date_precision=DatePrecision.DAY,
            )
        is_minute = isinstance(by, Minute)
        self._close(
            self.Status.DISCHARGED, reason=reason,
            discharged_by_minute=by if is_minute else None, discharged_by_paper=None if is_minute else by,
        )
        return f"Recorded as discharged by {by}."

    def _close(self, status, *, reason, **fields):
        self.status, self.closed_reason, self.closed_at = status, reason, timezone.now()
        for name, value in fields.items():
            setattr(self, name, value)
        self._apply("status", "closed_reason", "closed_at", *fields)

    def _step_close(self, *, user, waiting, status, reason, decision=None):
        """Cancelled (with approval) or superseded by a later decision."""
        if status == self.Status.SUPERSEDED:
            self._close(status, reason=reason, superseded_by=decision)
        elif status == self.Status.CANCELLED:
            self._close(status, reason=reason)
        else:
            raise lifecycle.TransitionRefused("Close a follow-up as cancelled or superseded.")
        return f"Closed as {self.get_status_display().lower()}."

    def _change_due_date(self, to_date, *, user, reason, tier):
        DueDateChange.objects.create(
            follow_up=self, from_date=self.due_date, from_precision=self.due_precision, to_date=to_date,
            reason=reason, requested_by=user, tier=tier, status=DueDateChange.Status.APPROVED,
            decided_by=user, decided_at=timezone.now(),
        )
        self.due_date, self.due_precision = to_date, DatePrecision.DAY
        self._return_to_open("due_date", "due_precision")

    def _return_to_open(self, *fields):
        """Back to open once no request waits (a submitted follow-up stays submitted)."""
        if self.status == self.Status.EXTENSION_REQUESTED:
            self.status = self.Status.OPEN
            fields = (*fields, "status")
        self._apply(*fields)

    def _apply(self, *fields):
        """Save the named fields with a new version: any form opened on the old version is now stale."""
        self.version += 1
        self.full_clean(exclude=["decision", "minute"])
        self.save(update_fields=[*fields, "version"])


class FollowUpTally(models.Model):
    """How many follow-ups of the whole register have a status, a due date (kept only while owed) and kind.

    PostgreSQL keeps the table by triggers (migration decisions 0018), and the dashboard of a clerk or reader counts
    the register from it: a few thousand rows rather than every follow-up. Django never writes it, nor creates it:
    on SQLite there is no such table, and the dashboard counts the follow-ups themselves.
    """

    # A tally row has no key of its own; Django needs one named, and only ever reads the rows grouped.
    status = models.CharField(max_length=12, primary_key=True)
    due_date = models.DateField(null=True)
    report_back = models.BooleanField()
    follow_ups = models.BigIntegerField()

    class Meta:
        managed = False
        db_table = "decisions_followup_tally"


class DueDateChange(models.Model):
    """A change to a follow-up's due date: who asked, why, and who approved it."""

    class Tier(models.TextChoices):
        NOTIFICATION = "notified", "Up to one month: the Cabinet Office is told"
        CHAIR = "chair", "Longer: the committee chair's agreement"
        PROPOSED = "proposed", "Proposed by the agency: the Cabinet Office accepts it or sets another"
        SET = "set", "Set by the Cabinet Office"

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting a decision"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        SUPERSEDED = "superseded", "Overtaken"

    follow_up = models.ForeignKey(FollowUp, on_delete=models.PROTECT, related_name="due_date_changes")
    from_date = models.DateField(null=True, blank=True)
    from_precision = models.CharField(max_length=5, choices=DatePrecision, default=DatePrecision.NONE)
    to_date = models.DateField()
    to_precision = models.CharField(max_length=5, choices=DatePrecision, default=DatePrecision.DAY)
    reason = models.TextField()
    tier = models.CharField(max_length=10, choices=Tier, default=Tier.NOTIFICATION)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    approved_by = models.CharField(
        max_length=160, blank=True, help_text="Who agreed, as recorded: Chair, Cabinet Economic Policy Committee."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The clerk who recorded the decision.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(
        blank=True, help_text="Why it was declined, withdrawn or overtaken, as the agency is told."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["follow_up", "requested_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True) | ~Q(status="pending") & Q(decided_at__isnull=False),
                name="decisions_duedatechange_decided_at_matches_status",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="decisions_duedatechange_has_reason"),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decision_reason=""), name="decisions_duedatechange_declined_has_reason"
            ),
            models.UniqueConstraint(
                fields=["follow_up"], condition=Q(status="pending"), name="decisions_duedatechange_one_pending"
            ),
        ]

    def __str__(self):
        return f"{self.follow_up}: {self.from_date or 'no date'} → {self.to_date}"

    @property
    def is_waiting(self):
        return self.status == self.Status.PENDING

    def close(self, status, *, user, reason="", approved_by=""):
        """Record the decision on a waiting request; the request as asked stays as it was recorded."""
        if status == self.Status.DECLINED and not reason.strip():
            raise lifecycle.TransitionRefused("Give the reason for declining: the agency sees it.")
        if status == self.Status.APPROVED and self.tier == self.Tier.CHAIR and not approved_by.strip():
            raise lifecycle.TransitionRefused("Say who agreed to the new date (for example the committee chair).")
        self.status, self.decided_by, self.decided_at = status, user, timezone.now()
        self.decision_reason, self.approved_by = reason, approved_by
        self.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "approved_by"])


class ProgressNote(models.Model):
    follow_up = models.ForeignKey(FollowUp, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["follow_up", "created_at", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="decisions_progressnote_has_text")]

    def __str__(self):
        return f"Note on {self.follow_up} by {self.author}"


# Reminders: the outbox of report-back reminder emails (planned and sent by decisions/reminders/,
# `manage.py sendreminders`). A Reminder is written once, when it falls due; each recipient's copy
# is a ReminderDelivery that a sender claims with a conditional UPDATE before emailing it.


class Reminder(models.Model):
    """A reminder that fell due for a follow-up: written before any email about it is sent."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Due soon"
        DUE = "due", "Due today"
        OVERDUE = "overdue", "Overdue"
        ESCALATED = "escalated", "Overdue, escalated to the Cabinet Office"
        UNDATED = "undated", "No due date set"

    follow_up = models.ForeignKey(FollowUp, on_delete=models.PROTECT, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind)
    due_date = models.DateField(
        null=True, blank=True,
        help_text="The follow-up's due date when it was planned; empty on the weekly list of report-backs with no date.",
    )
    offset = models.SmallIntegerField(default=0, help_text="Business days after the due date (negative: before it).")
    planned_for = models.DateField(help_text="The business day it fell due (for the weekly list, the week's first).")
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True, help_text="When its emails were queued for recipients.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-planned_for", "follow_up", "offset"]
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "kind", "due_date", "offset"], condition=Q(due_date__isnull=False),
                name="decisions_reminder_unique_dated",
            ),
            models.UniqueConstraint(
                fields=["follow_up", "kind", "planned_for"], condition=Q(due_date__isnull=True),
                name="decisions_reminder_unique_undated_week",
            ),
            models.CheckConstraint(
                condition=Q(kind="undated", due_date__isnull=True) | ~Q(kind="undated") & Q(due_date__isnull=False),
                name="decisions_reminder_due_date_matches_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.follow_up.decision} ({self.planned_for:%-d %B %Y})"


class ReminderDelivery(models.Model):
    """One recipient's copy of a reminder: the outbox row a sender claims, emails and records."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed: refused, or out of attempts"
        CANCELLED = "cancelled", "Not needed: closed or due date moved"
        WITHHELD = "withheld", "Not sent: the recipient no longer needs it"

    class Reason(models.TextChoices):
        """Why a copy was not sent (failed or withheld)."""

        REFUSED = "refused", "The mail server refused it for good (5xx)"
        GAVE_UP = "gave_up", "Temporary failures until the last attempt"
        NO_ADDRESS = "no_address", "The recipient has no email address"
        INACTIVE = "inactive", "The recipient's account is deactivated"
        NOT_RESPONSIBLE = "not_responsible", "The recipient no longer sees the follow-up"

    NOT_SENT = (Status.FAILED, Status.WITHHELD)

    # Looked up by reminder through the unique (reminder, recipient) index: no index of its own to write.
    reminder = models.ForeignKey(Reminder, on_delete=models.PROTECT, related_name="deliveries", db_index=False)
    # Found through the partial index of waiting copies below; the rare delete of a user scans instead.
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, help_text="Not sent before this time (back-off).")
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    resends = models.PositiveSmallIntegerField(default=0, editable=False, help_text="Times a clerk asked to send it again.")
    message_id = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    reason = models.CharField(max_length=20, choices=Reason, blank=True, help_text="Why it was not sent.")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name_plural = "reminder deliveries"
        constraints = [
            models.UniqueConstraint(fields=["reminder", "recipient"], name="decisions_reminderdelivery_unique_recipient"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False) & ~Q(message_id=""),
                name="decisions_reminderdelivery_sent_has_time_and_id",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(claimed_at__isnull=False) & ~Q(claim_token=""),
                name="decisions_reminderdelivery_sending_is_claimed",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["failed", "withheld"]) | ~Q(reason=""),
                name="decisions_reminderdelivery_not_sent_says_why",
            ),
        ]
        # Partial indexes: a copy leaves them once sent, so the tens of thousands sent each run cost no index writes.
        indexes = [
            # The sender looks for rows due to go (pending, past their back-off) and stale claims.
            models.Index(
                fields=["status", "next_attempt_at"], name="decisions_delivery_due",
                condition=Q(status__in=["pending", "sending"]),
            ),
            # The sender claims one recipient's waiting rows.
            models.Index(
                fields=["recipient", "next_attempt_at"], name="decisions_delivery_waiting", condition=Q(status="pending"),
            ),
            # The sender reads back the rows it has just claimed.
            models.Index(fields=["claim_token"], name="decisions_delivery_claim", condition=~Q(claim_token="")),
        ]

    def __str__(self):
        return f"{self.reminder} to {self.recipient}"

    @property
    def can_resend(self):
        return self.status in (self.Status.SENT, self.Status.FAILED)

    def resend(self):
        """Put a sent or failed copy back in the outbox for the next run, with a new Message-ID."""
        self.status, self.attempts, self.next_attempt_at = self.Status.PENDING, 0, timezone.now()
        self.claim_token, self.claimed_at, self.last_error, self.reason = "", None, "", ""
        self.resends += 1
        self.save(update_fields=[
            "status", "attempts", "next_attempt_at", "claim_token", "claimed_at", "last_error", "reason", "resends",
        ])


class Notice(models.Model):
    """An email to one official in an outbox of its own, until `sendreminders` claims it with a conditional
    UPDATE, emails it and records the outcome (decisions/reminders/notices.py, `send_outbox`). A concrete
    notice adds the `change` it tells of."""

    Status = ReminderDelivery.Status
    Reason = ReminderDelivery.Reason

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, help_text="Not sent before this time (back-off).")
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    message_id = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    reason = models.CharField(max_length=20, choices=Reason, blank=True, help_text="Why it was not sent.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False) & ~Q(message_id=""),
                name="%(app_label)s_%(class)s_sent_has_time_and_id",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["failed", "withheld"]) | ~Q(reason=""),
                name="%(app_label)s_%(class)s_not_sent_says_why",
            ),
        ]


class RequestNotice(Notice):
    """The email telling an official a clerk's decision on their request (today: a decline, with the reason).

    The outbox row is written in the transaction that records the decision.
    """

    change = models.ForeignKey(DueDateChange, on_delete=models.PROTECT, related_name="notices")
    history = HistoricalRecords()

    class Meta(Notice.Meta):
        constraints = [
            models.UniqueConstraint(fields=["change", "recipient"], name="decisions_requestnotice_unique_recipient"),
            *Notice.Meta.constraints,
        ]
        indexes = [
            # The sender looks for notices due to go and stale claims; a sent one leaves the index.
            models.Index(
                fields=["status", "next_attempt_at"], name="decisions_notice_due",
                condition=Q(status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self):
        return f"{self.change.get_status_display()}: {self.change.follow_up} to {self.recipient}"

    @classmethod
    def queue(cls, change):
        """A notice of the decision for the official who asked and the follow-up's lead, if another."""
        people = {change.requested_by_id, change.follow_up.lead_id} - {None}
        cls.objects.bulk_create([cls(change=change, recipient_id=user_id) for user_id in sorted(people)])


# Calendar feeds (decisions/feeds.py): a secret address per person for the due dates they see. Calendar clients cannot
# sign in, so the token in the address is the only key: only its SHA-256 is stored, and a reset or a turn-off ends it.


class CalendarFeedQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class CalendarFeed(models.Model):
    """One secret feed address of a person, from when it was made until it was reset or turned off."""

    class Ended(models.TextChoices):
        RESET = "reset", "Reset by its owner"
        TURNED_OFF = "turned_off", "Turned off by its owner"
        CLERK = "clerk", "Turned off by the Cabinet Office"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calendar_feeds")
    # Only the token's SHA-256 (hex): the token itself is shown once, to its owner, and never stored.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False,
    )
    ended = models.CharField(max_length=10, choices=Ended, blank=True, editable=False, help_text="Why it stopped working.")
    history = HistoricalRecords(excluded_fields=["token_hash"])

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="decisions_calendarfeed_one_active_per_user",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, ended="") | Q(revoked_at__isnull=False) & ~Q(ended=""),
                name="decisions_calendarfeed_ended_matches_revoked",
            ),
        ]

    def __str__(self):
        state = f"ended {timezone.localtime(self.revoked_at):%-d %B %Y}" if self.revoked_at else "active"
        return f"Calendar feed of {self.user.get_username()} ({state})"

    @property
    def is_active(self):
        return self.revoked_at is None

    def revoke(self, *, by, ended):
        """Stop the address working; the row stays, with who stopped it and why."""
        self.revoked_at, self.revoked_by, self.ended = timezone.now(), by, ended
        self.save(update_fields=["revoked_at", "revoked_by", "ended"])


# The read API (decisions/api/): agencies' own systems read the register with a token a clerk issues.


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, at=None):
        """Not revoked and not yet expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=at or timezone.now())


class ApiToken(models.Model):
    """A key an agency's own system reads the register with, through the read API (/api/v1/).

    Issued by a clerk to a named system for its agencies and portfolios, until a date; it sees what an official of
    exactly those sees (decisions/access.py) and changes nothing. Only a SHA-256 hash of the key is kept: the key
    itself is shown once, when it is issued. Revoked, never deleted.
    """

    KEY_PREFIX = "cdt_"  # "Cabinet decision tracker": tells a leaked key for what it is (secret scanners)

    system = models.CharField(max_length=120, help_text="The system that reads with it: MBIE Cabinet register sync.")
    contact = models.CharField(max_length=200, blank=True, help_text="Who runs that system: a name and email address.")
    agencies = models.ManyToManyField(Agency, blank=True, related_name="api_tokens", help_text="Reads their follow-ups.")
    portfolios = models.ManyToManyField(Portfolio, blank=True, related_name="api_tokens", help_text="Reads their follow-ups.")
    key_hint = models.CharField(max_length=16, editable=False, help_text="The key's first characters, to tell keys apart.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(help_text="The key stops working then.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False,
    )
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False,
    )
    history = HistoricalRecords(m2m_fields=[agencies, portfolios], excluded_fields=["key_hash"])

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True) | Q(revoked_at__isnull=False),
                name="decisions_apitoken_revoked_by_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.system} ({self.key_hint}…)"

    @staticmethod
    def hash_key(key):
        # The key is 256 random bits: a fast hash is enough to make the stored value useless to a thief.
        return hashlib.sha256(key.encode()).hexdigest()

    def issue_key(self):
        """A new random key for this token: its hash is stored, the key returned to be shown once."""
        key = self.KEY_PREFIX + secrets.token_urlsafe(32)
        self.key_hash, self.key_hint = self.hash_key(key), key[: len(self.KEY_PREFIX) + 4]
        return key

    @property
    def is_usable(self):
        return self.revoked_at is None and self.expires_at > timezone.now()

    def revoke(self, *, user):
        if self.revoked_at is None:
            self.revoked_at, self.revoked_by = timezone.now(), user
            self.save(update_fields=["revoked_at", "revoked_by"])

    def scope(self):
        """What the token may read: decisions/access.py's scope of its agencies and portfolios."""
        from decisions.access import Scope  # access imports these models

        agencies = ApiToken.agencies.through.objects.filter(apitoken_id=self.pk).values_list("agency_id", flat=True)
        portfolios = ApiToken.portfolios.through.objects.filter(apitoken_id=self.pk).values_list("portfolio_id", flat=True)
        return Scope.of(agencies=list(agencies), portfolios=list(portfolios))


# The Cabinet cycle (decisions/cycle.py): what closes a report-back, and machinery-of-government changes.


class DischargeProposal(models.Model):
    """A later minute or paper cites the minute that asked for a report-back: a clerk accepts or rejects discharge.

    Never closed by itself: accepting takes the follow-up's "discharge" step (decisions/lifecycle.py).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a clerk"
        ACCEPTED = "accepted", "Accepted: discharged"
        REJECTED = "rejected", "Rejected"

    follow_up = models.ForeignKey(FollowUp, on_delete=models.PROTECT, related_name="discharge_proposals")
    citing_minute = models.ForeignKey(
        Minute, null=True, blank=True, on_delete=models.PROTECT, related_name="discharge_proposals"
    )
    citing_paper = models.ForeignKey(Paper, null=True, blank=True, on_delete=models.PROTECT, related_name="discharge_proposals")
    evidence = models.TextField(help_text="The citing paragraph, as printed.")
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(citing_minute__isnull=False, citing_paper__isnull=True)
                | Q(citing_minute__isnull=True, citing_paper__isnull=False),
                name="decisions_dischargeproposal_one_source",
            ),
            models.UniqueConstraint(
                fields=["follow_up", "citing_minute"], condition=Q(citing_minute__isnull=False),
                name="decisions_dischargeproposal_unique_minute",
            ),
            models.UniqueConstraint(
                fields=["follow_up", "citing_paper"], condition=Q(citing_paper__isnull=False),
                name="decisions_dischargeproposal_unique_paper",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True) | ~Q(status="pending") & Q(decided_at__isnull=False),
                name="decisions_dischargeproposal_decided_at_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_reason=""), name="decisions_dischargeproposal_rejected_has_reason"
            ),
        ]
        indexes = [
            # The clerks' queue: proposals waiting.
            models.Index(fields=["status", "created_at"], name="decisions_proposal_waiting", condition=Q(status="pending")),
        ]

    def __str__(self):
        return f"Discharge of {self.follow_up.decision} by {self.source}"

    @property
    def source(self):
        return self.citing_minute or self.citing_paper


class MachineryChange(models.Model):
    """A machinery-of-government change: a portfolio or agency renamed, merged or split, recorded once by a clerk.

    Recording it moves every open follow-up of the old portfolio (or agency) to the new one (decisions/cycle.py);
    closed follow-ups keep the names of their day.
    """

    class Kind(models.TextChoices):
        PORTFOLIO = "portfolio", "Portfolio"
        AGENCY = "agency", "Agency"

    kind = models.CharField(max_length=10, choices=Kind)
    from_portfolio = models.ForeignKey(
        Portfolio, null=True, blank=True, on_delete=models.PROTECT, related_name="changes_from"
    )
    to_portfolio = models.ForeignKey(Portfolio, null=True, blank=True, on_delete=models.PROTECT, related_name="changes_to")
    from_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="changes_from")
    to_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="changes_to")
    effective_date = models.DateField()
    description = models.CharField(
        max_length=300, help_text="What changed, as announced: Resources is merged into Energy and Resources."
    )
    moved = models.PositiveIntegerField(default=0, editable=False, help_text="Open follow-ups moved.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_date", "-pk"]
        verbose_name = "machinery-of-government change"
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind="portfolio", from_portfolio__isnull=False, to_portfolio__isnull=False,
                    from_agency__isnull=True, to_agency__isnull=True,
                ) | Q(
                    kind="agency", from_agency__isnull=False, to_agency__isnull=False,
                    from_portfolio__isnull=True, to_portfolio__isnull=True,
                ),
                name="decisions_machinerychange_from_and_to",
            ),
            models.CheckConstraint(
                condition=~Q(from_portfolio=models.F("to_portfolio")) | Q(from_portfolio__isnull=True),
                name="decisions_machinerychange_portfolio_differs",
            ),
            models.CheckConstraint(
                condition=~Q(from_agency=models.F("to_agency")) | Q(from_agency__isnull=True),
                name="decisions_machinerychange_agency_differs",
            ),
        ]

    def __str__(self):
        return f"{self.source} → {self.destination} from {self.effective_date.day} {self.effective_date:%B %Y}"

    @property
    def source(self):
        return self.from_portfolio if self.kind == self.Kind.PORTFOLIO else self.from_agency

    @property
    def destination(self):
        return self.to_portfolio if self.kind == self.Kind.PORTFOLIO else self.to_agency

    def clean(self):
        errors = {}
        if self.kind == self.Kind.PORTFOLIO:
            if not (self.from_portfolio_id and self.to_portfolio_id):
                errors["to_portfolio"] = "Choose the portfolio it was and the portfolio it becomes."
            elif self.from_portfolio_id == self.to_portfolio_id:
                errors["to_portfolio"] = "Choose a different portfolio from the one it was."
            if self.from_agency_id or self.to_agency_id:
                errors["from_agency"] = "A portfolio change names no agencies: record an agency change apart."
        elif self.kind == self.Kind.AGENCY:
            if not (self.from_agency_id and self.to_agency_id):
                errors["to_agency"] = "Choose the agency it was and the agency it becomes."
            elif self.from_agency_id == self.to_agency_id:
                errors["to_agency"] = "Choose a different agency from the one it was."
            if self.from_portfolio_id or self.to_portfolio_id:
                errors["from_portfolio"] = "An agency change names no portfolios: record a portfolio change apart."
        if errors:
            raise ValidationError(errors)


from decisions.release_reminders import ReleaseReminder  # noqa: E402,F401  (release reminders live with their planner)


class MachineryNotice(Notice):
    """The email telling an official of either side of a machinery-of-government change what moved.

    Written in the transaction that records the change (decisions/cycle.py); sent as a RequestNotice is
    (decisions/reminders/machinery.py).
    """

    change = models.ForeignKey(MachineryChange, on_delete=models.PROTECT, related_name="notices")
    history = HistoricalRecords()

    class Meta(Notice.Meta):
        verbose_name = "machinery-of-government notice"
        constraints = [
            models.UniqueConstraint(fields=["change", "recipient"], name="decisions_machinerynotice_unique_recipient"),
            *Notice.Meta.constraints,
        ]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"], name="decisions_mog_notice_due",
                condition=Q(status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self):
        return f"{self.change} to {self.recipient}"

    @classmethod
    def queue(cls, change):
        """A notice for each active official of the old or the new portfolio (or agency)."""
        from cabinet.models import Profile

        field = f"{change.kind}s__in"
        people = Profile.objects.filter(
            **{field: [change.source, change.destination]}, role=Profile.Role.OFFICIAL, user__is_active=True,
        ).values_list("user_id", flat=True).distinct()
        return cls.objects.bulk_create([cls(change=change, recipient_id=user_id) for user_id in sorted(set(people))])
