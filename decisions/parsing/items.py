"""Decision items and their verbs, however the numbering was printed: on lines, flattened, restarted, or as bullets."""

import re
from functools import cached_property

from .dates import MONTH_PATTERN
from .redactions import ends_with_redaction, find_redactions, is_wholly_redacted, starts_with_redaction
from .results import ParsedDecision
from .text import is_noise, squash, words

VERBS = (
    "agreed in principle", "approved in principle", "endorsed in principle", "agreed to",
    "noted", "agreed", "approved", "authorised", "invited", "directed", "endorsed", "confirmed",
    "rescinded", "amended", "referred", "requested", "instructed", "appointed", "accepted", "declined",
    "deferred", "considered", "discussed", "expressed", "thanked", "welcomed", "reaffirmed", "recommended",
    "supported", "delegated", "designated", "varied", "revoked", "extended", "allocated", "acknowledged",
    "recorded", "decided", "resolved", "commissioned", "nominated", "reappointed", "adopted", "affirmed",
    "granted", "established", "determined", "withdrew", "revised",
)
_VERB = re.compile(
    r"(?:%s)\b" % "|".join(verb.replace(" ", r"\s+").replace("authorised", "authori[sz]ed") for verb in VERBS),
    re.IGNORECASE,
)
_PAST_TENSE = re.compile(r"[a-z]{3,}ed\b")
_LETTER = re.compile(r"[^\W\d_]")
# Paragraphs that introduce verb-bearing sub-items: "1 in relation to the fund: 1.1 noted ...".
_INTRODUCTION = re.compile(r"(?:in\s+relation\s+to|in\s+respect\s+of|with\s+(?:regard|respect)\s+to|regarding|subject\s+to)\b", re.IGNORECASE)
# An item number, followed by a space or, where extraction lost the space, directly by a verb ("1.noted"). Not after an
# opening quotation mark: "“6 agreed that ...”" quotes a paragraph of another minute (one rescinded or amended).
_NUMBER = re.compile(
    rf"(?<![\w.,$/(\-–“\"‘])(?P<number>[0-9]{{1,2}}(?:\.[0-9]{{1,2}}){{0,3}})(?P<punct>[.)])?(?=\s|$|(?i:{_VERB.pattern}))"
)
_BULLET = re.compile(r"^(?P<indent>[ \t]*)[-*•▪‣◦–][ \t]+(?=[^\s0-9])", re.MULTILINE)
# Lettered, roman and bracketed sub-items: "(a) ...", "(iv) ...", "(2) ..." or "a) ..." at the start of a line. Not
# after a word or ")", so "section 9(2)(a)", "s6(a)" and "section 6D(1)" are not items.
# (Two patterns, each starting with a literal or an anchor, scan far faster than one alternation.)
_LETTERED = re.compile(r"\((?P<label>[a-z]|[ivx]{2,4}|[1-9][0-9]?)\)[ \t]+(?=[^\W\d_])")
_LETTERED_BARE = re.compile(r"^[ \t]*(?P<label>[a-z])\)[ \t]+(?=[^\W\d_])", re.MULTILINE)
_NOT_BEFORE_LETTER = re.compile(r"[\w)(\[]")
_SECOND_LABEL = {"alpha": "(b)", "roman": "(ii)", "numeric": "(2)"}
_MAX_LETTERED_CHARACTERS = 600
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
# "5 December 2025" or "2 July" where a sentence wrapped before a date: the number is a day, not an item.
_MONTH_AFTER_NUMBER = re.compile(rf"{MONTH_PATTERN}(?:[\s,;.]|$)")
_LEADING_WORD = re.compile(r"(?P<word>\S+)\s+")
_SPLICE_WORDS = ("released", "proactively")
_SPLICED_START = re.compile(r"(?:(?:Proactively|Released|PROACTIVELY|RELEASED)\s+){1,2}")
# A list whose numbers were lost (a web page's <ol> copied as plain lines): lines that start with a verb.
_VERB_LINE = re.compile(rf"^(?P<indent>[ \t]*)(?=(?:{_VERB.pattern}))", re.MULTILINE | re.IGNORECASE)
_MIN_UNNUMBERED_LINES = 2
_LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<text>[^\n]*)", re.MULTILINE)
_LINE_START = re.compile(r"(?P<indent>[ \t]*)(?=\S)")
_MAX_OWNED_LINE = 400  # a sub-item is a line or two; a longer line after the list is the signature block or prose
_LINE_PREFIX = re.compile(r"[ \t]*(?:[-*•▪‣◦–][ \t]*)?")
_LEADING_PUNCTUATION = " \t\n-–:*•.)"
_OCR_DEBRIS = re.compile(r"(?<!\S)[^\s~^{}|\\<>¢•]*[~^{}|\\<>¢•]\S*")
_TERMINATORS = ";:."
_CLOSING_QUOTES = "”’\"'"
_MARKER_ENDINGS = (")", "]", "scope", "Scope")
_CONNECTIVES = ("and", "or")
_MAX_SKIPPED_NOISE = 3
# OCR fragments between an item's number and its verb: "2 er noted", "3 st legal agreed".
_DEBRIS_BEFORE_VERB = re.compile(rf"(?:[a-z]{{1,5}}[.,']?[ \t]+){{1,2}}(?=(?:{_VERB.pattern}))", re.IGNORECASE)
_NOT_DEBRIS = frozenset({
    "a", "an", "the", "it", "was", "is", "be", "been", "that", "and", "or", "to", "of", "has", "have", "had", "were",
    "not", "also", "then", "which", "who", "they", "we", "he", "she", "as", "so", "if", "when", "where", "on", "in",
    "by", "for", "with", "from", "at", "all", "any", "each", "being", "are", "jointly", "since", "later",
})
_MAX_SKIPPED_WORDS = 8
_HEADING_CONNECTIVES = {"and", "of", "for", "the", "on", "to", "in", "&", "-", "–"}
_MAX_HEADING_WORDS = 12
# Lower-case words of sentence-case headings ("Next steps", "Financial implications") that flattened text runs into
# the items.
_HEADING_NOUNS = frozenset({
    "steps", "implications", "issues", "matters", "arrangements", "decisions", "options", "release", "changes",
    "consultation", "funding", "costs", "process", "timing", "timeframes", "reporting", "legislation", "governance",
    "design", "policy", "proposals", "approach", "framework", "considerations", "communications", "publicity",
    "appointments", "recommendations", "background", "context", "scope", "overview", "work", "review", "update",
    "impacts", "analysis", "risks", "engagement", "monitoring", "implementation", "evaluation", "priorities",
})
# Words a heading does not end with, though a sentence broken by a page break may.
_UNFINISHED = frozenset({
    "a", "an", "and", "or", "of", "for", "the", "on", "to", "in", "by", "with", "from", "as", "at", "that", "which",
    "has", "have", "had", "is", "are", "was", "were", "be", "been", "will", "would", "should", "may", "must", "can",
    "not", "&", "-", "–",
})
_MAX_SKIPPED_NUMBERS = 3
# An extract may leave out many paragraphs ("[...]"): a longer jump is accepted only for a number that starts its own
# line, after a finished item, with a verb.
_MAX_SKIPPED_NUMBERS_ON_OWN_LINE = 40
_SUCCESSOR_CHARACTERS = 4000
_OPENING_CHARACTERS = 2000
_MAX_DEPTH = 4  # "2.1.3.4": deeper numbering is text, not an item
_MAX_NUMBER = 9999  # the register keeps paragraph numbers of up to four digits


