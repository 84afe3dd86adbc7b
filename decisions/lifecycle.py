"""What can happen to a follow-up: every transition declared once here, taken only through FollowUp.take().

A reader answers "what can happen to this follow-up now?" from LIFECYCLE alone: the states a step starts
from, who may take it, whether a date-change request must (or must not) be waiting, and whether the step
overtakes a waiting request (which is then closed as superseded, with the reason). Views, admin actions,
the demo loader and commands all call FollowUp.take(); none of them sets a status.
"""

from dataclasses import dataclass


class TransitionRefused(Exception):
    """The step cannot be taken from where the follow-up stands now; the message says why, for the person."""


class StaleChange(Exception):
    """The follow-up changed after the form was opened on `version`."""

    def __init__(self, follow_up, version):
        super().__init__(f"{follow_up} changed after version {version} was opened.")
        self.follow_up, self.version = follow_up, version


OFFICIAL, CLERK = "official", "clerk"  # officials of its agency or portfolio, and clerks; clerks only

OPEN, EXTENSION, SUBMITTED = "open", "extension", "submitted"
OWED = frozenset({OPEN, EXTENSION, SUBMITTED})


@dataclass(frozen=True)
class Step:
    label: str
    sources: frozenset  # the follow-up statuses it may start from
    role: str  # OFFICIAL or CLERK
    waiting: bool | None = None  # a date-change request must be waiting (True), must not be (False), either (None)
    dated: bool | None = None  # the follow-up must have a due date (True), must not (False), either (None)
    overtakes_waiting: bool = False  # a waiting request is closed as superseded when this is taken


LIFECYCLE = {
    "add_note": Step("Add a progress note", OWED, OFFICIAL),
    "request_extension": Step("Request an extension", frozenset({OPEN}), OFFICIAL, waiting=False, dated=True),
    "propose_due_date": Step("Propose a due date", frozenset({OPEN}), OFFICIAL, waiting=False, dated=False),
    "withdraw_request": Step("Withdraw the request", frozenset({OPEN, EXTENSION}), OFFICIAL, waiting=True),
    "decide_request": Step("Approve or decline the request", frozenset({OPEN, EXTENSION}), CLERK, waiting=True),
    "mark_submitted": Step("Mark submitted", frozenset({OPEN, EXTENSION}), OFFICIAL, overtakes_waiting=True),
    "set_due_date": Step("Set the due date", OWED, CLERK, overtakes_waiting=True),
    "discharge": Step("Record discharge", OWED, CLERK, overtakes_waiting=True),
    "close": Step("Cancel or supersede", OWED, CLERK, overtakes_waiting=True),
    "assign_lead": Step("Choose the lead official", frozenset({OPEN, EXTENSION}), OFFICIAL),
}


def refusal(follow_up, name, *, waiting):
    """Why `name` cannot be taken now, in the person's words; None when it can (roles are checked apart)."""
    step = LIFECYCLE[name]
    if step.waiting is False and waiting is not None:
        return (
            f"A request to move the due date to {waiting.to_date:%-d %B %Y} is already waiting for the Cabinet Office: "
            "withdraw it first, or wait for their decision."
        )
    if follow_up.status not in step.sources:
        return f"This follow-up is {follow_up.get_status_display().lower()}: “{step.label}” is not open to it."
    if step.waiting is True and waiting is None:
        return "No request about the due date is waiting for a decision."
    if step.dated is True and follow_up.due_date is None:
        return "This follow-up has no due date yet: propose one instead of asking for an extension."
    if step.dated is False and follow_up.due_date is not None:
        return "This follow-up already has a due date: ask for an extension instead."
    return None


def may_take(user, follow_up, name):
    """Whether the user's role lets them take the step on this follow-up (need-to-know is checked by access)."""
    from decisions import access  # access imports the models; the models import this module

    if LIFECYCLE[name].role == CLERK:
        return access.is_clerk(user)
    return access.may_act(user, follow_up)
