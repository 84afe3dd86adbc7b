"""Search of the register: minutes, papers, decision items and follow-ups, each ranked, with safe headlines.

On PostgreSQL: full-text search over stored, GIN-indexed vectors (`search_vector`, kept by triggers: see the
migrations `0004_search_vectors`), queried with `websearch_to_tsquery` and ranked with `ts_rank`; trigram
matching (pg_trgm) for references typed loosely and for the names of agencies, portfolios and Ministers. On
SQLite: `icontains` across the same fields, unranked. Callers pass a queryset already narrowed by
`decisions.access`, so nobody finds, counts or reads a headline of what they may not see.
"""

import bisect
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, TrigramSimilarity, TrigramWordSimilarity
from django.core.paginator import Paginator
from django.db import connection
from django.contrib.postgres.lookups import TrigramSimilar
from django.db.models import Case, F, FloatField, Prefetch, Q, TextField, Value, When
from django.db.models.functions import Cast
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from cabinet.models import Agency, Minister, Minute, Paper, Portfolio
from cabinet.postgres import set_locally
from cabinet.references import InvalidReference, parse_reference
from decisions import access
from decisions.models import DecisionItem, FollowUp, Redaction

CONFIG = "english"  # the text search configuration of the vectors (the migrations) and of every query
MAX_LENGTH = 200
# Marks around each hit in a headline, from the Unicode private use area: never in the register's text, so
# the headline can be escaped as a whole and only these turned into <mark>.
HIT_START, HIT_STOP, FRAGMENTS = "\ue000", "\ue001", "\ue002"
# Below this many characters a query is matched as a name only exactly (short names: "MBIE", "MSD").
TRIGRAM_MIN_LENGTH = 4
# How close a misspelt name must be (pg_trgm word similarity): "Shane Jonez" finds Hon Shane Jones (0.83), while
# "Shayne Jones" does not (0.67), nor does "minister" find every "Ministry of ..." (0.67).
NAME_SIMILARITY = 0.75
# A name or reference match ranks above any full-text rank of a word in running text.
NAME_RANK = 1.0
# Each section ranks and counts at most this many matches, the newest; more shows as "500 or more".
CANDIDATES = 500


def is_postgresql():
    return connection.vendor == "postgresql"


def clean(text):
    """The query as searched: no control characters (a NUL included), spaces collapsed, at most 200 characters."""
    text = "".join(
        " " if unicodedata.category(c) in ("Cc", "Co", "Cs") or c.isspace() else c for c in str(text or "")
    )
    return " ".join(text.split())[:MAX_LENGTH].strip()


def loose_reference(text):
    """The canonical reference a query names, however typed: "cab 26 min 18", "CAB–26–MIN–18" → CAB-26-MIN-0018."""
    for candidate in (text, re.sub(r"[\s_]+", "-", text.strip())):
        try:
            return str(parse_reference(candidate))
        except InvalidReference:
            continue
    return None


class Terms:
    """One query, parsed once: the text, the reference it names if any, and the names it matches."""

    def __init__(self, text):
        self.text = clean(text)
        self.reference = loose_reference(self.text) if self.text else None
        self.is_minute = bool(self.reference) and parse_reference(self.reference).is_minute
        self.query = SearchQuery(self.text, config=CONFIG, search_type="websearch")

    def __bool__(self):
        return bool(self.text)

    @property
    def looks_like_reference(self):
        return any(c.isdigit() for c in self.text)

    @cached_property
    def names(self):
        """Ids of the agencies, portfolios and Ministers the query names, in one query: {"agency": [...], ...}."""
        text = self.text
        def named(model, **extra):
            if len(text) < TRIGRAM_MIN_LENGTH:
                return model.objects.filter(Q(name__iexact=text) | Q(**extra))
            queryset = model.objects.all()
            match = Q(name__icontains=text)
            if is_postgresql():  # a name misspelt: "Shane Jonez"
                queryset = queryset.annotate(similarity=TrigramWordSimilarity(text, "name"))
                match |= Q(similarity__gte=NAME_SIMILARITY)
            return queryset.filter(match | Q(**extra))

        parts = [
            named(Agency, short_name__iexact=text).annotate(kind=Value("agency")),
            named(Portfolio).annotate(kind=Value("portfolio")),
            named(Minister).annotate(kind=Value("minister")),
        ]
        found = {"agency": [], "portfolio": [], "minister": []}
        parts = [part.order_by().values_list("kind", "pk") for part in parts]
        rows = parts[0].union(*parts[1:], all=True).order_by()
        for kind, pk in rows:
            found[kind].append(pk)
        return found

    def marked(self, text):
        """`text` with each word of the query marked (SQLite's headline; PostgreSQL's comes from ts_headline)."""
        words = [w for w in re.findall(r"\w+", self.text) if w.lower() != "or"]
        if not words or not text:
            return text or ""
        pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)
        return pattern.sub(lambda m: f"{HIT_START}{m.group()}{HIT_STOP}", text)


