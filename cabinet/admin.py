"""The clerks' back office for the Cabinet's records. Nothing is hard-deleted: records are withdrawn instead."""

import csv
import datetime
import json
from functools import cached_property

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils import timezone
from django.utils.translation import gettext
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from cabinet.audit import AccessLogEntry, record_event
from cabinet.meetings import describe_rule, generate_meetings

from cabinet.models import (
    Agency, Committee, Meeting, Minister, OIAGround, Paper, Portfolio, PortfolioAssignment, ProactiveRelease,
    Profile, ReleasedDocument, search_vectors,
)
from cabinet.sessions import end_sessions


class NoDeleteMixin:
    """Records are withdrawn, cancelled or superseded, never deleted: history must stay whole."""

    def has_delete_permission(self, request, obj=None):
        return False


def latest_change(instance):
    """The id of the record's latest history row: it moves on with every save, whoever makes it."""
    return instance.history.order_by("-history_id").values_list("history_id", flat=True).first()


class StaleEditCheckForm(forms.ModelForm):
    """Refuses to save over a change someone else saved after this form was opened (never last-write-wins)."""

    seen_change = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_change"].initial = latest_change(self.instance)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # Lock the row for the rest of the admin's transaction, then compare.
            type(self.instance).objects.select_for_update().filter(pk=self.instance.pk).exists()
            current = latest_change(self.instance)
            if current is not None and cleaned.get("seen_change") != current:
                record = self.instance.history.select_related("history_user").get(history_id=current)
                who = record.history_user.get_username() if record.history_user else "Someone"
                raise ValidationError(
                    f"{who} changed this {self.instance._meta.verbose_name} at "
                    f"{timezone.localtime(record.history_date):%-d %B %Y, %-I:%M %p} after you opened it. "
                    "Nothing was saved: open it again to see their change, then make yours."
                )
        return cleaned


class StaleEditCheckFormSet(forms.BaseInlineFormSet):
    """Inline rows versioned like their page: a row someone changed after the page was opened is refused.

    The latest history row of every inline record is read in one query when the page opens and again, under a
    row lock, when it is saved; an untouched row on a stale page would otherwise write its old values back.
    """

    def _latest_changes(self, pks, *, lock=False):
        model = self.model
        if lock:
            model.objects.select_for_update().filter(pk__in=pks).values_list("pk").order_by().count()
        rows = (
            model.history.filter(id__in=pks).order_by().values("id").annotate(latest=Max("history_id"))
            .values_list("id", "latest")
        )
        return dict(rows)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        seen = self._latest_changes([form.instance.pk for form in self.initial_forms])
        for form in self.initial_forms:
            form.fields["seen_change"].initial = seen.get(form.instance.pk)

    def clean(self):
        super().clean()
        forms_by_pk = {form.instance.pk: form for form in self.initial_forms if form.is_valid()}
        current = self._latest_changes(list(forms_by_pk), lock=True)
        for pk, form in forms_by_pk.items():
            if current.get(pk) is not None and form.cleaned_data.get("seen_change") != current[pk]:
                record = self.model.history.select_related("history_user").get(history_id=current[pk])
                who = record.history_user.get_username() if record.history_user else "Someone"
                form.add_error(None, (
                    f"{who} changed {form.instance} at {timezone.localtime(record.history_date):%-d %B %Y, %-I:%M %p} "
                    "after you opened this page. Nothing was saved: open it again to see their change, then make yours."
                ))


class InlineSeenChangeForm(forms.ModelForm):
    seen_change = forms.IntegerField(widget=forms.HiddenInput, required=False)


class VersionedInline:
    """An inline whose rows are checked for stale edits like their page (StaleEditCheckFormSet)."""

    form = InlineSeenChangeForm
    formset = StaleEditCheckFormSet

    def get_fields(self, request, obj=None):
        return [*super().get_fields(request, obj), "seen_change"]


