"""The demo's proactive releases in every state, some overdue, each reached through its own steps (decisions/releases.py)."""

import datetime

from cabinet.business_days import add_business_days
from cabinet.models import Agency, Committee, Minute, OIAGround, Paper, ProactiveRelease
from decisions import releases
from decisions.models import DecisionItem

# Reference -> the steps its release takes, in order. Releases not listed and past their due date are published.
STATES = {
    "ECO-26-MIN-0135": ["start_preparing"],  # due within 10 business days, being prepared, words withheld
    "SOU-26-MIN-0149": ["send_to_minister"],  # with the Minister, due later
    "CAB-26-MIN-0145": ["start_preparing"],  # overdue while being prepared, words withheld
    "SOU-26-MIN-0103": ["start_preparing", "send_to_minister"],  # overdue with the Minister
    "ECO-26-MIN-0109": ["start_preparing", "delay"],  # delayed with a reason and a new date
    "ECO-26-MIN-0101": ["delay"],
    "CAB-26-MIN-0147": ["start_preparing", "withhold"],  # withheld with its ground
    "FPS-26-MIN-0110": ["withhold"],
    "ECO-26-MIN-0102": [],  # overdue, nothing done
    "ECO-26-MIN-0150": [],  # due in 10 business days
    "CAB-26-MIN-0143": [],  # overdue
}

# Words the agency withholds from the public version: added to a paragraph as in the original minute, then
# marked with their ground. The words appear nowhere else in the demo, so a test can look for them in a pack.
WITHHELD = {
    "ECO-26-MIN-0135": ("1", "noting that the preferred supplier is {words}", "Karearea Syndicate, tendering NZ$48.6m", "9(2)(b)(ii)"),
    "CAB-26-MIN-0145": ("2", "noting that {words}", "Washington negotiators privately conceded Clause 14B", "9(2)(j)"),
}


def load_release_states(today, clerk):
    """Take each demo release to its state as a clerk would; add one committee minute awaiting Cabinet's confirmation."""
    for release in ProactiveRelease.objects.select_related("minute").filter(minute__reference__in=STATES):
        reference = release.minute.reference
        if reference in WITHHELD:
            _withhold_words(release, clerk, *WITHHELD[reference])
        for name in STATES[reference]:
            releases.take(release, name, user=clerk, **_data(name, release, today))
    published = ProactiveRelease.objects.filter(status=ProactiveRelease.Status.DUE, publication_due_date__lt=today)
    for release in published.exclude(minute__reference__in=STATES).select_related("minute", "agency"):
        releases.take(release, "publish", user=clerk, **_data("publish", release, today))
    _awaiting_confirmation(today)


def _data(name, release, today):
    if name == "publish":
        agency = release.agency.short_name.lower() if release.agency_id else "dpmc"
        return {
            "published_date": min(release.publication_due_date - datetime.timedelta(days=2), today),
            "published_url": f"https://www.{agency}.govt.nz/proactive-releases/{release.minute.reference.lower()}",
        }
    if name == "delay":
        return {"reason": "Awaiting the Minister's announcement of the final package.", "new_date": add_business_days(today, 15)}
    if name == "withhold":
        return {
            "reason": "Release would prejudice negotiations still under way with the other party.",
            "ground": OIAGround.objects.get(code="9(2)(j)"),
        }
    return {}


def _withhold_words(release, clerk, number, sentence, words, code):
    decision = DecisionItem.objects.get(minute=release.minute, number=number)
    original = f"{decision.text.rstrip(';:.')}, {sentence.format(words=words)};"
    releases.record_original_text(release, decision, user=clerk, version=release.version, text=original)
    decision.refresh_from_db()
    releases.withhold_words(release, decision, user=clerk, version=release.version, words=words,
                            ground=OIAGround.objects.get(code=code))


def _awaiting_confirmation(today):
    """A committee minute without Power to Act: its release waits for Cabinet's confirmation."""
    decided = add_business_days(today, -2)
    committee = Committee.objects.for_code("ECO", on=decided)
    agency = Agency.objects.get(short_name="MBIE")
    paper = Paper.objects.create(
        reference="ECO-26-SUB-0190", title="Critical minerals list: consultation results", lead_agency=agency,
        paper_date=add_business_days(decided, -5), date_precision="day",
    )
    minute = Minute.objects.create(
        reference="ECO-26-MIN-0190", committee=committee, decision_date=decided, paper=paper,
        title="Critical minerals list: consultation results", signatory="Rachel Hayward",
    )
    DecisionItem.objects.create(
        minute=minute, number="1", verb="noted",
        text="noted the results of consultation on New Zealand's critical minerals list.",
    )
    ProactiveRelease.objects.create(minute=minute, agency=agency)
