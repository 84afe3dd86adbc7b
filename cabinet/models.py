"""The Cabinet's records: committees, portfolios, Ministers, agencies, papers, minutes and proactive releases."""

import datetime

import simple_history
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cabinet import business_days
from cabinet.paths import record_path
from cabinet.references import InvalidReference, parse_reference


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    HALF = "half", "Half year"
    YEAR = "year", "Year"
    NONE = "none", "No date"


class Classification(models.TextChoices):
    IN_CONFIDENCE = "in_confidence", "IN CONFIDENCE"
    SENSITIVE = "sensitive", "SENSITIVE"
    RESTRICTED = "restricted", "RESTRICTED"
    CONFIDENTIAL = "confidential", "CONFIDENTIAL"
    SECRET = "secret", "SECRET"
    TOP_SECRET = "top_secret", "TOP SECRET"


def format_marking(classification, endorsement):
    """The protective marking as printed: "IN CONFIDENCE", "BUDGET : SENSITIVE"."""
    label = Classification(classification).label
    return f"{endorsement.upper()} : {label}" if endorsement else label


class CommitteeQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)

    def for_code(self, code, on=None):
        """The committee that used `code` on the day `on` (codes are reused after restructures)."""
        return self.current(on).filter(code=code.upper()).first()


class Committee(models.Model):
    code = models.CharField(max_length=8, help_text="As in references: CAB, ECO, SWC.")
    name = models.CharField(max_length=200)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True, help_text="Empty while the committee exists.")
    is_cabinet = models.BooleanField(default=False, help_text="Cabinet itself rather than one of its committees.")
    meeting_weekday = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday")],
        help_text="The day it usually meets this term (used to generate a term's meetings).",
    )
    meeting_time = models.TimeField(null=True, blank=True, help_text="When it usually meets: 10:00.")
    history = HistoricalRecords()

    objects = CommitteeQuerySet.as_manager()

    class Meta:
        ordering = ["-is_cabinet", "code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="cabinet_committee_unique_code_from"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="cabinet_committee_valid_period",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def clean(self):
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "A committee cannot end before it starts."})


class Portfolio(models.Model):
    name = models.CharField(max_length=120, unique=True, help_text="Resources, Foreign Affairs.")
    minister_title = models.CharField(
        max_length=160, blank=True, help_text="How decisions name its Minister: Minister for Resources."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(max_length=20, unique=True, help_text="MBIE, MFAT.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self):
        return self.name


class Minister(models.Model):
    name = models.CharField(max_length=120, unique=True, help_text="As addressed: Hon Shane Jones.")
    portfolios = models.ManyToManyField(Portfolio, through="PortfolioAssignment", related_name="ministers")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PortfolioAssignmentQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on)


class PortfolioAssignment(models.Model):
    """A Minister holds a portfolio over a period of time."""

    minister = models.ForeignKey(Minister, on_delete=models.PROTECT, related_name="assignments")
    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="assignments")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = PortfolioAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["portfolio__name", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="cabinet_portfolioassignment_valid_period",
            ),
            models.UniqueConstraint(
                fields=["minister", "portfolio", "start_date"], name="cabinet_portfolioassignment_unique_start"
            ),
        ]

    def __str__(self):
        return f"{self.minister}, {self.portfolio} from {self.start_date:%d %B %Y}"

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "A portfolio cannot be held until before it was first held."})