# Each kind of record: its filter, its rank and its headline. The same filter serves the search page, the
# follow-up list's q= and the admin's search box. A reference is matched exactly, through indexed joins.


def _minute_match(terms):
    if terms.reference:
        return Q(reference=terms.reference) if terms.is_minute else Q(paper__reference=terms.reference)
    if is_postgresql():
        match = Q(search_vector=terms.query)
        return match | _reference_like(terms) if terms.looks_like_reference else match
    return Q(title__icontains=terms.text) | Q(reference__icontains=terms.text)


def _reference_like(terms):
    """A reference typed too loosely to parse ("MIN-0018", "26 min 18"): pg_trgm on the reference (GIN-indexed)."""
    return TrigramSimilar(Cast("reference", TextField()), Value(terms.text))


def _paper_match(terms):
    if terms.reference:
        return Q(minutes__reference=terms.reference) if terms.is_minute else Q(reference=terms.reference)
    by_name = _paper_named(terms)
    if is_postgresql():
        match = Q(search_vector=terms.query) | by_name
        return match | _reference_like(terms) if terms.looks_like_reference else match
    return Q(title__icontains=terms.text) | Q(reference__icontains=terms.text) | by_name


def _paper_named(terms):
    """Papers led by an agency the words name, or of a Minister or portfolio they name: a condition for each kind of
    name found, and none (Q()) when the words name nobody, as a common word does."""
    names, condition = terms.names, Q()
    if names["agency"]:
        condition |= Q(lead_agency__in=names["agency"])
    if names["minister"]:
        condition |= Q(pk__in=Paper.ministers.through.objects.filter(minister__in=names["minister"]).values("paper"))
    if names["portfolio"]:
        condition |= Q(pk__in=Paper.portfolios.through.objects.filter(portfolio__in=names["portfolio"]).values("paper"))
    return condition


def _paper_rank(terms):
    """Added to a paper's text rank: NAME_RANK when it is led by an agency named, and how close its reference is
    to words that look like one (None when neither can add anything)."""
    parts = [_if(Q(lead_agency__in=terms.names["agency"]))] if terms.names["agency"] else []
    if terms.looks_like_reference:
        parts.append(TrigramSimilarity("reference", terms.text))
    return sum(parts[1:], parts[0]) if parts else None


def _decision_match(terms):
    if terms.reference:
        return Q(minute__reference=terms.reference) if terms.is_minute else Q(minute__paper__reference=terms.reference)
    if is_postgresql():
        return Q(search_vector=terms.query)  # a wholly withheld item's vector is empty
    return Q(text__icontains=terms.text, is_redacted=False)


def _follow_up_named(terms):
    """Follow-ups owed by an agency, portfolio or Minister the words name (Q() when they name nobody)."""
    names, condition = terms.names, Q()
    for owner, kind in (("responsible_agency", "agency"), ("responsible_portfolio", "portfolio"), ("responsible_minister", "minister")):
        if names[kind]:
            condition |= Q(**{f"{owner}__in": names[kind]})
    return condition


