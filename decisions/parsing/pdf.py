"""The text of a released PDF as it reads on the page, without what a release adds to every page.

pypdf gives each run of text with its position and matrix (see docs/design.md for why pypdf). From those:
- text drawn at an angle (the diagonal "Proactively Released" / "RELEASED UNDER THE OFFICIAL INFORMATION ACT"
  watermark) is dropped;
- lines in the top and bottom bands of the page are page furniture when they are a page number ("3", "Page 3 of 12",
  "- 3 -"), a classification stamp ("IN CONFIDENCE", on one page as on many), a reference, or when the same line
  (digits aside) stands in the bands of other pages: a running title. They are kept aside per page: the reference is
  evidence of which document a page belongs to, the stamp of its classification;
- a page with no text of its own but an image (a scan) is reported as needing OCR.
Lines are rebuilt from positions: runs on one baseline are joined, a wide gap becomes a tab (a table's cells, as the
coversheet parser reads them), and a larger gap between lines a blank line (a paragraph break).
"""

import io
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from cabinet.references import LEGACY_MINUTE_PATTERN, MODERN_PATTERN

from .masthead import CLASSIFICATION_STAMP
from .results import NotAMinute

MAX_PAGES = 2000
_BAND = 60  # points from the top or bottom edge where headers, footers and stamps are printed
_SKEW = 0.05  # |sin| of an angle above which text counts as rotated
_TAB_GAP = 2.2  # a gap of this many font sizes between runs on one line is a table's column gap
_CHARACTER_WIDTH = 0.5  # the average width of a character, in font sizes (proportional fonts)
_PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:Page|PAGE|page)\s+)?[-–(]?\s*[0-9]{1,4}\s*[-–)]?(?:\s+(?:of|OF|/)\s+[0-9]{1,4})?\s*$"
    r"|^\s*[0-9]{1,4}\s*\|\s*(?:P\s*a\s*g\s*e|Page)\s*$"
)
_DIGITS = re.compile(r"[0-9]+")
_REFERENCE = re.compile(rf"[\[(]?(?:{MODERN_PATTERN}|{LEGACY_MINUTE_PATTERN})[\])]?")


class PdfRefused(NotAMinute):
    """The PDF cannot be read at all (encrypted, not a PDF, damaged beyond its pages)."""


@dataclass
class _Run:
    text: str
    x: float
    y: float
    size: float
    width: float  # in points


@dataclass
class Page:
    number: int  # from 1
    lines: list[str] = field(default_factory=list)
    furniture: list[str] = field(default_factory=list)  # stamps, headers, footers removed from this page
    needs_ocr: bool = False
    unreadable: str | None = None  # why the page's text could not be read

    @property
    def text(self):
        return "\n".join(self.lines)


@dataclass
class PdfText:
    pages: list[Page]
    watermarked: bool = False

    @property
    def needs_ocr(self):
        return [page.number for page in self.pages if page.needs_ocr]

    @property
    def text(self):
        return "\n\n".join(page.text for page in self.pages if page.lines)

    def warnings(self):
        found = []
        if self.needs_ocr:
            found.append(f"{_pages(self.needs_ocr)} no text layer (scanned images): OCR them to read them; "
                         "the rest was read.")
        for page in self.pages:
            if page.unreadable:
                found.append(f"Page {page.number} could not be read ({page.unreadable}); the rest was read.")
        return found


def _pages(numbers):
    listed = ", ".join(str(number) for number in numbers)
    return f"Page {listed} has" if len(numbers) == 1 else f"Pages {listed} have"


def read_pdf(content):
    """The text of each page of a PDF, furniture removed. PdfRefused when the file cannot be read as a PDF."""
    from pypdf import PdfReader

    if not content.lstrip()[:5].startswith(b"%PDF"):
        raise PdfRefused("This file is not a PDF (it does not start with %PDF).")
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not _decrypt(reader):
            raise PdfRefused("The PDF is protected by a password: ask the agency for a copy without one.")
        count = len(reader.pages)
    except PdfRefused:
        raise
    except Exception as error:  # pypdf raises many kinds of error on damaged files; all mean the same here
        raise PdfRefused(f"The PDF is damaged and cannot be read ({_describe(error)}).") from error
    if count == 0:
        raise PdfRefused("The PDF has no pages.")
    if count > MAX_PAGES:
        raise PdfRefused(f"The PDF has {count} pages, more than the {MAX_PAGES} one import reads: split it.")
    pages, watermarked = [], False
    raw = []
    for number in range(1, count + 1):
        try:
            page = reader.pages[number - 1]
            runs, rotated, height = _runs(page)
            watermarked = watermarked or rotated
            raw.append((Page(number), _lines(runs), height, _has_image(page)))
        except Exception as error:  # one damaged page must not lose the others
            raw.append((Page(number, unreadable=_describe(error)), [], 0, False))
    repeated = _repeated_band_lines(raw)
    margin = min((line.x for _page, lines, _height, _image in raw for line in lines), default=0)
    for page, lines, height, has_image in raw:
        if page.unreadable:
            pages.append(page)
            continue
        body = []
        for line, y, size, x in lines:
            in_band = y > height - _BAND or y < _BAND
            cells = [cell.strip() for cell in line.split("\t") if cell.strip()]
            if in_band and all(_is_furniture(cell, repeated) for cell in cells):
                page.furniture.extend(cells)
            else:
                body.append(_Line(line, y, size, x))
        page.lines = _with_paragraph_breaks(_indented(body, margin))
        page.needs_ocr = has_image and not any(line.strip() for line in page.lines)
        pages.append(page)
    return PdfText(pages=pages, watermarked=watermarked)


