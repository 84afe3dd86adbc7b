"""Turn a parsed minute into records: the minute, its decision items and redactions, follow-ups and release facts."""

import io
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cabinet.history import acting_as
from cabinet.models import (
    Agency, Classification, Committee, DatePrecision, Minister, Minute, OIAGround, Paper, Portfolio,
    PortfolioAssignment, ProactiveRelease, ReleasedDocument,
)
from cabinet.references import InvalidReference, find_references, parse_reference
from decisions import cycle, lifecycle, releases
from decisions.models import DecisionItem, FollowUp, Redaction
from decisions.parsing import NotAMinute, parse_minute

VERBS = {choice.label: choice.value for choice in DecisionItem.Verb if choice.value} | {"agreed to": DecisionItem.Verb.AGREED}


class ImportRefused(ValueError):
    """The minute cannot be saved as it stands; the message says what to correct."""


def text_from_upload(name, content):
    """The text of an uploaded .txt or .pdf file (a PDF's text layer, read with pypdf)."""
    if name.lower().endswith(".pdf"):
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            reader = PdfReader(io.BytesIO(content))
            return "\n".join(page.extract_text() or "" for page in reader.pages)
        except (PdfReadError, ValueError, KeyError, TypeError) as error:
            raise NotAMinute(f"The PDF could not be read ({error}).") from error
    if b"\x00" in content[:4096]:
        raise NotAMinute("The file is binary, not the text of a minute.")
    return content.decode("utf-8", errors="replace")


def split_marking(printed):
    """ "BUDGET : SENSITIVE" -> ("sensitive", "BUDGET"); unknown words -> IN CONFIDENCE with a warning."""
    if not printed:
        return Classification.IN_CONFIDENCE, "", None
    parts = [part.strip() for part in printed.split(":")]
    labels = {choice.label: choice.value for choice in Classification}
    classification = labels.get(parts[-1].upper())
    endorsement = " : ".join(parts[:-1]).upper()
    if classification is None:
        return Classification.IN_CONFIDENCE, printed.upper()[:40], f"Classification “{printed}” not recognised: recorded as IN CONFIDENCE."
    return classification, endorsement, None


@dataclass
class Plan:
    """What an import would do: the parsed minute, the record it would update, and what a clerk should check."""

    parsed: object
    reference: str | None
    committee: Committee | None
    existing: Minute | None
    warnings: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    differences: list = field(default_factory=list)

    @property
    def can_save(self):
        return not self.errors


def plan_import(text, *, reference=None, decision_date=None, title=None):
    """Parse `text` and check it against the register; corrections given by a clerk override the parse."""
    parsed = parse_minute(text)  # NotAMinute propagates: nothing to plan
    if reference:
        parsed.reference = reference
    if decision_date:
        parsed.date = decision_date
    if title:
        parsed.title = title
    plan = Plan(parsed=parsed, reference=None, committee=None, existing=None, warnings=list(parsed.warnings))
    try:
        ref = parse_reference(parsed.reference or "")
        plan.reference = str(ref)
        if not ref.is_minute:
            plan.errors.append(f"{ref} is a paper reference; give the minute's (MIN).")
    except InvalidReference:
        plan.errors.append("No minute reference was found: give it (for example CAB-26-MIN-0018).")
        ref = None
    if parsed.date is None:
        plan.errors.append("No decision date was found in the lead-in: give it.")
    if not parsed.decisions:
        plan.errors.append("No numbered decision items were found.")
    body = ref.body if ref else parsed.body
    if body:
        plan.committee = Committee.objects.for_code(body, on=parsed.date or timezone.localdate())
        if plan.committee is None:
            plan.errors.append(f"No committee {body} existed on {parsed.date or 'that date'}: a clerk adds it first.")
    if plan.reference:
        plan.existing = Minute.objects.filter(reference=plan.reference).first()
        if plan.existing:
            plan.differences = differences(plan.existing, parsed)
    return plan


