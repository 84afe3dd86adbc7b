"""Need to know: the one place that decides which records a user may see and which follow-ups they may act on.

Clerks (and superusers) and readers see the whole register; clerks act on every follow-up, readers on none.
An official's scope is their profile's agencies and portfolios:

- a follow-up is their own when its responsible agency or portfolio is in scope; it is the only kind they see
  in full (lists, pages, notes, timelines, search, exports, emails) and the only kind they act on;
- a minute concerns them when one of its portfolios is in scope, its paper's lead agency is, or it carries one
  of their own follow-ups; a paper, when one of its portfolios or its lead agency is in scope, or one of its
  minutes concerns them; its decision items are those of the minutes that concern them;
- on a minute that concerns them, other agencies' follow-ups appear only as who owes what by when
  (`follow_up_summaries`): no link, notes, timeline or action.

An API token (decisions/api/) reads through `Scope.of(agencies=..., portfolios=...)`: it sees exactly what an
official of those agencies and portfolios sees, and acts on nothing. Every function below takes a user or such
a Scope.

Everything else is a 404. Inactive and signed-out users see nothing. The two questions are `may_see` and
`may_act`; the `visible_*` querysets answer the first for many records at once, from the same rule: for lists
and search against the official's minutes and papers, read once per request; for a page's few minutes or papers
(`few=True`), by each record's own indexed lookups, so a page costs the same however much the official may see.
"""

import weakref
from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import BooleanField, Exists, Expression, Field, ForeignObject, IntegerField, Lookup, OuterRef, Q, Value
from django.shortcuts import get_object_or_404

from cabinet.models import Minute, Paper, ProactiveRelease, Profile
from decisions.models import DecisionItem, FollowUp


