"""The clerks' back office for minutes, their decision items and the follow-ups they create."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Func, IntegerField, Max, Min, OuterRef, Q, Subquery
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from simple_history.admin import SimpleHistoryAdmin

from cabinet.admin import ChoicesOncePerPageMixin, LargeListMixin, NoDeleteMixin, RecordAdmin, VersionedInline
from cabinet.models import Minute, recorded
from decisions import admin_import, cycle, lifecycle, search
from decisions.forms import reference_from
from decisions.models import (
    DecisionItem, DischargeProposal, DueDateChange, FollowUp, MachineryChange, ProgressNote, Redaction,
)



def count_of(queryset):
    """A correlated COUNT(*) of `queryset` (filtered on OuterRef): computed only for the rows a page shows."""
    return Subquery(queryset.order_by().values(n=Func(F("pk"), function="COUNT")), output_field=IntegerField())


class YearFilter(admin.SimpleListFilter):
    title = "year"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        # From the first year to the last, newest first: two lookups on the index on year, where listing the
        # distinct years would read every minute. The register has minutes in every year it spans.
        span = Minute.objects.aggregate(first=Min("year"), last=Max("year"))
        if span["first"] is None:
            return []
        return [(year, year) for year in range(span["last"], span["first"] - 1, -1)]

    def queryset(self, request, queryset):
        return queryset.filter(year=self.value()) if self.value() else queryset


class DecisionItemInline(VersionedInline, NoDeleteMixin, admin.TabularInline):
    model = DecisionItem
    fields = ["number", "verb", "text", "is_redacted"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("minute")  # each row is labelled "<minute> para <n>"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "text":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Minute)
class MinuteAdmin(LargeListMixin, RecordAdmin):
    list_display = ["reference", "title", "committee", "decision_date", "kind", "item_count", "open_follow_ups"]
    # Dates by a filter of fixed choices (this month, this year ...), not a date hierarchy: listing the years
    # and months that have minutes reads every minute.
    list_filter = [
        "committee", YearFilter, ("decision_date", admin.DateFieldListFilter), "kind", "classification", "portfolios",
        "is_withdrawn",
    ]
    list_select_related = ["committee"]
    search_fields = ["reference", "title", "decisions__text"]
    autocomplete_fields = ["portfolios", "paper", "confirmed_by"]
    fields = [
        "reference", "is_revised", "committee", "kind", "decision_date", "title", "portfolios", "paper",
        "classification", "endorsement", "signatory", "has_power_to_act", "confirmed_by", "final_decision",
        "is_withdrawn", "withdrawn_reason", "follow_up_summary",
    ]
    readonly_fields = ["final_decision", "follow_up_summary"]
    inlines = [DecisionItemInline]

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="cabinet_minute_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Paste or upload minutes or release packs; preview each document found; confirm to save each pack whole."""
        return admin_import.import_view(self, request)

    def get_queryset(self, request):
        # Subqueries, not a join over every minute: PostgreSQL computes them after the page's LIMIT (unless
        # the list is sorted by them), and the page count leaves them out.
        return super().get_queryset(request).annotate(
            item_count=count_of(DecisionItem.objects.filter(minute=OuterRef("pk"))),
            open_follow_ups=count_of(  # by the follow-up's own copy of its minute (indexed): no join to the items
                FollowUp.objects.filter(minute=OuterRef("pk"), status__in=FollowUp.ACTIVE_STATUSES)
            ),
        )

    def get_search_results(self, request, queryset, search_term):
        # A reference however typed, the title, or the words of its decision items (decisions/search.py).
        if not search.clean(search_term):
            return super().get_search_results(request, queryset, search_term)
        minutes = search.filter_minutes(Minute.objects.all(), search_term).values("pk")
        items = search.filter_decisions(DecisionItem.objects.all(), search_term).values("minute")
        return queryset.filter(Q(pk__in=minutes) | Q(pk__in=items)), False

    @admin.display(description="Items", ordering="item_count")
    def item_count(self, minute):
        return minute.item_count

    @admin.display(description="Open follow-ups", ordering="open_follow_ups")
    def open_follow_ups(self, minute):
        return minute.open_follow_ups

    @admin.display(description="Final decision date")
    def final_decision(self, minute):
        if not minute.pk:
            return "—"
        return minute.final_decision_date or "Awaiting Cabinet's confirmation"

    @admin.display(description="Follow-ups")
    def follow_up_summary(self, minute):
        if not minute.pk:
            return "Save the minute and its decision items first."
        follow_ups = FollowUp.objects.filter(decision__minute=minute).select_related("decision")
        rows = format_html_join(
            "",
            '<li><a href="{}">para {}: {} ({}), due {}</a></li>',
            (
                (
                    reverse("admin:decisions_followup_change", args=[f.pk]),
                    f.decision.number,
                    f.get_kind_display(),
                    f.get_status_display(),
                    f.due_text or (f.due_date and f.due_date.strftime("%-d %B %Y")) or "no date set",
                )
                for f in follow_ups
            ),
        )
        return format_html(
            "<ul>{}</ul><p>Add or edit a follow-up from its decision item (the pencil beside the item below).</p>",
            rows or mark_safe("<li>None recorded.</li>"),
        )


