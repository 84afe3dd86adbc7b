"""Follow-ups that decision items create: report-backs, directions, drafting instructions and delegated decisions."""

import re

from .dates import find_due
from .items import leading_verb
from .results import (
    DELEGATED_DECISION, DIRECTION, DRAFTING_INSTRUCTIONS, REPORT_BACK, ParsedFollowUp,
)
from .text import squash

_DIRECTIVE_VERBS = ("invited", "directed", "requested", "instructed")
_DELEGATING_VERBS = ("authorised", "delegated")

_WHO_TO_ACT = re.compile(r"^\S+\s+(?P<who>\S.{0,300}?)\s+to\s+(?P<action>\S.*)$", re.DOTALL)
# "directed that officials report back to Cabinet ...": the subject of a "that" clause acts.
_THAT_WHO_ACT = re.compile(
    r"^\S+\s+that\s+(?P<who>(?:the\s+)?(?:[A-Z]|officials\b)[^;:]{0,150}?)\s+(?:should\s+|must\s+|will\s+|(?:is|are)\s+to\s+)?"
    r"(?P<action>(?:report|return|provide|submit|consult|prepare|develop|undertake|work|publish|issue)\b.*)$",
    re.DOTALL,
)
# "make final decisions on ...", and the decisions themselves: "jointly to approve changes to appropriations ...".
_DECISION_MAKING = (
    r"(?:jointly\s+)?(?:(?:make|take)\s+(?:any\s+|all\s+)?"
    r"(?:(?:final|further|detailed|necessary|remaining|consequential)\s+)*decisions?\b"
    r"|(?:approve|agree|determine|finalise|decide)\b)"
)
_AUTHORISED_TO_DECIDE = re.compile(
    rf"^\S+\s+(?P<who>\S.{{0,300}}?)\s+to\s+(?P<action>{_DECISION_MAKING}.*)$", re.DOTALL
)
_AUTHORITY_TO = re.compile(
    rf"\bdelegated\s+(?:its\s+)?(?:authority|power)\s+to\s+(?P<who>\S.{{0,200}}?)\s+to\s+(?P<action>{_DECISION_MAKING}.*)$",
    re.DOTALL,
)
# "delegated to the Minister of Transport authority to approve ...".
_AUTHORITY_GIVEN_TO = re.compile(
    rf"^\S+\s+to\s+(?P<who>\S.{{0,200}}?)\s+(?:the\s+)?(?:authority|power)\s+to\s+(?P<action>{_DECISION_MAKING}.*)$",
    re.DOTALL,
)
_BE_AUTHORISED = re.compile(
    rf"\bthat\s+(?P<who>(?:the\s+)?[A-Z][^;:]{{0,200}}?)\s+(?:be|is|are)\s+(?:jointly\s+)?authori[sz]ed\s+to\s+(?P<action>{_DECISION_MAKING}.*)$",
    re.DOTALL,
)
_COLLABORATORS = re.compile(
    r",?\s*(?:in\s+(?:consultation|conjunction)\s+with|together\s+with|working\s+with|with\s+the\s+support\s+of|subject\s+to)\b.*$",
    re.DOTALL,
)
_LEADING_COLLABORATION = re.compile(
    r"^,?\s*(?:in\s+(?:consultation|conjunction)\s+with|together\s+with|working\s+with)\b[^,]{0,200},\s*"
)
_OFFICIALS_FROM = re.compile(r"^(?:the\s+)?officials?\s+(?:from|of|at|in)\s+", re.IGNORECASE)
_PARENTHESES = re.compile(r"\([^()]{0,120}\)")

