"""Import a whole release pack (PDF or text): every minute in it, its paper and its release facts, in one transaction.

read_pack gives a file's pages (PDF furniture removed, scans reported), plan_pack finds the documents and plans each
minute with decisions.importing, save_pack saves them all or nothing. A folder or zip of packs is read by
`importminute` one pack at a time, each in its own transaction (iter_pack_files).
"""

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.core import signing
from django.db import transaction

from cabinet.history import acting_as
from cabinet.models import Agency, DatePrecision, Paper, Portfolio
from cabinet.references import InvalidReference, parse_reference
from decisions import cycle
from decisions.importing import ImportRefused, plan_import, save_import, split_marking
from decisions.parsing import NotAMinute
from decisions.parsing.pack import COVERSHEET, MINUTE, PAPER, REPORT, UNREAD, SourcePage, split_pack
from decisions.parsing.pdf import PdfRefused, read_pdf

MAX_PACK_BYTES = 100 * 1024 * 1024  # the largest single pack read (a 500-page scanned PDF is about 60 MB)
MAX_ZIP_TOTAL_BYTES = 400 * 1024 * 1024  # what all of a zip's packs may unpack to, whatever its directory claims
MAX_ZIP_MEMBERS = 1000
PACK_SUFFIXES = (".pdf", ".txt")
_CLASSIFICATION_WORDS = ("IN CONFIDENCE", "SENSITIVE", "RESTRICTED", "CONFIDENTIAL", "SECRET")


class PackRefused(ImportRefused):
    """The pack cannot be imported as it stands: nothing of it is saved; the message says why."""


@dataclass
class DocumentPlan:
    document: object  # parsing.pack.PackDocument
    plan: object = None  # importing.Plan, for a minute
    error: str | None = None  # why a minute could not be read

    @property
    def kind(self):
        if self.plan is not None and self.plan.parsed.kind == "report":
            return REPORT
        return self.document.kind

    @property
    def label(self):
        names = {COVERSHEET: "Coversheet", PAPER: "Paper", MINUTE: "Minute", REPORT: "Report of Committee", UNREAD: "Not read"}
        where = self.document.page_label()
        return f"{names[self.kind]}{f' ({where})' if where else ''}"

    def as_json(self):
        document = self.document
        data = {"document": self.kind, "pages": list(document.pages)}
        if self.plan is not None:
            data.update(self.plan.parsed.as_json())
            data["errors"] = list(self.plan.errors)
        elif document.paper is not None:
            data.update(document.paper.as_json())
        elif document.release is not None:
            data["release"] = document.release.as_json()
        if self.error:
            data["errors"] = [self.error]
        if self.kind == UNREAD:
            data["warnings"] = list(document.warnings)
        return data


@dataclass
class PackPlan:
    name: str
    documents: list[DocumentPlan] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # about the pack as a whole (pages needing OCR)
    errors: list[str] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)

    @property
    def minutes(self):
        return [document for document in self.documents if document.plan is not None]

    @property
    def paper(self):
        return next((document.document.paper for document in self.documents if document.document.paper), None)

    @property
    def problems(self):
        """Everything that stops the pack being saved, each with the document it is about."""
        found = list(self.errors)
        for document in self.documents:
            if document.error:
                found.append(f"{document.label}: {document.error}")
            elif document.plan is not None and document.plan.errors:
                found.append(f"{document.label}: {' '.join(document.plan.errors)}")
        return found

    @property
    def can_save(self):
        return not self.problems

    @property
    def warning_count(self):
        return len(self.warnings) + sum(len(document.plan.warnings) for document in self.minutes)

    @property
    def is_single_minute(self):
        """One minute and nothing else but its coversheet: what `importminute` read before packs."""
        kinds = [document.kind for document in self.documents]
        return len(self.minutes) == 1 and set(kinds) <= {COVERSHEET, MINUTE, REPORT} and not self.warnings

    def as_json(self):
        documents = [document.as_json() for document in self.documents]
        if self.warnings:
            documents.append({"document": UNREAD, "pages": self.ocr_pages, "warnings": list(self.warnings)})
        return documents


@dataclass
class PackSource:
    """A pack's pages as read from its file, ready to plan again (the admin keeps it, signed, between preview and save)."""

    name: str
    pages: list[SourcePage]
    warnings: list[str] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)

    def dumps(self):
        pages = [[page.number, page.text, page.furniture] for page in self.pages]
        return signing.dumps([self.name, pages, self.warnings, self.ocr_pages], salt=_SALT, compress=True)

    @classmethod
    def loads(cls, value):
        """The source a preview signed; PackRefused if it was changed or is not one."""
        try:
            name, pages, warnings, ocr_pages = signing.loads(value, salt=_SALT)
        except (signing.BadSignature, ValueError, TypeError) as error:
            raise PackRefused("The previewed pack could not be read back: upload it again.") from error
        return cls(name, [SourcePage(*page) for page in pages], warnings, ocr_pages)


_SALT = "decisions.packs.PackSource"


