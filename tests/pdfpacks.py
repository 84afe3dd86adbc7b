"""Release packs as PDFs, generated from plain text the way agencies publish them (reportlab; no files committed).

Each document starts on a new page. Every page carries what release PDFs carry and the importer must not read as text:
a diagonal watermark ("Proactively Released", "RELEASED UNDER THE OFFICIAL INFORMATION ACT"), an IN CONFIDENCE stamp
and the document's reference at the top, and a page number at the foot. A "scanned" page is an image with no text
layer (only the watermark drawn over it). Lines holding tabs are drawn as table rows, one cell a column.
"""

import io
import random
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

WIDTH, HEIGHT = A4
MARGIN = 72
FONT, SIZE, LEADING = "Helvetica", 10, 13
WRAP = 88  # characters a line at 10 pt Helvetica holds between the margins
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
            _draw_lines(pdf, lines)
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


def _draw_lines(pdf, lines):
    y = HEIGHT - MARGIN
    for line in lines:
        if not line.strip():
            pass  # a blank line is only space
        elif "\t" in line:
            _draw_row(pdf, line, y)
        else:
            pdf.setFont(FONT, SIZE)
            indent = len(line) - len(line.lstrip())
            pdf.drawString(MARGIN + indent * 3, y, line.strip())
        y -= LEADING


def _draw_row(pdf, line, y):
    """A table row: its cells spread across the width with wide gaps, smaller type if they would not fit."""
    cells = [cell.strip() for cell in line.split("\t") if cell.strip()]
    gap, size = 30, 8
    while size > 4 and sum(pdf.stringWidth(cell, FONT, size) for cell in cells) + gap * (len(cells) - 1) > WIDTH - 2 * MARGIN:
        size -= 0.5
    pdf.setFont(FONT, size)
    x = MARGIN
    for cell in cells:
        pdf.drawString(x, y, cell)
        x += pdf.stringWidth(cell, FONT, size) + gap


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
