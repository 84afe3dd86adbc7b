"""The officials' and clerks' pages: dashboard, follow-ups and their actions, minutes, papers, search."""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import BooleanField, Case, CharField, Count, ExpressionWrapper, F, Min, Prefetch, Q, Sum, Value, When
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import date as format_date
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cabinet.business_days import add_business_days
from decisions import access, cycle, lifecycle
from decisions import search as register_search
from decisions.forms import (
    CloseForm, DecideRequestForm, DigestForm, DischargeForm, DueDateForm, ExtensionForm, FollowUpFilterForm, LeadForm,
    NoteForm, ProposeDueDateForm, SubmittedForm, WithdrawForm,
)
from decisions.lifecycle import LIFECYCLE
from decisions.meetings import CLERK_COMING_ROWS, COMING_ROWS, coming_meetings
from cabinet.models import Committee, Portfolio
from decisions.models import CalendarFeed, DecisionItem, DueDateChange, FollowUp, FollowUpTally, ProgressNote, Redaction

PAGE_SIZE = 25
DUE_SOON_BUSINESS_DAYS = 10


# The models' default orders name their parent ("decision", "follow_up", "minute"), which Django follows into the
# parent's own order, joining its table (and the minute's) to sort a handful of rows. The pages sort by keys instead.
REDACTIONS = Prefetch(
    "redactions", queryset=Redaction.objects.select_related("ground").order_by("decision_id", "start", "pk")
)


def _items(queryset):
    """Decision items in their order within a minute, each with its redactions and their grounds."""
    return queryset.order_by("minute_id", "sort_key").prefetch_related(REDACTIONS)


# What a follow-up table's row shows (decisions.templatetags.tracker.follow_up_row), and no more of each record: a
# clerk's dashboard shows a hundred rows, each a follow-up, its decision, minute, portfolio and agency.
TABLE_ROW_FIELDS = [
    "kind", "status", "description", "due_date", "decision", "decision__number", "decision__minute",
    "decision__minute__reference", "responsible_portfolio", "responsible_portfolio__name", "responsible_agency",
    "responsible_agency__short_name",
]


def _table_rows(queryset):
    """The follow-ups with what their rows in a table show, read in the same query."""
    return queryset.select_related("decision__minute", "responsible_portfolio", "responsible_agency").only(
        *TABLE_ROW_FIELDS
    )


def _with_owners(queryset):
    """Follow-ups with who owes them and to whom. Prefetched under their decision items, each already has its
    item, and the item its minute: the join to them again would only build them twice."""
    return queryset.select_related("responsible_portfolio", "responsible_agency", "report_to")


DASHBOARD_ROWS = 25
CLERK_DASHBOARD_ROWS = 10  # clerks see the whole register: their groups are long, and their to-do comes first


@dataclass
class Group:
    """One group of the dashboard: its first rows, how many in all, and the list that shows them all."""

    key: str
    title: str
    follow_ups: list
    total: int
    query: str


@dataclass
class Queue:
    """One line of the to-do: how many wait, and the follow-up list filtered to exactly them."""

    key: str
    title: str
    count: int
    query: str


def _group(key, title, queryset, condition, total, query, rows=DASHBOARD_ROWS):
    """`condition` picks the group's follow-ups out of `queryset`; `total` was counted with the others in one aggregate.

    Only the first rows' keys are read here, from the follow-ups alone (joining first would join every row before
    the sort); the dashboard then reads all groups' rows with their context in one query.
    """
    ids = []
    if total:
        ids = list(
            queryset.filter(condition).order_by(F("due_date").asc(nulls_last=True), "pk").values_list("pk", flat=True)[:rows]
        )
    return Group(key, title, ids, total, urlencode(query, doseq=True))


