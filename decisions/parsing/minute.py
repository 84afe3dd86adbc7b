"""parse_minute: the text of a released Cabinet minute read into a ParsedMinute, with warnings for what is uncertain."""

from cabinet.references import InvalidReference, parse_reference

from .committees import body_code, name_of
from .follow_ups import find_follow_ups
from .header import describe_body, find_layout, has_another_minute, masthead_words
from .items import parse_items, unnumbered_item
from .masthead import (
    find_classification, split_title_and_portfolios, title_from_cover, without_page_headers,
)
from .reference import (
    MASTHEAD, NAMED_AS_MINUTE, choose_reference, cover_candidates, header_candidates, minute_references,
)
from .release import parse_release
from .report import confirmation_items, find_confirmations
from .results import DECISION, ORAL, REPORT, NotAMinute, ParsedMinute
from .text import prepare, remove_page_furniture, repair_watermark, squash, watermark_words

_NOT_A_MINUTE = (
    "This text is not a Cabinet minute: it has no numbered decision items and none of the marks of a minute "
    "(“Minute of Decision”, a lead-in such as “On 2 February 2026, Cabinet:”, a minute reference or a signature)."
)
_TITLE_SEARCH_CHARACTERS = 600


def parse_minute(text, *, reference_hint=None):
    """Read a minute; raise NotAMinute only when the text is not a minute at all."""
    text = prepare(text)
    watermark = watermark_words(text)
    text, page_headers = remove_page_furniture(repair_watermark(text, watermark))
    layout = find_layout(text, watermark)
    minute = ParsedMinute(signatory=layout.signatory)
    region = without_page_headers(text[layout.region_start:layout.region_end])
    cover = text[:layout.cover_end]
    _read_lead_in(minute, text, layout)
    first_item_start = _read_items(minute, region, layout, watermark)
    named_in_text = _read_reference(minute, text, cover, layout, page_headers, reference_hint)
    _read_body(minute, masthead_words(text, layout))
    header_end = layout.lead_in.start if layout.lead_in else layout.region_start + first_item_start
    _read_title(minute, text[layout.header_start:header_end], cover, layout, watermark)
    minute.classification = find_classification(text, layout.region_start)
    minute.release = parse_release(cover)
    if minute.title is None and minute.release and minute.release.title:
        minute.title = minute.release.title
    _read_kind(minute, region)
    follow_ups, notes = find_follow_ups(minute.decisions, decided_on=minute.date, committee_name=minute.body_name)
    minute.follow_ups = follow_ups
    minute.warnings += notes
    if has_another_minute(text, layout):
        minute.warnings.append("The text holds more than one minute; only the first was read.")
    if not (named_in_text or layout.minute_of_decision or layout.lead_in or layout.is_signed
            or any(decision.verb for decision in minute.decisions)):
        raise NotAMinute(_NOT_A_MINUTE)
    return minute


def _read_lead_in(minute, text, layout):
    lead_in = layout.lead_in
    if lead_in is None:
        minute.warnings.append("No lead-in (“On <date>, Cabinet:”) was found: the decision date is unknown.")
        return
    minute.lead_in = squash(text[lead_in.start:lead_in.end]) + (" …" if lead_in.verb else "")
    minute.date = lead_in.date
    if minute.date is None:
        minute.warnings.append(f"The date in the lead-in “{minute.lead_in}” is not a real date.")
    body = describe_body(lead_in.who)
    minute.body, minute.body_name = body.code, body.name
    minute.report_of, minute.power_to_act = body.report_of, body.power_to_act
    if lead_in.referrer:
        minute.referred_from = body_code(lead_in.referrer)
    if body.code is None:
        minute.warnings.append(f"The body in the lead-in “{minute.lead_in}” is not a known committee.")


def _read_items(minute, region, layout, watermark):
    decisions, notes, first_start = parse_items(region, watermark)
    if not decisions and layout.lead_in and layout.lead_in.verb:
        decisions = [unnumbered_item(region, watermark)]
        minute.kind = ORAL
    minute.decisions = decisions
    minute.warnings += notes
    minute.warnings += [f"Item {decision.number} has no readable text." for decision in decisions if not decision.text]
    return first_start


def _read_reference(minute, text, cover, layout, page_headers, hint):
    """Choose the minute's own reference; True when the text (not the hint) names one."""
    candidates = [(MASTHEAD, reference) for _, reference in minute_references(masthead_words(text, layout))]
    if layout.minute_of_decision and layout.lead_in:
        candidates += header_candidates(text[layout.header_start:layout.lead_in.start])
    candidates += cover_candidates(cover)
    for printed in page_headers:
        candidates += [(NAMED_AS_MINUTE, reference) for _, reference in minute_references(printed)]
    minute.reference, notes = choose_reference(candidates, hint)
    minute.warnings += notes
    return bool(candidates)


def _read_body(minute, masthead):
    printed_body = _reference_body(minute.reference)
    if printed_body and minute.body and printed_body != minute.body:
        minute.warnings.append(
            f"The reference {minute.reference} is of {printed_body}, but the lead-in names {minute.body_name}; "
            f"{printed_body} was used."
        )
        minute.body_name = name_of(printed_body)
    minute.body = printed_body or minute.body or body_code(masthead)
    minute.body_name = minute.body_name or name_of(minute.body)


def _reference_body(reference):
    if reference is None:
        return None
    try:
        return parse_reference(reference).body
    except InvalidReference:
        return None


def _read_title(minute, header, cover, layout, watermark):
    if layout.minute_of_decision:
        minute.title, minute.portfolios = split_title_and_portfolios(header, watermark)
        return
    minute.title = title_from_cover(cover, watermark)
    if minute.title is None:
        title, portfolios = split_title_and_portfolios(_last_block(cover), watermark)
        if portfolios:
            minute.title, minute.portfolios = title, portfolios


def _last_block(cover):
    """The lines just above a lead-in that has no "Minute of Decision" before it."""
    tail = cover[-_TITLE_SEARCH_CHARACTERS:]
    lines = [line for line in tail.split("\n") if line.strip()]
    return "\n".join(lines[-2:])


def _read_kind(minute, region):
    title = minute.title or ""
    if minute.kind == ORAL or "oral item" in title.lower():
        minute.kind = ORAL
    elif minute.report_of or title.lower().startswith("report of"):
        minute.kind = REPORT
        minute.report_of = minute.report_of or body_code(title.partition(":")[0])
        minute.confirmed = find_confirmations(region, minute.reference)
        if minute.confirmed and not minute.decisions:
            minute.decisions = confirmation_items(minute.confirmed)
            minute.warnings.append(
                "The committee minutes this Report of Committee lists are not numbered; they were read as items in order."
            )
    else:
        minute.kind = DECISION
    if not minute.decisions and minute.kind != REPORT:
        minute.warnings.append("No decision items were found.")
