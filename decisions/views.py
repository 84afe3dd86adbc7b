"""The officials' and clerks' pages: dashboard, follow-ups and their actions, minutes, papers, search."""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Min, Prefetch, Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import date as format_date
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cabinet.business_days import add_business_days
from cabinet.models import Paper
from cabinet.references import InvalidReference, parse_reference
from decisions import access
from decisions.forms import (
    CloseForm, DecideExtensionForm, DigestForm, DischargeForm, DueDateForm, ExtensionForm, FollowUpFilterForm, NoteForm,
    SubmittedForm,
)
from decisions.models import DecisionItem, DueDateChange, FollowUp, ProgressNote

PAGE_SIZE = 25
DUE_SOON_BUSINESS_DAYS = 10


def _with_list_context(queryset):
    return queryset.select_related(
        "decision__minute__committee", "responsible_portfolio", "responsible_agency", "report_to"
    )


DASHBOARD_ROWS = 25


@dataclass
class Group:
    """One group of the dashboard: its first rows, how many in all, and the list that shows them all."""

    key: str
    title: str
    follow_ups: list
    total: int
    query: str


def _group(key, title, queryset, condition, total, query):
    """`condition` picks the group's follow-ups out of `queryset`; `total` was counted with the others in one aggregate.

    Only the first rows' keys are read here, from the follow-ups alone (joining first would join every row before
    the sort); the dashboard then reads all groups' rows with their context in one query.
    """
    ids = []
    if total:
        ids = list(
            queryset.filter(condition).order_by(F("due_date").asc(nulls_last=True), "pk").values_list("pk", flat=True)[:DASHBOARD_ROWS]
        )
    return Group(key, title, ids, total, urlencode(query, doseq=True))


@require_GET
def dashboard(request):
    today = timezone.localdate()
    soon = add_business_days(today, DUE_SOON_BUSINESS_DAYS)
    visible = access.visible_follow_ups(request.user)
    active = visible.active()
    active_statuses = {"status": list(FollowUp.ACTIVE_STATUSES)}
    # The four groups split the owed follow-ups: one due today is due soon, never overdue.
    conditions = {
        "overdue": Q(due_date__lt=today),
        "soon": Q(due_date__gte=today, due_date__lte=soon),
        "later": Q(due_date__gt=soon),
        "undated": Q(due_date__isnull=True),
    }
    owed = Q(status__in=FollowUp.ACTIVE_STATUSES)
    # Every count on the page in one aggregate: the groups' totals and each status's.
    counts = visible.order_by().aggregate(
        **{f"group_{key}": Count("pk", filter=owed & condition) for key, condition in conditions.items()},
        **{f"status_{value}": Count("pk", filter=Q(status=value)) for value in FollowUp.Status.values},
    )
    groups = [
        _group("overdue", "Overdue", active, conditions["overdue"], counts["group_overdue"], {"overdue": "on"}),
        _group("soon", f"Due in the next {DUE_SOON_BUSINESS_DAYS} business days", active, conditions["soon"],
               counts["group_soon"], {**active_statuses, "due_from": today.isoformat(), "due_to": soon.isoformat()}),
        _group("later", "Due later", active, conditions["later"], counts["group_later"],
               {**active_statuses, "due_from": (soon + datetime.timedelta(days=1)).isoformat()}),
        _group("undated", "No due date yet", active, conditions["undated"], counts["group_undated"],
               {**active_statuses, "undated": "on"}),
    ]
    # The keys came from the user's visible follow-ups above, so reading them by key shows nothing more.
    shown = _with_list_context(FollowUp.objects.filter(pk__in=[pk for group in groups for pk in group.follow_ups]))
    by_pk = {follow_up.pk: follow_up for follow_up in shown}
    for group in groups:
        group.follow_ups = [by_pk[pk] for pk in group.follow_ups]
    status_counts = [(value, label, counts[f"status_{value}"]) for value, label in FollowUp.Status.choices]
    register, register_total = None, 0
    if access.is_clerk(request.user):
        # The whole register's overdue follow-ups by the committee reported to and portfolio, oldest first.
        register = (
            active.filter(due_date__lt=today).order_by()
            .values("report_to", "report_to__name", "responsible_portfolio", "responsible_portfolio__name")
            .annotate(count=Count("pk"), oldest=Min("due_date"))
            .order_by("oldest", "report_to__name", "responsible_portfolio__name")
        )
        # The oldest pairs, as many as a group shows; the rest are a link away (hundreds at full size).
        register = list(register[:DASHBOARD_ROWS + 1])
        if len(register) > DASHBOARD_ROWS:
            register = register[:DASHBOARD_ROWS]
            register_total = (
                active.filter(due_date__lt=today).order_by().values("report_to", "responsible_portfolio").distinct().count()
            )
    return render(request, "decisions/dashboard.html", {
        "groups": groups, "status_counts": status_counts, "register": register, "register_total": register_total,
        "today": today,
        "is_clerk": access.is_clerk(request.user),
    })