def _follow_up_match(terms):
    if terms.reference:
        if terms.is_minute:
            return Q(decision__minute__reference=terms.reference)
        return Q(decision__minute__paper__reference=terms.reference)
    if is_postgresql():
        return Q(search_vector=terms.query) | _follow_up_named(terms)
    return (
        Q(description__icontains=terms.text) | Q(responsible_text__icontains=terms.text)
        | Q(decision__minute__reference__icontains=terms.text) | _follow_up_named(terms)
    )


def _filter(match):
    def filter_(queryset, text):
        terms = text if isinstance(text, Terms) else Terms(text)
        return queryset.filter(match(terms)) if terms else queryset.none()

    filter_.__doc__ = "The records of `queryset` that `text` finds (a filter: no rank, no cap)."
    return filter_


filter_minutes = _filter(_minute_match)
filter_papers = _filter(_paper_match)
filter_decisions = _filter(_decision_match)
filter_follow_ups = _filter(_follow_up_match)


def _headline(field, terms, **options):
    options = options or {"highlight_all": True}
    return SearchHeadline(field, terms.query, config=CONFIG, start_sel=HIT_START, stop_sel=HIT_STOP, **options)


def _if(condition, value=NAME_RANK):
    return Case(When(condition, then=Value(value)), default=Value(0.0), output_field=FloatField())


@dataclass(frozen=True)
class Kind:
    """How the search page finds, ranks and shows one kind of record."""

    key: str
    title: str
    visible: Callable  # access.visible_*(user)
    match: Callable  # terms -> Q
    text_field: str  # the words a headline is made from
    related: Callable  # rows -> rows with the records a hit names (select_related, prefetch_related)
    # What a hit shows of its record and of the records it names (templates/decisions/search.html), read and no
    # more: whole rows of the up to five tables a hit joins took 4-5% of a search for a common word (measured side
    # by side).
    shown: tuple
    reference_order: tuple  # the order of what a reference finds
    extra_rank: Callable = lambda terms: None  # terms -> expression added to the text rank
    headline_options: dict = field(default_factory=dict)
    newest: tuple = ("-pk",)  # the order in which matches are found and capped, newest first
    by_name: bool = False  # its matches include records of the agencies, portfolios and Ministers named (Terms.names)

    def candidates(self, visible, terms):
        """(pk, rank) of the newest CANDIDATES matches among `visible` (what the user may see, from `self.visible`),
        best first, newest first within a rank.

        Capping what is ranked keeps a common word as fast as a rare one, and the rank is read in the same
        indexed scan that finds the matches.
        """
        matches = visible.filter(self.match(terms))
        if terms.reference:
            return [(pk, NAME_RANK) for pk in matches.order_by(*self.reference_order).values_list("pk", flat=True)[:CANDIDATES]]
        if not is_postgresql():
            return [(pk, NAME_RANK) for pk in matches.order_by(*self.newest).values_list("pk", flat=True)[:CANDIDATES]]
        rank = SearchRank(F("search_vector"), terms.query)
        if (extra := self.extra_rank(terms)) is not None:
            rank = rank + extra
        rows = list(matches.annotate(rank=rank).order_by(*self.newest).values_list("pk", "rank")[:CANDIDATES])
        return sorted(rows, key=lambda row: -row[1])

    def rows(self, pks, terms):
        """The records `pks`, in that order, with their headlines."""
        # The pks the user may see, unsorted: they are put in the ranked order here (the models' own orders cost
        # 1.7 ms of a search to compile and sort).
        rows = self.related(_MODELS[self.key].objects.filter(pk__in=pks).order_by()).only(*self.shown)
        if is_postgresql() and not terms.reference:
            rows = rows.annotate(headline=_headline(self.text_field, terms, **self.headline_options))
        by_pk = {row.pk: row for row in rows}
        return _with_headlines([by_pk[pk] for pk in pks if pk in by_pk], terms, self.text_field)