def read_pack(name, content):
    """The pages of an uploaded pack as a PackSource. PackRefused when the file cannot be read at all."""
    if len(content) > MAX_PACK_BYTES:
        raise PackRefused(f"The file is larger than {MAX_PACK_BYTES // (1024 * 1024)} MB: split the pack.")
    if name.lower().endswith(".pdf") or content[:5] == b"%PDF-":
        try:
            pdf = read_pdf(content)
        except PdfRefused as error:
            raise PackRefused(str(error)) from error
        pages = [SourcePage(page.number, page.text, page.furniture) for page in pdf.pages]
        return PackSource(name, pages, pdf.warnings(), pdf.needs_ocr)
    if b"\x00" in content[:4096]:
        raise PackRefused("This is not a minute: the file is binary, not text or a PDF.")
    return text_source(name, content.decode("utf-8-sig", errors="replace"))


def text_source(name, text):
    """Pasted or uploaded text as a pack: one page, or a page for each form feed."""
    return PackSource(name, [SourcePage(number, page) for number, page in enumerate(text.split("\f"), start=1)])


def plan_pack(name, content=None, *, text=None, source=None, reference=None, decision_date=None, title=None):
    """Read a pack and plan each minute in it; a clerk's corrections apply when the pack holds one minute."""
    if source is None:
        source = text_source(name, text) if text is not None else read_pack(name, content)
    pack = PackPlan(name=source.name, warnings=list(source.warnings), ocr_pages=list(source.ocr_pages))
    documents = split_pack(source.pages)
    cover = next((document for document in documents if document.kind == COVERSHEET), None)
    minute_documents = [document for document in documents if document.kind == MINUTE]
    primary = _primary(minute_documents)
    corrections = {"reference": reference, "decision_date": decision_date, "title": title}
    whole = len(minute_documents) == 1 and all(document.kind in (COVERSHEET, MINUTE, UNREAD) for document in documents)
    for document in documents:
        planned = DocumentPlan(document)
        pack.documents.append(planned)
        if document.kind != MINUTE:
            continue
        # The coversheet is read with the minute it releases, as a single release (coversheet + minute) always was.
        if whole:  # a minute alone, perhaps with its coversheet: read as one text, as before packs
            minute_text = "\n\n".join(part.text for part in documents)
        elif cover is not None and document is primary:
            minute_text = f"{cover.text}\n\n{document.text}"
        else:
            minute_text = document.text
        given = corrections if len(minute_documents) == 1 else {}
        try:
            planned.plan = plan_import(minute_text, **given)
            if planned.plan.reference is None and not given.get("reference"):
                printed = document.furniture_references("MIN")
                if len(printed) == 1:  # the minute names itself only in its page headers
                    others = {key: value for key, value in given.items() if key != "reference"}
                    planned.plan = plan_import(minute_text, reference=printed[0], **others)
        except NotAMinute as error:
            planned.error = f"not a minute: {error}"
            continue
        _stamped_classification(planned.plan.parsed, document.furniture)
    if not minute_documents:
        found = ", ".join(planned.label.lower() for planned in pack.documents) or "no readable text"
        pack.errors.append(
            f"This is not a minute, nor a release pack holding one (found: {found}). A pack is imported for its "
            "minutes: nothing was saved." + "".join(f" {warning}" for warning in pack.warnings)
        )
    references = [planned.plan.reference for planned in pack.minutes if planned.plan.reference]
    for repeated in sorted({reference for reference in references if references.count(reference) > 1}):
        pack.errors.append(f"{repeated} is in the pack more than once: import one copy.")
    return pack


def _primary(minute_documents):
    """The minute the coversheet and paper are about: the first that is not a Report of Committee."""
    for document in minute_documents:
        if "Report of the Cabinet" not in document.text[:1500]:
            return document
    return minute_documents[0] if minute_documents else None


def _stamped_classification(parsed, furniture):
    """A minute whose classification is printed only as the stamp on its pages keeps it."""
    if parsed.classification:
        return
    for cell in furniture:
        if cell.upper() in _CLASSIFICATION_WORDS or cell.upper().endswith((": SENSITIVE", ":SENSITIVE")):
            parsed.classification = cell.upper()
            return


def save_pack(pack, *, user, update=False):
    """Save every minute of the pack, its paper and its release in one transaction; nothing when anything is refused."""
    if not pack.can_save:
        raise PackRefused(" ".join(pack.problems))
    with transaction.atomic():
        paper = _save_paper(pack, user)
        minutes = []
        for planned in pack.minutes:
            minute = save_import(planned.plan, user=user, update=update)
            minutes.append(minute)
        primary = next((minute for planned, minute in zip(pack.minutes, minutes) if planned.kind == MINUTE), None)
        if paper is not None and primary is not None and primary.paper_id != paper.pk:
            if primary.paper_id is None:
                with acting_as(user):
                    primary.paper = paper
                    primary.save(update_fields=["paper"])
            else:
                pack.warnings.append(f"{primary.reference} is already linked to {primary.paper}; {paper} was not linked.")
    return minutes


