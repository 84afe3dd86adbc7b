"""Forms of the officials' pages. Each lists its fields; each action form carries the version it was opened on."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import timezone

from cabinet.business_days import is_business_day
from cabinet.models import Agency, Committee, Portfolio, Profile, recorded
from cabinet.references import InvalidReference, parse_reference
from decisions import search
from decisions.models import DueDateChange, FollowUp


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
        # Undated last, whichever way and on every database (no reliance on where NULLs sort).
        "due": (F("due_date").asc(nulls_last=True), "pk"),
        "-due": (F("due_date").desc(nulls_last=True), "-pk"),
        "reference": ("minute__reference", "decision__sort_key", "pk"),  # the follow-up's own copy of its minute
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
    mine = forms.BooleanField(required=False, label="Assigned to me")
    waiting = forms.BooleanField(required=False, label="A due-date request waiting for a decision")
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

    # What the list shows when no status is chosen: what is still owed. Closed ones on request.
    OWED = [FollowUp.Status.OPEN, FollowUp.Status.EXTENSION_REQUESTED, FollowUp.Status.SUBMITTED]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def filter(self, queryset):
        """The valid filters applied (an invalid one is left out, the others still apply), in the chosen order."""
        data = self.cleaned_data if self.is_bound else {}
        if data.get("mine"):
            queryset = queryset.filter(lead=self.user)
        if not data.get("status") and "status" not in self.errors:
            queryset = queryset.filter(status__in=self.OWED)
        if data.get("q"):
            queryset = search_follow_ups(queryset, data["q"])
        queryset = queryset.filter(**{lookup: data[name] for name, lookup in self.LOOKUPS.items() if data.get(name)})
        if data.get("overdue"):
            queryset = queryset.overdue()
        if data.get("undated"):
            queryset = queryset.filter(due_date__isnull=True)
        if data.get("waiting"):  # at most one request waits on a follow-up: the join never repeats a row
            queryset = queryset.filter(due_date_changes__status=DueDateChange.Status.PENDING)
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


class NoteForm(forms.Form):
    """A progress note: notes never conflict with each other, so it carries no version."""

    text = forms.CharField(
        label="Progress note", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
        error_messages={"required": "Enter the progress note"},
        help_text="What has happened: consultation under way, paper with the Minister, lodged for Cabinet.",
    )

    def __init__(self, *args, follow_up=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.follow_up = follow_up

    def step_data(self):
        return {"text": self.cleaned_data["text"]}


class DateChangeForm(VersionedForm):
    """A new date with the reason for it: what extension requests, proposals and clerks' settings share.

    An unlikely date (a weekend or public holiday, more than a year ahead, before the decision) is not refused:
    the person is asked to confirm it, since a clerk back-filling history may mean it. An impossible year is refused.
    """

    to_date = forms.DateField(label="New due date", widget=DateInput(), error_messages={"required": "Enter the new due date"})
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
        error_messages={"required": "Enter the reason"},
    )
    confirm_date = forms.BooleanField(
        required=False, label="Yes, use this date", help_text="Tick this if the date is right although it looks unusual.",
    )

    def clean(self):
        cleaned = super().clean()
        to_date = cleaned.get("to_date")
        if to_date is None or "to_date" in self.errors:
            return cleaned
        today = timezone.localdate()
        if not today.year - 20 <= to_date.year <= today.year + 10:
            self.add_error("to_date", f"Enter a due date between {today.year - 20} and {today.year + 10}")
            return cleaned
        if cleaned.get("confirm_date"):
            return cleaned
        decided = self.follow_up.decision.minute.decision_date if self.follow_up else None
        if decided and to_date < decided:
            doubt = f"{to_date:%-d %B %Y} is before the decision ({decided:%-d %B %Y})"
        elif to_date > today + datetime.timedelta(days=366):
            doubt = f"{to_date:%-d %B %Y} is more than a year ahead"
        elif not is_business_day(to_date):
            doubt = f"{to_date:%-d %B %Y} is a {'weekend' if to_date.weekday() >= 5 else 'public holiday'}"
        else:
            return cleaned
        self.add_error("confirm_date", f"Check the date: {doubt}. Tick “Yes, use this date” if it is right")
        return cleaned

    def step_data(self):
        return {"to_date": self.cleaned_data["to_date"], "reason": self.cleaned_data["reason"]}


class ExtensionForm(DateChangeForm):
    def clean_to_date(self):
        to_date = self.cleaned_data["to_date"]
        if to_date <= timezone.localdate():
            raise ValidationError("The new due date must be in the future.")
        if self.follow_up.due_date and to_date <= self.follow_up.due_date:
            raise ValidationError("The new due date must be later than the current one.")
        return to_date


class ProposeDueDateForm(DateChangeForm):
    to_date = forms.DateField(label="Proposed due date", widget=DateInput(), error_messages={"required": "Enter the proposed due date"})

    def clean_to_date(self):
        to_date = self.cleaned_data["to_date"]
        if to_date <= timezone.localdate():
            raise ValidationError("The proposed due date must be in the future.")
        return to_date


class DueDateForm(DateChangeForm):
    to_date = forms.DateField(label="Due date", widget=DateInput(), error_messages={"required": "Enter the due date"})
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
        error_messages={"required": "Enter the reason"},
        help_text="For example: date agreed with the Minister's office.",
    )


class WithdrawForm(VersionedForm):
    reason = forms.CharField(
        label="Why are you withdrawing it? (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def step_data(self):
        return {"reason": self.cleaned_data["reason"]}


class DecideRequestForm(VersionedForm):
    decision = forms.ChoiceField(
        label="Decision", choices=[("approve", "Approve the new date"), ("decline", "Decline")],
        widget=forms.RadioSelect, error_messages={"required": "Choose whether to approve or decline the request"},
    )
    approved_by = forms.CharField(
        label="Agreed by", required=False, max_length=160,
        help_text="Who agreed, for a delay of more than a month: the committee chair.",
    )
    reason = forms.CharField(
        label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
        help_text="Needed when you decline: the agency sees it.",
    )

    def clean(self):
        cleaned = super().clean()
        waiting = self.follow_up.waiting_request() if self.follow_up else None
        needs_agreement = waiting is not None and waiting.tier == DueDateChange.Tier.CHAIR
        if cleaned.get("decision") == "approve" and needs_agreement and not cleaned.get("approved_by", "").strip():
            self.add_error("approved_by", "Enter who agreed to the new date (for example the committee chair)")
        if cleaned.get("decision") == "decline" and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Enter the reason for declining")
        return cleaned

    def step_data(self):
        data = self.cleaned_data
        return {"approve": data["decision"] == "approve", "approved_by": data["approved_by"], "reason": data["reason"]}


class LeadForm(VersionedForm):
    lead = forms.ModelChoiceField(
        label="Lead official", required=False, queryset=None, empty_label="Nobody: every official of the agency",
        help_text="The lead and the agency's Cabinet coordinators get its reminders.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        follow_up = self.follow_up
        officials = get_user_model().objects.filter(
            is_active=True, profile__role=Profile.Role.OFFICIAL
        ).filter(
            Q(profile__agencies=follow_up.responsible_agency_id) | Q(profile__portfolios=follow_up.responsible_portfolio_id)
        ).distinct().order_by("first_name", "last_name", "username")
        self.fields["lead"].queryset = officials
        self.fields["lead"].label_from_instance = lambda user: user.get_full_name() or user.get_username()
        if not self.is_bound:
            self.initial.setdefault("lead", follow_up.lead_id)

    def step_data(self):
        return {"lead": self.cleaned_data["lead"]}


class SubmittedForm(VersionedForm):
    reference = forms.CharField(
        label="Reference of the paper lodged", help_text="For example CAB-26-SUB-0101.",
        error_messages={"required": "Enter the reference of the paper lodged"},
    )

    def clean_reference(self):
        return str(reference_from(self.cleaned_data["reference"], kind="paper"))

    def step_data(self):
        return {"reference": self.cleaned_data["reference"]}


class DischargeForm(VersionedForm):
    reference = forms.CharField(
        label="Discharging paper or minute", help_text="For example CAB-26-MIN-0101 or CAB-26-SUB-0101.",
        error_messages={"required": "Enter the reference of the discharging paper or minute"},
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

    def step_data(self):
        data = self.cleaned_data
        if data["record"] is not None:
            return {"by": data["record"], "reason": data["reason"]}
        return {"new_paper": (data["reference"], data["paper_title"]), "reason": data["reason"]}


class CloseForm(VersionedForm):
    status = forms.ChoiceField(
        label="Close as",
        choices=[(FollowUp.Status.CANCELLED, "Cancelled (with approval)"), (FollowUp.Status.SUPERSEDED, "Superseded by a later decision")],
        widget=forms.RadioSelect, error_messages={"required": "Choose whether it was cancelled or superseded"},
    )
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
        error_messages={"required": "Enter the reason"},
    )

    def step_data(self):
        return {"status": self.cleaned_data["status"], "reason": self.cleaned_data["reason"]}


class DigestForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["digest"]
        labels = {"digest": "When do you want reminder emails?"}
        widgets = {"digest": forms.RadioSelect}
        help_texts = {"digest": "Reminders that fall due on other days wait and arrive together on your day."}
