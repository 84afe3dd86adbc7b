"""What parse_minute returns: plain dataclasses, and the JSON form other tools rely on."""

from dataclasses import dataclass, field
import datetime as dt
from typing import NamedTuple

DECISION = "decision"
REPORT = "report"
ORAL = "oral"

REPORT_BACK = "report_back"
DIRECTION = "direction"
DELEGATED_DECISION = "delegated_decision"
DRAFTING_INSTRUCTIONS = "drafting_instructions"

DAY = "day"
MONTH = "month"
HALF = "half"
YEAR = "year"
NO_PRECISION = "none"


# The register's verbs (DecisionItem.Verb's values; tests/test_packs_verbs.py pins the two together). A printed verb
# outside them ("requested", "thanked") is stored as "other"; "agreed to" is stored as "agreed".
STORED_VERBS = {
    "noted": "noted", "agreed": "agreed", "agreed to": "agreed", "agreed in principle": "agreed_in_principle",
    "approved": "approved", "authorised": "authorised", "authorized": "authorised", "invited": "invited",
    "directed": "directed", "endorsed": "endorsed", "confirmed": "confirmed", "rescinded": "rescinded",
    "amended": "amended", "referred": "referred",
}
OTHER_VERB = "other"


def stored_verb(printed):
    """The verb as the register stores it, for the verb as printed ("Agreed  to" -> "agreed"); None for no verb."""
    if not printed:
        return None
    return STORED_VERBS.get(" ".join(printed.lower().split()), OTHER_VERB)


class NotAMinute(ValueError):
    """The text is not a Cabinet minute at all: empty, binary, or with neither decision items nor minute markers."""


def _iso(value):
    return value.isoformat() if value else None


@dataclass
class ParsedRedaction:
    ground: str | None  # an OIA section code such as "9(2)(j)"
    label: str | None  # the words printed with the marker, such as "Negotiations"
    marker: str  # the marker as printed: "[REDACTED]", "s9(2)(f)(iv)", "Out of scope"

    def as_json(self):
        return {"ground": self.ground, "label": self.label}


@dataclass
class ParsedDecision:
    number: str  # "4", "2.1", "2.1.3"
    verb: str | None
    text: str
    redactions: list[ParsedRedaction] = field(default_factory=list)
    is_redacted: bool = False
    heading: str | None = None  # an unnumbered heading printed just above the item

    def as_json(self):
        stored = stored_verb(self.verb)
        return {
            "number": self.number,
            "verb": stored,
            "printed_verb": self.verb if self.verb and self.verb != stored else None,  # "agreed to", "requested"
            "text": self.text,
            "redactions": [redaction.as_json() for redaction in self.redactions],
        }


@dataclass
class ParsedFollowUp:
    decision: str
    kind: str
    responsible: str | None = None
    report_to: str | None = None
    due_date: dt.date | None = None
    due_precision: str = NO_PRECISION
    due_text: str | None = None
    # A hint found in wording that does not oblige anyone ("noted that ... will report back"):
    # a clerk confirms it, so it is left out of the JSON and reported as a warning.
    needs_confirmation: bool = False

    def as_json(self):
        return {
            "decision": self.decision,
            "kind": self.kind,
            "responsible": self.responsible,
            "report_to": self.report_to,
            "due_date": _iso(self.due_date),
            "due_precision": self.due_precision,
            "due_text": self.due_text,
        }


class ParsedDocument(NamedTuple):
    date: dt.date | None
    date_precision: str
    title: str | None
    author: str | None


@dataclass
class ParsedRelease:
    publish_date: dt.date | None = None
    minister: str | None = None
    portfolios: list[str] = field(default_factory=list)
    title: str | None = None
    documents: list[ParsedDocument] = field(default_factory=list)
    redacted: bool | None = None
    grounds: list[str] = field(default_factory=list)
    released_by: str | None = None

    def as_json(self):
        return {
            "publish_date": _iso(self.publish_date),
            "minister": self.minister,
            "redacted": self.redacted,
            "grounds": list(self.grounds),
        }


@dataclass
class ParsedConfirmation:
    """One committee minute listed in a Report of Committee, with what Cabinet did to it."""

    reference: str
    title: str | None
    outcome: str | None  # "confirmed", "amended", "referred back", ...


@dataclass
class ParsedMinute:
    reference: str | None = None
    body: str | None = None
    date: dt.date | None = None
    title: str | None = None
    portfolios: list[str] = field(default_factory=list)
    classification: str | None = None
    signatory: str | None = None
    kind: str = DECISION
    decisions: list[ParsedDecision] = field(default_factory=list)
    follow_ups: list[ParsedFollowUp] = field(default_factory=list)
    release: ParsedRelease | None = None
    warnings: list[str] = field(default_factory=list)
    power_to_act: bool = False
    lead_in: str | None = None
    body_name: str | None = None  # the body as printed: "Cabinet", "Cabinet Economic Policy Committee"
    referred_from: str | None = None  # committee code in "following reference from the ... Committee (LEG)"
    report_of: str | None = None  # committee code whose minutes a Report of Committee confirms
    confirmed: list[ParsedConfirmation] = field(default_factory=list)

    def as_json(self):
        return {
            "reference": self.reference,
            "body": self.body,
            "date": _iso(self.date),
            "title": self.title,
            "portfolios": list(self.portfolios),
            "classification": self.classification,
            "signatory": self.signatory,
            "decisions": [decision.as_json() for decision in self.decisions],
            "follow_ups": [
                follow_up.as_json() for follow_up in self.follow_ups if not follow_up.needs_confirmation
            ],
            "release": self.release.as_json() if self.release else None,
            "warnings": list(self.warnings),
        }