class _Candidate:
    """A number (or bullet) that may start an item; what follows and precedes it is read only when needed."""

    def __init__(self, region, watermark, *, start, content_start, parts, line_start, bullet, punctuated, indent, label=None):
        self.region, self.watermark = region, watermark
        self.start = start  # where the item's line starts, or its number when inline
        self.content_start = content_start
        self.parts = parts  # the printed number; None for an unnumbered bullet or a lettered item
        self.line_start, self.bullet, self.punctuated, self.indent = line_start, bullet, punctuated, indent
        self.label = label  # "a", "iv", "2": a sub-item printed "(a)", "(iv)", "(2)" or "a)"

    @cached_property
    def following(self):
        return self.region[self.content_start:self.content_start + 80].lstrip(_LEADING_PUNCTUATION)

    @cached_property
    def blank_before(self):
        return self.line_start and _follows_blank_line(self.region, self.start)

    @cached_property
    def after_terminator(self):
        return _follows_terminator(self.region[max(0, self.start - 200):self.start], self.watermark)

    @cached_property
    def verb(self):
        return leading_verb(self.following, self.watermark)

    @cached_property
    def is_date(self):
        """The number is the day of a date a wrapped sentence carried to this line ("...on\n5 December 2025;")."""
        return (
            self.parts is not None and len(self.parts) == 1 and not self.punctuated
            and self.region[self.content_start:self.content_start + 1] in (" ", "\t", "\n")
            and _MONTH_AFTER_NUMBER.match(self.region, self.content_start + 1) is not None
        )

    @cached_property
    def past_tense(self):
        return bool(_PAST_TENSE.match(self.following))

    @cached_property
    def redacted(self):
        return starts_with_redaction(self.following)

    @cached_property
    def introduces(self):
        return bool(_INTRODUCTION.match(self.following))

    @cached_property
    def doubtful(self):
        """Printed after a sentence that has not ended: perhaps a line of the item before that starts with a number
        ("...over the next\n\n3 years;") or a page number ("...the Minister has\n\n3\n\napproved ...")."""
        return not (self.after_terminator or self.redacted)

    @cached_property
    def has_text(self):
        """Words follow the number on its line."""
        return bool(_LETTER.search(self.region[self.content_start:self.content_start + 80].partition("\n")[0]))