def _save_paper(pack, user):
    """The pack's paper: found by its reference or created with what the paper says of itself."""
    parsed = pack.paper
    primary = next((planned.plan for planned in pack.minutes if planned.kind == MINUTE), None)
    if parsed is None or primary is None:
        return None
    reference = parsed.reference or _counterpart(primary.reference)
    if reference is None:
        return None
    text = "\n\n".join(f"{number} {words}" for number, words in parsed.recommendations)
    existing = Paper.objects.filter(reference=reference).first()
    if existing is not None:
        if text and not existing.text:
            with acting_as(user):
                existing.text = text
                existing.save(update_fields=["text"])
            _propose_discharges(pack, existing)
        return existing
    classification, endorsement, _ = split_marking(parsed.classification)
    release = primary.parsed.release
    paper_date, precision = _paper_date(release, reference)
    with acting_as(user):
        paper = Paper(
            reference=reference, title=(parsed.title or primary.parsed.title or reference)[:400],
            classification=classification, endorsement=endorsement, paper_date=paper_date, date_precision=precision,
            lead_agency=_agency(release.released_by) if release and release.released_by else None, text=text,
        )
        paper.full_clean()
        paper.save()
        portfolios = [_portfolio(name) for name in parsed.portfolios]
        if portfolios:
            paper.portfolios.set(portfolios)
    _propose_discharges(pack, paper)
    return paper


def _propose_discharges(pack, paper):
    """A paper whose recommendations cite earlier minutes of its portfolio proposes their report-backs' discharge."""
    proposals = cycle.propose_discharges(paper, cycle.paragraphs(paper.text))
    if proposals:
        pack.warnings.append(cycle.proposals_note(paper, proposals))


def _paper_date(release, reference):
    """The paper's date from the coversheet's list of documents: the row naming the paper, or the first not a minute."""
    documents = release.documents if release else []
    row = next((document for document in documents if document.title and reference in document.title), None)
    row = row or next((document for document in documents if document.title and "minute" not in document.title.lower()), None)
    if row is None or row.date is None:
        return None, DatePrecision.NONE
    if row.date_precision == DatePrecision.MONTH:
        return row.date.replace(day=1), DatePrecision.MONTH  # papers keep a month as its first day
    return row.date, row.date_precision


def _counterpart(reference):
    try:
        counterpart = parse_reference(reference or "").counterpart()
    except InvalidReference:
        return None
    return str(counterpart) if counterpart else None


def _portfolio(name):
    return Portfolio.objects.filter(name__iexact=name).first() or Portfolio.objects.create(name=name[:120])


def _agency(words):
    return Agency.objects.filter(name__iexact=words).first() or Agency.objects.filter(short_name__iexact=words).first()


def import_pack(name, content, *, user, update=False):
    """Plan and save one pack: (plan, minutes). PackRefused (nothing saved) when it cannot be imported."""
    pack = plan_pack(name, content)
    return pack, save_pack(pack, user=user, update=update)


def iter_pack_files(path):
    """(name, content or PackRefused) for each pack in a file, a folder (sorted, recursively) or a zip of packs."""
    path = Path(path)
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and child.suffix.lower() in (*PACK_SUFFIXES, ".zip"):
                yield from iter_pack_files(child)
        return
    if path.suffix.lower() == ".zip":
        yield from _zip_members(path)
        return
    try:
        if path.stat().st_size > MAX_PACK_BYTES:
            yield str(path), PackRefused(f"The file is larger than {MAX_PACK_BYTES // (1024 * 1024)} MB: split the pack.")
            return
        yield str(path), path.read_bytes()
    except OSError as error:
        yield str(path), PackRefused(f"cannot be read: {error.strerror}")


def _zip_members(path):
    """The packs in a zip, each read with a cap on what it unpacks to (a zip bomb's sizes are not believed)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        yield str(path), PackRefused(f"The zip cannot be opened ({error}).")
        return
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir() and info.filename.lower().endswith(PACK_SUFFIXES)]
        if len(members) > MAX_ZIP_MEMBERS:
            yield str(path), PackRefused(f"The zip holds {len(members)} packs, more than {MAX_ZIP_MEMBERS}: split it.")
            return
        unpacked = 0
        for info in members:
            name = f"{path}:{info.filename}"
            try:
                content = _read_capped(archive, info, min(MAX_PACK_BYTES, MAX_ZIP_TOTAL_BYTES - unpacked))
            except PackRefused as error:
                yield name, error
                if unpacked >= MAX_ZIP_TOTAL_BYTES:
                    return
                continue
            except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, ValueError) as error:
                yield name, PackRefused(f"It cannot be unpacked ({error}).")
                continue
            unpacked += len(content)
            yield name, content


def _read_capped(archive, info, limit):
    buffer = io.BytesIO()
    with archive.open(info) as member:
        while chunk := member.read(1024 * 1024):
            if buffer.tell() + len(chunk) > limit:
                raise PackRefused(f"It unpacks to more than {limit // (1024 * 1024)} MB: it was not read.")
            buffer.write(chunk)
    return buffer.getvalue()
