"""What a minute prints above its lead-in: title, portfolios, classification."""

import re

from .reference import REFERENCE
from .text import is_junk, squash, words

_BOILERPLATE = re.compile(
    r"This\s+document\s+contains\s+information\s+for\s+the\s+New\s+Zealand\s+Cabinet.{0,600}?appropriate\s+authority\.?",
    re.IGNORECASE | re.DOTALL,
)
_PORTFOLIO = re.compile(r"(?<![A-Za-z])(?:Portfolios?|PORTFOLIOS?)\b[ \t]*:?[ \t]*")
_EXTRACT_TITLE = re.compile(
    rf"Minute\s+(?:of\s+Decision\s+)?(?:{REFERENCE.pattern})\s*[:\-–]\s*"
    # The title's line, and up to two more where the page wrapped it (not a blank line, not the lead-in).
    r"(?P<title>[^\n]{3,300}(?:\n[ \t]*(?!On\s+[0-9])[^\s][^\n]{0,200}){0,2})", re.IGNORECASE
)
_LEVEL = r"TOP\s+SECRET|SECRET|CONFIDENTIAL|RESTRICTED|SENSITIVE|IN[\s-]+CONFIDENCE|UNCLASSIFIED"
_CLASSIFICATION = re.compile(rf"(?=[A-Z]{{2}})(?<![A-Za-z])(?:(?P<endorsement>[A-Z]{{3,20}})\s*:\s*)?(?P<level>{_LEVEL})(?![A-Za-z])")
# A classification stamp on its own, as printed in a page's header or footer: "IN CONFIDENCE", "BUDGET : SENSITIVE".
CLASSIFICATION_STAMP = re.compile(rf"[ \t]*(?:[A-Z]{{3,20}}\s*:\s*)?(?:{_LEVEL})[ \t]*")
_CLASSIFICATION_LINE = re.compile(rf"^[ \t]*(?:[A-Z]{{3,20}}\s*:\s*)?(?:{_LEVEL})[ \t]*$", re.MULTILINE)
_REFERENCE_LINE = re.compile(rf"^[ \t]*(?:{REFERENCE.pattern})[ \t]*$", re.MULTILINE)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_TITLE_EDGES = " \t\n#*:;,.-–|"
_PORTFOLIO_CONNECTIVES = {"and", "of", "for", "the", "on", "&"}


def split_title_and_portfolios(header, watermark):
    """(title, portfolios) from the text between "Minute of Decision" and the lead-in."""
    # A reference on a line of its own ("Minute of Decision\nECO-25-MIN-0020") is the page header, not the title.
    header = _REFERENCE_LINE.sub(" ", _CLASSIFICATION_LINE.sub(" ", _BOILERPLATE.sub("\n", header)))
    match = _PORTFOLIO.search(header)
    if match is None:
        return clean_title(header, watermark), []
    value_end = header.find("\n", match.end())
    value = header[match.end():value_end if value_end >= 0 else len(header)]
    if not value.strip() and value_end >= 0:
        # "Portfolio" alone on its line, the names on the next one (text extracted cell by cell).
        value = next((line for line in header[value_end:].split("\n") if line.strip()), "")
    elif value_end >= 0:
        value += " " + _paragraph_rest(header[value_end:])  # "Portfolio Foreign\nAffairs": the page wrapped the line
    return clean_title(header[:match.start()], watermark), portfolios(value, watermark)


def _paragraph_rest(text):
    """The lines after a line break up to the next blank line: where a line wrapped by the page goes on."""
    return " ".join(_BLANK_LINE.split(text, maxsplit=1)[0].split())


def title_from_cover(cover, watermark):
    """A title printed after the reference in a cover note: "Extract from Cabinet Minute SWC-19-MIN-0085: Adopting ..."."""
    match = _EXTRACT_TITLE.search(cover)
    return clean_title(match["title"], watermark) if match else None


def clean_title(text, watermark):
    tokens = words(text)
    while tokens and (is_junk(tokens[-1]) or _stray_watermark(tokens, watermark)):
        tokens.pop()
    while tokens and is_junk(tokens[0]):
        tokens.pop(0)
    return " ".join(tokens).strip(_TITLE_EDGES) or None


def _stray_watermark(tokens, watermark):
    # "Period Ended 10 May 2019 Affairs": a watermark word after a number or small word; "Foreign Affairs" stays.
    return len(tokens) > 1 and tokens[-1] in watermark and not tokens[-1].islower() and not tokens[-2][:1].isupper()


def portfolios(value, watermark):
    """Portfolio names from "Foreign Affairs / Resources", dropping OCR debris and watermark words after them."""
    names = []
    for part in value.split("/"):
        tokens = []
        for token in words(part):
            if is_junk(token) and token != "&":
                break
            tokens.append(token)
        while tokens and (tokens[-1].islower() or tokens[-1] in _PORTFOLIO_CONNECTIVES or _stray_watermark(tokens, watermark)):
            tokens.pop()
        if name := " ".join(tokens).strip(" ,;:."):
            names.append(name)
    return names


def find_classification(text, lead_in_start):
    """The classification and any endorsement, spaced as "BUDGET : SENSITIVE": printed above the lead-in,
    or else anywhere (page headers and footers repeat it); None when not printed."""
    match = _CLASSIFICATION.search(text, 0, lead_in_start) or _CLASSIFICATION.search(text)
    if match is None:
        return None
    level = squash(match["level"].replace("-", " "))
    return f"{match['endorsement']} : {level}" if match["endorsement"] else level


def without_page_headers(text):
    """Text without what page headers and footers repeat: the classification (on its line or flattened into
    the text, where capitals tell it from words), and the reference on a line of its own."""
    return _REFERENCE_LINE.sub(" ", _CLASSIFICATION.sub(" ", text))
