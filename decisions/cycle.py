"""What closes a report-back, and what moves one: minutes attached to their meeting, discharge proposals from a later
minute's citation, and machinery-of-government changes.

Nothing here sets a follow-up's status: accepting a proposal takes the follow-up's "discharge" step
(decisions/lifecycle.py); a machinery-of-government change moves who owes it, with history, and nothing else.
"""

import datetime
import re

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cabinet.models import Meeting, Minute, Profile
from cabinet.references import find_references
from decisions import access
from decisions.models import DischargeProposal, FollowUp, MachineryChange, MachineryNotice

OWED = (FollowUp.Status.OPEN, FollowUp.Status.EXTENSION_REQUESTED, FollowUp.Status.SUBMITTED)
NOTICE_DAYS = 60  # how long officials see a machinery-of-government change on their dashboard


# Minutes and their meetings


def attach_to_meeting(minute):
    """The meeting a minute was decided at (its committee, its decision date): recorded as held if it is not yet."""
    meeting = Meeting.objects.filter(committee_id=minute.committee_id, meeting_date=minute.decision_date).first()
    if meeting is None:
        meeting = Meeting(
            committee_id=minute.committee_id, meeting_date=minute.decision_date, status=Meeting.Status.HELD,
            note=f"Recorded from {minute.reference}.",
        )
        meeting.full_clean()
        meeting.save()
    elif meeting.status == Meeting.Status.SCHEDULED and meeting.meeting_date <= timezone.localdate():
        meeting.status = Meeting.Status.HELD
        meeting.save(update_fields=["status"])
    return meeting


# Discharge proposals


def _portfolio_ids(record):
    """A minute's or paper's portfolios, and those a minute's follow-ups are owed by."""
    ids = set(record.portfolios.values_list("pk", flat=True))
    if isinstance(record, Minute):
        ids |= set(record.follow_ups.exclude(responsible_portfolio=None).values_list("responsible_portfolio", flat=True))
    return ids


def paragraphs(text):
    """A paper's text as its paragraphs (blank lines between them), each the evidence for what it cites."""
    return [part.strip() for part in re.split(r"\n\s*\n", text or "") if part.strip()]


def propose_discharges(citing, paragraphs):
    """Proposals that `citing` (a minute or a paper) discharges the report-backs still owed on the minutes it cites.

    `paragraphs` are its decision items' (or its recommendations') texts: each cited minute of the same portfolio,
    decided on or before it (a paper without a date: any day), has a proposal made for each of its owed report-backs,
    with the citing paragraph as evidence. Returns the new ones.
    """
    is_minute = isinstance(citing, Minute)
    own = _portfolio_ids(citing)
    on = citing.decision_date if is_minute else citing.paper_date
    source = {"citing_minute": citing} if is_minute else {"citing_paper": citing}
    created, seen = [], set()
    for text in paragraphs:
        for reference in find_references(text):
            if not reference.is_minute or str(reference) in seen or str(reference) == citing.reference:
                continue
            seen.add(str(reference))
            cited = Minute.objects.filter(reference=str(reference))
            if on is not None:
                cited = cited.filter(decision_date__lte=on)
            cited = cited.first()
            if cited is None or not own & _portfolio_ids(cited):
                continue
            owed = cited.follow_ups.filter(kind=FollowUp.Kind.REPORT_BACK, status__in=OWED)
            for follow_up in owed:
                proposal, made = DischargeProposal.objects.get_or_create(
                    follow_up=follow_up, **source, defaults={"evidence": text.strip()},
                )
                if made:
                    created.append(proposal)
    return created


def proposals_note(citing, proposals):
    return (
        f"{citing} cites earlier minutes of its portfolio: {len(proposals)} report-back(s) proposed for discharge, "
        "waiting for a clerk in the to-do."
    )


def after_minute_recorded(minute, items):
    """What the Cabinet cycle does when a minute is imported: its meeting, and discharge proposals. Returns notes."""
    notes = []
    meeting = attach_to_meeting(minute)
    if meeting.status == Meeting.Status.CANCELLED:
        notes.append(f"{meeting} is recorded as cancelled, yet {minute} was decided that day: check the meeting.")
    proposals = propose_discharges(minute, [item.text for item in items if not item.is_redacted])
    if proposals:
        notes.append(proposals_note(minute, proposals))
    return notes


def pending_proposals():
    return DischargeProposal.objects.filter(status=DischargeProposal.Status.PENDING)


