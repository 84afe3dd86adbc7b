"""The Cabinet cycle's pages and records: the outstanding report-backs paper, due-at-meeting views, discharge
proposals, committee minutes awaiting confirmation and machinery-of-government changes."""

import datetime
import io
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cabinet.models import Meeting, Minute, Paper, Profile
from decisions.importing import plan_import, save_import
from decisions.models import DischargeProposal, DueDateChange, FollowUp, MachineryChange
from tests.factories import (
    AgencyFactory, DecisionItemFactory, FollowUpFactory, MinuteFactory, PortfolioFactory, committee, make_user,
)

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"
# A 2026 calendar: 1 November 2026 is a Sunday, so the Wednesdays are 4, 11, 18 and 25 November, then 2 December;
# no public holiday falls in November.
WEDNESDAYS = [datetime.date(2026, 10, 28) + datetime.timedelta(weeks=n) for n in range(6)]
MEETING_DAY = datetime.date(2026, 11, 11)


def nz(*args):
    return datetime.datetime(*args, tzinfo=zoneinfo.ZoneInfo("Pacific/Auckland"))


@pytest.fixture
def sou():
    body = committee("SOU")
    for day in WEDNESDAYS:
        Meeting.objects.create(committee=body, meeting_date=day)
    return body


def owed(body, number, portfolio, due_date, **fields):
    minute = MinuteFactory(reference=f"SOU-26-MIN-{number:04d}", committee=body, decision_date=datetime.date(2026, 6, 3))
    decision = DecisionItemFactory(minute=minute, number="1")
    return FollowUpFactory(
        decision=decision, report_to=body, responsible_portfolio=portfolio, due_date=due_date,
        due_text=f"by {due_date.day} {due_date:%B %Y}", **fields,
    )


@pytest.fixture
def paper_data(sou):
    resources, health = PortfolioFactory(name="Resources"), PortfolioFactory(name="Health")
    due_here = owed(sou, 101, resources, datetime.date(2026, 11, 17), description="Report on seabed mining consents")
    overdue = owed(sou, 102, health, datetime.date(2026, 11, 2), description="Report on hospital rosters")
    extended = owed(sou, 103, health, datetime.date(2026, 11, 30), description="Report on the workforce plan")
    clerk = make_user(Profile.Role.CLERK, username="sou-clerk")
    DueDateChange.objects.create(
        follow_up=extended, from_date=datetime.date(2026, 11, 10), to_date=datetime.date(2026, 11, 30), reason="Consultation",
        requested_by=clerk, tier=DueDateChange.Tier.NOTIFICATION, status=DueDateChange.Status.APPROVED,
        decided_by=clerk, decided_at=nz(2026, 11, 6, 9),
    )
    closed = owed(sou, 104, health, datetime.date(2026, 10, 30), description="Closed already")
    FollowUp.objects.filter(pk=closed.pk).update(status=FollowUp.Status.CANCELLED, closed_reason="Overtaken", closed_at=timezone.now())
    owed(committee("ECO"), 105, health, datetime.date(2026, 11, 2), description="Reported to another committee")
    return {"due": due_here, "overdue": overdue, "extended": extended}


def test_the_outstanding_paper_lists_due_overdue_and_extended_by_portfolio(client, clerk, paper_data):
    meeting = Meeting.objects.get(meeting_date=MEETING_DAY)
    client.force_login(clerk)
    page = client.get(reverse("decisions:meeting_outstanding", args=[meeting.pk])).content.decode()
    due, overdue, extended = page.split('id="section-due"')[1].split('id="section-overdue"')[0], \
        page.split('id="section-overdue"')[1].split('id="section-extended"')[0], page.split('id="section-extended"')[1]
    assert "SOU-26-MIN-0101 para 1" in due and "Resources" in due and "SOU-26-MIN-0102" not in due
    # Due Monday 2 November, counted to Wednesday 11 November: 3, 4, 5, 6, 9, 10 and 11 November.
    assert "SOU-26-MIN-0102 para 1" in overdue and "<td class=\"govuk-table__cell\">7</td>" in overdue
    assert "SOU-26-MIN-0103 para 1" in extended and "from 10 November 2026 to 30 November 2026" in extended
    assert "SOU-26-MIN-0104" not in page and "SOU-26-MIN-0105" not in page
    assert 'data-marking="IN CONFIDENCE"' in page