@require_GET
def followup_list(request):
    form = FollowUpFilterForm(request.GET or None)
    queryset = access.visible_follow_ups(request.user)
    if form.is_bound and form.is_valid():
        queryset = form.filter(queryset)
    else:
        queryset = queryset.order_by(*FollowUpFilterForm.SORTS["due"])
    page = Paginator(_with_list_context(queryset), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "today": timezone.localdate()}
    template = "decisions/followup_list_results.html" if request.htmx else "decisions/followup_list.html"
    return render(request, template, context)


def _timeline(follow_up):
    """Notes, due-date changes and status changes from history, oldest first."""
    events = [
        {"at": note.created_at, "who": note.author, "kind": "note", "text": note.text}
        for note in follow_up.notes.all()
    ]
    for change in follow_up.due_date_changes.all():
        events.append({"at": change.requested_at, "who": change.requested_by, "kind": "due_date", "change": change})
    records = list(follow_up.history.select_related("history_user").order_by("history_date", "history_id"))
    for previous, record in zip([None, *records], records):
        if previous is None:
            events.append({"at": record.history_date, "who": record.history_user, "kind": "created"})
        elif previous.status != record.status:
            events.append({
                "at": record.history_date, "who": record.history_user, "kind": "status",
                "from": FollowUp.Status(previous.status).label, "to": FollowUp.Status(record.status).label,
                "reason": record.closed_reason if record.status in FollowUp.CLOSED_STATUSES else "",
            })
    return sorted(events, key=lambda event: event["at"])


def _followup_context(request, follow_up, **forms):
    minute = follow_up.decision.minute
    decisions = (
        DecisionItem.objects.filter(minute=minute).prefetch_related("redactions__ground")
    )
    return {
        "follow_up": follow_up, "minute": minute, "decisions": decisions, "timeline": _timeline(follow_up),
        "due_date_changes": follow_up.due_date_changes.select_related("requested_by", "decided_by"),
        "pending_change": follow_up.due_date_changes.filter(status=DueDateChange.Status.PENDING).first(),
        "can_act": access.can_act(request.user) and not follow_up.is_closed,
        "is_clerk": access.is_clerk(request.user), "today": timezone.localdate(),
        "note_form": forms.get("note_form") or NoteForm(initial={"version": follow_up.version}),
    }


def _get_follow_up(request, pk):
    """The follow-up with what its page shows, in one visible-to-the-user query (404 otherwise)."""
    return get_object_or_404(
        access.visible_follow_ups(request.user).with_context().prefetch_related(
            Prefetch("notes", queryset=ProgressNote.objects.select_related("author")),
            Prefetch("due_date_changes", queryset=DueDateChange.objects.select_related("requested_by")),
        ),
        pk=pk,
    )


def followup_detail(request, pk):
    follow_up = _get_follow_up(request, pk)  # need to know first: a POST to what they may not see is a 404 too
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return render(request, "decisions/followup_detail.html", _followup_context(request, follow_up))


