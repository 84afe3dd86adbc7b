"""Clean text captured from released PDFs and web pages: binary checks, spacing, footers, watermark splices."""

import re
from collections import Counter

from cabinet.references import LEGACY_MINUTE_PATTERN, MODERN_PATTERN

from .results import NotAMinute

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_SPACES = re.compile(r"[\xa0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\xad\u200b-\u200d\u2060\ufeff]")
_SOURCE_LINE = re.compile(r"\A\s*https?://\S+[ \t]*\n")
_MARKDOWN_BOLD = re.compile(r"\*\*|__")
# Ligatures PDF text keeps ("conﬁrmed", "Oﬃce"): the verbs and names must read as typed.
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"})
_LIGATURE = re.compile("[\ufb00-\ufb06]")

# "1 883jp3jkpp 2019-07-09 11:05:40": page number, document id and print time, often followed by the
# page header (the minute's own reference).
_PAGE_FOOTER = re.compile(
    r"(?=[0-9])(?<!\S)[0-9]{1,3}\s+(?=[0-9a-z]*[0-9])(?=[0-9a-z]*[a-z])[0-9a-z]{6,16}\s+"
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}\s+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?![0-9])"
    rf"(?:\s+(?P<header>{MODERN_PATTERN}|{LEGACY_MINUTE_PATTERN}))?"
)
_PAGE_OF = re.compile(r"\b(?:Page|PAGE|page)\s+[0-9]{1,3}\s+(?:of|OF)\s+[0-9]{1,3}\b")
# Stamps across released pages: "RELEASED UNDER THE OFFICIAL INFORMATION ACT 1982", a "Proactively Released" line.
_STAMPS = re.compile(
    r"RELEASED\s+UNDER\s+THE\s+OFFICIAL\s+INFORMATION\s+ACT(?:\s+1982)?|PROACTIVELY\s+RELEASED"
    r"|^[ \t]*(?:Released\s+under\s+the\s+Official\s+Information\s+Act(?:\s+1982)?|Proactively\s+Released)[ \t]*$",
    re.MULTILINE,
)

_BASE_WATERMARK = frozenset({"Proactively", "proactively", "Released", "released", "RELEASED", "by", "of", "the"})
_RELEASED_BY = re.compile(r"[Pp]roactively\s+released\s+by\s+(?:the\s+)?(?P<by>[A-Z][^\n:;.,()]{2,80})")
# "...have been proactively released by the Minister of Foreign\nAffairs: First ...": a sentence the page wrapped, up to
# its full stop, colon or semicolon within a paragraph. Only one that starts mid-sentence: a line "Proactively released
# by the Minister of Justice" of its own (a stamp) ends at its line.
_RELEASED_BY_SENTENCE = re.compile(
    r"\b(?:been|is|was|were|are)\s+(?:proactively\s+)?released\s+by\s+(?:[^\n.:;]|\n(?![ \t]*\n)){2,300}?[.:;]"
)
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_WATERMARK_EVIDENCE = re.compile(r"Proactively|proactively released|released[A-Z]", re.IGNORECASE)
# "releasedForeign", "GoalsForeign", "ofForeign": a word glued to the next without a space.
_GLUED = re.compile(r"\b(?P<head>[A-Z]?[a-z]{2,})(?P<tail>[A-Z][a-z]+)\b")
# "Newby Zealand", "Ministerof for": a watermark word glued to the end of a real word.
_GLUED_SUFFIX = re.compile(r"\b(?P<stem>[A-Za-z]{2,}?)(?P<suffix>by|of|the|released)(?=\s+(?P<next>[A-Za-z]+))")
_SPLICE_STARTERS = frozenset({"released", "proactively"})

_JUNK_CHARACTERS = re.compile(r"[~^{}|\\<>=_\"¢•]")
_LETTERS = re.compile(r"[^\W\d_]")
_WORD_CHARACTERS = re.compile(r"[^\W_]")
_WORD = re.compile(r"\S+")
_SMALL_THEN_CAPITAL = re.compile(r"[a-z][A-Z]")