class OIAGround(models.Model):
    """A withholding ground of the Official Information Act 1982 (seeded from cabinet.grounds)."""

    code = models.CharField(max_length=20, unique=True, help_text="As printed after “s”: 9(2)(j).")
    label = models.CharField(max_length=120, help_text="Short words used on coversheets: negotiations.")
    wording = models.TextField(help_text="The words of the Act.")
    is_conclusive = models.BooleanField(default=False, help_text="Section 6 reasons are conclusive.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = "OIA withholding ground"

    def __str__(self):
        return f"s{self.code} {self.label}"


class ReferenceField(models.CharField):
    """A Cabinet reference, stored in its one canonical form."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        try:
            return str(parse_reference(value))
        except InvalidReference as error:
            raise ValidationError(str(error), code="invalid_reference") from error

    def pre_save(self, model_instance, add):
        value = self.to_python(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


class PaperQuerySet(models.QuerySet):
    def with_people(self):
        return self.select_related("lead_agency").prefetch_related("portfolios", "ministers")


class Paper(models.Model):
    """A Cabinet paper (submission) lodged by a Minister: CAB-26-SUB-0018."""

    reference = ReferenceField(unique=True, help_text="CAB-26-SUB-0018.")
    title = models.CharField(max_length=400)
    portfolios = models.ManyToManyField(Portfolio, blank=True, related_name="papers")
    ministers = models.ManyToManyField(Minister, blank=True, related_name="papers", verbose_name="lodging Ministers")
    lead_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="papers")
    classification = models.CharField(max_length=20, choices=Classification, default=Classification.IN_CONFIDENCE)
    endorsement = models.CharField(max_length=40, blank=True, help_text="BUDGET, COMMERCIAL.")
    paper_date = models.DateField(null=True, blank=True, help_text="For a month-precision date, the first of the month.")
    date_precision = models.CharField(max_length=5, choices=DatePrecision, default=DatePrecision.DAY)
    is_withdrawn = models.BooleanField(default=False)
    withdrawn_reason = models.TextField(blank=True)
    text = models.TextField(
        blank=True, help_text="Its recommendations (or summary), as printed: a citation of an earlier minute "
        "([CAB-26-MIN-0018 refers]) proposes that minute's report-backs for discharge.",
    )
    # Reference and title for full-text search, kept by a trigger with its GIN index on PostgreSQL (see
    # decisions/search.py); empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    history = HistoricalRecords(m2m_fields=[portfolios, ministers], excluded_fields=["search_vector"])

    objects = PaperQuerySet.as_manager()

    class Meta:
        ordering = ["-paper_date", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_withdrawn=False) | ~Q(withdrawn_reason=""), name="cabinet_paper_withdrawn_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(paper_date__isnull=True, date_precision="none")
                | Q(paper_date__isnull=False) & ~Q(date_precision="none"),
                name="cabinet_paper_date_precision",
            ),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return record_path("decisions:paper_detail", self.pk)

    @property
    def marking(self):
        return format_marking(self.classification, self.endorsement)

    def clean(self):
        if self.is_withdrawn and not self.withdrawn_reason.strip():
            raise ValidationError({"withdrawn_reason": "Say why the paper was withdrawn."})
        if (self.paper_date is None) != (self.date_precision == DatePrecision.NONE):
            raise ValidationError({"date_precision": "Choose “No date” exactly when the paper has no date."})
        if self.reference and parse_reference(self.reference).is_minute:
            raise ValidationError({"reference": "This is a minute reference (MIN); a paper's reference has SUB."})


class MinuteQuerySet(models.QuerySet):
    def with_context(self):
        return self.select_related("committee", "paper", "confirmed_by").prefetch_related("portfolios")


class Minute(models.Model):
    """The Cabinet Office's record of what Cabinet or a committee decided: CAB-26-MIN-0018."""

    class Kind(models.TextChoices):
        DECISION = "decision", "Minute of Decision"
        REPORT = "report", "Report of Committee"
        ORAL = "oral", "Oral item"

    reference = ReferenceField(unique=True, help_text="CAB-26-MIN-0018; any printed variant is normalised.")
    # Parsed from the reference on save, for filtering and sorting.
    year = models.PositiveSmallIntegerField(editable=False)
    number = models.PositiveIntegerField(editable=False)
    suffix = models.CharField(max_length=3, blank=True, editable=False)
    is_revised = models.BooleanField(default=False, help_text="The minute was reissued as Revised.")
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="minutes", verbose_name="body")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.DECISION)
    decision_date = models.DateField()
    title = models.CharField(max_length=400)
    portfolios = models.ManyToManyField(Portfolio, blank=True, related_name="minutes")
    paper = models.ForeignKey(
        Paper, null=True, blank=True, on_delete=models.PROTECT, related_name="minutes",
        help_text="The paper decided. Empty for an oral item.",
    )
    classification = models.CharField(max_length=20, choices=Classification, default=Classification.IN_CONFIDENCE)
    endorsement = models.CharField(max_length=40, blank=True)
    signatory = models.CharField(max_length=120, blank=True, help_text="Secretary of the Cabinet or committee secretary.")
    has_power_to_act = models.BooleanField(
        default=False, help_text="The committee had Power to Act: its decision is final at once."
    )
    confirmed_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="confirmed_minutes",
        limit_choices_to={"kind": Kind.REPORT},
        help_text="For a committee minute: the Cabinet Report of Committee that confirmed it.",
    )
    is_withdrawn = models.BooleanField(default=False)
    withdrawn_reason = models.TextField(blank=True)
    # Reference and title for full-text search, as on Paper.
    search_vector = SearchVectorField(null=True, editable=False)
    history = HistoricalRecords(m2m_fields=[portfolios], excluded_fields=["search_vector"])

    objects = MinuteQuerySet.as_manager()

    class Meta:
        ordering = ["-decision_date", "-reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_withdrawn=False) | ~Q(withdrawn_reason=""), name="cabinet_minute_withdrawn_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | Q(has_power_to_act=False),
                name="cabinet_minute_power_to_act_needs_no_confirmation",
            ),
        ]
        indexes = [
            # The register filters by body and year.
            models.Index(fields=["committee", "year"], name="cabinet_minute_body_year"),
            # The admin's list, newest first, read a page at a time rather than sorted whole; its date range.
            models.Index(fields=["-decision_date", "-reference"], name="cabinet_minute_newest"),
            # The admin's year filter: the first and the last year, each one index lookup.
            models.Index(fields=["year"], name="cabinet_minute_year"),
            # On PostgreSQL also cabinet_minute_paper_of, a covering index of each minute's paper for working out an
            # official's minutes (cabinet/migrations/0007_page_indexes.py: SQLite has no covering indexes).
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return record_path("decisions:minute_detail", self.pk)

    @property
    def parsed_reference(self):
        return parse_reference(self.reference)

    @property
    def marking(self):
        return format_marking(self.classification, self.endorsement)

    @property
    def awaits_confirmation(self):
        """A committee's decision without Power to Act, not yet confirmed by a Report of Committee."""
        return (
            self.kind == self.Kind.DECISION and not self.committee.is_cabinet and not self.has_power_to_act
            and self.confirmed_by_id is None
        )

    @property
    def final_decision_date(self):
        """When the decision may be acted on: at once for Cabinet or Power to Act, else on Cabinet's confirmation."""
        if self.committee.is_cabinet or self.has_power_to_act:
            return self.decision_date
        return self.confirmed_by.decision_date if self.confirmed_by else None

    def clean(self):
        errors = {}
        try:
            reference = parse_reference(self.reference)
        except InvalidReference as error:
            errors["reference"] = str(error)
            reference = None
        if reference and not reference.is_minute:
            errors["reference"] = "This is a paper reference (SUB); a minute's reference has MIN."
        if reference and self.committee_id and self.committee.code != reference.body:
            errors["committee"] = (
                f"The reference {reference} belongs to {reference.body}, not {self.committee.code}."
            )
        if self.is_withdrawn and not self.withdrawn_reason.strip():
            errors["withdrawn_reason"] = "Say why the minute was withdrawn."
        if self.confirmed_by_id and self.has_power_to_act:
            errors["confirmed_by"] = "A decision under Power to Act is final at once and needs no confirmation."
        if self.confirmed_by_id and self.committee_id and self.committee.is_cabinet:
            errors["confirmed_by"] = "Cabinet's own decisions are not confirmed by a Report of Committee."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        reference = parse_reference(self.reference)
        self.reference = str(reference)
        self.year, self.number, self.suffix = reference.year, reference.number, reference.suffix
        self.is_revised = self.is_revised or reference.is_revised
        if kwargs.get("update_fields") is not None and "reference" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "year", "number", "suffix", "is_revised"}
        super().save(*args, **kwargs)