@require_GET
def dashboard(request):
    today = timezone.localdate()
    soon = add_business_days(today, DUE_SOON_BUSINESS_DAYS)
    is_clerk = access.is_clerk(request.user)
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
    # Every count on the page from one grouped pass over the user's follow-ups: each row of the result is a status,
    # a group, whether a report-back and whether the user leads it, with how many; the page adds them up into the
    # groups' totals, each status's and the to-do's (undated report-backs owed, what the user leads and still owes).
    # A dozen conditional counts over each follow-up cost twice as much. The clerks' waiting requests (at most one a
    # follow-up: a constraint) are counted from the few pending requests, below.
    bucket = Case(
        *[When(condition, then=Value(key)) for key, condition in conditions.items()], output_field=CharField(),
    )
    counts = {f"group_{key}": 0 for key in conditions} | {f"status_{value}": 0 for value in FollowUp.Status.values}
    counts |= {"queue_undated_report_backs": 0, "queue_mine": 0}
    if access.sees_everything(request.user) and connection.vendor == "postgresql":
        # The whole register, from the counts PostgreSQL keeps by status, due date (while owed) and kind
        # (FollowUpTally): a few thousand rows grouped, not every follow-up. Their to-do has no "assigned to me".
        cells = FollowUpTally.objects.annotate(group=bucket, mine=Value(False)).values_list(
            "status", "group", "report_back", "mine"
        ).annotate(count=Sum("follow_ups"))
    else:
        cells = visible.order_by().annotate(
            group=bucket,
            report_back=ExpressionWrapper(Q(kind=FollowUp.Kind.REPORT_BACK), output_field=BooleanField()),
            mine=ExpressionWrapper(Q(lead=request.user.pk), output_field=BooleanField()),
        ).values_list("status", "group", "report_back", "mine").annotate(count=Count("pk"))
    owed_statuses, mine_statuses = set(FollowUp.ACTIVE_STATUSES), set(FollowUpFilterForm.OWED)
    for status, group, report_back, mine, count in cells:
        counts[f"status_{status}"] += count
        if status in owed_statuses:
            counts[f"group_{group}"] += count
            counts["queue_undated_report_backs"] += count if group == "undated" and report_back else 0
        counts["queue_mine"] += count if mine and status in mine_statuses else 0
    if is_clerk:
        # The clerks' to-do. A clerk sees every follow-up, so every waiting request: the few pending are counted
        # alone, not checked against the whole register.
        waiting = DueDateChange.objects.filter(status=DueDateChange.Status.PENDING).count()
        todo = [
            Queue("waiting", "Extensions and proposed due dates to decide", waiting, "waiting=on"),
            Queue("submitted", "Submitted, awaiting discharge", counts[f"status_{FollowUp.Status.SUBMITTED}"],
                  urlencode({"status": FollowUp.Status.SUBMITTED})),
            Queue("undated", "Report-backs with no due date", counts["queue_undated_report_backs"],
                  urlencode({**active_statuses, "kind": FollowUp.Kind.REPORT_BACK, "undated": "on"}, doseq=True)),
        ]
    elif access.can_act(request.user):
        todo = [Queue("mine", "Assigned to me", counts["queue_mine"], "mine=on")]
    else:
        todo = []  # readers read: nothing waits for them
    rows = CLERK_DASHBOARD_ROWS if is_clerk else DASHBOARD_ROWS
    groups = [
        _group("overdue", "Overdue", active, conditions["overdue"], counts["group_overdue"], {"overdue": "on"}, rows),
        _group("soon", f"Due in the next {DUE_SOON_BUSINESS_DAYS} business days", active, conditions["soon"],
               counts["group_soon"], {**active_statuses, "due_from": today.isoformat(), "due_to": soon.isoformat()},
               rows),
        _group("later", "Due later", active, conditions["later"], counts["group_later"],
               {**active_statuses, "due_from": (soon + datetime.timedelta(days=1)).isoformat()}, rows),
        _group("undated", "No due date yet", active, conditions["undated"], counts["group_undated"],
               {**active_statuses, "undated": "on"}, rows),
    ]
    # The Cabinet cycle (decisions/meetings.py): what is due at each coming meeting.
    coming = coming_meetings(visible, today=today, shown=CLERK_COMING_ROWS if is_clerk else COMING_ROWS)
    # The keys came from the user's visible follow-ups above, so reading them by key shows nothing more. The groups'
    # rows and the coming meetings' in one query: many are in both.
    keys = {pk for group in groups for pk in group.follow_ups} | {pk for _, pks, _ in coming for pk in pks}
    by_pk = _table_rows(FollowUp.objects.all()).in_bulk(sorted(keys)) if keys else {}
    for group in groups:
        group.follow_ups = [by_pk[pk] for pk in group.follow_ups]
    coming = [(meeting, [by_pk[pk] for pk in pks], total) for meeting, pks, total in coming]
    status_counts = [(value, label, counts[f"status_{value}"]) for value, label in FollowUp.Status.choices]
    register, register_total = None, 0
    if is_clerk:
        register, register_total = _overdue_pairs(active, today)
    return render(request, "decisions/dashboard.html", {
        "todo": todo, "groups": groups, "status_counts": status_counts, "register": register,
        "register_total": register_total, "today": today, "is_clerk": is_clerk,
        "list_url": reverse("decisions:followup_list"),  # each link to a filtered list: dozens of rows, one reverse
        # The Cabinet cycle (decisions/cycle.py): what is due at each coming meeting (above), the clerks' discharge
        # proposals, and machinery-of-government changes that touch an official's portfolios.
        "coming": coming,
        "proposals": cycle.pending_proposals().count() if is_clerk else None,
        "machinery": cycle.machinery_notices(request.user, today=today),
    })


