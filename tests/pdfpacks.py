"""Release packs as PDFs, generated from plain text the way agencies publish them (reportlab; no files committed).

Each document starts on a new page. Every page carries what release PDFs carry and the importer must not read as text:
a diagonal watermark ("Proactively Released", "RELEASED UNDER THE OFFICIAL INFORMATION ACT"), an IN CONFIDENCE stamp
and the document's reference at the top, and a page number at the foot. A "scanned" page is an image with no text
layer (only the watermark drawn over it). Lines holding tabs are drawn as table rows, one cell a column.

A document is drawn in Helvetica, one of the standard PDF fonts, when Windows-1252 can print all of it. Otherwise
(macrons as in "Māori", ligatures, U+FFFD) it is drawn in a TrueType font embedded in the PDF, as agencies' PDFs embed
theirs: Bitstream Vera, which reportlab ships, with the characters Vera lacks added as composites of its own glyphs
(ā is a with Vera's macron over it) by fontTools, which WeasyPrint depends on. So no font need be installed.
"""

import functools
import io
import random
from dataclasses import dataclass
from pathlib import Path

import reportlab
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

WIDTH, HEIGHT = A4
MARGIN = 72
FONT, SIZE, LEADING = "Helvetica", 10, 13
WRAP = 88  # characters a line at 10 pt Helvetica holds between the margins
UNICODE_FONT, UNICODE_SIZE = "PackSans", 8.5  # Vera is wider than Helvetica: 88 of its characters fit at 8.5 pt
WATERMARKS = ("Proactively Released", "RELEASED UNDER THE OFFICIAL INFORMATION ACT")


@dataclass
class Document:
    text: str
    reference: str | None = None  # printed at the top right of each of its pages
    scanned_pages: int = 0  # image-only pages appended after the text


def sample_text(path):
    """A sample's text without the source line and markdown bold a web capture adds (a PDF prints neither)."""
    text = path.read_text(encoding="utf-8")
    if text.startswith(("http", "Invented for tests")):  # a note to the reader, not printed in a release
        text = text.split("\n", 1)[1]
    return text.replace("**", "")