def differences(minute, parsed):
    """What an update would change, compared with what is recorded, in words a clerk reads."""
    found = []
    if parsed.title and parsed.title != minute.title:
        found.append(f"Title: “{minute.title}” → “{parsed.title}”")
    if parsed.date and parsed.date != minute.decision_date:
        found.append(f"Decision date: {minute.decision_date:%-d %B %Y} → {parsed.date:%-d %B %Y}")
    existing = {item.number: item for item in minute.decisions.prefetch_related("follow_ups")}
    if len(existing) != len(parsed.decisions):
        found.append(
            f"The recorded minute has {_count(len(existing), 'decision item')}; "
            f"this text has {_count(len(parsed.decisions), 'decision item')}."
        )
    recorded = {
        (number, follow_up.kind): follow_up for number, item in existing.items() for follow_up in item.follow_ups.all()
    }
    for decision in parsed.decisions:
        item = existing.pop(decision.number, None)
        if item is None:
            found.append(f"Para {decision.number}: new")
        elif item.text != decision.text or item.verb != VERBS.get(decision.verb or "", item.verb):
            found.append(f"Para {decision.number}: wording changes")
    for number in existing:
        found.append(f"Para {number}: not in this text; kept as recorded")
    found.extend(_follow_up_differences(recorded, parsed))
    return found


def _count(number, noun):
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _follow_up_differences(recorded, parsed):
    """Follow-ups an update would add, and recorded ones this text reads differently (an update keeps those)."""
    found = []
    for follow_up in parsed.follow_ups:
        if follow_up.needs_confirmation:
            continue
        kind = follow_up.kind if follow_up.kind in FollowUp.Kind.values else FollowUp.Kind.OTHER
        label = FollowUp.Kind(kind).label.lower()
        current = recorded.pop((follow_up.decision, kind), None)
        if current is None:
            found.append(f"Para {follow_up.decision}: a new {label} follow-up would be added")
        elif current.due_date != follow_up.due_date:
            said = f"due {follow_up.due_date:%-d %B %Y}" if follow_up.due_date else "no due date"
            kept = f"{current.due_date:%-d %B %Y}" if current.due_date else "no due date"
            found.append(
                f"Para {follow_up.decision}: this text gives the {label} {said}; the recorded follow-up ({kept}, "
                f"{current.get_status_display().lower()}) is kept: change it on its page"
            )
    return found


def _portfolio(name):
    portfolio = Portfolio.objects.filter(name__iexact=name).first()
    return portfolio or Portfolio.objects.create(name=name)


def _minister(name):
    return Minister.objects.filter(name__iexact=name).first() or Minister.objects.create(name=name)


def _agency(words):
    if not words:
        return None
    return Agency.objects.filter(Q(short_name__iexact=words) | Q(name__iexact=words)).first()


def _responsible(text, on):
    """Match "Minister for Resources" to its portfolio and Minister, "Ministry of X" to its agency."""
    if not text:
        return {}
    found = {"responsible_text": text[:300]}
    title = text.removeprefix("the ").split(",")[0].strip()
    portfolio = Portfolio.objects.filter(minister_title__iexact=title).first()
    if portfolio:
        found["responsible_portfolio"] = portfolio
        held = PortfolioAssignment.objects.current(on).filter(portfolio=portfolio).select_related("minister").first()
        if held:
            found["responsible_minister"] = held.minister
    agency = _agency_named_first(text.removeprefix("the "))
    if agency:
        found["responsible_agency"] = agency
    return found


def _agency_named_first(words):
    """The agency whose name or short name `words` begin with, up to a comma: an agency's name may hold commas
    itself ("Ministry of Business, Innovation and Employment, in consultation with ..."), so the longest run of
    comma-separated parts that names one is taken."""
    parts = words.split(",")
    for end in range(len(parts), 0, -1):
        agency = _agency(",".join(parts[:end]).strip())
        if agency:
            return agency
    return None


def _report_to(words, on):
    if not words:
        return None
    if words.lower() == "cabinet":
        return Committee.objects.for_code("CAB", on=on)
    return Committee.objects.current(on).filter(Q(name__iexact=words) | Q(code__iexact=words)).first()