def leading_verb(text, watermark=None):
    """The canonical verb an item starts with ("noted", "agreed in principle"), or None.

    Watermark words spliced in before the verb ("5 Proactively directed ...") are passed over."""
    text = text.lstrip(_LEADING_PUNCTUATION)
    match = _VERB.match(text)
    if match is None and watermark:
        match = _VERB.match(without_spliced_words(text, watermark))
    if match is None and (after_debris := without_ocr_debris(text)) is not text:
        match = _VERB.match(after_debris)
    if match is None:
        return None
    return " ".join(match.group().lower().split()).replace("authorized", "authorised")


def without_ocr_debris(text):
    """`text` from its verb when one or two fragments a scan left before it come first ("er noted", "st legal agreed");
    `text` itself (the same object) otherwise. Words a sentence may start with ("it was agreed") are not fragments."""
    match = _DEBRIS_BEFORE_VERB.match(text)
    if match is None or not match.group().islower() or any(word.strip(".,'") in _NOT_DEBRIS for word in match.group().split()):
        return text
    return text[match.end():]


def without_spliced_words(text, watermark):
    """`text` without up to three leading watermark words ("Proactively", "Released", "Regional" from the
    release line): words an item cannot start with, since its verb is in lower case."""
    for _ in range(_MAX_SKIPPED_NOISE):
        word = _LEADING_WORD.match(text)
        if word is None:
            break
        token = word["word"].strip(".,;:")
        if not (token in watermark and (token[:1].isupper() or token.lower() in _SPLICE_WORDS)):
            break
        text = text[word.end():]
    return text


def parse_items(region, watermark):
    """The decision items between the lead-in and the signature, warnings about their numbering, and where they start."""
    numbering = _Numbering(region, watermark)
    for candidate in _candidates(region, watermark):
        numbering.place(candidate)
    if not numbering.placed and len(verb_lines := list(_VERB_LINE.finditer(region))) >= _MIN_UNNUMBERED_LINES:
        for match in _with_owned_lines(region, verb_lines):
            numbering.place(_bulleted(region, match, watermark))
    first_start = numbering.placed[0][0].start if numbering.placed else len(region)
    return _decisions(region, numbering.placed, watermark), numbering.warnings + numbering.doubts(), first_start


def _with_owned_lines(region, verb_lines):
    """Lines that start with a verb, and the lines a paragraph ending ":" owns after it until the next verb line: a
    web page's list copied as plain lines, its sub-items without numbers, bullets or indentation."""
    found, starts = [], {match.start() for match in verb_lines}
    owner_open = False
    for line in _LINE.finditer(region, verb_lines[0].start()):
        text = line["text"].strip()
        if not text:
            continue
        if line.start() in starts:
            found.append(_VERB_LINE.match(region, line.start()))
            owner_open = text.endswith(":")
        elif owner_open and len(text) < _MAX_OWNED_LINE:
            found.append(_LINE_START.match(region, line.start()))
        elif owner_open:
            owner_open = False
    return found