def _overdue_pairs(active, today):
    """The whole register's overdue follow-ups by the committee reported to and portfolio: the oldest pairs, as
    many as a group shows, oldest first (then by committee and portfolio name, nameless last), and how many pairs
    there are when more than that (hundreds at full size; the rest are a link away).

    One query: the pairs are counted by key alone, over the follow-ups' covering index, and only the counted pairs
    are joined to their committees' and portfolios' names, ordered, and cut to the first rows, each with how many
    pairs there are. Reading every pair and then their names into Python to order them took twice as long.
    """
    pairs = (
        active.filter(due_date__lt=today).order_by()
        .values(pair_committee=F("report_to"), pair_portfolio=F("responsible_portfolio"))
        .annotate(pair_count=Count("pk"), pair_oldest=Min("due_date"))
    )
    inner, params = pairs.query.sql_with_params()
    committees, portfolios = (connection.ops.quote_name(model._meta.db_table) for model in (Committee, Portfolio))
    by_code_point = ' COLLATE "C"' if connection.vendor == "postgresql" else ""  # names in Python's order (SQLite's too)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pair.pair_committee, committee.name, pair.pair_portfolio, portfolio.name, pair.pair_count, "
            f"pair.pair_oldest, COUNT(*) OVER () FROM ({inner}) AS pair "
            f"LEFT JOIN {committees} AS committee ON committee.id = pair.pair_committee "
            f"LEFT JOIN {portfolios} AS portfolio ON portfolio.id = pair.pair_portfolio "
            f"ORDER BY pair.pair_oldest, committee.name IS NULL, committee.name{by_code_point}, portfolio.name IS NULL, "
            f"portfolio.name{by_code_point}, pair.pair_committee, pair.pair_portfolio LIMIT %s",
            [*params, DASHBOARD_ROWS],
        )
        oldest = cursor.fetchall()
    rows = [
        {"report_to": committee, "report_to__name": committee_name, "responsible_portfolio": portfolio,
         "responsible_portfolio__name": portfolio_name, "count": count,
         "oldest": datetime.date.fromisoformat(due) if isinstance(due, str) else due}  # SQLite gives the text
        for committee, committee_name, portfolio, portfolio_name, count, due, _ in oldest
    ]
    total = oldest[0][-1] if oldest else 0
    return rows, total if total > DASHBOARD_ROWS else 0


def _choices_in_one_read(form, *names):
    """Each named select's options read with one plain query: a model choice field otherwise walks its table
    through a server-side cursor (declare, fetch, close: three round trips a field)."""
    for name in names:
        field = form.fields[name]
        field.choices = [("", field.empty_label), *((obj.pk, field.label_from_instance(obj)) for obj in field.queryset.all())]


def filtered_follow_ups(request):
    """The filter form from the address and the follow-ups it selects: what the list pages through and exports hold."""
    form = FollowUpFilterForm(request.GET or None, user=request.user)
    if form.is_bound:
        form.is_valid()  # an invalid filter is shown with its error; the valid ones still apply
    return form, form.filter(access.visible_follow_ups(request.user))