class RedactionInline(VersionedInline, ChoicesOncePerPageMixin, NoDeleteMixin, admin.TabularInline):
    model = Redaction
    fields = ["label", "marker", "ground", "start", "end"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("ground")  # each row is labelled by its ground

class FollowUpInline(NoDeleteMixin, admin.TabularInline):
    """The item's follow-ups as they stand, read-only: each moves on only through its own lifecycle (its page)."""

    model = FollowUp
    fk_name = "decision"
    fields = ["kind", "description", "responsible", "due_date", "status"]
    readonly_fields = fields
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(  # each row is labelled by its decision and minute
            "decision__minute", "responsible_minister", "responsible_portfolio", "responsible_agency"
        )


class NewFollowUpInline(ChoicesOncePerPageMixin, NoDeleteMixin, admin.StackedInline):
    """Adds a follow-up the import missed; it starts open, and its lifecycle takes it from there."""

    model = FollowUp
    fk_name = "decision"
    verbose_name = "new follow-up"
    verbose_name_plural = "add follow-ups"
    fields = [
        "kind", "description", ("responsible_minister", "responsible_portfolio", "responsible_agency"),
        "responsible_text", "report_to", ("due_date", "due_precision"), "due_text",
    ]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DecisionItem)
class DecisionItemAdmin(LargeListMixin, RecordAdmin):
    list_display = ["__str__", "verb", "short_text", "is_redacted"]
    list_filter = ["verb", "is_redacted", "minute__committee"]
    list_select_related = ["minute"]
    # The newest minutes first, by the index on minute: sorting by the minute's date would sort every item.
    ordering = ["-minute_id", "sort_key"]
    search_fields = ["minute__reference", "text"]
    autocomplete_fields = ["minute"]
    fields = ["minute", "number", "verb", "text", "is_redacted"]
    inlines = [RedactionInline, FollowUpInline, NewFollowUpInline]

    def get_search_results(self, request, queryset, search_term):
        if not search.clean(search_term):
            return super().get_search_results(request, queryset, search_term)
        return search.filter_decisions(queryset, search_term), False

    @admin.display(description="Text")
    def short_text(self, item):
        return item.text if len(item.text) < 120 else item.text[:117] + "…"


class OverdueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("undated", "Needs a due date")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.overdue()
        if self.value() == "undated":
            return queryset.undated()
        return queryset


class CloseForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason")
    reference = forms.CharField(
        required=False, label="Discharging paper or minute",
        help_text="The reference of the paper or minute that discharged it: CAB-26-MIN-0101.",
    )

    def __init__(self, *args, needs_reference, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].required = needs_reference
        if not needs_reference:
            del self.fields["reference"]

    def clean_reference(self):
        reference = reference_from(self.cleaned_data["reference"])
        record = recorded(reference)
        if record is None:
            raise ValidationError(f"{reference} is not recorded yet: record it first, then discharge.")
        return record