def decide_proposal(user, pk, *, accept, reason=""):
    """A clerk accepts (the follow-up is discharged by the citing minute) or rejects a proposal, in one transaction.

    Raises lifecycle.TransitionRefused when the follow-up can no longer be discharged, or the proposal was decided.
    """
    from decisions.lifecycle import TransitionRefused

    with transaction.atomic(durable=True):
        proposal = DischargeProposal.objects.select_for_update().select_related("follow_up").get(pk=pk)
        if proposal.status != DischargeProposal.Status.PENDING:
            raise TransitionRefused(f"This proposal was already {proposal.get_status_display().lower()}.")
        now = timezone.now()
        if accept:
            follow_up = access.get_follow_up_to_act(user, proposal.follow_up_id, clerk_only=True, for_update=True)
            source = proposal.source
            outcome = follow_up.take(
                "discharge", user=user, by=source,
                reason=reason or f"{source} cites {follow_up.minute}: “{proposal.evidence[:240]}”",
            )
            proposal.status = DischargeProposal.Status.ACCEPTED
            # The follow-up's other proposals are moot once it is discharged.
            pending_proposals().filter(follow_up=follow_up).exclude(pk=proposal.pk).update(
                status=DischargeProposal.Status.REJECTED, decided_by=user, decided_at=now,
                decision_reason=f"Discharged by {source} instead.",
            )
        else:
            if not reason.strip():
                raise TransitionRefused("Say why the proposal is rejected.")
            proposal.status = DischargeProposal.Status.REJECTED
            outcome = f"Proposal rejected: {proposal.follow_up.decision} stays as it was."
        proposal.decided_by, proposal.decided_at, proposal.decision_reason = user, now, reason
        proposal.full_clean()
        proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return outcome


# Machinery-of-government changes


def record_machinery_change(change, *, user):
    """Record the change and move every owed follow-up of the old portfolio (or agency) to the new one.

    One transaction; each follow-up moved gets a new version (a form opened before is stale) and a history row
    saying why, and an email to each official of either side is queued. Closed follow-ups keep the names of their
    day. Returns how many moved.
    """
    field = "responsible_portfolio" if change.kind == MachineryChange.Kind.PORTFOLIO else "responsible_agency"
    with transaction.atomic():
        change.recorded_by = user
        change.full_clean()
        change.save()
        reason = f"Moved to {change.destination}: machinery of government, {change.effective_date:%-d %B %Y}."[:100]
        moved = 0
        for follow_up in FollowUp.objects.select_for_update().filter(**{field: change.source}, status__in=OWED):
            setattr(follow_up, field, change.destination)
            follow_up.version += 1
            follow_up._change_reason = reason
            follow_up.save(update_fields=[field, "version"])
            moved += 1
        change.moved = moved
        change.save(update_fields=["moved"])
        MachineryNotice.queue(change)  # officials of both sides are emailed by sendreminders
        # The officials who served the old portfolio or agency serve the new one: it is added to their profiles (the
        # old one stays, for the closed follow-ups that keep its name).
        for profile in _profiles_of(change):
            getattr(profile, f"{change.kind}s").add(change.destination)
    return moved


def _profiles_of(change):
    if change.kind == MachineryChange.Kind.PORTFOLIO:
        return Profile.objects.filter(portfolios=change.from_portfolio).exclude(portfolios=change.to_portfolio)
    return Profile.objects.filter(agencies=change.from_agency).exclude(agencies=change.to_agency)


def machinery_notices(user, *, today=None):
    """The recent machinery-of-government changes that touch an official's portfolios or agencies (either side)."""
    scope = access.scope_of(user)
    if scope.profile is None:
        return []
    since = (today or timezone.localdate()) - datetime.timedelta(days=NOTICE_DAYS)
    portfolios, agencies = sorted(scope.portfolios), sorted(scope.agencies)
    if not (portfolios or agencies):
        return []
    # Their portfolios and agencies on either side, or the portfolio or agency of follow-ups of theirs that moved.
    owned = access.visible_follow_ups(user)
    touches = (
        Q(from_portfolio__in=portfolios) | Q(to_portfolio__in=portfolios)
        | Q(from_agency__in=agencies) | Q(to_agency__in=agencies)
        | Q(to_portfolio__in=owned.values("responsible_portfolio")) | Q(to_agency__in=owned.values("responsible_agency"))
    )
    return list(
        MachineryChange.objects.filter(touches, effective_date__gte=since)
        .select_related("from_portfolio", "to_portfolio", "from_agency", "to_agency")
    )