_BODY_REPORTED_TO = r"(?:the\s+)?(?:Cabinet|Committee|[A-Z]{3}\b)"
_REPORT_START = re.compile(
    rf"^(?:jointly\s+)?(?:report(?:\s+back|\s+further)?|reportback|come\s+back|submit|return\s+to\s+{_BODY_REPORTED_TO}"
    rf"|bring\b[^;]{{0,80}}?\bto\s+{_BODY_REPORTED_TO})"
)
_PROVIDE_REPORT = re.compile(
    r"^provide\s+(?:a\s+|an\s+)?(?:further\s+|more\s+)?(?:advice|report|update|paper|briefing)|^provide\b[^;]{0,120}?\bto\s+(?:the\s+)?(?:Cabinet|Committee|Minister)"
)
_REPORT_PHRASE = re.compile(
    rf"\b(?:report(?:\s+back|\s+further)?|come\s+back)\s+to\s+(?:the\s+)?[A-Z]|\breturn\s+to\s+{_BODY_REPORTED_TO}|\breport\s+back\b"
)
_DRAFTING = re.compile(r"\bdrafting\s+instructions\b|\bParliamentary\s+Counsel\s+Office\b|\bPCO\b")
_TARGET_AFTER_REPORT = re.compile(
    r"\b(?:report(?:\s+back|\s+further)?|reportback|return|come\s+back|submit\b[^;]{0,80}?|provide\b[^;]{0,80}?|bring\b[^;]{0,80}?)"
    r"\s+to\s+(?:the\s+)?(?P<target>[A-Z][\w’'&-]*(?:\s+(?:[A-Z][\w’'&-]*|of|for|and|on|the)){0,10})"
)
_TARGET_LATER = re.compile(
    r"\s+to\s+(?:the\s+)?(?P<target>(?:Cabinet|Committee|Prime\s+Minister|Associate\s+Minister|Minister|[A-Z]{3}\b)"
    r"(?:\s+(?:[A-Z][\w’'&-]*|of|for|and|on|the)){0,10})"
)
_TRAILING_CONNECTIVES = re.compile(r"(?:\s+(?:of|for|and|on|the))+$")
_HINT_WHO = re.compile(
    r"\bthat\s+(?P<who>(?:the\s+)?[A-Z][^;:]{0,150}?)\s+(?:will|would|is\s+to|are\s+to|should|intends\s+to|plans\s+to|to)\s+(?:report|return)\b"
)
# "noted the oral report ..., and invited the Minister to report back ...": a second decision of the same body in one
# item. Only where no "that"/"which"/"who" clause comes first, since there the subject of "invited" may be another
# body ("noted that ECO agreed ... and invited ..."), which stays a hint for a clerk.
_COORDINATED_DIRECTIVE = re.compile(r"and\s+(?=(?:invited|directed|requested|instructed)\s)")
_REPORTED_CLAUSE = re.compile(r"\b(?:that|which|who|whom|whose)\b", re.IGNORECASE)
_VAGUE_RESPONSIBLE = ("Minister", "Ministers", "officials", "Minister concerned", "responsible Minister")


def find_follow_ups(decisions, *, decided_on=None, committee_name=None):
    """The follow-ups of every decision item, and warnings where a clerk must confirm or complete one."""
    follow_ups, warnings, effective = [], [], {}
    covered = set()  # items whose follow-up sits in the introducing paragraph, not in each sub-item
    for decision in decisions:
        text = _effective_text(decision, effective, covered)
        effective[decision.number] = text
        if text is None:
            continue
        follow_up = _follow_up(decision.number, text, decided_on, committee_name, warnings)
        if follow_up:
            follow_ups.append(follow_up)
            covered.add(decision.number)
    return follow_ups, warnings


def _effective_text(decision, effective, covered):
    """The item's wording, completed by its introducing paragraph ("invited the Minister to:" + "report back ...")."""
    if decision.is_redacted:
        return None
    parent = decision.number.rpartition(".")[0]
    if parent in covered:
        covered.add(decision.number)
        return None
    opening = effective.get(parent) or ""
    if decision.verb is None and opening.rstrip().endswith(":"):
        return f"{opening.rstrip()[:-1].rstrip()} {decision.text}"
    return decision.text


def _follow_up(number, text, decided_on, committee_name, warnings):
    text = text.rstrip(" ;:.")
    verb = leading_verb(text)
    if verb in _DIRECTIVE_VERBS:
        return _directive(number, text, decided_on, committee_name, warnings)
    if delegation := _delegation(number, text, verb, decided_on, warnings):
        return delegation
    if verb and (clause := _coordinated_directive(text)):
        if follow_up := _directive(number, clause, decided_on, committee_name, warnings):
            return follow_up
    if _REPORT_PHRASE.search(text):
        return _hint(number, text, verb, decided_on, committee_name, warnings)
    return None