class DueDateChangeInline(NoDeleteMixin, admin.TabularInline):
    """The due-date trail, read-only: requests are decided through the follow-up's own page (its lifecycle)."""

    model = DueDateChange
    fields = ["from_date", "to_date", "reason", "tier", "status", "requested_by", "decided_by", "approved_by", "decision_reason"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Each row is labelled "<follow-up>: <from> → <to>", which names the decision and its minute.
        return super().get_queryset(request).select_related("requested_by", "decided_by", "follow_up__decision__minute")


class ProgressNoteInline(NoDeleteMixin, admin.TabularInline):
    model = ProgressNote
    fields = ["created_at", "author", "text"]
    readonly_fields = ["created_at", "author", "text"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author", "follow_up__decision__minute")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FollowUp)
class FollowUpAdmin(LargeListMixin, RecordAdmin):
    list_display = ["__str__", "status", "responsible", "report_to", "due", "original_due_date"]
    # Due dates by a filter of fixed choices, not a date hierarchy (which reads every follow-up's date).
    list_filter = [
        "status", "kind", OverdueFilter, ("due_date", admin.DateFieldListFilter), "decision__minute__committee",
        "responsible_portfolio", "responsible_agency",
    ]
    # The page's rows are sorted and cut from the follow-ups alone, then read with their labels in one query
    # (LargeListMixin): joining first would join every follow-up before the sort.
    list_select_related = []
    list_context = [
        "decision__minute", "responsible_minister", "responsible_portfolio", "responsible_agency", "report_to",
    ]
    search_fields = ["decision__minute__reference", "description", "decision__text", "responsible_text"]
    autocomplete_fields = [
        "decision", "responsible_minister", "responsible_portfolio", "responsible_agency", "report_to",
        "discharged_by_minute", "discharged_by_paper", "superseded_by",
    ]
    fields = [
        "decision", ("kind", "status"), "lifecycle_link", "description",
        ("responsible_minister", "responsible_portfolio", "responsible_agency"), "responsible_text", "report_to",
        ("due_date", "due_precision"), "due_text", ("original_due_date", "original_due_precision"),
        "submitted_reference", ("discharged_by_minute", "discharged_by_paper"), "superseded_by", "closed_reason",
        "closed_at",
    ]
    readonly_fields = ["original_due_date", "original_due_precision", "closed_at", "lifecycle_link"]
    # Set only by the lifecycle's steps (decisions/lifecycle.py), taken on the follow-up's own page.
    lifecycle_fields = [
        "status", "due_date", "due_precision", "submitted_reference", "discharged_by_minute", "discharged_by_paper",
        "superseded_by", "closed_reason",
    ]
    inlines = [DueDateChangeInline, ProgressNoteInline]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, *self.lifecycle_fields] if obj else [*readonly, "status"]

    @admin.display(description="Status, due date and closing")
    def lifecycle_link(self, follow_up):
        if not follow_up.pk:
            return "A new follow-up starts open."
        return format_html(
            'Changed only through its steps: <a href="{}">open it in the tracker</a> to set the due date, decide a '
            "request, record discharge, cancel or supersede.", follow_up.get_absolute_url(),
        )
    actions = ["mark_discharged", "mark_cancelled"]

    def get_search_results(self, request, queryset, search_term):
        if not search.clean(search_term):
            return super().get_search_results(request, queryset, search_term)
        return search.filter_follow_ups(queryset, search_term), False

    @admin.display(description="Due", ordering="due_date")
    def due(self, follow_up):
        if follow_up.due_date is None:
            return "No date set"
        overdue = follow_up.business_days_overdue()
        text = follow_up.due_date.strftime("%-d %B %Y")
        return f"{text} ({overdue} business days overdue)" if overdue else text

    def save_model(self, request, obj, form, change):
        if change and form.changed_data:
            obj.version += 1
        super().save_model(request, obj, form, change)

    def _close_selected(self, request, queryset, *, status, title):
        needs_reference = status == FollowUp.Status.DISCHARGED
        form = CloseForm(request.POST if "confirm" in request.POST else None, needs_reference=needs_reference)
        if form.is_bound and form.is_valid():
            closed, refused = 0, []
            reason = form.cleaned_data["reason"]
            with transaction.atomic(durable=True):
                for follow_up in queryset.select_for_update(of=("self",)):
                    try:
                        if needs_reference:
                            follow_up.take("discharge", user=request.user, by=form.cleaned_data["reference"], reason=reason)
                        else:
                            follow_up.take("close", user=request.user, status=status, reason=reason)
                    except lifecycle.TransitionRefused as refusal:
                        refused.append(f"{follow_up}: {refusal}")
                    else:
                        closed += 1
            self.message_user(request, f"{closed} follow-up(s) {status}.", messages.SUCCESS)
            for line in refused:
                self.message_user(request, f"Left as it was: {line}", messages.WARNING)
            return None
        return TemplateResponse(
            request,
            "admin/decisions/followup/close.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "form": form,
                "queryset": queryset.select_related("decision__minute"),
                "action": request.POST.get("action"),
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "today": timezone.localdate(),
            },
        )

    @admin.action(description="Mark selected follow-ups discharged", permissions=["change"])
    def mark_discharged(self, request, queryset):
        return self._close_selected(
            request, queryset, status=FollowUp.Status.DISCHARGED, title="Mark follow-ups discharged"
        )

    @admin.action(description="Cancel selected follow-ups", permissions=["change"])
    def mark_cancelled(self, request, queryset):
        return self._close_selected(request, queryset, status=FollowUp.Status.CANCELLED, title="Cancel follow-ups")