def recorded(reference):
    """The minute or paper recorded under `reference` (a parsed Reference), or None."""
    model = Minute if reference.is_minute else Paper
    return model.objects.filter(reference=str(reference)).first()


class ProactiveReleaseQuerySet(models.QuerySet):
    def unfinished(self):
        """Still owed to the public: neither published nor withheld."""
        return self.exclude(status__in=ProactiveRelease.FINISHED)

    def overdue(self, on=None):
        """Unfinished and past the date it is owed (a delayed release: its new date)."""
        on = on or timezone.localdate()
        return self.unfinished().filter(
            Q(status=ProactiveRelease.Status.DELAYED, delayed_until__lt=on)
            | (~Q(status=ProactiveRelease.Status.DELAYED) & Q(publication_due_date__lt=on))
        )

    def due_between(self, first, last):
        """Unfinished and owed on a day from `first` to `last` (a delayed release: its new date)."""
        return self.unfinished().filter(
            Q(status=ProactiveRelease.Status.DELAYED, delayed_until__gte=first, delayed_until__lte=last)
            | (~Q(status=ProactiveRelease.Status.DELAYED) & Q(publication_due_date__gte=first, publication_due_date__lte=last))
        )


class ProactiveRelease(models.Model):
    """The proactive release of a minute and its paper: due 30 business days after the final decision.

    What can happen to a release is declared once in decisions/releases.py; only its writer changes `status`,
    except the one move no person takes: awaiting the final decision -> due, when the decision becomes final.
    """

    class Status(models.TextChoices):
        AWAITING = "awaiting", "Awaiting the final decision"
        DUE = "due", "Due"
        PREPARING = "preparing", "Being prepared"
        WITH_MINISTER = "minister", "With the Minister"
        PUBLISHED = "published", "Published"
        WITHHELD = "withheld", "Withheld"
        DELAYED = "delayed", "Delayed"

    FINISHED = (Status.PUBLISHED, Status.WITHHELD)

    minute = models.OneToOneField(Minute, on_delete=models.PROTECT, related_name="release")
    final_decision_date = models.DateField(null=True, blank=True, help_text="Filled from the minute when empty.")
    publication_due_date = models.DateField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.AWAITING)
    published_date = models.DateField(null=True, blank=True)
    published_url = models.URLField(
        max_length=500, blank=True, verbose_name="published at", help_text="The address where the pack was published."
    )
    minister = models.ForeignKey(Minister, null=True, blank=True, on_delete=models.PROTECT, related_name="releases")
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="releases",
        help_text="The agency whose coversheet it is.",
    )
    is_redacted = models.BooleanField(null=True, blank=True, help_text="Empty until known.")
    grounds = models.ManyToManyField(OIAGround, blank=True, related_name="releases")
    portfolios = models.ManyToManyField(
        Portfolio, blank=True, related_name="releases", help_text="The coversheet's portfolio(s); empty: the minute's."
    )
    withheld_reason = models.TextField(blank=True, help_text="Why release is withheld or delayed, if it is.")
    withheld_ground = models.ForeignKey(
        OIAGround, null=True, blank=True, on_delete=models.PROTECT, related_name="withheld_releases",
        help_text="For a release withheld: the Official Information Act ground for not releasing it.",
    )
    delayed_until = models.DateField(null=True, blank=True, help_text="For a release delayed: the new date.")
    version = models.PositiveIntegerField(default=1, editable=False, help_text="Raised on every change; stale edits are refused.")
    history = HistoricalRecords(m2m_fields=[grounds, portfolios])

    objects = ProactiveReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["publication_due_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_date__isnull=True)
                | Q(final_decision_date__isnull=True)
                | Q(published_date__gte=models.F("final_decision_date")),
                name="cabinet_proactiverelease_published_after_decision",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_date__isnull=False),
                name="cabinet_proactiverelease_published_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="withheld") | (~Q(withheld_reason="") & Q(withheld_ground__isnull=False)),
                name="cabinet_proactiverelease_withheld_has_reason_and_ground",
            ),
            models.CheckConstraint(
                condition=~Q(status="delayed") | (~Q(withheld_reason="") & Q(delayed_until__isnull=False)),
                name="cabinet_proactiverelease_delayed_has_reason_and_date",
            ),
        ]
        indexes = [
            # The Releases page and the reminders read unfinished releases by the date they are owed.
            models.Index(fields=["status", "publication_due_date"], name="cabinet_release_status_due"),
        ]

    def __str__(self):
        return f"Release of {self.minute}"

    def get_absolute_url(self):
        return record_path("decisions:release_detail", self.pk)

    @property
    def owed_date(self):
        """The date it is owed to the public now: the new date of a delayed release, else the 30-business-day date."""
        return self.delayed_until if self.status == self.Status.DELAYED else self.publication_due_date

    @property
    def to_be_published_date(self):
        """The coversheet's "Date to be published"."""
        return self.published_date if self.status == self.Status.PUBLISHED else self.owed_date

    @property
    def is_finished(self):
        return self.status in self.FINISHED

    def is_overdue(self, on=None):
        owed = self.owed_date
        return not self.is_finished and owed is not None and owed < (on or timezone.localdate())

    def clean(self):
        if self.published_date and self.final_decision_date and self.published_date < self.final_decision_date:
            raise ValidationError({"published_date": "A release cannot be published before the final decision."})
        if self.status == self.Status.WITHHELD and not (self.withheld_reason.strip() and self.withheld_ground_id):
            raise ValidationError("A release withheld needs its reason and its Official Information Act ground.")
        if self.status == self.Status.DELAYED and not (self.withheld_reason.strip() and self.delayed_until):
            raise ValidationError("A release delayed needs its reason and a new date.")

    def save(self, *args, **kwargs):
        if self.final_decision_date is None and self.minute_id:
            self.final_decision_date = self.minute.final_decision_date
        self.publication_due_date = (
            business_days.publication_due_date(self.final_decision_date) if self.final_decision_date else None
        )
        # The clock starts when the decision is final (on Cabinet's confirmation of a committee's minute).
        if self.status in (self.Status.AWAITING, self.Status.DUE):
            self.status = self.Status.DUE if self.final_decision_date else self.Status.AWAITING
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "final_decision_date", "publication_due_date", "status"}
        super().save(*args, **kwargs)