def unnumbered_item(region, watermark):
    """The one decision of a minute in one sentence ("On 14 April 2020, Cabinet noted the report ...")."""
    text, _ = _item_text(region, watermark)
    return _decision("1", text, None, top_level=True)


def _candidates(region, watermark):
    found = [_numbered(region, match, watermark) for match in _NUMBER.finditer(region)]
    found += [_bulleted(region, match, watermark) for match in _BULLET.finditer(region)]
    if ")" in region:
        found += [
            _lettered(region, match, watermark) for match in _LETTERED.finditer(region)
            if not (match.start() and _NOT_BEFORE_LETTER.match(region, match.start() - 1))
        ]
        found += [_lettered(region, match, watermark) for match in _LETTERED_BARE.finditer(region)]
    return sorted(found, key=lambda candidate: candidate.content_start)


def _numbered(region, match, watermark):
    line_begin = region.rfind("\n", 0, match.start()) + 1
    prefix = region[line_begin:match.start()]
    line_start = _LINE_PREFIX.fullmatch(prefix) is not None
    return _Candidate(
        region, watermark, start=line_begin if line_start else match.start(), content_start=match.end(),
        parts=tuple(int(part) for part in match["number"].split(".")),
        line_start=line_start, bullet=line_start and bool(prefix.strip()), punctuated=bool(match["punct"]),
        indent=len(prefix.expandtabs(4)) - len(prefix.expandtabs(4).lstrip()) if line_start else 0,
    )


def _lettered(region, match, watermark):
    label_start = match.start("label") - (match.start("label") > 0 and region[match.start("label") - 1] == "(")
    line_begin = region.rfind("\n", 0, label_start) + 1
    line_start = not region[line_begin:label_start].strip()
    indent = region[line_begin:label_start] if line_start else ""
    return _Candidate(
        region, watermark, start=line_begin if line_start else label_start, content_start=match.end(), parts=None,
        line_start=line_start, bullet=False, punctuated=True, indent=len(indent.expandtabs(4)),
        label=match["label"],
    )


def _bulleted(region, match, watermark):
    return _Candidate(
        region, watermark, start=match.start(), content_start=match.end(), parts=None,
        line_start=True, bullet=True, punctuated=False, indent=len(match["indent"].expandtabs(4)),
    )


def _follows_blank_line(region, line_begin):
    if line_begin == 0:
        return True
    previous_begin = region.rfind("\n", 0, line_begin - 1) + 1
    return not region[previous_begin:line_begin - 1].strip()


def _follows_terminator(before, watermark):
    """True after "...;" or "...:", allowing "; and" and, in flattened text, a page number, watermark words,
    OCR debris or a short unnumbered heading in between; also at the start of the items."""
    tokens = before.split()
    if not tokens:
        return True
    if tokens[-1].endswith(_MARKER_ENDINGS) and ends_with_redaction(before):
        # A withheld paragraph ("3 s9(2)(f)(iv)", "4 [Withheld under s9(2)(g)(i)]") is printed without its ";".
        return True
    for skipped, token in enumerate(reversed(tokens)):
        if token.rstrip(_CLOSING_QUOTES).endswith(tuple(_TERMINATORS)):
            return True
        if skipped == 0 and token in _CONNECTIVES:
            continue
        if skipped >= _MAX_SKIPPED_WORDS or not _may_sit_between_items(token, watermark):
            return _after_heading(before, watermark)
    return False


def _after_heading(before, watermark):
    """True when only a heading sits between the last ";", ":" or "." and here: a short line of its own starting with
    a capital ("Support for regional councils"), or, in flattened text, words such as "Next steps"."""
    end = max(before.rfind(character) for character in _TERMINATORS)
    if end < 0:
        return False
    between = before[end + 1:]
    tokens = [token for token in between.split() if not (is_noise(token, watermark) or token.isdigit())]
    if not tokens or len(tokens) > _MAX_HEADING_WORDS or not tokens[0][:1].isupper():
        return False
    if between.lstrip(" \t").startswith("\n") and between.rstrip(" \t").endswith("\n"):
        # On a line of its own; but "The Minister has" after a full stop is a sentence going on, not a heading.
        return tokens[-1].lower() not in _UNFINISHED
    return all(token[:1].isupper() or token in _HEADING_CONNECTIVES or token in _HEADING_NOUNS for token in tokens[1:])


