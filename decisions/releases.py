"""What can happen to a proactive release: every step declared once in STEPS, written only by take().

A release waits for the final decision, is then due (30 business days), is prepared by its agency, goes to the
Minister, and ends published (with the address where) or withheld (with its reason and Official Information
Act ground). It may be delayed, with a reason and a new date, from any unfinished state. Each step is a history
row of the release with who took it, when, and the step's name as the change reason. The one move no person
takes (awaiting the final decision -> due) happens when the decision becomes final (ProactiveRelease.save).

The words withheld from the public version are recorded here too: `record_original_text` and `withhold_words`
mark spans of a minute's paragraphs, each with its ground, inside the same kind of checked transaction.
"""

from dataclasses import dataclass

from django.utils import timezone

from cabinet.models import ProactiveRelease
from decisions.lifecycle import StaleChange, TransitionRefused
from decisions.models import DecisionItem, Redaction

Status = ProactiveRelease.Status
AGENCY, CLERK = "agency", "clerk"  # officials of its agency and clerks; clerks only
UNFINISHED = frozenset({Status.DUE, Status.PREPARING, Status.WITH_MINISTER, Status.DELAYED})


@dataclass(frozen=True)
class Step:
    label: str
    sources: frozenset  # the statuses it may start from
    target: str
    role: str  # AGENCY or CLERK


STEPS = {
    "start_preparing": Step("Start preparing the pack", frozenset({Status.DUE, Status.DELAYED}), Status.PREPARING, AGENCY),
    "send_to_minister": Step(
        "Send to the Minister", frozenset({Status.DUE, Status.PREPARING, Status.DELAYED}), Status.WITH_MINISTER, AGENCY
    ),
    "publish": Step("Record publication", UNFINISHED, Status.PUBLISHED, AGENCY),
    "delay": Step("Delay, with a reason and a new date", UNFINISHED, Status.DELAYED, AGENCY),
    "withhold": Step("Withhold, with a reason", UNFINISHED, Status.WITHHELD, AGENCY),
    "reconsider": Step("Reconsider: prepare it after all", frozenset({Status.WITHHELD}), Status.PREPARING, CLERK),
}


def may_take(user, release, name):
    """The user's role allows the step (that they may see the release is checked by access first)."""
    from decisions import access

    if STEPS[name].role == CLERK:
        return access.is_clerk(user)
    return access.can_act(user)


def refusal(release, name):
    """Why the step is not open to the release now, in the person's words; None when it is."""
    step = STEPS[name]
    if release.status not in step.sources:
        return f"This release is {release.get_status_display().lower()}: “{step.label}” is not open to it."
    return None


def available_steps(user, release):
    return [name for name in STEPS if refusal(release, name) is None and may_take(user, release, name)]


def take(release, name, *, user, version=None, **data):
    """Take the step `name` for `user`; returns what happened, in words.

    The caller holds the row (select_for_update) inside one transaction. Raises StaleChange when the release moved
    on since `version` was opened, TransitionRefused when the step is not open to it now or the data do not fit.
    """
    step = STEPS[name]
    if version is not None and version != release.version:
        raise StaleChange(release, version)
    if not may_take(user, release, name):
        raise TransitionRefused(f"You cannot “{step.label.lower()}” on this release.")
    reason = refusal(release, name)
    if reason:
        raise TransitionRefused(reason)
    fields = globals()[f"_{name}"](release, **data)
    release.status = step.target
    release.version += 1
    release._change_reason = step.label
    release.full_clean(exclude=["minute", "grounds"])
    release.save(update_fields=[*fields, "status", "version"])
    return _outcome(release)


def _start_preparing(release):
    return []


def _send_to_minister(release):
    return []


def _publish(release, *, published_date, published_url):
    today = timezone.localdate()
    if published_date > today:
        raise TransitionRefused("Record publication once it is published: the date cannot be in the future.")
    if release.final_decision_date and published_date < release.final_decision_date:
        raise TransitionRefused(
            f"It cannot have been published before the final decision on {release.final_decision_date:%-d %B %Y}."
        )
    release.published_date, release.published_url = published_date, published_url
    release.withheld_reason, release.withheld_ground, release.delayed_until = "", None, None
    return ["published_date", "published_url", "withheld_reason", "withheld_ground", "delayed_until"]


