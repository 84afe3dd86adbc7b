"""The clerks' back office for the Cabinet's records. Nothing is hard-deleted: records are withdrawn instead."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from cabinet.models import (
    Agency, Committee, Minister, OIAGround, Paper, Portfolio, PortfolioAssignment, ProactiveRelease,
    Profile, ReleasedDocument,
)


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


class RecordAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """A record clerks keep: history kept, never deleted, and a stale edit refused."""

    form = StaleEditCheckForm

    def get_fields(self, request, obj=None):
        return [*super().get_fields(request, obj), "seen_change"]


@admin.register(Committee)
class CommitteeAdmin(RecordAdmin):
    list_display = ["code", "name", "valid_from", "valid_to", "is_cabinet"]
    list_filter = ["is_cabinet"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "valid_from", "valid_to", "is_cabinet"]


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
        "paper_date", "date_precision", "is_withdrawn", "withdrawn_reason",
    ]


class ReleasedDocumentInline(NoDeleteMixin, admin.TabularInline):
    model = ReleasedDocument
    fields = ["document_date", "date_precision", "title", "author"]
    extra = 0


@admin.register(ProactiveRelease)
class ProactiveReleaseAdmin(RecordAdmin):
    show_full_result_count = False
    list_display = ["minute", "final_decision_date", "publication_due_date", "published_date", "is_redacted"]
    list_select_related = ["minute"]
    list_filter = ["is_redacted", "minute__committee"]
    search_fields = ["minute__reference", "minute__title"]
    date_hierarchy = "publication_due_date"
    autocomplete_fields = ["minute", "minister", "agency", "grounds"]
    fields = [
        "minute", "final_decision_date", "publication_due_date", "published_date", "minister", "agency",
        "is_redacted", "grounds", "withheld_reason",
    ]
    readonly_fields = ["publication_due_date"]
    inlines = [ReleasedDocumentInline]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["role", "agencies", "portfolios", "committees", "digest"]
    autocomplete_fields = ["agencies", "portfolios", "committees"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class TrackerUserAdmin(NoDeleteMixin, UserAdmin):
    """Users are deactivated, not deleted, so their names stay on the history they wrote."""

    inlines = [ProfileInline]
    list_display = ["username", "email", "first_name", "last_name", "role", "is_active", "is_staff"]
    list_filter = ["profile__role", "is_active", "is_staff"]
    list_select_related = ["profile"]

    @admin.display(description="Role", ordering="profile__role")
    def role(self, user):
        profile = getattr(user, "profile", None)
        return profile.get_role_display() if profile else "—"