def _may_sit_between_items(token, watermark):
    return is_noise(token, watermark) or token.isdigit() or token[:1].isupper() or token in _HEADING_CONNECTIVES


class _Numbering:
    """Turns candidate item numbers into the minute's numbering, rejecting numbers that are only text."""

    def __init__(self, region, watermark):
        self.region = region
        self.watermark = watermark
        self.placed = []  # (candidate, path)
        self.indent_of = {}
        self.restarted = {}  # depth -> indent of a list printed 1, 2, ... under an item ending ":"
        self.bulleted = {}  # depth -> indent of unnumbered bullets under an item ending ":"
        self.lettered = {}  # depth -> "alpha", "roman" or "numeric": sub-items printed (a), (b) / (i), (ii) / (1), (2)
        self.introducing = set()  # paths of verbless paragraphs that introduce sub-items ("in relation to X:")
        self.all_bullets = False
        self.warnings = []

    def place(self, candidate):
        if candidate.parts is not None and 0 in candidate.parts:
            return  # "0" or "3.0": no paragraph is numbered 0
        path = self._path_for(candidate)
        if path is None and self._supersedes_last(candidate):
            # The number was already taken by a doubtful paragraph: that was a line of the item before it.
            self.placed.pop()
            path = self._path_for(candidate)
        if path is not None and max(path) <= _MAX_NUMBER:
            self.placed.append((candidate, path))
            self.indent_of[tuple(path)] = candidate.indent
            if candidate.introduces and not candidate.verb:
                self.introducing.add(tuple(path))

    def _path_for(self, candidate):
        if candidate.label is not None:
            return self._lettered_path(candidate)
        if candidate.is_date:
            return None
        if candidate.parts is None:
            return self._bullet_path(candidate)
        if not self.placed:
            return self._first_path(candidate)
        current = self.placed[-1][1]
        parts = list(candidate.parts)
        if len(parts) == 1 and (self.restarted or (parts == [1] and self._opens_list(candidate))):
            return self._plain_path(candidate, current)
        options = [current[:depth] + [current[depth] + 1] for depth in range(len(current))]
        if len(current) < _MAX_DEPTH:
            options.append(current + [1])
        if parts in options and self._plausible(candidate, len(parts)):
            self._forget_deeper(len(parts))
            return parts
        return self._skipped_path(candidate, current)

    def _first_path(self, candidate):
        parts = list(candidate.parts)
        if not (candidate.verb or candidate.redacted or candidate.introduces) or not self._plausible(candidate, len(parts)):
            return None
        if parts != [1]:
            self.warnings.append(f"The first item is numbered {_dotted(parts)}: the text may be an extract.")
        return parts

    def _plain_path(self, candidate, current):
        number = candidate.parts[0]
        opens = number == 1 and len(current) < _MAX_DEPTH and self._opens_list(candidate)
        choices = [current + [1]] if opens else []
        choices += [
            current[:depth - 1] + [number]
            for depth in range(1, len(current) + 1)
            if (depth == 1 or depth in self.restarted) and current[depth - 1] + 1 == number
        ]
        if not choices:
            return self._skipped_path(candidate, current)
        path = self._choose(candidate, choices)
        if not self._plausible(candidate, len(path)):
            return None
        self._forget_deeper(len(path))
        if len(path) > 1 and len(path) not in self.restarted:
            self.restarted[len(path)] = candidate.indent
            parent = _dotted(path[:-1])
            self.warnings.append(
                f"The sub-items of item {parent} were numbered from 1 again; they were read as {parent}.1, {parent}.2, ..."
            )
        return path

    def _choose(self, candidate, choices):
        if len(choices) == 1:
            return choices[0]
        fitting = [path for path in choices if self._indent_fits(candidate, path)]
        if len(fitting) == 1:
            return fitting[0]
        by_depth = sorted(choices, key=len)
        if not candidate.verb:
            return by_depth[-1]
        deeper = by_depth[-1]
        if not candidate.introduces and tuple(deeper[:-1]) in self.introducing:
            # Under "in relation to X:" the sub-items have verbs of their own: a verb does not tell the levels apart.
            self.warnings.append(
                f"Item {_dotted(deeper)} may be item {_dotted(by_depth[0])}: the list numbers restart and the text has no "
                f"indentation; it was read as {_dotted(deeper)}, under the paragraph that introduces it."
            )
            return deeper
        return by_depth[0]

    def _indent_fits(self, candidate, path):
        depth = len(path)
        if depth in self.restarted:
            return candidate.indent == self.restarted[depth]
        parent_indent = self.indent_of.get(tuple(path[:-1]))
        if parent_indent is None:
            return candidate.indent == self.indent_of.get(tuple(self.placed[0][1]), 0)
        return candidate.indent > parent_indent

    def _skipped_path(self, candidate, current):
        # An item lost to OCR or a page break should not hide the rest: accept a short jump on strong evidence.
        parts = list(candidate.parts)
        depth = len(parts)
        if depth > len(current) or parts[:-1] != current[:depth - 1]:
            return None
        gap = parts[-1] - current[depth - 1]
        strong = candidate.verb and (candidate.after_terminator or candidate.blank_before)
        if not (strong and 2 <= gap <= _MAX_SKIPPED_NUMBERS_ON_OWN_LINE):
            return None
        if gap > _MAX_SKIPPED_NUMBERS and not (
            candidate.line_start and candidate.after_terminator
            and (
                candidate.blank_before or candidate.punctuated or candidate.bullet or self._after_withheld(depth)
                or self._numbering_goes_on(candidate)
            )
        ):
            return None
        self._forget_deeper(depth)
        self.warnings.append(
            f"The numbering jumps from {_dotted(current[:depth])} to {_dotted(parts)}: an item may be missing."
        )
        return parts

    def _numbering_goes_on(self, candidate):
        """The next number at this level starts a later line with a verb: "8 agreed ...;" then "9 agreed ...", so the
        jump to 8 is the numbering itself, not a quoted paragraph of another minute."""
        successor = _dotted(candidate.parts[:-1] + (candidate.parts[-1] + 1,))
        pattern = re.compile(
            rf"^[ \t]*(?:[-*•][ \t]*)?{re.escape(successor)}[.)]?[ \t]+(?:{_VERB.pattern})", re.IGNORECASE | re.MULTILINE
        )
        return pattern.search(self.region, candidate.content_start, candidate.content_start + _SUCCESSOR_CHARACTERS) is not None

    def _after_withheld(self, depth):
        """The last paragraph at this level was withheld: a release may black out a run of paragraphs with it,
        numbers and all ("4 [Withheld]" then "8 agreed ...")."""
        for candidate, path in reversed(self.placed):
            if len(path) == depth:
                return candidate.redacted
            if len(path) < depth:
                return False
        return False

    def _bullet_path(self, candidate):
        if not self.placed:
            if not candidate.verb:
                return None
            self.all_bullets = True
            self.bulleted[1] = candidate.indent
            self.warnings.append("The items were printed without numbers; they were numbered in order.")
            return [1]
        current = self.placed[-1][1]
        if self.all_bullets and candidate.indent <= self.bulleted[1]:
            owned = not candidate.verb and (not candidate.redacted or not self._verb_on_next_line(candidate))
            if owned and (len(current) > 1 or self._opens_list(candidate)):
                return self._flat_sub_item(current)
            self._forget_deeper(1)
            return [current[0] + 1]
        depth = len(current)
        if depth in self.bulleted and depth > 1 and candidate.indent == self.bulleted[depth]:
            return current[:-1] + [current[-1] + 1]
        if depth < _MAX_DEPTH and (self._opens_list(candidate) or (self.all_bullets and candidate.indent > self.bulleted[1])):
            self.bulleted[depth + 1] = candidate.indent
            parent = _dotted(current)
            self.warnings.append(
                f"The sub-items of item {parent} were printed without numbers; they were numbered {parent}.1, {parent}.2, ..."
            )
            return current + [1]
        return None

    def _verb_on_next_line(self, candidate):
        """The next line starts with a verb: a withheld bullet before it closes the list ("5.3 ...;" "6 s9(2)(b)(ii)"
        "7 noted ..."); one followed by another verbless bullet is inside it ("5.1 ...;" "5.2 s9(2)(f)(iv)" "5.3 ...")."""
        end = self.region.find("\n", candidate.content_start)
        while end >= 0:
            line_end = self.region.find("\n", end + 1)
            line = self.region[end + 1:line_end if line_end >= 0 else len(self.region)].strip()
            if line:
                return leading_verb(line.lstrip("-*•▪‣◦– \t"), self.watermark) is not None
            end = line_end
        return True

    def _flat_sub_item(self, current):
        """A bullet without a verb after a paragraph ending ":", all at one indent (a web page's nested list flattened):
        the paragraph's sub-item, until the next bullet with a verb."""
        if len(current) == 1:
            self.warnings.append(
                f"The list was printed flat, without numbers or indentation: the bullets after item {current[0]} "
                f"(which ends “:”) were inferred to be its sub-items {current[0]}.1, {current[0]}.2, ...; check them."
            )
            return current + [1]
        return current[:-1] + [current[-1] + 1]

    def _supersedes_last(self, candidate):
        if not self.placed or candidate.parts is None or not candidate.verb or not candidate.after_terminator:
            return False
        last, path = self.placed[-1]
        return len(self.placed) > 1 and last.parts == candidate.parts == tuple(path) and last.doubtful

    def doubts(self):
        """Warnings for top-level items without a verb printed after a sentence that had not ended."""
        return [
            f"Item {_dotted(path)} has no verb and the paragraph before it does not end with “;” or “:”: "
            f"it may be a line of item {_dotted(self.placed[index - 1][1])} that starts with a number."
            for index, (candidate, path) in enumerate(self.placed)
            if index and len(path) == 1 and candidate.doubtful and not (candidate.verb or candidate.introduces or candidate.past_tense)
        ]

    def _lettered_path(self, candidate):
        """(a), (b) ... under an item ending ":" are its sub-items: read as 2.1, 2.2 ... with a warning."""
        if not self.placed or not (candidate.line_start or candidate.after_terminator):
            return None
        current = self.placed[-1][1]
        for depth in sorted(self.lettered, reverse=True):
            if depth <= len(current) and current[depth - 1] + 1 == _ordinal(candidate.label, self.lettered[depth]):
                self._forget_deeper(depth)
                return current[:depth - 1] + [current[depth - 1] + 1]
        if len(current) >= _MAX_DEPTH or not self._opens_list(candidate):
            return None
        for style, first in (("alpha", "(a), (b)"), ("roman", "(i), (ii)"), ("numeric", "(1), (2)")):
            if _ordinal(candidate.label, style) == 1:
                if not candidate.line_start and not self._inline_list(candidate, style):
                    return None
                self.lettered[len(current) + 1] = style
                parent = _dotted(current)
                self.warnings.append(
                    f"The sub-items of item {parent} were printed {first}, ...; they were read as {parent}.1, {parent}.2, ..."
                )
                return current + [1]
        return None

    def _inline_list(self, candidate, style):
        """A run-in "(a) ..." opens a list only if "(b)" follows a ";" or ":": "priorities: (a) x, (b) y, and (c) z"
        is one sentence."""
        second = _SECOND_LABEL[style]
        at = self.region.find(second, candidate.content_start, candidate.content_start + _MAX_LETTERED_CHARACTERS)
        if at < 0:
            return False
        before = self.region[candidate.content_start:at].rstrip()
        before = re.sub(r"\s+(?:and|or)$", "", before).rstrip(_CLOSING_QUOTES)
        return before.endswith((";", ":"))

    def _opens_list(self, candidate):
        previous, _ = self.placed[-1]
        # Only the end of the paragraph tells whether it introduces a list; a bounded slice keeps long texts linear.
        start = max(previous.content_start, candidate.start - _OPENING_CHARACTERS)
        text, _ = _split_trailing(self.region[start:candidate.start], self.watermark)
        return text.rstrip().endswith(":")

    def _plausible(self, candidate, depth):
        structural = candidate.after_terminator or (
            candidate.line_start and (candidate.blank_before or candidate.bullet or candidate.punctuated or candidate.verb)
        )
        if not structural:
            return False
        if depth > 1:
            return True
        # A number alone on its line at the top level is a page number, not an item.
        return bool(
            candidate.verb or candidate.past_tense or candidate.redacted or candidate.introduces
            or (candidate.has_text and candidate.line_start and (candidate.blank_before or candidate.bullet or candidate.punctuated))
        )

    def _forget_deeper(self, depth):
        for table in (self.restarted, self.bulleted, self.lettered):
            for deeper in [level for level in table if level > depth and not (table is self.bulleted and level == 1)]:
                del table[deeper]