# Headlines: the record's words, escaped, with only the hits marked and each redaction shown as its ground.


def _withheld(redaction):
    ground = f"s{redaction.ground.code} {redaction.ground.label}" if redaction.ground_id else "ground not given"
    return format_html('<span class="app-redaction">[Withheld: {}]</span>', ground)


def render_headline(marked, redactions=()):
    """Escape `marked` (text with HIT_START/HIT_STOP around hits), mark the hits, replace redaction markers."""
    return mark_safe(" … ".join(_render_fragment(fragment, redactions) for fragment in marked.split(FRAGMENTS)))


def _render_fragment(marked, redactions):
    plain, hits, inside = [], [], False
    for piece in re.split(f"([{HIT_START}{HIT_STOP}])", marked):
        if piece == HIT_START:
            inside = True
        elif piece == HIT_STOP:
            inside = False
        elif piece:
            plain.append(piece)
            hits.extend([inside] * len(piece))
    plain = "".join(plain)
    replaced = {}  # start -> (end, html)
    for redaction in redactions:
        if redaction.marker:
            for match in re.finditer(re.escape(redaction.marker), plain):
                replaced.setdefault(match.start(), (match.end(), _withheld(redaction)))
            # A fragment may begin or end inside a marker ("… Negotiations [REDACT"): that part is the marker too.
            for size in range(len(redaction.marker) - 1, 1, -1):
                if plain.endswith(redaction.marker[:size]):
                    replaced.setdefault(len(plain) - size, (len(plain), _withheld(redaction)))
                    break
            for size in range(len(redaction.marker) - 1, 1, -1):
                if plain.startswith(redaction.marker[-size:]):
                    replaced.setdefault(0, (size, _withheld(redaction)))
                    break
    # The text is escaped a run at a time: a run ends where a hit begins or ends, or a redaction begins.
    cuts = sorted({len(plain), *replaced, *(i for i in range(1, len(plain)) if hits[i] != hits[i - 1])})
    html, index, open_mark = [], 0, False
    while index < len(plain):
        if index in replaced:
            if open_mark:
                html.append("</mark>")
                open_mark = False
            end, shown = replaced[index]
            html.append(shown)
            index = end
            continue
        if hits[index] != open_mark:
            html.append("<mark>" if hits[index] else "</mark>")
            open_mark = hits[index]
        stop = cuts[bisect.bisect_right(cuts, index)]
        html.append(escape(plain[index:stop]))
        index = stop
    if open_mark:
        html.append("</mark>")
    return "".join(html)


def decision_headline(decision, marked=None):
    """A decision item's headline: a wholly withheld item shows only its grounds, never its words."""
    redactions = list(decision.redactions.all())
    if decision.is_redacted:
        grounds = "; ".join(
            f"s{r.ground.code} {r.ground.label}" for r in redactions if r.ground_id
        )
        return format_html('<span class="app-redaction">[Withheld{}]</span>', f": {grounds}" if grounds else "")
    return render_headline(decision.text if marked is None else marked, redactions)


def _with_headlines(rows, terms, field):
    for row in rows:
        marked = getattr(row, "headline", None)
        if marked is None:
            marked = terms.marked(getattr(row, field)) if not terms.reference else getattr(row, field)
        row.headline = decision_headline(row, marked) if isinstance(row, DecisionItem) else render_headline(marked)
    return rows


# The search page: a section for each kind of record, each ranked and counted.


@dataclass
class Section:
    key: str
    title: str
    page: object  # a Paginator page of records, each with .headline

    @property
    def total(self):
        return self.page.paginator.count

    @property
    def is_capped(self):
        return self.total >= CANDIDATES


_MODELS = {"minutes": Minute, "papers": Paper, "decisions": DecisionItem, "follow_ups": FollowUp}

