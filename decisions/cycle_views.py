"""The Cabinet cycle's pages: meetings (every signed-in user), the outstanding report-backs paper and the discharge
proposals (clerks)."""

import datetime

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cabinet.models import Committee, Meeting
from decisions import access, cycle, lifecycle
from decisions.meetings import due_at, neighbours
from decisions.models import DischargeProposal
from decisions.outstanding import outstanding_paper, outstanding_pdf

LIST_WEEKS = 6


class MeetingFilterForm(forms.Form):
    committee = forms.ModelChoiceField(
        queryset=Committee.objects.none(), required=False, to_field_name="code", empty_label="All committees",
    )
    start = forms.DateField(required=False, label="From", help_text="For example, 2026-11-02")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = Committee.objects.current()


@require_GET
def meeting_list(request):
    """Meetings of Cabinet and its committees, six weeks at a time, with their lodgement deadlines."""
    today = timezone.localdate()
    form = MeetingFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    start = data.get("start") or today - datetime.timedelta(days=today.weekday())
    end = start + datetime.timedelta(weeks=LIST_WEEKS)
    meetings = Meeting.objects.filter(meeting_date__gte=start, meeting_date__lt=end).select_related("committee")
    if data.get("committee"):
        meetings = meetings.filter(committee=data["committee"])
    code = data["committee"].code if data.get("committee") else ""
    return render(request, "decisions/meeting_list.html", {
        "form": form, "meetings": meetings, "start": start, "end": end - datetime.timedelta(days=1), "today": today,
        "earlier": start - datetime.timedelta(weeks=LIST_WEEKS), "later": end, "code": code,
        "is_clerk": access.is_clerk(request.user),
    })


@require_GET
def meeting_detail(request, pk):
    """A meeting: its deadline, the minutes decided at it and the report-backs due at it that the user may see."""
    meeting = get_object_or_404(Meeting.objects.select_related("committee"), pk=pk)
    around = neighbours(meeting)
    visible = access.visible_follow_ups(request.user).select_related(
        "decision__minute__committee", "responsible_portfolio", "responsible_agency", "report_to"
    )
    due = due_at(meeting, visible.filter(status__in=cycle.OWED), around=around)
    minutes = access.visible_minutes(request.user).filter(
        committee_id=meeting.committee_id, decision_date=meeting.meeting_date
    ).select_related("committee")
    return render(request, "decisions/meeting_detail.html", {
        "meeting": meeting, "previous": around[0], "following": around[1], "due": due, "minutes": minutes,
        "today": timezone.localdate(), "is_clerk": access.is_clerk(request.user),
    })


def _paper_for_clerk(request, pk):
    if not access.is_clerk(request.user):
        raise Http404("Only the Cabinet Office prepares agenda papers.")
    meeting = get_object_or_404(Meeting.objects.select_related("committee"), pk=pk)
    return outstanding_paper(meeting)


@require_GET
def meeting_outstanding(request, pk):
    """The paper "Report-backs outstanding to this committee" for the meeting's agenda, to read or print."""
    return render(request, "decisions/meeting_outstanding.html", _paper_for_clerk(request, pk))


@require_GET
def meeting_outstanding_pdf(request, pk):
    context = _paper_for_clerk(request, pk)
    meeting = context["meeting"]
    response = HttpResponse(outstanding_pdf(context), content_type="application/pdf")
    name = f"report-backs-outstanding-{meeting.committee.code}-{meeting.meeting_date:%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, label="Why it does not discharge the report-back",
    )


@require_GET
def discharge_proposal_list(request):
    """The clerks' queue of discharge proposals: each follow-up, the minute citing its own, and the paragraph."""
    if not access.is_clerk(request.user):
        raise Http404
    proposals = cycle.pending_proposals().select_related(
        "follow_up__decision__minute", "follow_up__responsible_portfolio", "citing_minute", "citing_paper",
    )
    return render(request, "decisions/meeting_discharge_proposals.html", {
        "proposals": proposals, "reject_form": RejectForm(), "today": timezone.localdate(),
    })


@require_POST
def discharge_proposal_decide(request, pk):
    if not access.is_clerk(request.user):
        raise Http404
    proposal = get_object_or_404(DischargeProposal, pk=pk)
    accept = request.POST.get("decision") == "accept"
    reason = ""
    if not accept:
        form = RejectForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Say why the proposal is rejected: nothing was changed.")
            return redirect("decisions:discharge_proposal_list")
        reason = form.cleaned_data["reason"]
    try:
        outcome = cycle.decide_proposal(request.user, proposal.pk, accept=accept, reason=reason)
    except lifecycle.TransitionRefused as refused:
        messages.error(request, f"{refused} Nothing was changed.")
    else:
        messages.success(request, outcome)
    return redirect("decisions:discharge_proposal_list")