class Scope:
    """What one user may see, worked out once per user object: the role, then (for officials) the
    agencies and portfolios, and the minutes and papers that concern them, each read when first needed."""

    def __init__(self, user):
        self.role, profile = None, None
        if user.is_authenticated and user.is_active:
            profile = getattr(user, "profile", None)
            self.role = Profile.Role.CLERK if user.is_superuser else profile and profile.role
        self.profile = profile if self.role == Profile.Role.OFFICIAL else None
        self.is_limited = self.profile is not None  # sees its own agencies' and portfolios' records only

    @classmethod
    def of(cls, *, agencies, portfolios):
        """The scope of these agencies and portfolios (primary keys) with no user: what an official of exactly
        them sees, acting on nothing. An API token reads the register through one (decisions/api/)."""
        scope = cls.__new__(cls)
        scope.role, scope.profile, scope.is_limited = None, None, True
        scope._agencies_and_portfolios = (frozenset(agencies), frozenset(portfolios))  # the cached_property, given
        return scope

    @property
    def sees_everything(self):
        return self.role in (Profile.Role.CLERK, Profile.Role.READER)

    @cached_property
    def _agencies_and_portfolios(self):
        if self.profile is None:  # a clerk, a reader, nobody (a Scope.of() is given its own)
            return frozenset(), frozenset()
        return _agencies_and_portfolios_of([self.profile.pk])[self.profile.pk]

    @property
    def agencies(self):
        return self._agencies_and_portfolios[0]

    @property
    def portfolios(self):
        return self._agencies_and_portfolios[1]

    def own(self, prefix=""):
        """The condition for the official's own follow-ups (None when they have no scope)."""
        condition = Q()
        if self.agencies:
            condition |= Q(**{f"{prefix}responsible_agency_id__in": sorted(self.agencies)})
        if self.portfolios:
            condition |= Q(**{f"{prefix}responsible_portfolio_id__in": sorted(self.portfolios)})
        return condition or None

    def owns(self, follow_up):
        return follow_up.responsible_agency_id in self.agencies or follow_up.responsible_portfolio_id in self.portfolios

    @cached_property
    def _records(self):
        """The minutes that concern the official and the papers that do (two frozensets), in one query.

        A paper concerns them by portfolio or lead agency, or as the paper of a minute that does. On PostgreSQL
        the minutes are found by their access keys (kept by triggers: migration decisions 0017), one lookup in a
        GIN index, and both sets come back as two arrays; elsewhere the minutes are found by the indexed lookups
        the keys stand for (by portfolio, by its paper's lead agency, by the official's own follow-ups), in one
        pass over the minutes.
        """
        if not (self.agencies or self.portfolios):
            return frozenset(), frozenset()
        return self._records_by_keys() if connection.vendor == "postgresql" else self._records_by_lookups()

    def _records_by_lookups(self):
        """`_records` by the lookups the access keys stand for, with the papers, in one query."""
        no_minute, papers = _int(None), []
        if self.portfolios:
            papers.append(
                Paper.portfolios.through.objects.filter(portfolio_id__in=sorted(self.portfolios))
                .annotate(no_minute=no_minute).values_list("no_minute", "paper_id")
            )
        if self.agencies:
            papers.append(
                Paper.objects.filter(lead_agency_id__in=sorted(self.agencies))
                .annotate(no_minute=no_minute).values_list("no_minute", "pk")
            )
        minutes = Minute.objects.filter(self._concerns_by_lookups()).values_list("pk", "paper_id").order_by()
        rows = list(minutes.union(*[lookup.order_by() for lookup in papers], all=True).order_by())
        return (
            frozenset(minute for minute, _ in rows if minute is not None),
            frozenset(paper for _, paper in rows if paper is not None),
        )

    def _records_by_keys(self):
        """`_records` on PostgreSQL: the minutes by access keys (agencies, and portfolios negated) and the papers,
        as two arrays in one row, duplicates left for Python to drop."""
        minutes, papers = (connection.ops.quote_name(model._meta.db_table) for model in (Minute, Paper))
        paper_portfolios = connection.ops.quote_name(Paper.portfolios.through._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH concerning AS (SELECT id, paper_id FROM {minutes} WHERE access_keys && %s::bigint[]) "
                "SELECT ARRAY(SELECT id FROM concerning), "
                f"ARRAY(SELECT paper_id FROM concerning WHERE paper_id IS NOT NULL "
                f"UNION ALL SELECT paper_id FROM {paper_portfolios} WHERE portfolio_id = ANY(%s::bigint[]) "
                f"UNION ALL SELECT id FROM {papers} WHERE lead_agency_id = ANY(%s::bigint[]))",
                [self.keys.as_array, Keys(sorted(self.portfolios)).as_array, Keys(sorted(self.agencies)).as_array],
            )
            minute_ids, paper_ids = cursor.fetchone()
        return frozenset(minute_ids), frozenset(paper_ids)

    def _concerns_by_lookups(self):
        """The same rule by the lookups the keys stand for."""
        condition = Q()
        if self.portfolios:
            condition |= Q(pk__in=Minute.portfolios.through.objects.filter(portfolio_id__in=sorted(self.portfolios)).values("minute_id"))
        if self.agencies:
            condition |= Q(paper_id__in=Paper.objects.filter(lead_agency_id__in=sorted(self.agencies)).values("pk"))
        if self.own() is not None:
            condition |= Q(pk__in=FollowUp.objects.filter(self.own()).values("minute_id"))
        return condition or None

    @cached_property
    def keys(self):
        """The official's access keys: their agencies, and their portfolios negated (migration decisions 0017)."""
        return Keys([*sorted(self.agencies), *sorted(-pk for pk in self.portfolios)])

    def concerning_minutes(self):
        """The same rule as `_records`, as a condition on each minute row: for that minute alone, its access keys on
        PostgreSQL, elsewhere the indexed lookups they stand for.

        For pages that read a few minutes by key (a minute's page, a paper's minutes): they need not read the
        official's whole set. None when the official has no scope.
        """
        if not (self.agencies or self.portfolios):
            return None
        if connection.vendor == "postgresql":
            return Q(KeysMeet(self.keys))
        condition = Q()
        if self.portfolios:
            condition |= Exists(Minute.portfolios.through.objects.filter(
                minute_id=OuterRef("pk"), portfolio_id__in=sorted(self.portfolios)
            ))
        if self.agencies:
            condition |= Exists(Paper.objects.filter(pk=OuterRef("paper_id"), lead_agency_id__in=sorted(self.agencies)))
        if self.own() is not None:
            condition |= Exists(FollowUp.objects.filter(self.own(), minute_id=OuterRef("pk")))
        return condition or None

    def concerning_papers(self):
        """The rule for papers as a condition on each paper row (see `concerning_minutes`)."""
        condition = Q()
        if self.portfolios:
            condition |= Exists(Paper.portfolios.through.objects.filter(
                paper_id=OuterRef("pk"), portfolio_id__in=sorted(self.portfolios)
            ))
        if self.agencies:
            condition |= Q(lead_agency_id__in=sorted(self.agencies))
        minutes = self.concerning_minutes()
        if minutes is not None:
            condition |= Exists(Minute.objects.filter(minutes, paper_id=OuterRef("pk")))
        return condition or None

    @property
    def minute_ids(self):
        return self._records[0]

    @property
    def paper_ids(self):
        return self._records[1]

    @cached_property
    def minute_keys(self):
        """The minutes that concern the official, sorted, for `among`."""
        return Keys(sorted(self.minute_ids))

    @cached_property
    def paper_keys(self):
        return Keys(sorted(self.paper_ids))