KINDS = [
    Kind(
        "minutes", "Minutes", access.visible_minutes, _minute_match, "title",
        related=lambda rows: rows.select_related("committee"),
        shown=("reference", "title", "decision_date", "committee__code"), reference_order=("-decision_date", "-pk"),
        extra_rank=lambda terms: TrigramSimilarity("reference", terms.text) if terms.looks_like_reference else None,
    ),
    Kind(
        "papers", "Papers", access.visible_papers, _paper_match, "title",
        related=lambda rows: rows.select_related("lead_agency"),
        shown=("reference", "title", "lead_agency__short_name"), reference_order=("-pk",),
        extra_rank=_paper_rank,
        by_name=True,
    ),
    Kind(
        "decisions", "Decision items", access.visible_decisions, _decision_match, "text",
        related=lambda rows: rows.select_related("minute").prefetch_related(
            # By key: the model's order names the decision, which would join the items and minutes to sort.
            Prefetch("redactions", queryset=Redaction.objects.select_related("ground").order_by("decision_id", "start", "pk"))
        ),
        shown=("number", "text", "is_redacted", "minute__reference"),
        reference_order=("-minute__decision_date", "minute", "sort_key"),
        headline_options={"max_words": 35, "min_words": 15, "max_fragments": 2, "fragment_delimiter": FRAGMENTS},
        # By minute, newest first: an official's items are then found by the index on minute, among their
        # minutes only, rather than by walking every item down the primary key until 500 of theirs match.
        newest=("-minute_id", "-pk"),
    ),
    Kind(
        "follow_ups", "Follow-ups", access.visible_follow_ups, _follow_up_match, "description",
        # What a hit shows: its minute and paragraph, status, who owes it and when (no committee, lead or report-to).
        related=lambda rows: rows.select_related(
            "decision__minute", "responsible_minister", "responsible_portfolio", "responsible_agency"
        ),
        # Its status tag (kind, status, due date) and who owes it (FollowUp.responsible: the words, else a name).
        shown=(
            "kind", "status", "description", "due_date", "responsible_text", "decision__number",
            "decision__minute__reference", "responsible_minister__name", "responsible_portfolio__name",
            "responsible_agency__name", "responsible_agency__short_name",
        ),
        reference_order=("decision__sort_key", "pk"),
        extra_rank=lambda terms: _if(named) if (named := _follow_up_named(terms)) else None,
        by_name=True,
    ),
]
SECTIONS = {kind.key: kind for kind in KINDS}


def planned_for_the_words():
    """PostgreSQL: plan the queries inside for the words searched, each time, even once prepared.

    A connection prepares a query it runs again (DATABASE_PREPARED_STATEMENTS) and may then run it with a generic
    plan, made without the words: for a common word that plan read the decision items' and follow-ups' matches
    more slowly (8 ms to 13 ms and 7 ms to 10 ms at full size). Only the queries that find the matches need it:
    what the user may see, the names and each page's rows are planned the same whatever the words, and keep the
    plans the connection has made (planning the follow-ups' rows with their four joins took 1.1 ms a search).
    """
    return set_locally("plan_cache_mode", "force_custom_plan")


def search(user, text, *, page, per_page, only=None):
    """Each section's page of hits for `user`: only what they may see, ranked, counted, with headlines."""
    terms = Terms(text)
    if not terms:
        return terms, []
    kinds = [kind for kind in KINDS if not only or kind.key == only]
    # Read before the matches, with plans of their own: what the user may see (an official's minutes and papers)
    # and the names the words match.
    visible = {kind.key: kind.visible(user) for kind in kinds}
    if not terms.reference and any(kind.by_name for kind in kinds):
        terms.names  # noqa: B018 (read here, once)
    with planned_for_the_words():
        found = {kind.key: kind.candidates(visible[kind.key], terms) for kind in kinds}
    sections = []
    for kind in kinds:
        hits = Paginator(found[kind.key], per_page).get_page(page)
        hits.object_list = kind.rows([pk for pk, _ in hits.object_list], terms)
        sections.append(Section(kind.key, kind.title, hits))
    return terms, sections