def _decisions(region, placed, watermark):
    decisions, heading = [], _heading(region[:placed[0][0].start], watermark) if placed else None
    verbs = {}
    for index, (candidate, path) in enumerate(placed):
        end = placed[index + 1][0].start if index + 1 < len(placed) else len(region)
        text, next_heading = _item_text(region[candidate.content_start:end], watermark)
        # A sub-item completes its paragraph's sentence ("agreed that the Bill be: 4.1 referred to ..."):
        # only under a paragraph without a verb ("in relation to X: 1.1 noted ...") does it have its own.
        parent_verb = verbs.get(tuple(path[:-1])) if len(path) > 1 else None
        decision = _decision(_dotted(path), text, heading, top_level=len(path) == 1, may_have_verb=parent_verb is None)
        verbs[tuple(path)] = decision.verb
        decisions.append(decision)
        heading = next_heading
    return decisions


def _decision(number, text, heading, *, top_level, may_have_verb=True):
    redactions = find_redactions(text)
    if is_wholly_redacted(text, redactions):
        return ParsedDecision(number, None, text, redactions, is_redacted=True, heading=heading)
    verb = leading_verb(text) if may_have_verb else None
    if verb is None and top_level and (match := _PAST_TENSE.match(text)):
        verb = match.group()
    return ParsedDecision(number, verb, text, redactions, heading=heading)