class ChoicesOncePerPageMixin:
    """An inline's foreign-key choices read once per page, not once per row: plain selects over small reference
    tables (an autocomplete widget looks up each row's chosen label with a query of its own)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and db_field.name != getattr(self, "fk_name", None) and db_field.related_model is not self.parent_model:
            cache = request.__dict__.setdefault("_choices_once", {})
            key = (db_field.model, db_field.name)
            if key not in cache:
                cache[key] = list(formfield.choices)
            formfield.choices = cache[key]
        return formfield


class CappedPaginator(Paginator):
    """Counts no further than CAP rows: a list of the whole register costs the same to count at any size.

    Under the cap the count is exact; at it the list shows "1,000 or more" (templates/admin/pagination.html) and
    its pages reach that far: filters, search and sorting reach the rest.
    """

    CAP = 1000

    @cached_property
    def count(self):
        counted = self.object_list.order_by().values("pk")[: self.CAP + 1].count()
        self.capped = counted > self.CAP
        return min(counted, self.CAP)


class LargeListMixin:
    """A changelist of one of the register's big tables: counted to a cap, never in full."""

    paginator = CappedPaginator
    show_full_result_count = False
    list_per_page = 50  # a page a clerk reads; 100 rows cost twice the rendering

    # Related records each listed row shows. When given, the page's rows are found, sorted and cut from the table
    # alone, by key, then read again with these in one query: joining them first would join every row before the
    # sort, and prefetching them costs a query each.
    list_context = ()

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if not self.list_context:
            return changelist
        context, manager = self.list_context, self.model._default_manager
        vectors = search_vectors(self.model, context)

        class PageThenContext(changelist):
            def get_results(self, request):
                queryset, self.queryset = self.queryset, self.queryset.only("pk")  # (the actions get it whole)
                try:
                    super().get_results(request)
                finally:
                    self.queryset = queryset
                keys = [row.pk for row in self.result_list]
                rows = manager.filter(pk__in=keys).select_related(*context).defer(*vectors).in_bulk()
                self.result_list = [rows[key] for key in keys]

        return PageThenContext

    def changelist_view(self, request, extra_context=None):
        # The list takes the page's width: its columns and its filters are wide, and Django's navigation sidebar
        # (every model, drawn again on each list) squeezed the table and took a tenth of the page's time. The
        # breadcrumbs and the admin's home page list the rest.
        return super().changelist_view(request, {"is_nav_sidebar_enabled": False, **(extra_context or {})})

    def action_checkbox(self, obj):
        """Each row's checkbox for the actions, the same element Django's CheckboxInput renders, written
        directly: rendering a widget template for each row took half the rows' time."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME, obj.pk,
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )


class RecordAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """A record clerks keep: history kept, never deleted, and a stale edit refused."""

    form = StaleEditCheckForm

    def get_fields(self, request, obj=None):
        return [*super().get_fields(request, obj), "seen_change"]


@admin.register(Committee)
class CommitteeAdmin(RecordAdmin):
    list_display = ["code", "name", "valid_from", "valid_to", "is_cabinet", "meeting_weekday", "meeting_time"]
    list_filter = ["is_cabinet"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "valid_from", "valid_to", "is_cabinet", "meeting_weekday", "meeting_time"]


@admin.register(Portfolio)
class PortfolioAdmin(RecordAdmin):
    list_display = ["name", "minister_title"]
    search_fields = ["name", "minister_title"]
    fields = ["name", "minister_title"]


@admin.register(Agency)
class AgencyAdmin(RecordAdmin):
    list_display = ["name", "short_name"]
    search_fields = ["name", "short_name"]
    fields = ["name", "short_name"]


class PortfolioAssignmentInline(ChoicesOncePerPageMixin, NoDeleteMixin, admin.TabularInline):
    model = PortfolioAssignment
    fields = ["portfolio", "start_date", "end_date"]
    extra = 0


@admin.register(Minister)
class MinisterAdmin(RecordAdmin):
    list_display = ["name", "current_portfolios"]
    search_fields = ["name", "assignments__portfolio__name"]
    fields = ["name"]
    inlines = [PortfolioAssignmentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("assignments__portfolio")

    @admin.display(description="Portfolios")
    def current_portfolios(self, minister):
        return ", ".join(a.portfolio.name for a in minister.assignments.all() if a.end_date is None)


@admin.register(OIAGround)
class OIAGroundAdmin(RecordAdmin):
    list_display = ["code", "label", "is_conclusive"]
    search_fields = ["code", "label", "wording"]
    fields = ["code", "label", "wording", "is_conclusive"]


@admin.register(Paper)
class PaperAdmin(RecordAdmin):
    show_full_result_count = False
    list_display = ["reference", "title", "paper_date", "lead_agency", "classification", "is_withdrawn"]
    list_filter = ["classification", "is_withdrawn", "lead_agency", "portfolios"]
    list_select_related = ["lead_agency"]
    search_fields = ["reference", "title"]
    date_hierarchy = "paper_date"
    autocomplete_fields = ["portfolios", "ministers", "lead_agency"]
    fields = [
        "reference", "title", "portfolios", "ministers", "lead_agency", "classification", "endorsement",
        "paper_date", "date_precision", "is_withdrawn", "withdrawn_reason", "text",
    ]

    def save_related(self, request, form, formsets, change):
        """Once its portfolios are saved, a paper citing earlier minutes of its portfolio proposes their discharge."""
        super().save_related(request, form, formsets, change)
        from decisions import cycle  # decisions' models import cabinet's

        proposals = cycle.propose_discharges(form.instance, cycle.paragraphs(form.instance.text))
        if proposals:
            messages.info(request, cycle.proposals_note(form.instance, proposals))


class ReleasedDocumentInline(NoDeleteMixin, admin.TabularInline):
    model = ReleasedDocument
    fields = ["document_date", "date_precision", "title", "author"]
    extra = 0


@admin.register(ProactiveRelease)
class ProactiveReleaseAdmin(RecordAdmin):
    show_full_result_count = False
    list_display = ["minute", "status", "final_decision_date", "publication_due_date", "published_date", "is_redacted"]
    list_select_related = ["minute"]
    list_filter = ["status", "is_redacted", "minute__committee"]
    search_fields = ["minute__reference", "minute__title"]
    date_hierarchy = "publication_due_date"
    autocomplete_fields = ["minute", "minister", "agency", "grounds"]
    fields = [
        "minute", "final_decision_date", "publication_due_date", "status", "published_date", "published_url",
        "withheld_reason", "withheld_ground", "delayed_until", "minister", "agency", "is_redacted", "grounds",
    ]
    # Its state moves only through its steps on the Releases page (decisions/releases.py), each with who and when.
    readonly_fields = [
        "publication_due_date", "status", "published_date", "published_url", "withheld_reason", "withheld_ground",
        "delayed_until",
    ]
    inlines = [ReleasedDocumentInline]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["role", "agencies", "portfolios", "is_coordinator", "committees", "digest"]
    autocomplete_fields = ["agencies", "portfolios", "committees"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class TrackerUserAdmin(NoDeleteMixin, SimpleHistoryAdmin, UserAdmin):
    """Users are deactivated, not deleted, so their names stay on the history they wrote; their own history is kept."""

    def revert_disabled(self, request, obj=None):
        # A user's history leaves out the password: reverting would blank it. Change the fields instead.
        return True

    inlines = [ProfileInline]
    list_display = ["username", "email", "first_name", "last_name", "role", "is_active", "is_staff"]
    list_filter = ["profile__role", "is_active", "is_staff"]
    list_select_related = ["profile"]
    actions = ["sign_out_everywhere"]

    @admin.action(description="Sign the selected users out of every session")
    def sign_out_everywhere(self, request, queryset):
        ended = end_sessions(queryset)
        self.message_user(request, f"Ended {ended} session{'' if ended == 1 else 's'} of {queryset.count()} user(s).")

    @admin.display(description="Role", ordering="profile__role")
    def role(self, user):
        profile = getattr(user, "profile", None)
        return profile.get_role_display() if profile else "—"


# Which field names a record, so a clerk can search the access log by reference (app.model -> lookup).
RECORD_REFERENCES = {
    "cabinet.minute": "reference",
    "cabinet.paper": "reference",
    "decisions.followup": "decision__minute__reference",
}


class Echo:
    """A file-like object csv.writer writes one line to, for streaming."""

    def write(self, value):
        return value


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    """Read-only: clerks search who read what, filter by date and kind, and export what they found as CSV."""

    list_display = ["at", "kind", "who", "record", "address"]
    list_filter = ["kind", ("at", admin.DateFieldListFilter), "record_type"]
    date_hierarchy = "at"
    search_fields = ["username", "user__first_name", "user__last_name", "user__email", "record_id", "path"]
    search_help_text = "A username, name or email; a minute or paper reference (CAB-26-MIN-0018); or an address."
    list_select_related = ["user"]
    fields = ["at", "kind", "user", "username", "record_type", "record_id", "path", "address", "details"]
    readonly_fields = fields
    CSV_COLUMNS = ["at", "kind", "username", "record_type", "record_id", "path", "address", "details"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Who", ordering="username")
    def who(self, entry):
        return entry.username or "—"

    @admin.display(description="Record")
    def record(self, entry):
        if not entry.record_type:
            return "—"
        return format_html('<a href="{}">{} {}</a>', entry.path, entry.record_type, entry.record_id)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            for record_type, lookup in RECORD_REFERENCES.items():
                model = apps.get_model(record_type)
                ids = model._default_manager.filter(**{f"{lookup}__icontains": term}).values_list("pk", flat=True)
                matching = queryset.filter(record_type=record_type, record_id__in=[str(pk) for pk in ids[:1000]])
                results = results | matching
        return results, may_have_duplicates

    def get_urls(self):
        export = path("export/", self.admin_site.admin_view(self.export_view), name="cabinet_accesslogentry_export")
        return [export, *super().get_urls()]

    def export_view(self, request):
        """The entries the list shows (same search and filters), every page of them, as CSV streamed row by row."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return redirect(f"{reverse('admin:cabinet_accesslogentry_changelist')}?e=1")
        entries = changelist.get_queryset(request).order_by("at", "pk")
        record_event(AccessLogEntry.Kind.EXPORT, request=request, record_type="cabinet.accesslogentry")
        writer = csv.writer(Echo())

        def rows():
            yield writer.writerow(self.CSV_COLUMNS)
            for entry in entries.iterator(chunk_size=2000):
                yield writer.writerow([
                    entry.at.isoformat(), entry.kind, entry.username, entry.record_type, entry.record_id, entry.path,
                    entry.address or "", json.dumps(entry.details) if entry.details else "",
                ])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="access-log-{timezone.localdate():%Y-%m-%d}.csv"'
        return response