@require_GET
def followup_list(request):
    form, queryset = filtered_follow_ups(request)
    _choices_in_one_read(form, "portfolio", "agency", "committee")
    # The page's keys are read from the follow-ups alone (joining first would join every row before the sort and
    # the LIMIT), then its rows with their context in one query, as the dashboard does.
    page = Paginator(queryset.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
    pks = list(page.object_list)
    rows = _table_rows(FollowUp.objects.filter(pk__in=pks))
    by_pk = {follow_up.pk: follow_up for follow_up in rows}
    page.object_list = [by_pk[pk] for pk in pks]  # keys the user may see, read above
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form, "page": page, "query": query.urlencode(), "today": timezone.localdate(),
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "ellipsis": Paginator.ELLIPSIS,
        "is_clerk": access.is_clerk(request.user),  # clerks' downloads include minutes and their decision items
    }
    template = "decisions/followup_list_results.html" if request.htmx else "decisions/followup_list.html"
    return render(request, template, context)


# What a timeline entry reads of each historical record and its author (the page's template and the API's words).
TIMELINE_HISTORY_FIELDS = (
    "history_date", "status", "closed_reason", "history_user__username", "history_user__first_name",
    "history_user__last_name",
)


def _timeline(follow_up):
    """Notes, each date-change request and each decision on it, and status changes from history, oldest first.

    Each entry is who did what when; a decision is its own entry and never rewords the request it answers.
    """
    events = [
        {"at": note.created_at, "who": note.author, "kind": "note", "text": note.text}
        for note in follow_up.notes.all()
    ]
    for change in follow_up.due_date_changes.all():
        events.append({"at": change.requested_at, "who": change.requested_by, "kind": "request", "change": change})
        if change.decided_at and change.tier in (DueDateChange.Tier.CHAIR, DueDateChange.Tier.PROPOSED):
            events.append({"at": change.decided_at, "who": change.decided_by, "kind": "decision", "change": change})
    # Only what the entries say, from the class's manager (the instance's `history` manager is built afresh on each
    # access): a third less time than reading whole historical rows and their users.
    records = list(
        FollowUp.history.filter(id=follow_up.pk).select_related("history_user")
        .only(*TIMELINE_HISTORY_FIELDS).order_by("history_date", "history_id")
    )
    waiting = {FollowUp.Status.OPEN, FollowUp.Status.EXTENSION_REQUESTED}  # told by the request and decision entries
    for previous, record in zip([None, *records], records):
        if previous is None:
            events.append({"at": record.history_date, "who": record.history_user, "kind": "created"})
        elif previous.status != record.status and {previous.status, record.status} != waiting:
            events.append({
                "at": record.history_date, "who": record.history_user, "kind": "status",
                "from": FollowUp.Status(previous.status).label, "to": FollowUp.Status(record.status).label,
                "reason": record.closed_reason if record.status in FollowUp.CLOSED_STATUSES else "",
            })
    return sorted(events, key=lambda event: event["at"])


def _followup_context(request, follow_up, **forms):
    minute = follow_up.decision.minute
    decisions = (
        _items(DecisionItem.objects.filter(minute=minute))
    )
    steps = follow_up.available_steps(request.user)
    return {
        "follow_up": follow_up, "minute": minute, "decisions": decisions, "timeline": _timeline(follow_up),
        "due_date_changes": follow_up.due_date_changes.all(),
        "waiting": follow_up.waiting_request(),
        "steps": {name: LIFECYCLE[name] for name in steps if name != "add_note"},
        "can_add_note": "add_note" in steps,
        "is_clerk": access.is_clerk(request.user), "today": timezone.localdate(),
        "note_form": forms.get("note_form") or NoteForm(),
    }


def _get_follow_up(request, pk):
    """The follow-up with what its page shows, in one visible-to-the-user query (404 otherwise).

    Its eight joined tables took 2.3 ms to plan for 0.1 ms of work: the connection prepares the query from its
    sixth run (DATABASE_PREPARED_STATEMENTS) and keeps its plan, read by key whatever the follow-up.
    """
    follow_up = get_object_or_404(
        access.visible_follow_ups(request.user).with_context().prefetch_related(
            Prefetch("notes", queryset=ProgressNote.objects.order_by("created_at", "pk")),
            Prefetch("due_date_changes", queryset=DueDateChange.objects.order_by("requested_at", "pk")),
        ),
        pk=pk,
    )
    _with_people((follow_up.notes.all(), ("author",)), (follow_up.due_date_changes.all(), ("requested_by", "decided_by")))
    return follow_up