def _int(value):
    return Value(value, output_field=IntegerField())


class Keys:
    """Primary keys for `among`: held whole, so Django does not prepare them one by one, and written out once
    however many queries of the request use them."""

    def __init__(self, keys):
        self.keys = keys

    @cached_property
    def as_array(self):
        return "{" + ",".join(map(str, map(int, self.keys))) + "}"

    def __iter__(self):
        return iter(self.keys)

    def __len__(self):
        return len(self.keys)


class KeysMeet(Expression):
    """A minute's access keys meet these (PostgreSQL): `access_keys && keys`, on the minute table of the query it
    is in (its own alias inside a subquery). The column is kept by triggers and is not a model field."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, keys):
        super().__init__()
        self.keys = keys

    def as_sql(self, compiler, connection):
        table = compiler.quote_name(compiler.query.get_initial_alias())
        return f"{table}.access_keys && %s::bigint[]", [self.keys.as_array]


@Field.register_lookup
class AnyOf(Lookup):
    """`field = ANY(%s::bigint[])` with the keys as one text parameter (PostgreSQL): a thousand keys cost one
    parameter to build and send, where `IN (%s, %s, ...)` costs a thousand (each prepared by Django, then found
    in the SQL and quoted by the driver)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return self.rhs.as_array if isinstance(self.rhs, Keys) else Keys(self.rhs).as_array

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return _any_of(lhs), (*lhs_params, self.rhs)


def _any_of(column):
    """SQL for `column` being one of the keys given as one `Keys.as_array` parameter (PostgreSQL)."""
    return f"{column} = ANY(%s::bigint[])"


ForeignObject.register_lookup(AnyOf)  # foreign keys keep lookups of their own


