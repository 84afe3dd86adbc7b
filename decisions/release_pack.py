"""The release pack of a minute: the agency's coversheet and the public version of the minute, as HTML and PDF.

The public version is made from the minute's paragraphs as recorded: every withheld span and every printed
redaction marker is replaced by a marker naming its Official Information Act ground, a paragraph withheld whole
keeps its number and shows one marker, and the protective marking is struck through as released documents show
it. A span with no ground stops the pack: nothing is published whose reason for withholding is unknown.
"""

import io
import zipfile
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone

from cabinet.grounds import BY_CODE
from decisions.models import DecisionItem, Redaction

ACT = "Official Information Act 1982"


class PackRefused(Exception):
    """The pack cannot be made yet; the message says what to fix."""


def marker(codes):
    """"[Withheld under section 9(2)(j) of the Official Information Act 1982]" (sections, for several)."""
    codes = list(dict.fromkeys(codes))
    if len(codes) == 1:
        return f"[Withheld under section {codes[0]} of the {ACT}]"
    return f"[Withheld under sections {', '.join(codes[:-1])} and {codes[-1]} of the {ACT}]"


@dataclass
class PublicParagraph:
    number: str
    text: str
    level: int
    is_withheld: bool = False


@dataclass
class Pack:
    release: object
    minute: object
    title: str
    ministers: list
    portfolios: list
    to_be_published: object
    documents: list
    is_redacted: bool
    grounds: list  # OIAGround, in section order
    marking: str
    paragraphs: list = field(default_factory=list)
    released_by: str = ""
    minute_portfolios: list = field(default_factory=list)  # as the minute prints them (the coversheet may name fewer)

    @property
    def redaction_statement(self):
        agency = self.release.agency.short_name if self.release.agency_id else "the agency"
        statement = (
            f"Any information redacted in this document is redacted in accordance with {agency}'s policy on Proactive "
            f"Release and is labelled with the reason for redaction. This may include information that would be "
            f"redacted if this information was requested under the {ACT}. Where this is the case, the reasons for "
            "withholding information are listed below. Where information has been withheld, no public interest has "
            "been identified that would outweigh the reasons for withholding it."
        )
        return statement if self.is_redacted else "No information has been redacted."

    @property
    def grounds_in_words(self):
        labels = [ground.label for ground in self.grounds]
        if not labels:
            return ""
        words = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])}, and {labels[-1]}"
        return f"Some information has been withheld for the reasons of {words}."


def public_text(decision, redactions):
    """The paragraph as the public reads it, and whether it is withheld whole. Raises PackRefused for a span with no ground."""
    text = decision.text
    for redaction in redactions:
        if redaction.ground_id is None:
            raise PackRefused(
                f"Paragraph {decision.number} has withheld words with no ground recorded: choose the ground before the pack is made."
            )
    codes = [redaction.ground.code for redaction in redactions]
    spans = sorted((r.start, r.end, r.ground.code) for r in redactions if r.start is not None and r.end is not None)
    whole = decision.is_redacted or any(start <= 0 and end >= len(text) for start, end, _ in spans)
    if whole:
        if not codes:
            raise PackRefused(f"Paragraph {decision.number} is withheld whole with no ground recorded: choose the ground first.")
        return marker(codes), True
    # Overlapping spans merge into one marker naming each of their grounds.
    merged = []
    for start, end, code in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2].append(code)
        else:
            merged.append([start, end, [code]])
    for start, end, span_codes in reversed(merged):
        text = text[:start] + marker(span_codes) + text[end:]
    # Markers printed in a released text ("Negotiations [REDACTED]"): the label and marker become the ground's marker.
    for redaction in redactions:
        if redaction.start is not None:
            continue
        shown = marker([redaction.ground.code])
        printed = [f"{redaction.label} {redaction.marker}".strip(), redaction.marker] if redaction.marker else []
        for words in printed:
            if words and words in text:
                text = text.replace(words, shown, 1)
                break
        else:
            if shown not in text:
                text = f"{text} {shown}"
    return text, False


def build_pack(release):
    """Everything the pack says, read from the release, its minute and its paper (PackRefused if it cannot be made)."""
    minute = release.minute
    paper = minute.paper
    decisions = list(DecisionItem.objects.filter(minute=minute).order_by("sort_key"))
    redactions = {}
    for redaction in Redaction.objects.filter(decision__minute=minute).select_related("ground"):
        redactions.setdefault(redaction.decision_id, []).append(redaction)
    paragraphs = []
    for decision in decisions:
        text, whole = public_text(decision, redactions.get(decision.pk, []))
        paragraphs.append(PublicParagraph(decision.number, text, decision.level, whole))
    grounds = {ground.code: ground for ground in release.grounds.all()}
    for items in redactions.values():
        for redaction in items:
            grounds.setdefault(redaction.ground.code, redaction.ground)
    order = list(BY_CODE)
    ordered = sorted(grounds.values(), key=lambda g: order.index(g.code) if g.code in order else len(order))
    ministers = [release.minister.name] if release.minister_id else []
    if paper is not None and not ministers:
        ministers = [minister.name for minister in paper.ministers.all()]
    minute_portfolios = [portfolio.name for portfolio in minute.portfolios.all()]
    portfolios = [portfolio.name for portfolio in release.portfolios.all()] or minute_portfolios
    is_redacted = bool(redactions) or bool(release.is_redacted)
    return Pack(
        release=release, minute=minute, title=paper.title if paper else minute.title, ministers=ministers,
        portfolios=portfolios, to_be_published=release.to_be_published_date, documents=_documents(release, minute),
        is_redacted=is_redacted, grounds=ordered, marking=minute.marking, paragraphs=paragraphs,
        released_by=_released_by(release, portfolios), minute_portfolios=minute_portfolios,
    )


@dataclass
class Document:
    date: object
    precision: str
    title: str
    author: str


def _documents(release, minute):
    """The coversheet's list: as recorded for the release, else the paper and the minute."""
    recorded = [Document(d.document_date, d.date_precision, d.title, d.author) for d in release.documents.order_by("pk")]  # as the coversheet lists them
    if recorded:
        return recorded
    documents = []
    paper = minute.paper
    if paper is not None:
        documents.append(Document(paper.paper_date, paper.date_precision, paper.title,
                                  " ".join(f"Office of the {p.minister_title}" for p in paper.portfolios.all())))
    documents.append(Document(minute.decision_date, "day", f"{minute.title} {minute.reference} Minute", "Cabinet Office"))
    return documents


def _released_by(release, portfolios):
    if release.minister_id:
        return f"Proactively released by {release.minister.name}"
    return "Proactively released"


def render_html(pack):
    return render_to_string("decisions/release_pack.html", {"pack": pack, "generated_at": timezone.now()})


def render_pdf(html):
    """The same HTML as a PDF: fonts embedded (subset) and its text selectable, by WeasyPrint."""
    from weasyprint import HTML  # imported when a pack is made: it loads Pango at import

    return HTML(string=html).write_pdf()


def pack_name(release):
    return f"{release.minute.reference}-proactive-release"


def render_zip(pack):
    """The pack as one download: the HTML and the PDF side by side."""
    html = render_html(pack)
    pdf = render_pdf(html)
    buffer = io.BytesIO()
    name = pack_name(pack.release)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.html", html)
        archive.writestr(f"{name}.pdf", pdf)
    return buffer.getvalue()