def _describe(decision_text):
    """What is owed, from the decision's words after "to": "return to Cabinet with further advice ..."."""
    text = decision_text.split(" to ", 1)[-1].rstrip(";.")
    return text[:1].upper() + text[1:297] + ("…" if len(text) > 297 else "")


@transaction.atomic
def save_import(plan, *, user, update=False):
    """Save what `plan` proposes in one transaction, history recorded as `user`. Returns the minute."""
    if not plan.can_save:
        raise ImportRefused(" ".join(plan.errors))
    if plan.existing and not update:
        raise ImportRefused(f"{plan.reference} is already recorded: import it as an update to change it.")
    parsed = plan.parsed
    with acting_as(user):
        classification, endorsement, warning = split_marking(parsed.classification)
        if warning:
            plan.warnings.append(warning)
        fields = {
            "committee": plan.committee, "decision_date": parsed.date, "title": (parsed.title or plan.reference)[:400],
            "classification": classification, "endorsement": endorsement, "signatory": (parsed.signatory or "")[:120],
            "kind": parsed.kind if parsed.kind in Minute.Kind.values else Minute.Kind.DECISION,
            "has_power_to_act": parsed.power_to_act,
        }
        minute = plan.existing
        if minute is None:
            minute = Minute(reference=plan.reference, **fields)
            minute.full_clean(exclude=["paper", "confirmed_by"])
            minute.save()
        else:
            for name, value in fields.items():
                setattr(minute, name, value)
            minute.full_clean(exclude=["paper", "confirmed_by"])
            minute.save()
        portfolios = [_portfolio(name) for name in parsed.portfolios]
        if portfolios:
            minute.portfolios.set(portfolios)
        if parsed.release and minute.paper is None and minute.kind != Minute.Kind.ORAL:
            minute.paper = _paper(minute, parsed, portfolios)
            minute.save(update_fields=["paper"])
        items = _save_decisions(minute, parsed.decisions)
        _save_follow_ups(minute, items, parsed)
        if parsed.release:
            _save_release(minute, parsed.release)
        if minute.kind == Minute.Kind.REPORT:
            plan.warnings.extend(_confirm_committee_minutes(minute, parsed.confirmed, user=user))
        plan.warnings.extend(cycle.after_minute_recorded(minute, items.values()))  # its meeting; discharge proposals
    return minute


CONFIRMING_OUTCOMES = {"confirmed", "amended"}


def _confirm_committee_minutes(report, rows, *, user):
    """A Report of Committee makes the committee decisions it confirms final: record it on each recorded minute.

    Where Cabinet amended a minute instead, the follow-ups still owed on it are superseded by the report's amended
    decision (the step "close", taken as `user`): what is owed now is what Cabinet decided, not the committee.
    """
    notes = []
    for row in rows:
        try:
            reference = str(parse_reference(row.reference))
        except InvalidReference:
            continue
        committee_minute = Minute.objects.filter(reference=reference).select_related("committee").first()
        if committee_minute is None:
            notes.append(f"{reference} is not recorded yet: its confirmation by {report} is not linked.")
        elif row.outcome in CONFIRMING_OUTCOMES and not committee_minute.has_power_to_act:
            committee_minute.confirmed_by = report
            committee_minute.save(update_fields=["confirmed_by"])
            release = ProactiveRelease.objects.filter(minute=committee_minute, final_decision_date__isnull=True).first()
            if release:
                release.save()  # the publication due date now runs from the confirmation
            if row.outcome == "amended":
                notes.extend(_supersede_amended(report, committee_minute, user=user))
    return notes


def _supersede_amended(report, committee_minute, *, user):
    """The owed follow-ups of a committee minute Cabinet amended, superseded by the report's amending decision."""
    amending = next(
        (item for item in report.decisions.all()
         if committee_minute.reference in {str(reference) for reference in find_references(item.text)}),
        None,
    )
    where = f"{report} para {amending.number}" if amending else str(report)
    owed = FollowUp.objects.select_for_update().filter(minute=committee_minute, status__in=lifecycle.OWED)
    superseded = 0
    for follow_up in owed:
        try:
            follow_up.take(
                "close", user=user, status=FollowUp.Status.SUPERSEDED, decision=amending,
                reason=f"Cabinet amended {committee_minute} ({where}): superseded by the amended decision.",
            )
        except lifecycle.TransitionRefused as refused:
            return [f"{committee_minute} was amended by Cabinet, but its follow-ups stay open: {refused}"]
        superseded += 1
    if superseded:
        return [f"Cabinet amended {committee_minute}: {superseded} follow-up(s) superseded by {where}."]
    return []