def test_the_pdf_lists_the_references_with_the_marking_on_every_page_and_is_the_same_twice(client, clerk, paper_data):
    meeting = Meeting.objects.get(meeting_date=MEETING_DAY)
    client.force_login(clerk)
    url = reverse("decisions:meeting_outstanding_pdf", args=[meeting.pk])
    first = client.get(url)
    assert first["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(first.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for reference in ("SOU-26-MIN-0101 para 1", "SOU-26-MIN-0102 para 1", "SOU-26-MIN-0103 para 1"):
        assert reference in text
    assert "SOU-26-MIN-0104" not in text
    assert all(page.extract_text().count("IN CONFIDENCE") == 2 for page in reader.pages)
    with time_machine.travel(nz(2027, 1, 20, 15), tick=False):  # another day, a new session: the same document
        client.force_login(clerk)
        assert client.get(url).content == first.content


def test_the_marking_is_the_highest_of_the_minutes_listed(client, clerk, paper_data):
    Minute.objects.filter(reference="SOU-26-MIN-0102").update(classification="sensitive", endorsement="BUDGET")
    client.force_login(clerk)
    meeting = Meeting.objects.get(meeting_date=MEETING_DAY)
    reader = PdfReader(io.BytesIO(client.get(reverse("decisions:meeting_outstanding_pdf", args=[meeting.pk])).content))
    assert "BUDGET : SENSITIVE" in reader.pages[0].extract_text()


def test_only_clerks_open_the_paper_but_everyone_signed_in_sees_meetings(client, official, reader, sou):
    meeting = Meeting.objects.get(meeting_date=MEETING_DAY)
    for user in (official, reader):
        client.force_login(user)
        assert client.get(reverse("decisions:meeting_outstanding", args=[meeting.pk])).status_code == 404
        assert client.get(reverse("decisions:meeting_outstanding_pdf", args=[meeting.pk])).status_code == 404
        assert client.get(reverse("decisions:meeting_detail", args=[meeting.pk])).status_code == 200
        listing = client.get(reverse("decisions:meeting_list"), {"start": "2026-11-02", "committee": "SOU"})
        assert "Wednesday 11 November 2026" in listing.content.decode()
    client.logout()
    assert client.get(reverse("decisions:meeting_list")).status_code == 302


def test_an_official_sees_only_their_own_report_backs_at_a_meeting(client, paper_data):
    health_official = make_user(portfolios=[paper_data["overdue"].responsible_portfolio])
    client.force_login(health_official)
    meeting = Meeting.objects.get(meeting_date=datetime.date(2026, 11, 25))
    page = client.get(reverse("decisions:meeting_detail", args=[meeting.pk])).content.decode()
    assert "SOU-26-MIN-0103 para 1" in page  # Health's, due 30 November: at the meeting of 25 November
    meeting = Meeting.objects.get(meeting_date=MEETING_DAY)
    assert "SOU-26-MIN-0101" not in client.get(reverse("decisions:meeting_detail", args=[meeting.pk])).content.decode()


def test_the_follow_up_shows_its_meeting_and_deadline_and_the_dashboard_groups_by_meeting(client, paper_data):
    follow_up = paper_data["due"]
    official = make_user(portfolios=[follow_up.responsible_portfolio])
    client.force_login(official)
    detail = client.get(follow_up.get_absolute_url()).content.decode()
    assert "SOU meeting, Wednesday 11 November 2026" in detail
    assert "10:00 Thursday 5 November 2026" in detail
    with time_machine.travel(nz(2026, 11, 2, 9), tick=False):
        dashboard = client.get(reverse("decisions:dashboard")).content.decode()
    coming = dashboard.split('id="coming-heading"')[1]
    assert "SOU, Wednesday 11 November: lodge by 10:00 Thursday 5 November (1)" in coming
    assert "SOU-26-MIN-0101 para 1" in coming
    with time_machine.travel(nz(2026, 11, 9, 9), tick=False):
        client.force_login(official)
        coming = client.get(reverse("decisions:dashboard")).content.decode().split('id="coming-heading"')[1]
    assert "SOU, Wednesday 11 November: lodgement closed at 10:00 Thursday 5 November (1)" in coming



def _dashboard_user(role, portfolio):
    """A clerk, or an official of the portfolio."""
    return make_user(Profile.Role.CLERK if role == "clerk" else Profile.Role.OFFICIAL, portfolios=[portfolio])


@pytest.mark.parametrize("role", ["clerk", "official"])
def test_the_dashboard_s_queries_do_not_grow_with_the_coming_meetings_and_what_is_due_at_them(
    client, sou, role, django_assert_max_num_queries,
):
    """One read for every row the dashboard shows, the groups' and the coming meetings' together."""
    portfolio = PortfolioFactory(name="Social Development")

    def add(meetings, start):
        for n in range(start, start + meetings):
            day = WEDNESDAYS[1 + n % 4]  # 4 to 25 November: the coming weeks on 2 November
            body = committee(["SOU", "ECO", "EXP", "FPS", "LEG", "APH", "CBC", "CAB"][n])
            if not Meeting.objects.filter(committee=body, meeting_date=day).exists():
                Meeting.objects.create(committee=body, meeting_date=day)
            for k in range(3):
                owed(body, 200 + 10 * n + k, portfolio, day, description=f"Report-back {n}.{k}")

    client.force_login(_dashboard_user(role, portfolio))
    with time_machine.travel(nz(2026, 11, 2, 9), tick=False):
        add(4, 0)  # due soon and due later, at meetings of four committees
        with django_assert_max_num_queries(25) as small:
            page = client.get(reverse("decisions:dashboard")).content.decode()
        assert "Report-back 3.2" in page.split('id="coming-heading"')[1]
        add(4, 4)
        with django_assert_max_num_queries(len(small.captured_queries)) as large:
            page = client.get(reverse("decisions:dashboard")).content.decode()
        assert len(large.captured_queries) == len(small.captured_queries)
        assert "Report-back 7.2" in page.split('id="coming-heading"')[1]


@pytest.mark.parametrize("role, shown", [("clerk", 5), ("official", 10)])
def test_the_dashboard_lists_the_first_report_backs_due_at_each_coming_meeting_and_links_the_rest(
    client, sou, role, shown,
):
    portfolio = PortfolioFactory(name="Social Development")
    for n in range(12):
        owed(sou, 300 + n, portfolio, MEETING_DAY, description=f"Report-back number {n:02d}")
    client.force_login(_dashboard_user(role, portfolio))
    with time_machine.travel(nz(2026, 11, 2, 9), tick=False):
        coming = client.get(reverse("decisions:dashboard")).content.decode().split('id="coming-heading"')[1]
    coming = coming.split("</section>")[0]
    assert [f"Report-back number {n:02d}" in coming for n in range(12)] == [n < shown for n in range(12)]
    meeting = Meeting.objects.get(committee=sou, meeting_date=MEETING_DAY)
    assert f'<a class="govuk-link" href="{meeting.get_absolute_url()}">See all 12' in coming


CITING = """IN CONFIDENCE

CAB-26-MIN-0140

Cabinet

Minute of Decision

Offshore minerals: further advice

Portfolio Resources

On 13 July 2026, Cabinet:

1 noted that in February 2026 Cabinet invited the Minister for Resources to return to Cabinet with further advice on the
matters in the paper [CAB-26-MIN-0018 refers];

2 agreed to the approach set out in the paper.

Rachel Hayward
Secretary of the Cabinet
"""


@pytest.fixture
def min_0018(clerk):
    PortfolioFactory(name="Resources", minister_title="Minister for Resources")
    PortfolioFactory(name="Foreign Affairs", minister_title="Minister of Foreign Affairs")
    AgencyFactory(name="Ministry of Business, Innovation and Employment", short_name="MBIE")
    minute = save_import(plan_import((SAMPLES / "CAB-26-MIN-0018.txt").read_text()), user=clerk)
    return minute


def test_a_citing_minute_proposes_discharge_and_a_clerk_accepts_it(client, clerk, min_0018):
    owed = min_0018.follow_ups.get()
    plan = plan_import(CITING)
    citing = save_import(plan, user=clerk)
    proposal = DischargeProposal.objects.get()
    assert (proposal.follow_up, proposal.citing_minute, proposal.status) == (owed, citing, "pending")
    assert "[CAB-26-MIN-0018 refers]" in proposal.evidence
    assert any("proposed for discharge" in warning for warning in plan.warnings)
    owed.refresh_from_db()
    assert owed.status == FollowUp.Status.OPEN  # never closed by itself
    assert Meeting.objects.get(committee=citing.committee, meeting_date=datetime.date(2026, 7, 13)).status == "held"

    client.force_login(clerk)
    assert "Discharge proposals to decide" in client.get(reverse("decisions:dashboard")).content.decode()
    queue = client.get(reverse("decisions:discharge_proposal_list")).content.decode()
    assert "CAB-26-MIN-0018 para 4, by CAB-26-MIN-0140" in queue
    client.post(reverse("decisions:discharge_proposal_decide", args=[proposal.pk]), {"decision": "accept"})
    owed.refresh_from_db()
    proposal.refresh_from_db()
    assert (owed.status, owed.discharged_by_minute, proposal.status) == ("discharged", citing, "accepted")
    assert owed.history.first().history_user == clerk


def test_a_rejected_proposal_needs_a_reason_and_leaves_the_report_back_open(client, clerk, official, min_0018):
    save_import(plan_import(CITING), user=clerk)
    proposal = DischargeProposal.objects.get()
    client.force_login(official)
    assert client.post(reverse("decisions:discharge_proposal_decide", args=[proposal.pk]), {"decision": "accept"}).status_code == 404
    client.force_login(clerk)
    client.post(reverse("decisions:discharge_proposal_decide", args=[proposal.pk]), {"decision": "reject", "reason": ""})
    proposal.refresh_from_db()
    assert proposal.status == "pending"
    client.post(reverse("decisions:discharge_proposal_decide", args=[proposal.pk]),
                {"decision": "reject", "reason": "It reports on a different question."})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_reason) == ("rejected", "It reports on a different question.")
    assert min_0018.follow_ups.get().status == FollowUp.Status.OPEN