def _stale_message(follow_up, version):
    """What changed since `version`, from history, for the refusal message."""
    opened = follow_up.history.filter(version=version).order_by("-history_date").first()
    current = follow_up.history.order_by("-history_date", "-history_id").first()
    if opened is None or current is None:
        return "This follow-up changed since you opened it. Check the latest details and try again."
    delta = current.diff_against(opened, excluded_fields=["version", "closed_at", "submitted_at"])
    changes = "; ".join(
        f"{FollowUp._meta.get_field(change.field).verbose_name}: “{_display(change.old)}” → “{_display(change.new)}”"
        for change in delta.changes
    )
    who = current.history_user.get_full_name() or current.history_user.get_username() if current.history_user else "Someone"
    return (
        f"{who} changed this follow-up at {format_date(timezone.localtime(current.history_date), 'j F Y, g:i a')} "
        f"after you opened it ({changes or 'no visible field changed'}). Nothing was saved: check the latest details and try again."
    )


def _display(value):
    if isinstance(value, datetime.date):
        return format_date(value)
    if value in FollowUp.Status.values:
        return FollowUp.Status(value).label
    return "—" if value in (None, "") else value


def _act(request, pk, form_class, template, perform, *, clerk_only=False, success):
    """The shape every action shares: a form with a confirmation, need-to-know, a version check, one transaction."""
    if not (access.is_clerk(request.user) if clerk_only else access.can_act(request.user)):
        access.get_follow_up_for_user(request.user, pk)  # 404 for what they may not see, 403 for what they may only read
        raise PermissionDenied("You can read this follow-up but not change it.")
    follow_up = _get_follow_up(request, pk)
    if follow_up.is_closed:
        messages.error(request, f"This follow-up is already {follow_up.get_status_display().lower()}: nothing was changed.")
        return redirect(follow_up)
    if request.method == "POST":
        form = form_class(request.POST, follow_up=follow_up)
        if form.is_valid():
            with transaction.atomic(durable=True):
                locked = access.get_follow_up_for_user(request.user, pk, for_update=True)
                if locked.version != form.cleaned_data["version"]:
                    messages.error(request, _stale_message(locked, form.cleaned_data["version"]))
                    return redirect(locked)
                perform(locked, form.cleaned_data)
            messages.success(request, success)
            return redirect(follow_up)
    else:
        form = form_class(initial={"version": follow_up.version}, follow_up=follow_up)
    return render(request, template, _followup_context(request, follow_up) | {"form": form})