def _paper(minute, parsed, portfolios):
    reference = str(parse_reference(minute.reference).counterpart() or "")
    if not reference:
        return None
    paper = Paper.objects.filter(reference=reference).first()
    if paper:
        return paper
    release = parsed.release
    paper_document = next((d for d in release.documents if d.title and "minute" not in d.title.lower()), None)
    paper_date = paper_document.date if paper_document else None
    precision = paper_document.date_precision if paper_date else DatePrecision.NONE
    if precision == DatePrecision.MONTH:
        paper_date = paper_date.replace(day=1)  # papers keep a month as its first day ("February 2026")
    paper = Paper.objects.create(
        reference=reference, title=(release.title or minute.title)[:400], lead_agency=_agency(release.released_by),
        classification=minute.classification, endorsement=minute.endorsement, paper_date=paper_date,
        date_precision=precision,
    )
    paper.portfolios.set(portfolios)
    if release.minister:
        paper.ministers.set([_minister(release.minister)])
    return paper


def _save_decisions(minute, decisions):
    existing = {item.number: item for item in minute.decisions.all()}
    grounds = {ground.code: ground for ground in OIAGround.objects.all()}
    items = {}
    for decision in decisions:
        verb = VERBS.get(decision.verb or "", DecisionItem.Verb.OTHER if decision.verb else "")
        item = existing.get(decision.number)
        if item is None:
            item = DecisionItem(minute=minute, number=decision.number)
        item.verb, item.text, item.is_redacted = verb, decision.text, decision.is_redacted
        item.full_clean(exclude=["minute"], validate_unique=False)
        item.save()
        if not item.redactions.exists():
            for redaction in decision.redactions:
                Redaction.objects.create(
                    decision=item, ground=grounds.get(redaction.ground), label=(redaction.label or "")[:120],
                    marker=(redaction.marker or "")[:120],
                )
        items[decision.number] = item
    return items


def _save_follow_ups(minute, items, parsed):
    for follow_up in parsed.follow_ups:
        item = items.get(follow_up.decision)
        if item is None or follow_up.needs_confirmation or item.follow_ups.filter(kind=follow_up.kind).exists():
            continue
        kind = follow_up.kind if follow_up.kind in FollowUp.Kind.values else FollowUp.Kind.OTHER
        FollowUp.objects.create(
            decision=item, kind=kind, description=_describe(item.text),
            report_to=_report_to(follow_up.report_to, minute.decision_date),
            due_date=follow_up.due_date, due_text=(follow_up.due_text or "")[:200],
            due_precision=follow_up.due_precision if follow_up.due_date else DatePrecision.NONE,
            **_responsible(follow_up.responsible, minute.decision_date),
        )


def _save_release(minute, facts):
    release, _ = ProactiveRelease.objects.get_or_create(minute=minute)
    release.minister = _minister(facts.minister) if facts.minister else release.minister
    release.agency = _agency(facts.released_by) or release.agency
    release.is_redacted = facts.redacted
    release.save()
    releases.record_import(release, published_date=facts.publish_date)
    if facts.grounds:
        release.grounds.set(OIAGround.objects.filter(code__in=facts.grounds))
    if facts.portfolios:
        release.portfolios.set([_portfolio(name) for name in facts.portfolios])
    if not release.documents.exists():
        for document in facts.documents:
            ReleasedDocument.objects.create(
                release=release, document_date=document.date,
                date_precision=document.date_precision if document.date else DatePrecision.NONE,
                title=(document.title or "Untitled")[:400], author=(document.author or "")[:300],
            )