def _delay(release, *, reason, new_date):
    if new_date <= timezone.localdate():
        raise TransitionRefused("A delayed release needs a new date after today.")
    release.withheld_reason, release.delayed_until = reason, new_date
    return ["withheld_reason", "delayed_until"]


def _withhold(release, *, reason, ground):
    release.withheld_reason, release.withheld_ground, release.delayed_until = reason, ground, None
    return ["withheld_reason", "withheld_ground", "delayed_until"]


def _reconsider(release, *, reason=""):
    release.withheld_reason, release.withheld_ground = "", None
    return ["withheld_reason", "withheld_ground"]


def _outcome(release):
    if release.status == Status.PUBLISHED:
        return f"Recorded as published on {release.published_date:%-d %B %Y}, with the address where it was published."
    if release.status == Status.DELAYED:
        return f"Delayed to {release.delayed_until:%-d %B %Y}: the reason is on the release."
    if release.status == Status.WITHHELD:
        return f"Recorded as withheld under section {release.withheld_ground.code} of the Official Information Act 1982."
    return f"The release is now {release.get_status_display().lower()}."


def record_import(release, *, published_date):
    """An imported coversheet of a published release: recorded as published on its date (its address unknown)."""
    if release.status == Status.PUBLISHED or published_date is None:
        return
    release.published_date, release.status = published_date, Status.PUBLISHED
    release.version += 1
    release._change_reason = "Imported from the published release's coversheet"
    release.save(update_fields=["published_date", "status", "version"])


# The words withheld from the public version.


def _bump(release, version, label):
    if version is not None and version != release.version:
        raise StaleChange(release, version)
    if release.is_finished:
        raise TransitionRefused(
            f"This release is {release.get_status_display().lower()}: what it withholds is settled."
        )
    release.version += 1
    release._change_reason = label
    release.save(update_fields=["version"])


def record_original_text(release, decision, *, user, version, text):
    """The paragraph's words as in the original minute. Its withheld spans are cleared: mark them again."""
    text = " ".join(text.split())
    if not text:
        raise TransitionRefused("Give the paragraph's words as in the original minute.")
    _bump(release, version, f"Original text of paragraph {decision.number} recorded")
    cleared = decision.redactions.count()
    for redaction in decision.redactions.all():
        redaction.delete()
    decision.text = text
    decision.save(update_fields=["text"])
    if cleared:
        return f"Paragraph {decision.number}'s original text is recorded; its {cleared} withheld span(s) were cleared: mark them again."
    return f"Paragraph {decision.number}'s original text is recorded."


def withhold_words(release, decision, *, user, version, ground, words="", whole=False):
    """Mark words of a paragraph (or all of it) for withholding under `ground`."""
    text = decision.text
    if whole:
        start, end = 0, len(text)
    else:
        words = " ".join(words.split())
        count = text.count(words) if words else 0
        if count == 0:
            raise TransitionRefused(
                f"Paragraph {decision.number} does not contain those words exactly: copy them from its text."
            )
        if count > 1:
            raise TransitionRefused(
                f"Those words appear {count} times in paragraph {decision.number}: include more of the sentence so they appear once."
            )
        start = text.index(words)
        end = start + len(words)
    _bump(release, version, f"Words of paragraph {decision.number} withheld")
    Redaction.objects.create(decision=decision, ground=ground, start=start, end=end, label="", marker="")
    if whole:
        return f"Paragraph {decision.number} is withheld whole under section {ground.code}."
    return f"Words in paragraph {decision.number} are withheld under section {ground.code}."


def release_words(release, redaction, *, user, version):
    """Unmark a span: its words are released after all."""
    _bump(release, version, f"Withheld span of paragraph {redaction.decision.number} removed")
    number = redaction.decision.number
    redaction.delete()
    return f"The span in paragraph {number} is no longer withheld."


def decision_of(release, pk):
    """A paragraph of the release's minute (404 semantics left to the caller: None when not one)."""
    return DecisionItem.objects.filter(minute_id=release.minute_id, pk=pk).first()