def build_pack(documents, *, watermark=True, stamps=True, page_numbers=True):
    """The bytes of a PDF holding `documents` one after the other, with the furniture of a release."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    pages = []
    for document in documents:
        if document.text.strip():
            pages.extend((document, lines) for lines in _paginate(wrapped_lines(document.text)))
        pages.extend((document, None) for _ in range(document.scanned_pages))
    for number, (document, lines) in enumerate(pages, start=1):
        if lines is None:
            _draw_scan(pdf, seed=number)
        else:
            _draw_lines(pdf, lines, *_font_for(document.text))
        if stamps:
            pdf.setFont("Helvetica-Bold", 9)
            pdf.drawString(MARGIN, HEIGHT - 40, "IN CONFIDENCE")
            if document.reference:
                pdf.drawRightString(WIDTH - MARGIN, HEIGHT - 40, document.reference)
        if page_numbers:
            pdf.setFont(FONT, 9)
            pdf.drawCentredString(WIDTH / 2, 36, str(number))
        if watermark:
            _draw_watermark(pdf)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def wrapped_lines(text):
    """Wrapped lines; a wrapped bullet's continuation keeps the bullet's indent. Tab-separated rows stay whole."""
    lines = []
    for line in text.split("\n"):
        if "\t" in line or len(line) <= WRAP:
            lines.append(line.rstrip())
            continue
        indent = len(line) - len(line.lstrip())
        hanging = indent + (2 if line.lstrip()[:2] in ("- ", "* ") else 0)
        current = ""
        for word in line.split():
            candidate = f"{current} {word}" if current else " " * indent + word
            if len(candidate) > WRAP and current:
                lines.append(current)
                current = " " * hanging + word
            else:
                current = candidate
        lines.append(current)
    return lines


def _paginate(lines):
    per_page = int((HEIGHT - 2 * MARGIN) // LEADING)
    while lines and not lines[0].strip():
        lines = lines[1:]
    return [lines[start:start + per_page] for start in range(0, max(len(lines), 1), per_page)]


def printable_in_standard_fonts(text):
    """Whether Helvetica (Windows-1252) can print every character of `text`."""
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _font_for(text):
    if printable_in_standard_fonts(text):
        return FONT, SIZE
    _register_unicode_font()
    return UNICODE_FONT, UNICODE_SIZE


def _draw_lines(pdf, lines, font=FONT, size=SIZE):
    y = HEIGHT - MARGIN
    for line in lines:
        if not line.strip():
            pass  # a blank line is only space
        elif "\t" in line:
            _draw_row(pdf, line, y, font)
        else:
            pdf.setFont(font, size)
            indent = len(line) - len(line.lstrip())
            pdf.drawString(MARGIN + indent * 3, y, line.strip())
        y -= LEADING


def _draw_row(pdf, line, y, font=FONT):
    """A table row: its cells spread across the width with wide gaps, smaller type if they would not fit."""
    cells = [cell.strip() for cell in line.split("\t") if cell.strip()]
    gap, size = 30, 8
    while size > 4 and sum(pdf.stringWidth(cell, font, size) for cell in cells) + gap * (len(cells) - 1) > WIDTH - 2 * MARGIN:
        size -= 0.5
    pdf.setFont(font, size)
    x = MARGIN
    for cell in cells:
        pdf.drawString(x, y, cell)
        x += pdf.stringWidth(cell, font, size) + gap


# Characters Vera lacks, each drawn with Vera's own glyphs. Vera's spacing macron (U+00AF) is drawn 1378 to 1526 font
# units up: over a capital it is raised clear of the letter, over a small letter lowered to sit just above it.
_MACRONS = {
    "\u0100": "A", "\u0101": "a", "\u0112": "E", "\u0113": "e", "\u012a": "I", "\u012b": "dotlessi",
    "\u014c": "O", "\u014d": "o", "\u016a": "U", "\u016b": "u",
}
_MACRON_RAISED, _MACRON_LOWERED, _MACRON_CENTRE = 120, -200, 512
_SIDE_BY_SIDE = {
    "\u2010": ["hyphen"], "\u2011": ["hyphen"],  # hyphen, non-breaking hyphen
    "\ufb00": ["f", "f"], "\ufb03": ["f", "f", "i"], "\ufb04": ["f", "f", "l"],  # ligatures Vera lacks (it has ﬁ, ﬂ)
    "\ufffd": ["question"],  # the replacement character a capture printed for bytes it could not read
}


@functools.cache
def _register_unicode_font():
    from fontTools.ttLib import TTFont as FontFile
    from fontTools.ttLib.tables._g_l_y_f import Glyph, GlyphComponent

    font = FontFile(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")
    glyphs, metrics = font["glyf"], font["hmtx"].metrics
    added = {}  # character: ([(glyph, dx, dy)], advance width)
    for character, base in _MACRONS.items():
        advance = metrics[base][0]
        dy = _MACRON_RAISED if base.isupper() else _MACRON_LOWERED
        added[character] = ([(base, 0, 0), ("macron", advance // 2 - _MACRON_CENTRE, dy)], advance)
    for character, names in _SIDE_BY_SIDE.items():
        parts, x = [], 0
        for name in names:
            parts.append((name, x, 0))
            x += metrics[name][0]
        added[character] = (parts, x)
    order = list(font.getGlyphOrder())
    for character, (parts, advance) in added.items():
        name = f"uni{ord(character):04X}"
        glyph = Glyph()
        glyph.numberOfContours = -1  # a composite: it draws other glyphs
        glyph.components = []
        for part, dx, dy in parts:
            component = GlyphComponent()
            component.glyphName, component.x, component.y, component.flags = part, dx, dy, 0
            glyph.components.append(component)
        glyphs[name] = glyph
        metrics[name] = (advance, 0)
        order.append(name)
        for table in font["cmap"].tables:
            if table.isUnicode():
                table.cmap[ord(character)] = name
    font.setGlyphOrder(order)
    del font["hdmx"]  # per-glyph device metrics for the old glyph count; optional
    data = io.BytesIO()
    font.save(data)
    data.seek(0)
    pdfmetrics.registerFont(TTFont(UNICODE_FONT, data))


def _draw_watermark(pdf):
    pdf.saveState()
    pdf.setFillGray(0.75)
    pdf.translate(WIDTH / 2, HEIGHT / 2)
    pdf.rotate(45)
    pdf.setFont("Helvetica-Bold", 30)
    pdf.drawCentredString(0, 20, WATERMARKS[0])
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawCentredString(0, -20, WATERMARKS[1])
    pdf.restoreState()


def _draw_scan(pdf, *, seed):
    """A scanned page: a grey image of "print" with no text layer."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("L", (300, 420), 245)
    draw = ImageDraw.Draw(image)
    for row in range(30, 400, 12):
        draw.rectangle((30, row, 30 + rng.randint(120, 240), row + 5), fill=60)
    pdf.drawImage(ImageReader(image), 0, 0, WIDTH, HEIGHT)