class ReleasedDocument(models.Model):
    """One line of a release coversheet's list of documents."""

    release = models.ForeignKey(ProactiveRelease, on_delete=models.CASCADE, related_name="documents")
    document_date = models.DateField(null=True, blank=True)
    date_precision = models.CharField(max_length=5, choices=DatePrecision, default=DatePrecision.DAY)
    title = models.CharField(max_length=400)
    author = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["release", "document_date", "pk"]

    def __str__(self):
        return self.title


class Profile(models.Model):
    """Who a user is to the tracker: role, and for officials the agencies and portfolios they act for."""

    class Role(models.TextChoices):
        CLERK = "clerk", "Clerk (Cabinet Office)"
        OFFICIAL = "official", "Official"
        READER = "reader", "Reader"

    class Digest(models.TextChoices):
        DAILY = "daily", "Every business day"
        MONDAY = "0", "Mondays"
        TUESDAY = "1", "Tuesdays"
        WEDNESDAY = "2", "Wednesdays"
        THURSDAY = "3", "Thursdays"
        FRIDAY = "4", "Fridays"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=10, choices=Role, default=Role.OFFICIAL)
    agencies = models.ManyToManyField(Agency, blank=True, related_name="members")
    portfolios = models.ManyToManyField(Portfolio, blank=True, related_name="members")
    committees = models.ManyToManyField(
        Committee, blank=True, related_name="clerks", help_text="For clerks: the committees they serve."
    )
    digest = models.CharField(
        max_length=5, choices=Digest, default=Digest.DAILY, help_text="When reminder emails arrive."
    )
    is_coordinator = models.BooleanField(
        default=False, verbose_name="Cabinet coordinator",
        help_text="For officials: their agencies' Cabinet coordinator, who gets every reminder about their follow-ups.",
    )
    history = HistoricalRecords(m2m_fields=[agencies, portfolios, committees])

    def __str__(self):
        return f"{self.user.get_username()} ({self.get_role_display()})"



