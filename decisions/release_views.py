"""The Releases pages: the queue, a release with its steps, the words it withholds, and its pack."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cabinet.business_days import add_business_days
from cabinet.models import Agency, ProactiveRelease
from decisions import access, release_pack, releases
from decisions.lifecycle import StaleChange, TransitionRefused
from decisions.models import Redaction
from decisions.release_forms import STEP_FORMS, OriginalTextForm, ReleaseFilterForm, WithholdWordsForm

PAGE_SIZE = 25
DUE_SOON_BUSINESS_DAYS = 10
Status = ProactiveRelease.Status


def _shows(today):
    soon = add_business_days(today, DUE_SOON_BUSINESS_DAYS)
    return {
        "": ProactiveRelease.objects.unfinished(),
        "soon": ProactiveRelease.objects.due_between(today, soon),
        "overdue": ProactiveRelease.objects.overdue(today),
        "held": ProactiveRelease.objects.filter(status__in=[Status.WITHHELD, Status.DELAYED]),
        "published": ProactiveRelease.objects.filter(status=Status.PUBLISHED),
        "all": ProactiveRelease.objects.all(),
    }


@require_GET
def release_list(request):
    today = timezone.localdate()
    visible = access.visible_releases(request.user)
    agencies = Agency.objects.filter(pk__in=visible.exclude(agency=None).values("agency")).order_by("short_name")
    form = ReleaseFilterForm(request.GET or None, agencies=agencies)
    show, agency, q = "", None, ""
    if form.is_bound and form.is_valid():
        show, agency, q = form.cleaned_data["show"], form.cleaned_data["agency"], form.cleaned_data["q"].strip()
    shows = _shows(today)
    # How many in each view, for the links above the table: one aggregate over the visible releases.
    counts = visible.order_by().aggregate(**{
        f"n_{key or 'owed'}": Count("pk", filter=Q(pk__in=queryset.values("pk"))) for key, queryset in shows.items()
    })
    queryset = visible.filter(pk__in=shows[show].values("pk"))
    if agency is not None:
        queryset = queryset.filter(agency=agency)
    if q:
        queryset = queryset.filter(Q(minute__reference__icontains=q) | Q(minute__title__icontains=q))
    queryset = queryset.select_related("minute__committee", "agency", "withheld_ground").order_by(
        "publication_due_date", "minute__reference"
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    views = [
        (key, label, counts[f"n_{key or 'owed'}"], urlencode({**({"show": key} if key else {}),
                                                              **({"agency": agency.pk} if agency else {})}))
        for key, label in ReleaseFilterForm.SHOWS
    ]
    return render(request, "decisions/release_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "today": today, "show": show, "views": views,
        "show_label": dict(ReleaseFilterForm.SHOWS)[show],
    })


def _history(release):
    """Each step taken on the release, oldest first: who, when, from what to what, and the reason or address."""
    records = list(release.history.select_related("history_user", "withheld_ground").order_by("history_date", "history_id"))
    events = []
    for previous, record in zip([None, *records], records):
        if previous is None:
            events.append({"at": record.history_date, "who": record.history_user, "label": "Release recorded",
                           "to": Status(record.status).label})
        elif previous.status != record.status or record.history_change_reason:
            events.append({
                "at": record.history_date, "who": record.history_user,
                "label": record.history_change_reason or "Changed", "from": Status(previous.status).label,
                "to": Status(record.status).label, "record": record,
            })
    return events


def _context(request, release):
    may_see_minute = access.may_see(request.user, release.minute)
    return {
        "release": release, "minute": release.minute, "today": timezone.localdate(),
        "history": _history(release),
        "steps": {name: releases.STEPS[name] for name in releases.available_steps(request.user, release)},
        "may_act": access.can_act(request.user),
        "may_see_minute": may_see_minute,
    }


def _get_release(request, pk):
    return get_object_or_404(
        access.visible_releases(request.user).select_related(
            "minute__committee", "minute__paper", "agency", "minister", "withheld_ground"
        ),
        pk=pk,
    )


@require_GET
def release_detail(request, pk):
    release = _get_release(request, pk)
    return render(request, "decisions/release_detail.html", _context(request, release))


def _refused(request, release, message):
    messages.error(request, f"{message} Nothing was changed.")
    return render(request, "decisions/release_detail.html", _context(request, release), status=409)


def _stale(request, release):
    messages.error(request, "This release changed after you opened the page: nothing was saved. Check the latest details and try again.")
    return redirect(release)


@require_http_methods(["GET", "POST"])
def release_step(request, pk, name):
    """A step's page: its form, need-to-know first, the table's checks, one transaction on the locked row."""
    if name not in releases.STEPS:
        raise Http404("No such step.")
    release = _get_release(request, pk)
    if not releases.may_take(request.user, release, name):
        raise PermissionDenied("You can read this release but not change it.")
    refusal = releases.refusal(release, name)
    if refusal:
        return _refused(request, release, refusal)
    form_class = STEP_FORMS[name]
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic(durable=True):
                    locked = access.get_release_for_user(request.user, pk, for_update=True)
                    outcome = releases.take(locked, name, user=request.user, version=form.cleaned_data["version"], **form.step_data())
            except StaleChange:
                return _stale(request, release)
            except TransitionRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, outcome)
                return redirect(release)
    else:
        form = form_class(initial={"version": release.version})
    return render(request, "decisions/release_step.html", _context(request, release) | {
        "form": form, "step": releases.STEPS[name], "name": name,
    })


def _get_release_to_prepare(request, pk):
    """The release if the user may act on it and see its minute (the original words are the minute's), else 404/403."""
    release = _get_release(request, pk)
    if not access.may_see(request.user, release.minute):
        raise Http404("No such release.")
    if not access.can_act(request.user):
        raise PermissionDenied("You can read this release but not prepare it.")
    return release


@require_GET
def release_prepare(request, pk):
    """The minute's paragraphs as recorded (the original words) with their withheld spans, and the forms to mark them."""
    release = _get_release_to_prepare(request, pk)
    return render(request, "decisions/release_prepare.html", _prepare_context(request, release))


def _prepare_context(request, release, **forms):
    decisions = list(release.minute.decisions.prefetch_related("redactions__ground"))
    for decision in decisions:
        decision.spans = [
            {"redaction": r, "words": decision.text[r.start:r.end] if r.start is not None else f"{r.label} {r.marker}".strip()}
            for r in decision.redactions.all()
        ]
    try:
        preview = release_pack.build_pack(release)
        problem = ""
    except release_pack.PackRefused as refused:
        preview, problem = None, str(refused)
    return _context(request, release) | {
        "decisions": decisions, "preview": preview, "problem": problem, "version": release.version,
        "words_form": forms.get("words_form") or WithholdWordsForm(initial={"version": release.version}),
        "text_form": forms.get("text_form") or OriginalTextForm(initial={"version": release.version}),
        "form_decision": forms.get("form_decision"),
    }


def _prepare_change(request, pk, change):
    """Run `change(locked_release)` in one transaction; the prepare page again with the outcome."""
    try:
        with transaction.atomic(durable=True):
            locked = access.get_release_for_user(request.user, pk, for_update=True)
            outcome = change(locked)
    except StaleChange:
        messages.error(request, "This release changed after you opened the page: nothing was saved. Check the latest and try again.")
    except TransitionRefused as refused:
        messages.error(request, f"{refused} Nothing was changed.")
    else:
        messages.success(request, outcome)
    return redirect("decisions:release_prepare", pk=pk)


def _decision(release, decision_pk):
    decision = releases.decision_of(release, decision_pk)
    if decision is None:
        raise Http404("No such paragraph.")
    return decision


@require_POST
def release_withhold_words(request, pk, decision_pk):
    release = _get_release_to_prepare(request, pk)
    decision = _decision(release, decision_pk)
    form = WithholdWordsForm(request.POST, auto_id=f"%s-{decision.pk}")  # the ids of its paragraph's form
    if not form.is_valid():
        context = _prepare_context(request, release, words_form=form, form_decision=decision.pk)
        return render(request, "decisions/release_prepare.html", context, status=400)
    data = form.cleaned_data
    return _prepare_change(request, pk, lambda locked: releases.withhold_words(
        locked, _decision(locked, decision_pk), user=request.user, version=data["version"], ground=data["ground"],
        words=data["words"], whole=data["whole"],
    ))


@require_POST
def release_original_text(request, pk, decision_pk):
    release = _get_release_to_prepare(request, pk)
    decision = _decision(release, decision_pk)
    form = OriginalTextForm(request.POST, auto_id=f"%s-{decision.pk}")
    if not form.is_valid():
        context = _prepare_context(request, release, text_form=form, form_decision=decision.pk)
        return render(request, "decisions/release_prepare.html", context, status=400)
    data = form.cleaned_data
    return _prepare_change(request, pk, lambda locked: releases.record_original_text(
        locked, _decision(locked, decision_pk), user=request.user, version=data["version"], text=data["text"],
    ))


@require_POST
def release_unwithhold(request, pk, redaction_pk):
    release = _get_release_to_prepare(request, pk)
    redaction = get_object_or_404(Redaction.objects.select_related("decision"), pk=redaction_pk, decision__minute=release.minute)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    return _prepare_change(request, pk, lambda locked: releases.release_words(locked, redaction, user=request.user, version=version))


def _get_pack(request, pk):
    """The pack of a release the user may act on (officials of its agency and clerks), or a message why not."""
    release = _get_release(request, pk)
    if not access.can_act(request.user):
        raise PermissionDenied("Release packs are made by the agency's officials and the Cabinet Office.")
    try:
        return release, release_pack.build_pack(release)
    except release_pack.PackRefused as refused:
        messages.error(request, str(refused))
        return release, None


def _download(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def release_pack_view(request, pk, fmt):
    release, pack = _get_pack(request, pk)
    if pack is None:
        return redirect(release)
    name = release_pack.pack_name(release)
    if fmt == "html":
        return _download(release_pack.render_html(pack), "text/html; charset=utf-8", f"{name}.html")
    if fmt == "pdf":
        return _download(release_pack.render_pdf(release_pack.render_html(pack)), "application/pdf", f"{name}.pdf")
    if fmt == "zip":
        return _download(release_pack.render_zip(pack), "application/zip", f"{name}.zip")
    raise Http404("No such format.")