def _with_people(*groups):
    """Give each (rows, user fields) group's rows their users, from one read of them all (none when they name nobody).

    A page shows few notes and requests: joining each query to the users table cost more in Django's compiling
    than the query took in the database (1.2 ms of the follow-up's page at full size, measured side by side).
    """
    named = [(row, field, getattr(row, f"{field}_id")) for rows, fields in groups for row in rows for field in fields]
    ids = sorted({user_id for _, _, user_id in named if user_id is not None})
    users = get_user_model().objects.in_bulk(ids) if ids else {}
    for row, field, user_id in named:
        if user_id in users:
            setattr(row, field, users[user_id])


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


# Each step of the lifecycle (decisions/lifecycle.py) that has a page: its form and template.
STEP_PAGES = {
    "request_extension": (ExtensionForm, "decisions/followup_request_extension.html"),
    "propose_due_date": (ProposeDueDateForm, "decisions/followup_propose_due_date.html"),
    "withdraw_request": (WithdrawForm, "decisions/followup_withdraw_request.html"),
    "decide_request": (DecideRequestForm, "decisions/followup_decide_request.html"),
    "mark_submitted": (SubmittedForm, "decisions/followup_mark_submitted.html"),
    "set_due_date": (DueDateForm, "decisions/followup_set_due_date.html"),
    "discharge": (DischargeForm, "decisions/followup_discharge.html"),
    "close": (CloseForm, "decisions/followup_close.html"),
    "assign_lead": (LeadForm, "decisions/followup_assign_lead.html"),
}


def _refused(request, follow_up, message):
    """A step not open to this follow-up now: its page again, saying why, with 409 Conflict."""
    messages.error(request, f"{message} Nothing was changed.")
    return render(request, "decisions/followup_detail.html", _followup_context(request, follow_up), status=409)


def _take(request, pk, name, form, *, version):
    """Take the step in one transaction on the locked row; returns the outcome, or raises what take() raises."""
    with transaction.atomic(durable=True):
        clerk_only = LIFECYCLE[name].role == lifecycle.CLERK
        locked = access.get_follow_up_to_act(request.user, pk, clerk_only=clerk_only, for_update=True)
        return locked.take(name, user=request.user, version=version, **form.step_data())


def _step(request, pk, name):
    """A step's page: its form with a confirmation, need-to-know, the lifecycle's checks, one transaction."""
    follow_up = _get_follow_up(request, pk)  # 404 for what they may not see
    if not lifecycle.may_take(request.user, follow_up, name):
        raise PermissionDenied("You can read this follow-up but not change it.")
    refusal = lifecycle.refusal(follow_up, name, waiting=follow_up.waiting_request())
    if refusal:
        return _refused(request, follow_up, refusal)
    form_class, template = STEP_PAGES[name]
    if request.method == "POST":
        form = form_class(request.POST, follow_up=follow_up)
        if form.is_valid():
            try:
                outcome = _take(request, pk, name, form, version=form.cleaned_data["version"])
            except lifecycle.StaleChange as stale:
                messages.error(request, _stale_message(stale.follow_up, stale.version))
                return redirect(follow_up)
            except lifecycle.TransitionRefused as refused:
                return _refused(request, _get_follow_up(request, pk), str(refused))
            messages.success(request, outcome)
            return redirect(follow_up)
    else:
        form = form_class(initial={"version": follow_up.version}, follow_up=follow_up)
    return render(request, template, _followup_context(request, follow_up) | {"form": form, "step": LIFECYCLE[name]})


@require_http_methods(["POST"])
def followup_add_note(request, pk):
    follow_up = _get_follow_up(request, pk)
    if not lifecycle.may_take(request.user, follow_up, "add_note"):
        raise PermissionDenied("You can read this follow-up but not change it.")
    refusal = lifecycle.refusal(follow_up, "add_note", waiting=None)
    if refusal:
        return _refused(request, follow_up, refusal)
    form = NoteForm(request.POST, follow_up=follow_up)
    if form.is_valid():
        try:
            outcome = _take(request, pk, "add_note", form, version=None)  # notes never conflict with each other
        except lifecycle.TransitionRefused as refused:
            return _refused(request, _get_follow_up(request, pk), str(refused))
        if not request.htmx:
            messages.success(request, outcome)
            return redirect(follow_up)
        follow_up = _get_follow_up(request, pk)
        form = None
    context = _followup_context(request, follow_up, note_form=form)
    if request.htmx:
        return render(request, "decisions/followup_timeline.html", context)
    return render(request, "decisions/followup_detail.html", context, status=400)


