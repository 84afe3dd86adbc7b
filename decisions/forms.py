"""Forms of the officials' pages. Each lists its fields; each action form carries the version it was opened on."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cabinet.models import Agency, Committee, Portfolio, Profile, recorded
from cabinet.references import InvalidReference, parse_reference
from decisions import search
from decisions.models import FollowUp


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def reference_from(text, *, kind=None):
    """The parsed reference in a form field, or a ValidationError saying what is wrong with it."""
    try:
        reference = parse_reference(text)
    except InvalidReference as error:
        raise ValidationError(str(error)) from error
    if kind == "paper" and reference.is_minute:
        raise ValidationError(f"{reference} is a minute; give the paper lodged (SUB), such as CAB-26-SUB-0101.")
    return reference


class FollowUpFilterForm(forms.Form):
    SORTS = {
        "due": ("due_date", "pk"),
        "-due": ("-due_date", "-pk"),
        "reference": ("decision__minute__reference", "decision__sort_key", "pk"),
        "status": ("status", "due_date", "pk"),
    }

    q = forms.CharField(required=False, label="Search", help_text="Reference, what is owed, or who.")
    status = forms.MultipleChoiceField(
        required=False, choices=FollowUp.Status.choices, widget=forms.CheckboxSelectMultiple
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *FollowUp.Kind.choices])
    portfolio = forms.ModelChoiceField(required=False, queryset=Portfolio.objects.all(), empty_label="Any portfolio")
    agency = forms.ModelChoiceField(required=False, queryset=Agency.objects.all(), empty_label="Any agency")
    committee = forms.ModelChoiceField(
        required=False, queryset=Committee.objects.all(), empty_label="Any committee", label="Committee reported to"
    )
    due_from = forms.DateField(required=False, widget=DateInput(), label="Due from")
    due_to = forms.DateField(required=False, widget=DateInput(), label="Due by")
    overdue = forms.BooleanField(required=False, label="Overdue only")
    undated = forms.BooleanField(required=False, label="No due date only")
    sort = forms.ChoiceField(
        required=False,
        choices=[("due", "Due date, soonest first"), ("-due", "Due date, latest first"),
                 ("reference", "Minute reference"), ("status", "Status")],
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("due_from") and cleaned.get("due_to") and cleaned["due_from"] > cleaned["due_to"]:
            self.add_error("due_to", "“Due by” must be on or after “Due from”.")
        return cleaned

    # Each filter field and the lookup it applies when given.
    LOOKUPS = {
        "status": "status__in", "kind": "kind", "portfolio": "responsible_portfolio", "agency": "responsible_agency",
        "committee": "report_to", "due_from": "due_date__gte", "due_to": "due_date__lte",
    }

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("q"):
            queryset = search_follow_ups(queryset, data["q"])
        queryset = queryset.filter(**{lookup: data[name] for name, lookup in self.LOOKUPS.items() if data.get(name)})
        if data.get("overdue"):
            queryset = queryset.overdue()
        if data.get("undated"):
            queryset = queryset.filter(due_date__isnull=True)
        return queryset.order_by(*self.SORTS[data.get("sort") or "due"])


def search_follow_ups(queryset, text):
    """The list's q=: what is owed, who owes it (agency, short name, portfolio, Minister) or a reference."""
    return search.filter_follow_ups(queryset, text)


class VersionedForm(forms.Form):
    """An action on a follow-up: carries the version it was opened on, so a stale submission is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, follow_up=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.follow_up = follow_up


class NoteForm(VersionedForm):
    text = forms.CharField(
        label="Progress note", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
        help_text="What has happened: consultation under way, paper with the Minister, lodged for Cabinet.",
    )


class ExtensionForm(VersionedForm):
    to_date = forms.DateField(label="New due date", widget=DateInput())
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)

    def clean_to_date(self):
        to_date = self.cleaned_data["to_date"]
        if to_date <= timezone.localdate():
            raise ValidationError("The new due date must be in the future.")
        if self.follow_up.due_date and to_date <= self.follow_up.due_date:
            raise ValidationError("The new due date must be later than the current one.")
        return to_date


class DueDateForm(VersionedForm):
    to_date = forms.DateField(label="Due date", widget=DateInput())
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
        help_text="For example: date agreed with the Minister's office.",
    )


class DecideExtensionForm(VersionedForm):
    decision = forms.ChoiceField(
        label="Decision", choices=[("approve", "Approve the new date"), ("decline", "Decline")],
        widget=forms.RadioSelect,
    )
    approved_by = forms.CharField(
        label="Agreed by", required=False, max_length=160,
        help_text="Who agreed, for a longer delay: the committee chair.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "approve" and not cleaned.get("approved_by", "").strip():
            self.add_error("approved_by", "Say who agreed to the new date (for example the committee chair).")
        return cleaned


class SubmittedForm(VersionedForm):
    reference = forms.CharField(label="Reference of the paper lodged", help_text="For example CAB-26-SUB-0101.")

    def clean_reference(self):
        return str(reference_from(self.cleaned_data["reference"], kind="paper"))


class DischargeForm(VersionedForm):
    reference = forms.CharField(
        label="Discharging paper or minute", help_text="For example CAB-26-MIN-0101 or CAB-26-SUB-0101."
    )
    paper_title = forms.CharField(
        label="Title of the paper, if it is not recorded yet", required=False, max_length=400,
        help_text="A paper not yet in the tracker is recorded with this title.",
    )
    reason = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("reference")
        if not text:
            return cleaned
        try:
            reference = reference_from(text)
        except ValidationError as error:
            self.add_error("reference", error)
            return cleaned
        cleaned["reference"], cleaned["record"] = str(reference), recorded(reference)
        if cleaned["record"] is None and reference.is_minute:
            self.add_error("reference", f"{reference} is not recorded yet: a clerk records the minute first.")
        elif cleaned["record"] is None and not cleaned.get("paper_title", "").strip():
            self.add_error("paper_title", f"{reference} is not recorded yet: give its title to record it.")
        return cleaned


class CloseForm(VersionedForm):
    status = forms.ChoiceField(
        label="Close as",
        choices=[(FollowUp.Status.CANCELLED, "Cancelled (with approval)"), (FollowUp.Status.SUPERSEDED, "Superseded by a later decision")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class DigestForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["digest"]
        labels = {"digest": "When do you want reminder emails?"}
        widgets = {"digest": forms.RadioSelect}
        help_texts = {"digest": "Reminders that fall due on other days wait and arrive together on your day."}