def _decrypt(reader):
    """Open a PDF locked only against changes (an empty user password), as many released PDFs are."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # an unsupported cipher is the same as a password we do not have
        return False


def _describe(error):
    return str(error)[:200] or type(error).__name__


def _runs(page):
    """The page's upright runs of text with their positions; also whether any text was drawn at an angle."""
    runs, rotated, widths = [], False, {}

    def visit(text, cm, tm, font, size):
        nonlocal rotated
        if not text.strip():
            return
        a, b, c, d, e, f = _multiply(tm, cm)
        scale = math.hypot(a, b)
        if scale == 0 or abs(b) / scale > _SKEW or a < 0:
            rotated = True
            return
        # WinAnsiEncoding maps unused codes to the bullet, and reportlab writes "•" as 0x7F: pypdf reads that as DEL.
        text = text.replace("\n", " ").replace("\x7f", "•").rstrip()
        size = size or 10
        runs.append(_Run(text, e, f, size * math.hypot(c, d), _width(text, font, widths) * size * scale))

    page.extract_text(visitor_text=visit)
    box = page.mediabox
    return runs, rotated, float(box.top) - float(box.bottom) if box else 842.0


def _width(text, font, cache):
    """The width of `text` in font sizes, from the font's own character widths (pypdf reads them, the 14 standard
    fonts included); an average width when the font says nothing."""
    if font is None:
        return len(text) * _CHARACTER_WIDTH
    key = id(font)
    if key not in cache:
        try:
            from pypdf.generic._font import Font  # pypdf is pinned: its font metrics are not public API

            cache[key] = Font.from_font_resource(font).character_widths
        except Exception:  # a font pypdf cannot interpret: fall back to the average
            cache[key] = {}
    table = cache[key]
    if not table:
        return len(text) * _CHARACTER_WIDTH
    default = table.get("default", 500)
    return sum(table.get(character, default) for character in text) / 1000


def _multiply(m, n):
    a, b, c, d, e, f = (float(value) for value in m)
    p, q, r, s, t, u = (float(value) for value in n)
    return a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u


def _has_image(page):
    try:
        resources = page.get("/Resources")
        objects = resources.get_object().get("/XObject") if resources else None
        if not objects:
            return False
        return any(objects[name].get_object().get("/Subtype") == "/Image" for name in objects.get_object())
    except Exception:  # a damaged resource dictionary: no evidence of a scan
        return False


class _Line(NamedTuple):
    text: str
    y: float
    size: float
    x: float


def _lines(runs):
    """Runs grouped by baseline, top of the page first, left to right: (text, baseline, font size)."""
    lines = []
    for run in sorted(runs, key=lambda run: (-run.y, run.x)):
        if lines and abs(lines[-1][0][0].y - run.y) <= max(run.size, 1) * 0.4:
            lines[-1].append((run, None))
        else:
            lines.append([(run, None)])
    built = []
    for group in lines:
        runs_on_line = sorted((run for run, _ in group), key=lambda run: run.x)
        text, end = "", None
        for run in runs_on_line:
            if end is None:
                text = run.text.lstrip()  # pypdf may start a run with a space when the text moved: indent is from x
            else:
                gap = run.x - end
                joiner = "\t" if gap > _TAB_GAP * run.size else ("" if gap < 0.1 * run.size or text.endswith(" ") else " ")
                text += joiner + run.text
            end = run.x + run.width
        built.append(_Line(text, runs_on_line[0].y, max(run.size for run in runs_on_line), runs_on_line[0].x))
    return built


def _is_furniture(cell, repeated):
    """A cell of a line in the top or bottom band that the release printed, not the document: a page number, a line
    other pages print there too, a reference or a classification stamp (also on a one-page PDF, where nothing repeats)."""
    return (bool(_PAGE_NUMBER.match(cell)) or _shape(cell) in repeated or _REFERENCE.fullmatch(cell) is not None
            or CLASSIFICATION_STAMP.fullmatch(cell) is not None)


def _shape(line):
    """A line with its numbers blanked: "Page 3 of 9" and "Page 4 of 9" have one shape."""
    return _DIGITS.sub("#", " ".join(line.split())).upper()


def _repeated_band_lines(raw):
    """Shapes of lines printed in the top or bottom band of more than one page."""
    seen = Counter()
    for _page, lines, height, _image in raw:
        shapes = {
            _shape(cell) for line in lines if line.y > height - _BAND or line.y < _BAND for cell in line.text.split("\t")
        }
        seen.update(shapes)
    return {shape for shape, count in seen.items() if count > 1}


def _indented(lines, margin):
    """Lines indented as printed: a space for each half font size a line starts right of the text's left margin, so
    that a nested list keeps its levels."""
    return [line._replace(text=" " * max(0, round((line.x - margin) / (line.size * _CHARACTER_WIDTH))) + line.text)
            for line in lines]


def _with_paragraph_breaks(lines):
    """The lines' text with a blank line where the gap above a line is clearly more than the line spacing."""
    result, previous = [], None
    for text, y, size, _x in lines:
        if previous is not None and previous - y > size * 1.75:
            result.append("")
        result.append(text)
        previous = y
    return result