def test_a_citation_from_another_portfolio_proposes_nothing(clerk, min_0018):
    save_import(plan_import(CITING.replace("Portfolio Resources", "Portfolio Health")), user=clerk)
    assert not DischargeProposal.objects.exists()


def test_a_committee_minute_without_power_to_act_awaits_cabinet_confirmation(client, clerk):
    minute = MinuteFactory(reference="SOU-26-MIN-0200", committee=committee("SOU"))
    follow_up = FollowUpFactory(decision=DecisionItemFactory(minute=minute))
    client.force_login(clerk)
    assert "Awaiting Cabinet confirmation" in client.get(follow_up.get_absolute_url()).content.decode()
    report = MinuteFactory(reference="CAB-26-MIN-0201", kind=Minute.Kind.REPORT, paper=None)
    minute.confirmed_by = report
    minute.save()
    assert "Awaiting Cabinet confirmation" not in client.get(follow_up.get_absolute_url()).content.decode()


def test_a_portfolio_renamed_moves_owed_follow_ups_with_history_and_tells_officials_of_both(client, clerk):
    old, new = PortfolioFactory(name="Resources"), PortfolioFactory(name="Energy and Resources")
    open_one = FollowUpFactory(responsible_portfolio=old)
    closed = FollowUpFactory(responsible_portfolio=old)
    FollowUp.objects.filter(pk=closed.pk).update(status=FollowUp.Status.CANCELLED, closed_reason="Overtaken", closed_at=timezone.now())
    before = open_one.version
    client.force_login(clerk)
    response = client.post(reverse("admin:decisions_machinerychange_add"), {
        "kind": "portfolio", "from_portfolio": old.pk, "to_portfolio": new.pk, "effective_date": "2026-11-30",
        "description": "Resources is merged into Energy and Resources.",
    })
    assert response.status_code == 302
    open_one.refresh_from_db()
    closed.refresh_from_db()
    assert (open_one.responsible_portfolio, open_one.version) == (new, before + 1)
    assert closed.responsible_portfolio == old
    assert "machinery of government" in open_one.history.first().history_change_reason
    assert MachineryChange.objects.get().moved == 1
    for portfolio in (old, new):
        official = make_user(portfolios=[portfolio])
        with time_machine.travel(nz(2026, 12, 1, 9), tick=False):
            client.force_login(official)
            page = client.get(reverse("decisions:dashboard")).content.decode()
        assert "Resources is merged into Energy and Resources." in page