def _item_text(raw, watermark):
    """The item's own text, and an unnumbered heading printed after it (which belongs to the next item)."""
    body, trailing = _split_trailing(raw, watermark)
    text = squash(_OCR_DEBRIS.sub(" ", body)).lstrip(_LEADING_PUNCTUATION)
    if _VERB.match(text) is None and _VERB.match(unspliced := without_spliced_words(text, watermark)):
        text = unspliced
    elif _VERB.match(text) is None and (after_debris := without_ocr_debris(text)) is not text:
        text = after_debris
    elif (spliced := _SPLICED_START.match(text)) and text[spliced.end():spliced.end() + 1].islower():
        # "3.2 Released emergency waste management ...": a watermark word before a sub-item without a verb.
        text = text[spliced.end():]
    return text, trailing


def _split_trailing(raw, watermark):
    """The item up to its last ";", ":" or "." (and a following "and"), and a heading found after it, if any."""
    keep = max(raw.rfind(character) for character in _TERMINATORS) + 1
    if keep == 0:
        return raw, None
    if connective := re.match(r"\s+(?:and|or)\b", raw[keep:]):
        keep += connective.end()
    after = raw[keep:]
    tokens = words(after)
    if not tokens:
        return raw, None
    if len(tokens) <= _MAX_SKIPPED_NOISE and all(is_noise(token, watermark) for token in tokens):
        return raw[:keep], None
    on_own_line = "\n" in after[: after.find(tokens[0])]
    if len(tokens) <= _MAX_HEADING_WORDS and (on_own_line or tokens[0][:1].isupper()):
        return raw[:keep], _heading(after, watermark)
    return raw, None


def _heading(text, watermark):
    """A short unnumbered heading ("Funding") between items, without watermark words or OCR debris."""
    tokens = words(text)
    if len(tokens) > _MAX_HEADING_WORDS or any(token.endswith(tuple(_TERMINATORS)) for token in tokens):
        return None
    return " ".join(token for token in tokens if not (is_noise(token, watermark) or token.isdigit())) or None


def _ordinal(label, style):
    if style == "roman":
        return _ROMAN.get(label)
    if style == "numeric":
        return int(label) if label.isdigit() else None
    return ord(label) - ord("a") + 1 if len(label) == 1 and label.isalpha() else None


def _dotted(path):
    return ".".join(str(part) for part in path)