@require_http_methods(["POST"])
def followup_add_note(request, pk):
    if not access.can_act(request.user):
        access.get_follow_up_for_user(request.user, pk)
        raise PermissionDenied("You can read this follow-up but not change it.")
    follow_up = _get_follow_up(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        with transaction.atomic(durable=True):
            access.get_follow_up_for_user(request.user, pk, for_update=True).add_note(
                author=request.user, text=form.cleaned_data["text"]
            )
        if not request.htmx:
            messages.success(request, "Progress note added.")
            return redirect(follow_up)
        follow_up = _get_follow_up(request, pk)
        form = None
    context = _followup_context(request, follow_up, note_form=form)
    if request.htmx:
        return render(request, "decisions/followup_timeline.html", context)
    return render(request, "decisions/followup_detail.html", context, status=400)


@require_http_methods(["GET", "POST"])
def followup_request_extension(request, pk):
    def perform(follow_up, data):
        follow_up.request_extension(to_date=data["to_date"], reason=data["reason"], user=request.user)

    return _act(
        request, pk, ExtensionForm, "decisions/followup_request_extension.html", perform,
        success="Extension recorded. Up to one month later the date moves at once; longer goes to a clerk for approval.",
    )


@require_http_methods(["GET", "POST"])
def followup_mark_submitted(request, pk):
    def perform(follow_up, data):
        follow_up.mark_submitted(reference=data["reference"])

    return _act(request, pk, SubmittedForm, "decisions/followup_mark_submitted.html", perform, success="Marked submitted.")


@require_http_methods(["GET", "POST"])
def followup_decide_extension(request, pk):
    def perform(follow_up, data):
        change = follow_up.due_date_changes.filter(status=DueDateChange.Status.PENDING).first()
        if change is None:
            raise Http404("No extension is waiting for a decision.")
        follow_up.decide_extension(
            change, approve=data["decision"] == "approve", user=request.user, approved_by=data["approved_by"]
        )

    return _act(
        request, pk, DecideExtensionForm, "decisions/followup_decide_extension.html", perform, clerk_only=True,
        success="Extension decided.",
    )


@require_http_methods(["GET", "POST"])
def followup_set_due_date(request, pk):
    def perform(follow_up, data):
        follow_up.set_due_date(to_date=data["to_date"], reason=data["reason"], user=request.user)

    return _act(
        request, pk, DueDateForm, "decisions/followup_set_due_date.html", perform, clerk_only=True,
        success="Due date set.",
    )


@require_http_methods(["GET", "POST"])
def followup_discharge(request, pk):
    def perform(follow_up, data):
        record = data["record"] or Paper.objects.create(
            reference=data["reference"], title=data["paper_title"], lead_agency=follow_up.responsible_agency,
            paper_date=timezone.localdate(), date_precision="day",
        )
        follow_up.discharge(record, reason=data["reason"])

    return _act(
        request, pk, DischargeForm, "decisions/followup_discharge.html", perform, clerk_only=True,
        success="Recorded as discharged.",
    )


@require_http_methods(["GET", "POST"])
def followup_close(request, pk):
    def perform(follow_up, data):
        if data["status"] == FollowUp.Status.SUPERSEDED:
            follow_up.supersede(reason=data["reason"])
        else:
            follow_up.cancel(reason=data["reason"])

    return _act(request, pk, CloseForm, "decisions/followup_close.html", perform, clerk_only=True, success="Closed.")


def minute_detail(request, pk):
    minute = get_object_or_404(access.visible_minutes(request.user).with_context().select_related("release"), pk=pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    follow_ups = access.visible_follow_ups(request.user).filter(decision__minute=minute)
    decisions = minute.decisions.prefetch_related(
        "redactions__ground",
        Prefetch("follow_ups", queryset=_with_list_context(follow_ups), to_attr="visible_follow_ups"),
    )
    return render(request, "decisions/minute_detail.html", {
        "minute": minute, "decisions": decisions, "release": getattr(minute, "release", None),
        "today": timezone.localdate(),
    })


def paper_detail(request, pk):
    paper = get_object_or_404(access.visible_papers(request.user).with_people(), pk=pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    minutes = access.visible_minutes(request.user).filter(paper=paper).select_related("committee", "release")
    minutes = minutes.prefetch_related(
        Prefetch("decisions", queryset=DecisionItem.objects.prefetch_related(
            "redactions__ground",
            Prefetch("follow_ups", queryset=_with_list_context(access.visible_follow_ups(request.user)), to_attr="visible_follow_ups"),
        ))
    )
    return render(request, "decisions/paper_detail.html", {"paper": paper, "minutes": minutes, "today": timezone.localdate()})


@require_GET
def search(request):
    text = request.GET.get("q", "").strip()[:200]
    results = {"minutes": [], "papers": [], "decisions": []}
    if text:
        try:
            reference = str(parse_reference(text))
            minute_q, paper_q, decision_q = Q(reference=reference), Q(reference=reference), Q(minute__reference=reference)
        except InvalidReference:
            minute_q = Q(title__icontains=text) | Q(reference__icontains=text)
            paper_q = Q(title__icontains=text) | Q(reference__icontains=text)
            decision_q = Q(text__icontains=text) & Q(is_redacted=False)
        results = {
            "minutes": access.visible_minutes(request.user).filter(minute_q).select_related("committee")[:50],
            "papers": access.visible_papers(request.user).filter(paper_q).select_related("lead_agency")[:50],
            "decisions": access.visible_decisions(request.user).filter(decision_q).select_related("minute")[:50],
        }
    return render(request, "decisions/search.html", {"q": text, **results})


@require_http_methods(["GET", "POST"])
def profile_settings(request):
    """The signed-in user's own settings: when reminder emails arrive."""
    profile = access.profile_of(request.user)
    if profile is None:
        return render(request, "decisions/profile_settings.html", {"form": None})
    form = DigestForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic(durable=True):
            form.save()
        messages.success(request, "Your reminder settings are saved.")
        return redirect("decisions:profile_settings")
    return render(request, "decisions/profile_settings.html", {"form": form, "profile": profile})