def test_a_machinery_change_to_the_same_portfolio_is_refused_with_a_message(client, clerk):
    old = PortfolioFactory(name="Resources")
    client.force_login(clerk)
    response = client.post(reverse("admin:decisions_machinerychange_add"), {
        "kind": "portfolio", "from_portfolio": old.pk, "to_portfolio": old.pk, "effective_date": "2026-11-30",
        "description": "Nothing",
    })
    assert response.status_code == 200 and "Choose a different portfolio" in response.content.decode()
    assert not MachineryChange.objects.exists()


def test_clerks_generate_a_term_in_the_admin(client, clerk):
    sou = committee("SOU")
    client.force_login(clerk)
    response = client.post(reverse("admin:cabinet_meeting_generate"), {
        "committees": [sou.pk], "first_day": "2026-11-02", "last_day": "2026-11-27", "recess": "2026-11-16\nnot a date",
    })
    assert "Not a date (YYYY-MM-DD): not a date." in response.content.decode()
    assert not Meeting.objects.exists()
    response = client.post(reverse("admin:cabinet_meeting_generate"), {
        "committees": [sou.pk], "first_day": "2026-11-02", "last_day": "2026-11-27", "recess": "2026-11-16",
    })
    assert response.status_code == 302
    assert not Meeting.objects.exists()  # SOU has no usual weekday yet: the clerk is told to set one
    sou.meeting_weekday = 2
    sou.save()
    client.post(reverse("admin:cabinet_meeting_generate"), {
        "committees": [sou.pk], "first_day": "2026-11-02", "last_day": "2026-11-27", "recess": "2026-11-16",
    })
    assert list(Meeting.objects.values_list("meeting_date", flat=True).order_by("meeting_date")) == [
        datetime.date(2026, 11, 4), datetime.date(2026, 11, 11), datetime.date(2026, 11, 25),
    ]