class MeetingQuerySet(models.QuerySet):
    def taking_place(self):
        """Meetings that are (or were) held: not cancelled."""
        return self.exclude(status=Meeting.Status.CANCELLED)


class Meeting(models.Model):
    """A meeting of Cabinet or one of its committees, and the deadline for lodging papers for it."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="meetings")
    meeting_date = models.DateField()
    start_time = models.TimeField(default=datetime.time(10, 0))
    lodgement_deadline = models.DateTimeField(
        null=True, blank=True,
        help_text="When papers for it must be lodged. Left empty, it is worked out from the lodgement rule.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.SCHEDULED)
    note = models.CharField(max_length=200, blank=True, help_text="Why it moved or was cancelled, if it was.")
    history = HistoricalRecords()

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["meeting_date", "start_time", "committee__code"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "meeting_date"], name="cabinet_meeting_one_a_day"),
        ]
        indexes = [
            # Report-backs find their meeting among a committee's meetings around their due date.
            models.Index(fields=["committee", "meeting_date"], name="cabinet_meeting_committee_date"),
        ]

    def __str__(self):
        return f"{self.committee.code} meeting, {self.meeting_date:%A} {self.meeting_date.day} {self.meeting_date:%B %Y}"

    def get_absolute_url(self):
        return record_path("decisions:meeting_detail", self.pk)

    @property
    def lodgement_has_passed(self):
        return self.lodgement_deadline is not None and self.lodgement_deadline <= timezone.now()

    def minutes(self):
        """The minutes of its decisions: the committee's minutes dated the day it met."""
        return Minute.objects.filter(committee_id=self.committee_id, decision_date=self.meeting_date)

    def clean(self):
        if self.lodgement_deadline and self.meeting_date:
            if timezone.localtime(self.lodgement_deadline).date() > self.meeting_date:
                raise ValidationError({"lodgement_deadline": "Papers cannot be due after the meeting that considers them."})

    def save(self, *args, **kwargs):
        if self.lodgement_deadline is None:
            from cabinet.meetings import lodgement_deadline

            self.lodgement_deadline = lodgement_deadline(self.meeting_date)
        super().save(*args, **kwargs)


# History for user accounts: who made someone staff or superuser, (de)activated them, changed their email or groups.
# The password hash and last sign-in stay out (sign-ins are in the access log).
simple_history.register(
    get_user_model(), app="cabinet", m2m_fields=["groups", "user_permissions"], excluded_fields=["password", "last_login"],
)

from cabinet.audit import AccessLogEntry  # noqa: E402,F401  (the access log's model lives with its functions)


def search_vectors(model, paths=()):
    """The stored full-text vectors of `model` and of each record along `paths` ("decision__minute"): long, and
    never listed."""
    found = [field.name for field in model._meta.concrete_fields if isinstance(field, SearchVectorField)]
    prefixes = {"__".join(names[:end]) for names in (p.split("__") for p in paths) for end in range(1, len(names) + 1)}
    for prefix in sorted(prefixes):
        related = model
        for name in prefix.split("__"):
            related = related._meta.get_field(name).related_model
        found += [f"{prefix}__{field.name}" for field in related._meta.concrete_fields if isinstance(field, SearchVectorField)]
    return found
