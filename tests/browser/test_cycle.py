"""The Cabinet cycle in a browser, on the demo: meetings, the outstanding report-backs paper (axe), its PDF,
and the clerks' discharge proposals."""

import io
import re

from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from cabinet.models import Meeting
from decisions.models import DischargeProposal, FollowUp


def test_the_outstanding_paper_of_a_demo_meeting_is_accessible_and_prints_to_a_pdf_with_its_references(
    page, axe, log_in, demo, live_server,
):
    log_in(page.context, get_user_model().objects.get(username="clerk"))
    # The next ECO meeting: the demo has report-backs to ECO overdue and due.
    meeting = Meeting.objects.filter(committee__code="ECO", meeting_date__gte=timezone.localdate()).earliest("meeting_date")
    page.goto("/meetings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meetings")
    axe(page)
    page.goto(meeting.get_absolute_url())
    axe(page)
    page.get_by_role("link", name="Report-backs outstanding to this committee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report-backs outstanding to this committee")
    axe(page)
    overdue = FollowUp.objects.filter(
        report_to=meeting.committee, status__in=FollowUp.ACTIVE_STATUSES, due_date__lt=meeting.meeting_date,
    ).select_related("decision__minute")
    references = [f"{f.decision.minute.reference} para {f.decision.number}" for f in overdue]
    assert references  # the demo has overdue report-backs to ECO
    section = page.locator("main")
    for reference in references:
        expect(section).to_contain_text(reference)
    pdf = page.context.request.get(f"{live_server.url}/meetings/{meeting.pk}/outstanding.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages).split())
    for reference in references:
        assert reference in text


def test_a_clerk_accepts_the_demo_discharge_proposal(page, axe, log_in, demo):
    log_in(page.context, get_user_model().objects.get(username="clerk"))
    proposal = DischargeProposal.objects.get()
    page.goto("/")
    expect(page.locator("#coming-heading")).to_have_text("Due at the coming meetings")
    axe(page)
    page.get_by_role("link", name=re.compile("discharge proposals to decide")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Discharge proposals")
    axe(page)
    page.get_by_role("button", name=f"Accept: record it as discharged by {proposal.citing_minute}").click()
    expect(page.get_by_text(f"Recorded as discharged by {proposal.citing_minute}.")).to_be_visible()
    axe(page)
    proposal.follow_up.refresh_from_db()
    assert proposal.follow_up.status == FollowUp.Status.DISCHARGED