def test_a_meeting_moved_in_the_admin_gets_the_rule_s_deadline_unless_the_clerk_set_one(client, clerk):
    meeting = Meeting.objects.create(committee=committee("SOU"), meeting_date=datetime.date(2026, 11, 11))
    client.force_login(clerk)
    url = reverse("admin:cabinet_meeting_change", args=[meeting.pk])
    form = client.get(url).context["adminform"].form
    data = {
        "committee": meeting.committee_id, "meeting_date": "2026-11-18", "start_time": "10:00:00",
        "lodgement_deadline_0": "2026-11-05", "lodgement_deadline_1": "10:00:00", "status": "scheduled", "note": "",
        "seen_change": form["seen_change"].value(),
    }
    assert client.post(url, data).status_code == 302
    meeting.refresh_from_db()
    # Wednesday 18 November: the Thursday of the week before is 12 November.
    assert meeting.lodgement_deadline == nz(2026, 11, 12, 10)
    data.update({"lodgement_deadline_0": "2026-11-11", "seen_change": client.get(url).context["adminform"].form["seen_change"].value()})
    assert client.post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.lodgement_deadline == nz(2026, 11, 11, 10)


def test_a_committee_minute_cabinet_amended_has_its_follow_ups_superseded_by_the_amending_decision(clerk):
    sou = committee("SOU")
    confirmed = FollowUpFactory(decision=DecisionItemFactory(minute=MinuteFactory(
        reference="SOU-25-MIN-0061", committee=sou, decision_date=datetime.date(2025, 6, 16))))
    amended_minute = MinuteFactory(reference="SOU-25-MIN-0062", committee=sou, decision_date=datetime.date(2025, 6, 16))
    amended = FollowUpFactory(decision=DecisionItemFactory(minute=amended_minute, number="1"))
    also_amended = FollowUpFactory(decision=DecisionItemFactory(minute=amended_minute, number="2"))
    already_closed = FollowUpFactory(
        decision=DecisionItemFactory(minute=amended_minute, number="3"), status=FollowUp.Status.CANCELLED,
        closed_reason="Withdrawn before Cabinet met.",
    )
    plan = plan_import((SAMPLES / "invented-CAB-25-MIN-0300-report.txt").read_text(encoding="utf-8"))
    report = save_import(plan, user=clerk)

    # The report's rows are its items in order: para 2 is "amended SOU-25-MIN-0062: ...".
    amending = report.decisions.get(number="2")
    for follow_up in (amended, also_amended):
        follow_up.refresh_from_db()
        assert (follow_up.status, follow_up.superseded_by) == (FollowUp.Status.SUPERSEDED, amending)
        assert follow_up.closed_reason == (
            "Cabinet amended SOU-25-MIN-0062 (CAB-25-MIN-0300 para 2): superseded by the amended decision."
        )
        assert follow_up.history.first().history_user == clerk
    already_closed.refresh_from_db()
    assert (already_closed.status, already_closed.superseded_by) == (FollowUp.Status.CANCELLED, None)
    # The confirmed minute's follow-up is now final, and still owed.
    confirmed.refresh_from_db()
    assert confirmed.status == FollowUp.Status.OPEN and confirmed.minute.confirmed_by == report
    assert "Cabinet amended SOU-25-MIN-0062: 2 follow-up(s) superseded by CAB-25-MIN-0300 para 2." in plan.warnings