def among(field, keys):
    """Q: `field` is one of `keys` (a sorted list of primary keys, or Keys), however many."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__any_of": keys if isinstance(keys, Keys) else Keys(keys)})
    return Q(**{f"{field}__in": list(keys)})


# One Scope per user object (a request's user lives as long as the request), found by identity and
# dropped when the object goes: nothing is stored on the user or the profile.
_scopes = {}


def scope_of(user):
    """The Scope of a user; a Scope given instead (Scope.of) is its own."""
    if isinstance(user, Scope):
        return user
    key = id(user)
    entry = _scopes.get(key)
    if entry is not None and entry[0]() is user:
        return entry[1]
    scope = Scope(user)
    _scopes[key] = (weakref.ref(user, lambda _ref: _scopes.pop(key, None)), scope)
    return scope


def read_scopes(users):
    """Read the scopes of many users in one query rather than one each: a reminder run's recipients, whose
    copies are each checked with `may_see` as they are sent. Scopes already read are left as they are."""
    unread = {}
    for user in users:
        scope = scope_of(user)
        if scope.profile is not None and "_agencies_and_portfolios" not in scope.__dict__:
            unread[scope.profile.pk] = scope
    if not unread:
        return
    for profile, found in _agencies_and_portfolios_of(sorted(unread)).items():
        unread[profile]._agencies_and_portfolios = found  # the cached_property, read


def _keys_condition(column, keys):
    """SQL and parameters for `column` being one of `keys` (Keys), as `among` writes it: for raw SQL."""
    if connection.vendor == "postgresql":
        return _any_of(column), [keys.as_array]
    return f"{column} IN ({', '.join(['%s'] * len(keys))})", list(keys)


def _agencies_and_portfolios_of(profiles):
    """{profile: (its agencies, its portfolios)} for these profiles' keys, in one query: (profile, 1, agency) and
    (profile, 2, portfolio) rows.

    Every official's request reads it, so it is written as SQL: Django took longer to compile the union of the
    two tables' querysets (1.5 ms a request) than the database took to run it (0.6 ms).
    """
    found = {pk: (set(), set()) for pk in profiles}
    if not found:
        return {}
    quote, keys, parts, params = connection.ops.quote_name, Keys(sorted(found)), [], []
    for route, through, name in ((1, Profile.agencies.through, "agency"), (2, Profile.portfolios.through, "portfolio")):
        meta = through._meta
        profile, other = quote(meta.get_field("profile").column), quote(meta.get_field(name).column)
        condition, values = _keys_condition(profile, keys)
        parts.append(f"SELECT {profile}, {route}, {other} FROM {quote(meta.db_table)} WHERE {condition}")
        params += values
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for profile, route, pk in cursor.fetchall():
            found[profile][route - 1].add(pk)
    return {profile: (frozenset(agencies), frozenset(portfolios)) for profile, (agencies, portfolios) in found.items()}


def profile_of(user):
    return getattr(user, "profile", None) if user.is_authenticated else None


def sees_everything(user):
    """Clerks and readers see the whole register; superusers are clerks."""
    return scope_of(user).sees_everything


def is_clerk(user):
    return scope_of(user).role == Profile.Role.CLERK


def can_act(user):
    """Readers read; officials and clerks move follow-ups on (officials only their own: see may_act)."""
    return scope_of(user).role in (Profile.Role.CLERK, Profile.Role.OFFICIAL)


# The two questions.


def may_see(user, obj):
    """May `user` see this minute, paper, decision item or follow-up in full?"""
    scope = scope_of(user)
    if scope.sees_everything:
        return True
    if not scope.is_limited:
        return False
    if isinstance(obj, FollowUp):
        return scope.owns(obj)
    if isinstance(obj, Minute):
        return obj.pk in scope.minute_ids
    if isinstance(obj, DecisionItem):
        return obj.minute_id in scope.minute_ids
    if isinstance(obj, Paper):
        return obj.pk in scope.paper_ids
    raise TypeError(f"Need to know does not cover {type(obj).__name__}.")


def may_act(user, follow_up):
    """May `user` note progress on, ask to extend or mark submitted this follow-up? Clerks: any; officials:
    their own; readers: none."""
    scope = scope_of(user)
    return scope.role == Profile.Role.CLERK or (scope.profile is not None and scope.owns(follow_up))


# The same rule for many records at once.


def visible_minutes(user, *, few=False):
    """The minutes the user may see. On PostgreSQL each minute's access keys answer for it, one GIN lookup for a
    list or a page alike. Elsewhere, `few`: the caller reads a few by key (a page), so each is checked by its own
    indexed lookups rather than against the official's whole set, read once for lists and search."""
    scope = scope_of(user)
    if scope.sees_everything:
        return Minute.objects.all()
    by_row = few and scope.profile is not None and "_records" not in scope.__dict__
    if by_row or (connection.vendor == "postgresql" and scope.is_limited):
        condition = scope.concerning_minutes()
        return Minute.objects.none() if condition is None else Minute.objects.filter(condition)
    if not scope.minute_ids:
        return Minute.objects.none()
    return Minute.objects.filter(among("pk", scope.minute_keys))


def visible_papers(user, *, few=False):
    """The papers the user may see; `few` as for `visible_minutes`."""
    scope = scope_of(user)
    if scope.sees_everything:
        return Paper.objects.all()
    if few and scope.profile is not None and "_records" not in scope.__dict__:
        condition = scope.concerning_papers()
        return Paper.objects.none() if condition is None else Paper.objects.filter(condition)
    if not scope.paper_ids:
        return Paper.objects.none()
    return Paper.objects.filter(among("pk", scope.paper_keys))