class GenerateTermForm(forms.Form):
    """A term's sitting calendar: its first and last days, and the recess weeks within it."""

    committees = forms.ModelMultipleChoiceField(
        queryset=Committee.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text="Each meets on its usual weekday (set on the committee). Committees without one are listed after.",
    )
    first_day = forms.DateField(help_text="The term's first day (YYYY-MM-DD).")
    last_day = forms.DateField(help_text="Its last day.")
    recess = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Recess weeks",
        help_text="One date a line, any day of each week the House does not sit (YYYY-MM-DD).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committees"].queryset = Committee.objects.current()

    def clean_recess(self):
        days, bad = [], []
        for line in filter(None, (line.strip().rstrip(",") for line in self.cleaned_data["recess"].splitlines())):
            try:
                days.append(datetime.date.fromisoformat(line))
            except ValueError:
                bad.append(line)
        if bad:
            raise ValidationError(f"Not a date (YYYY-MM-DD): {', '.join(bad)}.")
        return days

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", "The term cannot end before it starts.")
        if first and last and (last - first).days > 400:
            self.add_error("last_day", "Generate one term at a time (at most about a year).")
        return cleaned


@admin.register(Meeting)
class MeetingAdmin(RecordAdmin):
    """Meetings of Cabinet and its committees: generated a term at a time, then edited one by one."""

    list_display = ["meeting_date", "committee", "start_time", "lodgement_deadline", "status", "note"]
    list_filter = ["status", "committee"]
    date_hierarchy = "meeting_date"
    search_fields = ["committee__code", "committee__name", "note"]
    list_select_related = ["committee"]
    fields = ["committee", "meeting_date", "start_time", "lodgement_deadline", "status", "note"]
    change_list_template = "admin/cabinet/meeting/change_list.html"

    def save_model(self, request, obj, form, change):
        if change and "meeting_date" in form.changed_data and "lodgement_deadline" not in form.changed_data:
            obj.lodgement_deadline = None  # moved: the deadline follows the rule again (Meeting.save)
        super().save_model(request, obj, form, change)

    def get_urls(self):
        return [
            path("generate/", self.admin_site.admin_view(self.generate_view), name="cabinet_meeting_generate"),
            *super().get_urls(),
        ]

    def generate_view(self, request):
        """Generate a term's meetings from each committee's usual weekday and the sitting calendar entered."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = GenerateTermForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            result = generate_meetings(
                data["committees"], first_day=data["first_day"], last_day=data["last_day"], recess=data["recess"]
            )
            parts = [f"{len(result.created)} meeting(s) added"]
            if result.moved:
                parts.append(f"{len(result.moved)} moved off a public holiday (see their notes)")
            if result.existing:
                parts.append(f"{len(result.existing)} already recorded and left as they were")
            self.message_user(request, "; ".join(parts) + ".", messages.SUCCESS)
            if result.unscheduled:
                names = ", ".join(committee.code for committee in result.unscheduled)
                self.message_user(
                    request, f"No usual weekday set for {names}: set it on the committee, then generate again.",
                    messages.WARNING,
                )
            return redirect("admin:cabinet_meeting_changelist")
        return TemplateResponse(request, "admin/cabinet/meeting/generate.html", {
            **self.admin_site.each_context(request), "title": "Generate a term's meetings", "opts": self.model._meta,
            "form": form, "rule": describe_rule(),
        })