def test_a_paper_saved_in_the_admin_whose_recommendations_cite_a_minute_proposes_its_discharge(client, clerk, min_0018):
    owed = min_0018.follow_ups.get()
    resources = min_0018.portfolios.get(name="Resources")
    client.force_login(clerk)
    url = reverse("admin:cabinet_paper_add")
    form = client.get(url).context["adminform"].form
    text = (
        "The Minister for Resources recommends that Cabinet:\n\n"
        "1 note that in February 2026 Cabinet invited me to report back on offshore minerals [CAB-26-MIN-0018 refers];\n\n"
        "2 agree to the approach set out in this paper."
    )
    response = client.post(url, {
        "reference": "CAB-26-SUB-0150", "title": "Offshore minerals: further advice", "portfolios": [resources.pk],
        "classification": "in_confidence", "endorsement": "", "paper_date": "2026-07-06", "date_precision": "day",
        "withdrawn_reason": "", "text": text, "seen_change": form["seen_change"].value() or "",
    }, follow=True)
    assert response.redirect_chain, response.context["adminform"].form.errors
    proposal = DischargeProposal.objects.get()
    # Paragraph 1 is the evidence; paragraph 2 cites nothing.
    assert (proposal.follow_up, proposal.citing_paper.reference, proposal.citing_minute, proposal.evidence) == (
        owed, "CAB-26-SUB-0150", None,
        "1 note that in February 2026 Cabinet invited me to report back on offshore minerals [CAB-26-MIN-0018 refers];",
    )
    assert "1 report-back(s) proposed for discharge" in response.content.decode()
    owed.refresh_from_db()
    assert owed.status == FollowUp.Status.OPEN

    # Accepting it discharges the report-back by the paper.
    client.post(reverse("decisions:discharge_proposal_decide", args=[proposal.pk]), {"decision": "accept"})
    owed.refresh_from_db()
    assert (owed.status, owed.discharged_by_paper) == (FollowUp.Status.DISCHARGED, proposal.citing_paper)