def prepare(text):
    """The text with spacing and line ends made regular, or NotAMinute for input that cannot be a minute."""
    if isinstance(text, bytes):
        raise NotAMinute("This is binary data, not the text of a minute: decode it first.")
    if not isinstance(text, str):
        raise NotAMinute(f"Expected the text of a minute, not {type(text).__name__}.")
    if not text.strip():
        raise NotAMinute("The text is empty: there is no minute to read.")
    if "\x00" in text:
        raise NotAMinute("The text contains NUL bytes: it looks like a binary file, not a minute.")
    if len(_CONTROL.findall(text)) > max(2, len(text) // 50) or text.count("\ufffd") > max(4, len(text) // 10):
        raise NotAMinute("The text is mostly control or undecodable characters: it looks like a binary file, not a minute.")
    text = _LINE_BREAKS.sub("\n", text)
    text = _SPACES.sub(" ", text)
    text = _INVISIBLE.sub("", text)
    if _LIGATURE.search(text):
        text = text.translate(_LIGATURES)
    text = _CONTROL.sub(" ", text.replace("\ufffd", " "))
    text = _SOURCE_LINE.sub("", text, count=1)
    return _MARKDOWN_BOLD.sub("", text)


def unwrap_released_by(text):
    """The text with a "released by <name>" sentence that a page wrapped joined back onto one line."""
    return _RELEASED_BY_SENTENCE.sub(lambda match: _LINE_BREAK.sub(" ", match.group()), text)


def watermark_words(text):
    """Words a "Proactively released by the Minister of X" watermark may have spliced into this text."""
    words = set(_BASE_WATERMARK)
    for match in _RELEASED_BY.finditer(unwrap_released_by(text)):
        words.update(match["by"].split())
    return frozenset(words)


def repair_watermark(text, watermark):
    """Undo splices of watermark words into sentences, only where the repair is safe."""
    if not _WATERMARK_EVIDENCE.search(text):
        return text
    text = _GLUED.sub(lambda match: _unglue(match, watermark), text)
    if not _GLUED_SUFFIX.search(text):
        return text
    printed = [word.strip(".,;:()[]") for word in text.split()]
    bigrams, counts = set(zip(printed, printed[1:])), Counter(printed)
    return _GLUED_SUFFIX.sub(lambda match: _unsuffix(match, bigrams, counts), text)


def _unglue(match, watermark):
    head, tail = match["head"], match["tail"]
    if head.lower() in _SPLICE_STARTERS:
        return tail
    if tail in watermark:
        return head
    return match.group()


def _unsuffix(match, bigrams, counts):
    # Only when the repaired pair is printed elsewhere and the glued word is not: "New Zealand" yes, "thereof" no.
    if (match["stem"], match["next"]) in bigrams and counts[match.group()] == 1:
        return match["stem"]
    return match.group()


def remove_page_furniture(text):
    """Text without page footers, "Page 2 of 5" and release stamps; also the page headers (references) after footers."""
    footers = list(_PAGE_FOOTER.finditer(text))
    if footers:
        text = _PAGE_FOOTER.sub(" ", text)
    headers = [match["header"] for match in footers if match["header"]]
    return _STAMPS.sub(" ", _PAGE_OF.sub(" ", text)), headers


def is_junk(token):
    """OCR debris such as "~~/J~", "'I." or "hRelatlOns": not a word a minute would print."""
    if _JUNK_CHARACTERS.search(token) or not _WORD_CHARACTERS.search(token):
        return True
    if len(_LETTERS.findall(token)) == 1 and not token.isalnum():
        return True
    return any(_is_mixed_case(part) for part in token.split("-"))


def _is_mixed_case(word):
    # A capital after a small letter inside a word, as OCR leaves it; "McDonald" and "MacKenzie" are names.
    letters = "".join(_LETTERS.findall(word))
    return bool(_SMALL_THEN_CAPITAL.search(letters)) and not letters.startswith(("Mc", "Mac"))


def is_noise(token, watermark):
    return token.strip(".,;:") in watermark or is_junk(token)


def words(text):
    return _WORD.findall(text)


def squash(text):
    """Runs of whitespace as one space."""
    return " ".join(text.split())