def visible_decisions(user):
    scope = scope_of(user)
    if scope.sees_everything:
        return DecisionItem.objects.all()
    if not scope.minute_ids:
        return DecisionItem.objects.none()
    return DecisionItem.objects.filter(among("minute_id", scope.minute_keys))


def visible_follow_ups(user):
    """The follow-ups the user may see in full: all for clerks and readers, an official's own only."""
    scope = scope_of(user)
    if scope.sees_everything:
        return FollowUp.objects.all()
    own = scope.own() if scope.is_limited else None
    return FollowUp.objects.none() if own is None else FollowUp.objects.filter(own)


def visible_releases(user):
    """Proactive releases: all for clerks and readers, an official's agencies' own only."""
    scope = scope_of(user)
    if scope.sees_everything:
        return ProactiveRelease.objects.all()
    if scope.profile is None or not scope.agencies:
        return ProactiveRelease.objects.none()
    return ProactiveRelease.objects.filter(agency_id__in=sorted(scope.agencies))


def get_release_for_user(user, pk, *, for_update=False):
    """The release if the user may see it, else 404."""
    queryset = visible_releases(user)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    return get_object_or_404(queryset, pk=pk)


@dataclass(frozen=True)
class FollowUpSummary:
    """Who owes what by when: all an official sees of another agency's follow-up on a minute that concerns them."""

    minute_id: int
    decision_id: int
    responsible_agency: str
    responsible_portfolio: str
    responsible_minister: str
    responsible_text: str
    kind: str
    description: str
    due_date: object
    due_text: str

    @property
    def responsible(self):
        return self.responsible_text or self.responsible_portfolio or self.responsible_agency or self.responsible_minister


SUMMARY_CHECKS = 50  # up to this many minutes are checked one by one; more, against the official's whole set


def follow_up_summaries(user, minutes, *, read_through_access=False):
    """Other agencies' follow-ups still owed on `minutes` (a minute or several) that concern `user`, as
    summaries. Clerks and readers see every follow-up in full, so they get none.

    `read_through_access`: the caller read `minutes` from `visible_minutes(user)` in this request, so they concern
    the user and are not checked again (a page's minute, a paper page's minutes)."""
    scope = scope_of(user)
    minutes = [minutes] if isinstance(minutes, Minute) else list(minutes)
    if not scope.is_limited:
        return []
    if read_through_access:
        minute_ids = sorted(minute.pk for minute in minutes)
    elif "_records" in scope.__dict__ or len(minutes) > SUMMARY_CHECKS:
        minute_ids = sorted(minute.pk for minute in minutes if minute.pk in scope.minute_ids)
    else:  # a page's few minutes, each checked by its own lookups (see visible_minutes)
        minute_ids = sorted(visible_minutes(user, few=True).filter(pk__in=[m.pk for m in minutes]).values_list("pk", flat=True))
    if not minute_ids:
        return []
    others = FollowUp.objects.filter(minute_id__in=minute_ids, status__in=FollowUp.ACTIVE_STATUSES)
    if scope.own() is not None:
        others = others.exclude(scope.own())
    rows = others.order_by("minute_id", "decision__sort_key", "due_date", "pk").values_list(
        "minute_id", "decision_id", "responsible_agency__short_name", "responsible_portfolio__name",
        "responsible_minister__name", "responsible_text", "kind", "description", "due_date", "due_text",
    )
    return [
        FollowUpSummary(minute, decision, agency or "", portfolio or "", minister or "", text,
                        FollowUp.Kind(kind).label, description, due_date, due_text)
        for minute, decision, agency, portfolio, minister, text, kind, description, due_date, due_text in rows
    ]


def get_follow_up_for_user(user, pk, *, for_update=False):
    """The follow-up if the user may see it in full, else 404."""
    queryset = visible_follow_ups(user)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    return get_object_or_404(queryset, pk=pk)


def get_follow_up_to_act(user, pk, *, clerk_only=False, for_update=False):
    """The follow-up if the user may act on it: 404 when they may not see it, 403 when they may only read it
    (a reader; an official before a clerk's action)."""
    follow_up = get_follow_up_for_user(user, pk, for_update=for_update)
    if not (is_clerk(user) if clerk_only else may_act(user, follow_up)):
        raise PermissionDenied("You can read this follow-up but not change it.")
    return follow_up
