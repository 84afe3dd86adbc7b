"""Redaction markers in released minutes ("s9(2)(f)(iv)", "[withheld under 9(2)(j)]", "Negotiations [REDACTED]")."""

import re

from cabinet.grounds import ground_for_words

from .results import ParsedRedaction

SECTION_CODE = (
    r"(?:9\s?\(2\)\s?\((?:ba|[a-k])\)(?:\s?\((?:iv|v|i{1,3})\))?"
    r"|6\s?\([a-e]\)(?:\s?\((?:ii|i)\))?"
    r"|18\s?\([a-h]\))"
)
_GENERIC_WORDS = r"(?:redacted(?:\s+content)?|withheld|deleted|information\s+withheld|out\s+of\s+scope|not\s+in\s+scope|not\s+relevant(?:\s+to\s+the\s+request)?)"
_MARKER = re.compile(
    rf"""
      \[\s*(?:(?:withheld|redacted|deleted)\s+(?:under|pursuant\s+to)\s+)?(?:s(?:ection|\.)?\s*)?(?P<bracketed_code>{SECTION_CODE})
        (?:\s+of\s+the\s+(?:Official\s+Information\s+Act|OIA|Act)(?:\s+1982)?)?\s*\]
    | \[\s*(?P<generic>{_GENERIC_WORDS})\s*\]
    | \[\s*(?P<words>[A-Za-z][A-Za-z ,]{{2,60}})\s*\]
    | (?<![\w(])(?:s(?:ection)?\s?|s\.\s?)?(?P<code>{SECTION_CODE})
    | (?P<scope>\b(?:Out|Not)\s+(?:of|in)\s+[Ss]cope\b)
    """,
    re.IGNORECASE | re.VERBOSE,
)
_LABEL_WORDS = 5
_LABEL_SEARCH_CHARACTERS = 80
_TAIL_CHARACTERS = 120
_SPACE = re.compile(r"\s+")
_WORD_CHARACTER = re.compile(r"[^\W_]")


def find_redactions(text):
    """Every redaction in a paragraph, with its ground where the release names one."""
    found = []
    for match in _MARKER.finditer(text):
        redaction = _redaction(match, text)
        if redaction is not None:
            found.append(redaction)
    return found


def is_wholly_redacted(text, redactions):
    """True when nothing but markers and their labels is left of a paragraph ("1 s9(2)(f)(iv)")."""
    if not redactions:
        return False
    label_words = {word for redaction in redactions if redaction.label for word in redaction.label.split()}
    remainder = _MARKER.sub(lambda match: " " if _redaction(match, text) else match.group(), text)
    return all(word in label_words or not _WORD_CHARACTER.search(word) for word in remainder.split())


def ends_with_redaction(text):
    """True when a paragraph ends in a marker, as a withheld one does ("3 s9(2)(f)(iv)"), having lost its ";"."""
    tail = text[-_TAIL_CHARACTERS:].rstrip()
    last = None
    for match in _MARKER.finditer(tail):
        last = match
    return last is not None and last.end() == len(tail) and _redaction(last, tail) is not None


def starts_with_redaction(text):
    """True for "s9(2)(f)(iv) ..." and for a labelled marker such as "Negotiations [REDACTED]"."""
    match = _MARKER.search(text, 0, _LABEL_SEARCH_CHARACTERS)
    if match is None or _redaction(match, text) is None:
        return False
    before = text[:match.start()].strip(" ,;:")
    return not before or ground_for_words(before) is not None


def _redaction(match, text):
    marker = match.group()
    if code := match["bracketed_code"] or match["code"]:
        label = _label_before(text[: match.start()])
        return ParsedRedaction(ground=_normal_code(code), label=label[0] if label else None, marker=marker)
    if words := match["words"]:
        ground = ground_for_words(words)
        return ParsedRedaction(ground.code, words.strip(), marker) if ground else None
    if match["scope"]:
        return ParsedRedaction(None, _SPACE.sub(" ", marker), marker)
    generic = match["generic"]
    if generic.lower().replace(" ", "") in ("outofscope", "notinscope") or generic.lower().startswith("not relevant"):
        return ParsedRedaction(None, _SPACE.sub(" ", generic), marker)
    label = _label_before(text[: match.start()])
    return ParsedRedaction(label[1], label[0], marker) if label else ParsedRedaction(None, None, marker)


def _label_before(text):
    """(words, ground code) when the words just before a marker name a ground: "Negotiations [REDACTED]"."""
    tail = text[-120:].split()[-_LABEL_WORDS:]
    for size in range(len(tail), 0, -1):
        words = " ".join(tail[-size:]).strip(" ,;:")
        if ground := ground_for_words(words):
            return words, ground.code
    return None


def _normal_code(code):
    return _SPACE.sub("", code).lower()