def _step_view(name):
    @require_http_methods(["GET", "POST"])
    def view(request, pk):
        return _step(request, pk, name)

    view.__name__ = view.__qualname__ = f"followup_{name}"
    view.__doc__ = f"{LIFECYCLE[name].label}: the lifecycle's step “{name}”."
    return view


followup_request_extension = _step_view("request_extension")
followup_propose_due_date = _step_view("propose_due_date")
followup_withdraw_request = _step_view("withdraw_request")
followup_decide_request = _step_view("decide_request")
followup_mark_submitted = _step_view("mark_submitted")
followup_set_due_date = _step_view("set_due_date")
followup_discharge = _step_view("discharge")
followup_close = _step_view("close")
followup_assign_lead = _step_view("assign_lead")


def minute_detail(request, pk):
    minute = get_object_or_404(access.visible_minutes(request.user, few=True).with_context().select_related("release"), pk=pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    follow_ups = access.visible_follow_ups(request.user).filter(minute=minute)
    decisions = _items(minute.decisions.all()).prefetch_related(
        Prefetch("follow_ups", queryset=_with_owners(follow_ups), to_attr="visible_follow_ups"),
    )
    return render(request, "decisions/minute_detail.html", {
        "minute": minute, "decisions": _with_summaries(decisions, access.follow_up_summaries(request.user, minute, read_through_access=True)),
        "release": getattr(minute, "release", None), "today": timezone.localdate(),
    })


def _with_summaries(decisions, summaries):
    """Each decision with the other agencies' follow-ups on it, as who owes what by when."""
    decisions = list(decisions)
    for decision in decisions:
        decision.follow_up_summaries = [summary for summary in summaries if summary.decision_id == decision.pk]
    return decisions


def paper_detail(request, pk):
    paper = get_object_or_404(access.visible_papers(request.user, few=True).with_people(), pk=pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    minutes = access.visible_minutes(request.user, few=True).filter(paper=paper).select_related("committee", "release")
    minutes = list(minutes.prefetch_related(
        Prefetch("decisions", queryset=_items(DecisionItem.objects.all()).prefetch_related(
            Prefetch("follow_ups", queryset=_with_owners(access.visible_follow_ups(request.user)), to_attr="visible_follow_ups"),
        ), to_attr="items")
    ))
    summaries = access.follow_up_summaries(request.user, minutes, read_through_access=True)
    for minute in minutes:
        minute.items = _with_summaries(minute.items, summaries)
    return render(request, "decisions/paper_detail.html", {"paper": paper, "minutes": minutes, "today": timezone.localdate()})


SEARCH_SECTION_ROWS = 10


@require_GET
def search(request):
    """Minutes, papers, decision items and follow-ups the user may see, a ranked section each; one section paged."""
    only = request.GET.get("section") if request.GET.get("section") in register_search.SECTIONS else None
    terms, sections = register_search.search(
        request.user, request.GET.get("q", ""), only=only, page=request.GET.get("page"),
        per_page=PAGE_SIZE if only else SEARCH_SECTION_ROWS,
    )
    return render(request, "decisions/search.html", {
        "q": terms.text, "reference": terms.reference, "sections": sections, "only": only, "today": timezone.localdate(),
        **{section.key: section.page.object_list for section in sections},
    })


def profile_settings_context(request, form=None):
    """What "Your settings" shows: the profile, its reminder form and whether the calendar feed is on."""
    profile = access.profile_of(request.user)
    if profile is None:
        return {"form": None}
    return {
        "form": form if form is not None else DigestForm(instance=profile), "profile": profile,
        "calendar_feed": CalendarFeed.objects.active().filter(user=request.user).first(),
    }


@require_http_methods(["GET", "POST"])
def profile_settings(request):
    """The signed-in user's own settings: when reminder emails arrive, and their calendar feed (decisions/feeds.py)."""
    profile = access.profile_of(request.user)
    if profile is None:
        return render(request, "decisions/profile_settings.html", {"form": None})
    form = DigestForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic(durable=True):
            form.save()
        messages.success(request, "Your reminder settings are saved.")
        return redirect("decisions:profile_settings")
    return render(request, "decisions/profile_settings.html", profile_settings_context(request, form))