# Reminders: the outbox of reminder emails (decisions/reminders/). Clerks see what was sent and what
# failed, and can put a copy back in the outbox to go again at the next run. Imported here, with the
# section it serves, to keep this addition apart from the rest of the file.

from decisions.models import MachineryNotice, Reminder, ReminderDelivery, RequestNotice  # noqa: E402


class ReminderDeliveryInline(NoDeleteMixin, admin.TabularInline):
    model = ReminderDelivery
    fields = ["recipient", "status", "attempts", "sent_at", "next_attempt_at", "message_id", "last_error"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["follow_up", "kind", "due_date", "planned_for", "sent", "waiting", "failed"]
    list_filter = ["kind", "follow_up__decision__minute__committee"]
    list_select_related = ["follow_up__decision__minute"]
    search_fields = ["follow_up__decision__minute__reference", "follow_up__description"]
    date_hierarchy = "planned_for"
    fields = ["follow_up", "kind", "due_date", "offset", "planned_for", "created_at", "queued_at"]
    readonly_fields = fields
    inlines = [ReminderDeliveryInline]

    def get_queryset(self, request):
        status = "deliveries__status"
        return super().get_queryset(request).annotate(
            sent_count=Count("deliveries", filter=Q(**{status: ReminderDelivery.Status.SENT})),
            waiting_count=Count(
                "deliveries",
                filter=Q(**{f"{status}__in": [ReminderDelivery.Status.PENDING, ReminderDelivery.Status.SENDING]}),
            ),
            failed_count=Count("deliveries", filter=Q(**{status: ReminderDelivery.Status.FAILED})),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Sent", ordering="sent_count")
    def sent(self, reminder):
        return reminder.sent_count

    @admin.display(description="Waiting", ordering="waiting_count")
    def waiting(self, reminder):
        return reminder.waiting_count

    @admin.display(description="Failed", ordering="failed_count")
    def failed(self, reminder):
        return reminder.failed_count


@admin.register(RequestNotice)
class RequestNoticeAdmin(RecordAdmin):
    """The emails telling officials a clerk's decision on their request: what was sent and what was not, and why."""

    list_display = ["change", "recipient", "status", "reason", "attempts", "sent_at", "next_attempt_at"]
    list_filter = ["status", "reason"]
    list_select_related = ["change__follow_up__decision__minute", "recipient"]
    search_fields = ["change__follow_up__decision__minute__reference", "recipient__username", "recipient__email"]
    fields = ["change", "recipient", "status", "reason", "attempts", "next_attempt_at", "sent_at", "message_id", "last_error", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def revert_disabled(self, request, obj=None):
        return True


@admin.register(MachineryNotice)
class MachineryNoticeAdmin(RequestNoticeAdmin):
    """The emails telling officials of both sides of a machinery-of-government change: sent, or not and why."""

    list_select_related = ["change__from_portfolio", "change__to_portfolio", "change__from_agency", "change__to_agency", "recipient"]
    search_fields = ["change__description", "recipient__username", "recipient__email"]


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(RecordAdmin):
    list_display = ["reminder", "recipient", "status", "reason", "attempts", "sent_at", "next_attempt_at", "error"]
    list_filter = ["status", "reason", "reminder__kind", "reminder__follow_up__decision__minute__committee"]
    list_select_related = ["reminder__follow_up__decision__minute", "recipient"]
    search_fields = [
        "reminder__follow_up__decision__minute__reference", "recipient__username", "recipient__email", "message_id",
    ]
    date_hierarchy = "created_at"
    fields = [
        "reminder", "recipient", "status", "reason", "attempts", "next_attempt_at", "sent_at", "message_id", "last_error",
        "resends", "created_at",
    ]
    readonly_fields = fields
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    def revert_disabled(self, request, obj=None):
        return True

    @admin.display(description="Last error")
    def error(self, delivery):
        return delivery.last_error if len(delivery.last_error) < 80 else delivery.last_error[:77] + "…"

    @admin.action(description="Send selected reminders again at the next run", permissions=["change"])
    def resend(self, request, queryset):
        resent = skipped = 0
        with transaction.atomic():
            for delivery in queryset.select_for_update(of=("self",)).select_related("reminder__follow_up"):
                follow_up = delivery.reminder.follow_up
                still_due = follow_up.is_active and follow_up.due_date == delivery.reminder.due_date
                if delivery.can_resend and still_due:
                    delivery.resend()
                    resent += 1
                else:
                    skipped += 1
        if resent:
            self.message_user(request, f"{resent} reminder(s) will be sent again at the next run.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} left as they were: only sent or failed reminders of follow-ups still open, "
                "with the same due date, are sent again.",
                messages.WARNING,
            )


from decisions.models import CalendarFeed  # noqa: E402


@admin.register(CalendarFeed)
class CalendarFeedAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """People's calendar feed addresses (decisions/feeds.py): when each was made and ended. Clerks can turn one off."""

    list_display = ["user", "created_at", "revoked_at", "ended", "revoked_by"]
    list_filter = ["ended", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "revoked_by"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    fields = ["user", "created_at", "revoked_at", "ended", "revoked_by"]
    readonly_fields = fields
    actions = ["turn_off"]

    def has_add_permission(self, request):
        return False  # a person turns their own feed on, and sees its address once

    def revert_disabled(self, request, obj=None):
        return True

    @admin.action(description="Turn off the selected calendar feeds", permissions=["change"])
    def turn_off(self, request, queryset):
        with transaction.atomic(durable=True):
            feeds = list(queryset.active().select_for_update(of=("self",)))
            for feed in feeds:
                feed.revoke(by=request.user, ended=CalendarFeed.Ended.CLERK)
        if feeds:
            self.message_user(request, f"{len(feeds)} calendar feed(s) turned off: their addresses no longer work.", messages.SUCCESS)
        else:
            self.message_user(request, "The selected calendar feeds were already off.", messages.WARNING)


from decisions.api import admin as api_admin  # noqa: E402,F401  (the read API's tokens: ApiTokenAdmin)


# The Cabinet cycle (decisions/cycle.py)


@admin.register(DischargeProposal)
class DischargeProposalAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Proposals are made by imports and decided on the clerks' page (Dashboard, "Discharge proposals to decide")."""

    list_display = ["follow_up", "source", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["follow_up__decision__minute", "citing_minute", "citing_paper", "decided_by"]
    search_fields = ["follow_up__minute__reference", "citing_minute__reference", "citing_paper__reference", "evidence"]
    fields = ["follow_up", "citing_minute", "citing_paper", "evidence", "status", "decided_by", "decided_at", "decision_reason"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MachineryChangeForm(forms.ModelForm):
    class Meta:
        model = MachineryChange
        fields = ["kind", "from_portfolio", "to_portfolio", "from_agency", "to_agency", "effective_date", "description"]


@admin.register(MachineryChange)
class MachineryChangeAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Recorded once: saving moves every follow-up still owed by the old portfolio or agency to the new one."""

    form = MachineryChangeForm
    list_display = ["effective_date", "kind", "source", "destination", "moved", "recorded_by"]
    list_filter = ["kind"]
    list_select_related = ["from_portfolio", "to_portfolio", "from_agency", "to_agency", "recorded_by"]
    autocomplete_fields = ["from_portfolio", "to_portfolio", "from_agency", "to_agency"]
    readonly_fields = ["moved", "recorded_by", "recorded_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return MachineryChangeForm.Meta.fields
        return [*MachineryChangeForm.Meta.fields, *self.readonly_fields]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        moved = cycle.record_machinery_change(obj, user=request.user)
        self.message_user(
            request, f"{moved} follow-up(s) still owed moved from {obj.source} to {obj.destination}, each with its history; "
            "officials of both see the change on their dashboard.", messages.SUCCESS,
        )


from decisions.release_reminders import ReleaseReminder  # noqa: E402


@admin.register(ReleaseReminder)
class ReleaseReminderAdmin(RecordAdmin):
    """Reminders to agencies' officials of proactive releases due soon or overdue: what was sent and when."""

    list_display = ["release", "kind", "owed_date", "recipient", "status", "planned_for", "sent_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["release__minute", "recipient"]
    search_fields = ["release__minute__reference", "recipient__username", "recipient__email"]
    fields = ["release", "kind", "owed_date", "recipient", "planned_for", "status", "sent_at", "message_id", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