def _coordinated_directive(text):
    """The directive clause of "noted X, and invited Y to Z" (from "invited"), or None."""
    match = _COORDINATED_DIRECTIVE.search(text)
    if match is None or not text[match.start() - 1:match.start()].isspace():
        return None
    if _REPORTED_CLAUSE.search(text, 0, match.start()):
        return None
    return text[match.end():]


def _directive(number, text, decided_on, committee_name, warnings):
    match = _THAT_WHO_ACT.match(text) or _WHO_TO_ACT.match(text)
    if match is None:
        return None
    responsible = _responsible(match["who"], number, warnings)
    action = _LEADING_COLLABORATION.sub("", match["action"])
    if _REPORT_START.match(action) or _PROVIDE_REPORT.match(action) or (
        _REPORT_PHRASE.search(action) and not _DRAFTING.search(action)
    ):
        return _report_back(number, action, responsible, decided_on, committee_name, warnings)
    kind = DRAFTING_INSTRUCTIONS if _DRAFTING.search(action) else DIRECTION
    return _with_due(ParsedFollowUp(number, kind, responsible), action, decided_on, number, warnings)


def _report_back(number, action, responsible, decided_on, committee_name, warnings, *, needs_confirmation=False):
    follow_up = ParsedFollowUp(
        number, REPORT_BACK, responsible, _report_to(action, committee_name), needs_confirmation=needs_confirmation
    )
    phrase = _REPORT_PHRASE.search(action) or _REPORT_START.match(action)
    _with_due(follow_up, action[phrase.start():] if phrase else action, decided_on, number, warnings)
    if follow_up.due_text is None:
        _with_due(follow_up, action, decided_on, number, warnings)
    if not needs_confirmation:
        if follow_up.report_to is None:
            warnings.append(f"Item {number}: the report-back does not say to whom; a clerk should set it.")
        if follow_up.due_date is None:
            warnings.append(f"Item {number}: the report-back has no due date; a clerk should set one.")
    return follow_up


def _delegation(number, text, verb, decided_on, warnings):
    if verb == "delegated":
        match = _AUTHORITY_GIVEN_TO.match(text) or _AUTHORITY_TO.search(text) or _AUTHORISED_TO_DECIDE.match(text)
    elif verb in _DELEGATING_VERBS:
        match = _AUTHORISED_TO_DECIDE.match(text) or _AUTHORITY_TO.search(text)
    else:
        match = _BE_AUTHORISED.search(text)
    if match is None:
        return None
    follow_up = ParsedFollowUp(number, DELEGATED_DECISION, _responsible(match["who"], number, warnings))
    return _with_due(follow_up, match["action"], decided_on, number, warnings)


def _hint(number, text, verb, decided_on, committee_name, warnings):
    who = _HINT_WHO.search(text)
    responsible = _responsible(who["who"], number, []) if who else None
    warnings.append(
        f"Item {number}: “{verb or 'this item'} …” mentions a report-back but does not direct one; "
        "a clerk should confirm whether it is a follow-up."
    )
    return _report_back(number, text, responsible, decided_on, committee_name, [], needs_confirmation=True)


def _with_due(follow_up, text, decided_on, number, warnings):
    due, notes = find_due(text, decided_on)
    follow_up.due_date, follow_up.due_precision, follow_up.due_text = due.date, due.precision, due.text
    warnings.extend(f"Item {number}: {note}." for note in notes)
    return follow_up


def _responsible(who, number, warnings):
    who = _COLLABORATORS.sub("", who)
    who = _PARENTHESES.sub("", who)
    who = squash(who).strip(" ,;")
    who = re.sub(r"\s+jointly$", "", who)
    who = _OFFICIALS_FROM.sub("", who)
    who = re.sub(r"^the\s+", "", who, flags=re.IGNORECASE)
    if not who:
        return None
    if who in _VAGUE_RESPONSIBLE:
        warnings.append(f"Item {number}: the item names “{who}” without saying which; a clerk should confirm who is responsible.")
    return who


def _report_to(action, committee_name):
    match = _TARGET_AFTER_REPORT.search(action)
    phrase = _REPORT_PHRASE.search(action) or _REPORT_START.match(action)
    if match is None and phrase:
        match = _TARGET_LATER.search(action, phrase.end(), phrase.end() + 160)
    if match is None:
        return None
    target = _TRAILING_CONNECTIVES.sub("", squash(match["target"]))
    if target == "Committee" and committee_name:
        return committee_name
    return target
