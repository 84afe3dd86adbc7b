"""Which PDF library reads release packs best: recovered words and time per page (not run by `make bench`).

Needs pdfminer.six and pdfplumber besides pypdf and reportlab (`pip install pdfminer.six pdfplumber`); the project
itself depends only on pypdf. Each sample in tests/samples becomes a one-document PDF with a diagonal watermark,
stamps and page numbers (tests/pdfpacks.py); each library's text is compared word by word with the sample's.
Prints, for each library: word accuracy (difflib ratio over words, furniture words excluded from the source),
watermark words leaked into the text, and milliseconds per page.
"""

import difflib
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.pdfpacks import Document, build_pack, sample_text  # noqa: E402

SAMPLES = sorted(Path(__file__).resolve().parent.parent.joinpath("tests", "samples").glob("*.txt"))
LEAKS = ("Proactively Released", "OFFICIAL INFORMATION ACT")


def with_pypdf(content, mode):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return [page.extract_text(extraction_mode=mode) for page in reader.pages]


def with_pdfminer(content):
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    return ["\n".join(element.get_text() for element in page if isinstance(element, LTTextContainer))
            for page in extract_pages(io.BytesIO(content))]


def with_pdfplumber(content):
    import pdfplumber

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [page.filter(lambda obj: obj.get("upright", True)).extract_text(layout=True) or "" for page in pdf.pages]


def with_pypdf_geometry(content):
    from decisions.parsing.pdf import read_pdf

    return [page.text for page in read_pdf(content).pages]


EXTRACTORS = {
    "pypdf plain": lambda content: with_pypdf(content, "plain"),
    "pypdf layout": lambda content: with_pypdf(content, "layout"),
    "pdfminer.six": with_pdfminer,
    "pdfplumber (upright chars)": with_pdfplumber,
    "pypdf + geometry (chosen)": with_pypdf_geometry,
}


def main():
    packs = []
    for path in SAMPLES:
        text = sample_text(path)
        packs.append((text.split(), build_pack([Document(text, reference=None)], stamps=False, page_numbers=False)))
    print(f"{len(packs)} samples as PDFs with a diagonal watermark")
    print(f"{'library':28} {'words':>7} {'leaks':>6} {'ms/page':>8}")
    for name, extract in EXTRACTORS.items():
        ratios, leaks, pages, started = [], 0, 0, time.perf_counter()
        for words, content in packs:
            texts = extract(content)
            pages += len(texts)
            joined = "\n".join(texts)
            leaks += sum(joined.count(leak) for leak in LEAKS)
            ratios.append(difflib.SequenceMatcher(None, words, joined.split(), autojunk=False).ratio())
        elapsed = (time.perf_counter() - started) * 1000 / pages
        print(f"{name:28} {sum(ratios) / len(ratios):7.3f} {leaks:6d} {elapsed:8.1f}")


if __name__ == "__main__":
    main()