def test_a_pack_whose_paper_cites_an_earlier_minute_keeps_its_recommendations_and_proposes_discharge(clerk):
    from decisions.packs import plan_pack, save_pack
    from tests.pdfpacks import sample_text

    finance = PortfolioFactory(name="Finance")
    earlier = MinuteFactory(reference="ECO-24-MIN-0048", committee=committee("ECO"), decision_date=datetime.date(2024, 5, 8))
    earlier.portfolios.set([finance])
    owed_here = FollowUpFactory(decision=DecisionItemFactory(minute=earlier), responsible_portfolio=finance)
    packs = SAMPLES / "packs"
    text = "\n\n".join(sample_text(path) for path in (
        packs / "invented-ECO-25-MIN-0101-coversheet.txt", packs / "invented-ECO-25-SUB-0101-paper.txt",
        SAMPLES / "invented-ECO-25-MIN-0101.txt",
    ))
    pack = plan_pack("pack.txt", text.encode())
    save_pack(pack, user=clerk)

    paper = Paper.objects.get(reference="ECO-25-SUB-0101")
    assert paper.text.startswith("1 note that in 2024 the Cabinet Economic Policy Committee agreed to establish the fund")
    assert "\n\n5.2 a share for each region set by need;\n\n" in paper.text
    proposal = DischargeProposal.objects.get(citing_paper=paper)
    assert (proposal.follow_up, proposal.evidence) == (
        owed_here, "1 note that in 2024 the Cabinet Economic Policy Committee agreed to establish the fund [ECO-24-MIN-0048];",
    )
    assert "ECO-25-SUB-0101 cites earlier minutes of its portfolio: 1 report-back(s) proposed for discharge, " \
        "waiting for a clerk in the to-do." in pack.warnings


def test_officials_of_both_sides_of_a_machinery_change_are_emailed_by_sendreminders(client, clerk, mailoutbox):
    from django.core.management import call_command

    from decisions.models import MachineryNotice

    old, new = PortfolioFactory(name="Resources"), PortfolioFactory(name="Energy and Resources")
    FollowUpFactory(responsible_portfolio=old)
    of_old = make_user(portfolios=[old], username="old-official", email="old@example.govt.nz", first_name="Aroha")
    of_new = make_user(portfolios=[new], username="new-official", email="new@example.govt.nz")
    make_user(portfolios=[old], username="left", email="left@example.govt.nz", is_active=False)
    make_user(portfolios=[PortfolioFactory(name="Health")], username="elsewhere", email="health@example.govt.nz")
    client.force_login(clerk)
    # Queued on the day it takes effect, the evening before the morning's run (a notice waits until it was queued).
    with time_machine.travel(nz(2026, 11, 30, 17), tick=False):
        response = client.post(reverse("admin:decisions_machinerychange_add"), {
            "kind": "portfolio", "from_portfolio": old.pk, "to_portfolio": new.pk, "effective_date": "2026-11-30",
            "description": "Resources is merged into Energy and Resources.",
        })
    assert response.status_code == 302
    change = MachineryChange.objects.get()
    # Queued with the change: one for each active official of either side, nobody else.
    assert sorted(MachineryNotice.objects.values_list("change", "recipient__username", "status")) == [
        (change.pk, "new-official", "pending"), (change.pk, "old-official", "pending"),
    ]
    assert not mailoutbox  # sent by the job, not by the page

    with time_machine.travel(nz(2026, 12, 1, 7), tick=False):
        call_command("sendreminders", stdout=io.StringIO())
    told = [email for email in mailoutbox if email.subject.startswith("Machinery of government")]
    assert sorted(email.to[0] for email in told) == ["new@example.govt.nz", "old@example.govt.nz"]
    email = next(email for email in told if email.to == ["old@example.govt.nz"])
    assert email.subject == "Machinery of government: Resources is now Energy and Resources from 30 November 2026"
    assert "Kia ora Aroha," in email.body
    assert "1 follow-up(s) still owed by Resources now sit with Energy and Resources." in email.body
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"
    assert set(MachineryNotice.objects.values_list("status", flat=True)) == {"sent"}
    assert MachineryNotice.objects.get(recipient=of_old).message_id != MachineryNotice.objects.get(recipient=of_new).message_id
    # A second run sends nothing again.
    with time_machine.travel(nz(2026, 12, 1, 8), tick=False):
        call_command("sendreminders", stdout=io.StringIO())
    assert len([email for email in mailoutbox if email.subject.startswith("Machinery of government")]) == 2
