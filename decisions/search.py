"""Search of the register: minutes, papers, decision items and follow-ups, each ranked, with safe headlines.

On PostgreSQL: full-text search over stored, GIN-indexed vectors (`search_vector`, kept by triggers: see the
migrations `0004_search_vectors`), queried with `websearch_to_tsquery` and ranked with `ts_rank`; trigram
matching (pg_trgm) for references typed loosely and for the names of agencies, portfolios and Ministers. On
SQLite: `icontains` across the same fields, unranked. Callers pass a queryset already narrowed by
`decisions.access`, so nobody finds, counts or reads a headline of what they may not see.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, TrigramSimilarity
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case, F, FloatField, Prefetch, Q, Value, When
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from cabinet.models import Agency, Minister, Minute, Paper, Portfolio
from cabinet.references import InvalidReference, parse_reference
from decisions import access
from decisions.models import DecisionItem, Redaction

CONFIG = "english"  # the text search configuration of the vectors (the migrations) and of every query
MAX_LENGTH = 200
# Marks around each hit in a headline, from the Unicode private use area: never in the register's text, so
# the headline can be escaped as a whole and only these turned into <mark>.
HIT_START, HIT_STOP, FRAGMENTS = "\ue000", "\ue001", "\ue002"
# Below this many characters a query is matched as a name only exactly (short names: "MBIE", "MSD").
TRIGRAM_MIN_LENGTH = 4
# A name or reference match ranks above any full-text rank of a word in running text.
NAME_RANK = 1.0


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
        if is_postgresql():
            def named(field):
                return Q(**{f"{field}__trigram_word_similar": text}) if len(text) >= TRIGRAM_MIN_LENGTH else Q(
                    **{f"{field}__iexact": text})
        else:
            def named(field):
                return Q(**{f"{field}__icontains": text}) if len(text) >= TRIGRAM_MIN_LENGTH else Q(
                    **{f"{field}__iexact": text})
        parts = [
            Agency.objects.filter(named("name") | Q(short_name__iexact=text)).annotate(kind=Value("agency")),
            Portfolio.objects.filter(named("name")).annotate(kind=Value("portfolio")),
            Minister.objects.filter(named("name")).annotate(kind=Value("minister")),
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
# follow-up list's q= and the admin's search box.


def _text_rank(terms):
    return SearchRank(F("search_vector"), terms.query)


def _rank(*parts):
    rank = parts[0]
    for part in parts[1:]:
        rank = rank + part
    return rank


def _if(condition, value=NAME_RANK):
    return Case(When(condition, then=Value(value)), default=Value(0.0), output_field=FloatField())


def _minute_match(terms):
    if terms.reference:
        return Q(reference=terms.reference) | Q(paper__reference=terms.reference)
    if is_postgresql():
        match = Q(search_vector=terms.query)
        return match | Q(reference__trigram_similar=terms.text) if terms.looks_like_reference else match
    return Q(title__icontains=terms.text) | Q(reference__icontains=terms.text)


def filter_minutes(queryset, text):
    terms = text if isinstance(text, Terms) else Terms(text)
    return queryset.filter(_minute_match(terms)) if terms else queryset.none()


def rank_minutes(queryset, terms):
    queryset = filter_minutes(queryset, terms)
    if terms.reference or not is_postgresql():
        return queryset.annotate(rank=Value(NAME_RANK)).order_by("-decision_date", "-pk")
    rank = _text_rank(terms)
    if terms.looks_like_reference:
        rank = rank + TrigramSimilarity("reference", terms.text)
    return queryset.annotate(rank=rank, headline=_headline("title", terms)).order_by("-rank", "-decision_date", "-pk")


def _paper_match(terms):
    if terms.reference:
        return Q(reference=terms.reference) | Q(pk__in=Minute.objects.filter(reference=terms.reference).values("paper"))
    names = terms.names
    by_name = (
        Q(lead_agency__in=names["agency"])
        | Q(pk__in=Paper.ministers.through.objects.filter(minister__in=names["minister"]).values("paper"))
        | Q(pk__in=Paper.portfolios.through.objects.filter(portfolio__in=names["portfolio"]).values("paper"))
    )
    if is_postgresql():
        match = Q(search_vector=terms.query) | by_name
        return match | Q(reference__trigram_similar=terms.text) if terms.looks_like_reference else match
    return Q(title__icontains=terms.text) | Q(reference__icontains=terms.text) | by_name


def filter_papers(queryset, text):
    terms = text if isinstance(text, Terms) else Terms(text)
    return queryset.filter(_paper_match(terms)) if terms else queryset.none()


def rank_papers(queryset, terms):
    queryset = filter_papers(queryset, terms)
    if terms.reference or not is_postgresql():
        return queryset.annotate(rank=Value(NAME_RANK)).order_by(F("paper_date").desc(nulls_last=True), "-pk")
    rank = _rank(_text_rank(terms), _if(Q(lead_agency__in=terms.names["agency"])))
    if terms.looks_like_reference:
        rank = rank + TrigramSimilarity("reference", terms.text)
    return queryset.annotate(rank=rank, headline=_headline("title", terms)).order_by(
        "-rank", F("paper_date").desc(nulls_last=True), "-pk"
    )


def _decision_match(terms):
    if terms.reference:
        return Q(minute__reference=terms.reference)
    if is_postgresql():
        return Q(search_vector=terms.query)  # a wholly withheld item's vector is empty
    return Q(text__icontains=terms.text, is_redacted=False)


def filter_decisions(queryset, text):
    terms = text if isinstance(text, Terms) else Terms(text)
    return queryset.filter(_decision_match(terms)) if terms else queryset.none()


def rank_decisions(queryset, terms):
    queryset = filter_decisions(queryset, terms).select_related("minute").prefetch_related(
        Prefetch("redactions", queryset=Redaction.objects.select_related("ground"))
    )
    if terms.reference or not is_postgresql():
        return queryset.annotate(rank=Value(NAME_RANK)).order_by("-minute__decision_date", "minute", "sort_key")
    return queryset.annotate(
        rank=_text_rank(terms),
        headline=_headline("text", terms, max_words=35, min_words=15, max_fragments=2, fragment_delimiter=FRAGMENTS),
    ).order_by("-rank", "-minute__decision_date", "minute", "sort_key")


def _follow_up_match(terms):
    if terms.reference:
        return Q(decision__minute__reference=terms.reference) | Q(submitted_reference=terms.reference)
    names = terms.names
    by_name = (
        Q(responsible_agency__in=names["agency"]) | Q(responsible_portfolio__in=names["portfolio"])
        | Q(responsible_minister__in=names["minister"])
    )
    if is_postgresql():
        match = Q(search_vector=terms.query) | by_name
        if terms.looks_like_reference:
            match |= Q(decision__minute__in=Minute.objects.filter(reference__trigram_similar=terms.text).values("pk"))
        return match
    return (
        Q(description__icontains=terms.text) | Q(responsible_text__icontains=terms.text)
        | Q(decision__minute__reference__icontains=terms.text) | by_name
    )


def filter_follow_ups(queryset, text):
    terms = text if isinstance(text, Terms) else Terms(text)
    return queryset.filter(_follow_up_match(terms)) if terms else queryset.none()


def rank_follow_ups(queryset, terms):
    queryset = filter_follow_ups(queryset, terms).with_context()
    due = F("due_date").asc(nulls_last=True)
    if terms.reference or not is_postgresql():
        return queryset.annotate(rank=Value(NAME_RANK)).order_by(due, "pk")
    names = terms.names
    by_name = _if(
        Q(responsible_agency__in=names["agency"]) | Q(responsible_portfolio__in=names["portfolio"])
        | Q(responsible_minister__in=names["minister"])
    )
    return queryset.annotate(
        rank=_rank(_text_rank(terms), by_name), headline=_headline("description", terms)
    ).order_by("-rank", due, "pk")


def _headline(field, terms, **options):
    options = options or {"highlight_all": True}
    return SearchHeadline(field, terms.query, config=CONFIG, start_sel=HIT_START, stop_sel=HIT_STOP, **options)


# Headlines: the record's words, escaped, with only the hits marked and each redaction shown as its ground.


def _withheld(redaction):
    ground = f"s{redaction.ground.code} {redaction.ground.label}" if redaction.ground_id else "ground not given"
    return format_html('<span class="app-redaction">[Withheld: {}]</span>', ground)


def render_headline(marked, redactions=()):
    """Escape `marked` (text with HIT_START/HIT_STOP around hits), mark the hits, replace redaction markers."""
    return mark_safe(" … ".join(_render_fragment(fragment, redactions) for fragment in marked.split(FRAGMENTS)))


def _render_fragment(marked, redactions):
    plain, hits, inside = [], [], False
    for c in marked:
        if c == HIT_START:
            inside = True
        elif c == HIT_STOP:
            inside = False
        else:
            plain.append(c)
            hits.append(inside)
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
        html.append(escape(plain[index]))
        index += 1
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


SECTIONS = {
    "minutes": ("Minutes", access.visible_minutes, rank_minutes, "title"),
    "papers": ("Papers", access.visible_papers, rank_papers, "title"),
    "decisions": ("Decision items", access.visible_decisions, rank_decisions, "text"),
    "follow_ups": ("Follow-ups", access.visible_follow_ups, rank_follow_ups, "description"),
}


def search(user, text, *, only=None, page=1, per_page=10):
    """Each section's page of hits for `user`: only what they may see, ranked, counted, with headlines."""
    terms = Terms(text)
    if not terms:
        return terms, []
    sections = []
    for key, (title, visible, rank, field) in SECTIONS.items():
        if only and key != only:
            continue
        hits = Paginator(rank(visible(user), terms), per_page).get_page(page)
        hits.object_list = _with_headlines(list(hits.object_list), terms, field)
        sections.append(Section(key, title, hits))
    return terms, sections
