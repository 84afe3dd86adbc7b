"""Generate a realistic register at scale (twenty years of minutes, decision items, follow-ups) for benches and trials."""

import bisect
import datetime
import functools
import random
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from types import SimpleNamespace

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from cabinet import business_days
from cabinet.meetings import lodgement_deadline, meeting_days, moved_note, sitting_weeks
from cabinet.models import (
    Agency, Classification, Committee, DatePrecision, Meeting, Minister, Minute, OIAGround, Paper, Portfolio,
    PortfolioAssignment, ProactiveRelease, Profile, ReleasedDocument,
)
from cabinet.references import Reference, MINUTE, PAPER
from decisions.models import DecisionItem, DueDateChange, FollowUp, ProgressNote, Redaction, number_sort_key

BATCH = 5000
YEARS = 20
ELECTIONS = [datetime.date(y, m, d) for y, m, d in [
    (2005, 10, 19), (2008, 11, 19), (2011, 12, 14), (2014, 10, 8), (2017, 10, 26), (2020, 11, 6), (2023, 11, 27),
]]
PROACTIVE_RELEASE_FROM = datetime.date(2019, 1, 1)
# Field types whose Python values COPY takes as they are; the others are prepared as Django saves them.
SIMPLE_TYPES = {
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "DateField", "DateTimeField",
    "EmailField", "ForeignKey", "IntegerField", "OneToOneField", "PositiveIntegerField", "PositiveSmallIntegerField",
    "SlugField", "SmallIntegerField", "TextField",
}
# Each committee's usual meeting weekday (Cabinet on Mondays).
WEEKDAYS = {"CAB": 0, "CBC": 0, "APH": 1, "LEG": 3, "ECO": 2, "DEV": 2, "SOU": 2, "SWC": 2, "SOC": 2, "FPS": 1,
            "ERS": 1, "ERD": 1, "NSC": 1, "EXP": 3, "GOV": 3, "ENV": 3}

# (short name, name, relative size, [(portfolio, "Minister for"/"Minister of")...]): 40 agencies.
AGENCIES = [
    ("MBIE", "Ministry of Business, Innovation and Employment", 14, [
        ("Economic Development", "for"), ("Resources", "for"), ("Energy", "for"), ("Immigration", "of"),
        ("Building and Construction", "for"), ("Workplace Relations and Safety", "for"),
        ("Commerce and Consumer Affairs", "of"), ("Science, Innovation and Technology", "of"), ("Tourism and Hospitality", "for"),
    ]),
    ("TSY", "The Treasury", 9, [("Finance", "of"), ("State Owned Enterprises", "for")]),
    ("MSD", "Ministry of Social Development", 10, [("Social Development and Employment", "for"), ("Seniors", "for"), ("Youth", "for")]),
    ("MOH", "Ministry of Health", 10, [("Health", "of"), ("Mental Health", "for")]),
    ("MOE", "Ministry of Education", 8, [("Education", "of"), ("Tertiary Education and Skills", "for")]),
    ("MFAT", "Ministry of Foreign Affairs and Trade", 7, [("Foreign Affairs", "of"), ("Trade", "for"), ("Disarmament and Arms Control", "for")]),
    ("MOJ", "Ministry of Justice", 7, [("Justice", "of"), ("Courts", "for"), ("Treaty of Waitangi Negotiations", "for")]),
    ("MPI", "Ministry for Primary Industries", 6, [("Agriculture", "of"), ("Oceans and Fisheries", "for"), ("Forestry", "of"), ("Biosecurity", "for"), ("Food Safety", "for")]),
    ("MFE", "Ministry for the Environment", 6, [("Environment", "for"), ("Climate Change", "of")]),
    ("MOT", "Ministry of Transport", 6, [("Transport", "of"), ("Auckland", "for")]),
    ("HUD", "Ministry of Housing and Urban Development", 5, [("Housing", "of"), ("Urban Development", "for")]),
    ("DIA", "Department of Internal Affairs", 5, [("Internal Affairs", "of"), ("Local Government", "of"), ("Digitising Government", "for")]),
    ("DPMC", "Department of the Prime Minister and Cabinet", 4, [("Prime Minister", ""), ("National Security and Intelligence", "for")]),
    ("POLICE", "New Zealand Police", 4, [("Police", "of")]),
    ("CORR", "Department of Corrections", 3, [("Corrections", "of")]),
    ("TPK", "Te Puni Kōkiri", 3, [("Māori Development", "for")]),
    ("OT", "Oranga Tamariki—Ministry for Children", 3, [("Children", "for")]),
    ("IRD", "Inland Revenue", 3, [("Revenue", "of")]),
    ("MOD", "Ministry of Defence", 3, [("Defence", "of")]),
    ("NZDF", "New Zealand Defence Force", 2, [("Veterans", "for")]),
    ("DOC", "Department of Conservation", 3, [("Conservation", "of")]),
    ("MCH", "Manatū Taonga—Ministry for Culture and Heritage", 2, [("Arts, Culture and Heritage", "for"), ("Broadcasting and Media", "for")]),
    ("LINZ", "Toitū Te Whenua Land Information New Zealand", 2, [("Land Information", "for")]),
    ("MPP", "Ministry for Pacific Peoples", 2, [("Pacific Peoples", "for")]),
    ("MWA", "Ministry for Women", 1, [("Women", "for")]),
    ("TEARAWHITI", "Te Arawhiti—Office for Māori Crown Relations", 2, [("Māori Crown Relations", "for")]),
    ("PSC", "Te Kawa Mataaho Public Service Commission", 2, [("Public Service", "for")]),
    ("STATS", "Stats NZ Tatauranga Aotearoa", 1, [("Statistics", "of")]),
    ("CUSTOMS", "New Zealand Customs Service", 2, [("Customs", "of")]),
    ("NEMA", "National Emergency Management Agency", 2, [("Emergency Management and Recovery", "for")]),
    ("GCSB", "Government Communications Security Bureau", 1, [("GCSB", "Responsible for the")]),
    ("NZSIS", "New Zealand Security Intelligence Service", 1, [("NZSIS", "Responsible for the")]),
    ("ERO", "Education Review Office", 1, []),
    ("TEC", "Tertiary Education Commission", 1, []),
    ("ACC", "Accident Compensation Corporation", 2, [("ACC", "for")]),
    ("NZTA", "NZ Transport Agency Waka Kotahi", 2, []),
    ("PHARMAC", "Pharmac Te Pātaka Whaioranga", 1, []),
    ("CROWNLAW", "Crown Law Office", 1, [("Attorney-General", "")]),
    ("MFR", "Ministry for Regulation", 1, [("Regulation", "for")]),
    ("WHAIKAHA", "Whaikaha—Ministry of Disabled People", 2, [("Disability Issues", "for")]),
]
FIRST_NAMES = [
    "Aroha", "Ben", "Catherine", "David", "Erin", "Fiona", "George", "Hana", "Ian", "Jacinta", "Kiri", "Louise", "Mark",
    "Nicola", "Oliver", "Paula", "Rawiri", "Sarah", "Tama", "Ursula", "Vince", "Wiremu", "Yvonne", "Anahera", "Grant",
]
LAST_NAMES = [
    "Whitfield", "Tane", "Morrison", "Patel", "Kereama", "Lindqvist", "Ngata", "Osborne", "Parata", "Quinlan", "Rangi",
    "Sutherland", "Tuhoe-Brown", "Underwood", "Vaifale", "Walker", "Xu", "Young", "Zhang", "Harrington", "Te Huia",
]
SUBJECTS = [
    "critical minerals", "the freight and supply chain strategy", "social housing supply", "school attendance",
    "the regional infrastructure fund", "emergency management reform", "the resource management system",
    "offshore renewable energy", "primary health care access", "the youth justice pipeline", "water services delivery",
    "the digital identity framework", "biosecurity funding", "the immigration rebalance", "apprenticeship support",
    "family violence prevention", "the fuel security plan", "land transport revenue", "the emissions reduction plan",
    "the Pacific resilience package", "aged care funding", "court backlogs", "the National Security Strategy",
    "the fast-track consenting regime", "natural hazard insurance", "early childhood education", "fisheries management",
    "the space and advanced aviation sector", "cost of living support", "public sector workforce costs",
    "the climate adaptation framework", "gambling harm reduction", "tertiary funding settings", "the Māori housing strategy",
    "the counter-terrorism legislation", "pharmaceutical funding", "the foreign investment regime", "rail network investment",
]
STAGES = ["Policy Approvals", "Final Policy Decisions", "Approval to Consult", "Report Back", "Proposed Approach",
          "Funding Decisions", "Release of Discussion Document", "Draft Legislation", "Progress Update", "Next Steps"]
ACTIONS = ["the proposed approach to", "the release of a discussion document on", "the establishment of a work programme on",
           "the terms of reference for a review of", "funding of up to ${amount} million over four years for",
           "the preparation of legislation to give effect to decisions on"]
GROUNDS = ["9(2)(f)(iv)", "9(2)(g)(i)", "9(2)(j)", "9(2)(b)(ii)", "9(2)(h)", "6(a)", "9(2)(ba)(i)", "9(2)(i)"]


def day_text(day):
    return f"{day.day} {day:%B %Y}"


@contextmanager
def no_auto_now(model, name):
    """Keep the generated creation time of `model.name` (auto_now_add) instead of the time of the run."""
    field = model._meta.get_field(name)
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


class Command(BaseCommand):
    help = (
        "Generate a realistic register: --minutes minutes over twenty years across Cabinet and its committees, "
        "about 7.5 decision items per minute, one follow-up per minute (half still owed), 40 agencies, with history. "
        "Refuses a database that already holds minutes unless --force (then it adds to them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=20_000, help="How many minutes (default 20,000).")
        parser.add_argument("--seed", type=int, default=1, help="The same seed and --until give the same register.")
        parser.add_argument("--until", type=datetime.date.fromisoformat, default=None,
                            help="The last day of the register (YYYY-MM-DD; default today).")
        parser.add_argument("--password", default="", help="Give every generated account this password (default: none, "
                            "accounts cannot sign in with a password).")
        parser.add_argument("--force", action="store_true", help="Add to a database that already holds records.")

    def handle(self, *args, minutes, seed, until, password, force, **options):
        if minutes < 1:
            raise CommandError("--minutes must be at least 1.")
        if not force and (Minute.objects.exists() or FollowUp.objects.exists()):
            raise CommandError(
                f"This database already holds {Minute.objects.count():,} minutes: nothing was generated. "
                "Use an empty database, or --force to add the generated register to it."
            )
        started = time.perf_counter()
        self.rng = random.Random(seed)
        self.until = until or timezone.localdate()
        self.start = self.until.replace(year=self.until.year - YEARS) + datetime.timedelta(days=1)
        self.when_cache = {}
        self.counts = Counter()
        with transaction.atomic():
            self.make_people(password)
            self.make_minutes(minutes)
            self.make_items_and_follow_ups()
            self.make_changes_and_notes()
            self.make_releases()
            self.make_meetings()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # fresh statistics, or the planner guesses from an empty register
                cursor.execute("ANALYZE")
        seconds = time.perf_counter() - started
        summary = ", ".join(f"{n:,} {name}" for name, n in self.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Generated in {seconds:.1f} s: {summary}."))

    # Helpers

    def when(self, day, hour=10):
        """A time on `day` in the working day, for history rows and timestamps."""
        key = (day, hour)
        if key not in self.when_cache:
            self.when_cache[key] = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
        return self.when_cache[key]

    def create(self, model, objs, *, dates=None, user=None):
        """Bulk-create `objs` and their "created" history rows (dated `dates[i]`, else now)."""
        if connection.vendor == "postgresql":
            objs = self.copy_create(model, objs)
        else:
            objs = model.objects.bulk_create(objs, batch_size=BATCH)
        self.counts[model._meta.verbose_name_plural] += len(objs)
        self.last_history = self.history(model, objs, dates=dates, user=user) if hasattr(model, "history") else []
        return objs

    def history(self, model, objs, *, dates=None, user=None, history_type="+", overrides=None):
        history = model.history.model
        names = [field.attname for field in history.tracked_fields]
        now = timezone.now()
        user_id = (user or self.clerk).pk
        if connection.vendor == "postgresql":
            return self.copy_history(history, names, objs, dates=dates, now=now, user_id=user_id,
                                     history_type=history_type, overrides=overrides)
        rows = []
        for n, obj in enumerate(objs):
            values = {name: getattr(obj, name) for name in names}
            if overrides:
                values.update(overrides[n])
            rows.append(history(
                **values, history_date=dates[n] if dates else now, history_type=history_type, history_user_id=user_id,
                history_change_reason="Generated register",
            ))
        rows = history.objects.bulk_create(rows, batch_size=BATCH)
        self.counts["history rows"] += len(rows)
        return rows

    def copy_create(self, model, objs):
        """What `bulk_create` does, through COPY: keys taken from the table's sequence first and set on each object,
        related objects' keys copied to their columns, automatic dates filled in. The same rows, without a
        statement's parameters prepared one by one for each (most of the time generating took)."""
        objs = list(objs)
        if not objs:
            return objs
        fields = [field for field in model._meta.local_concrete_fields if not field.generated]
        pk = model._meta.pk
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk.column, len(objs)]
            )
            ids = sorted(row[0] for row in cursor.fetchall())
            for obj, pk_value in zip(objs, ids):
                obj._prepare_related_fields_for_save(operation_name="bulk_create")
                setattr(obj, pk.attname, pk_value)
            self.copy_rows(cursor, model, fields, objs)
        for obj in objs:
            obj._state.adding, obj._state.db = False, connection.alias
        return objs

    def copy_rows(self, cursor, model, fields, objs, extra=None):
        """COPY each object's `fields` (then `extra[n]`, if given) into the model's table."""
        prepare = [
            None if field.get_internal_type() in SIMPLE_TYPES and not getattr(field, "auto_now", False)
            and not getattr(field, "auto_now_add", False) else field
            for field in fields
        ]
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        with cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([
                    getattr(obj, field.attname) if prepared is None
                    else field.get_db_prep_save(field.pre_save(obj, add=True), connection=connection)
                    for field, prepared in zip(fields, prepare)
                ])

    def copy_history(self, history, names, objs, *, dates, now, user_id, history_type, overrides):
        """The history rows through COPY, their keys taken from the table's sequence first: the same rows as
        `bulk_create` writes, without building a model instance and a statement's parameters for each (most of
        the time generating took). Returns (id, history_id) of each, as `link` needs them."""
        if not objs:
            return []
        table = history._meta.db_table
        fields = {field.attname: field for field in history._meta.concrete_fields}
        prepare = {
            name: None if fields[name].get_internal_type() in SIMPLE_TYPES
            else functools.partial(fields[name].get_db_prep_save, connection=connection)
            for name in names
        }
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'history_id')) FROM generate_series(1, %s)", [table, len(objs)]
            )
            ids = sorted(row[0] for row in cursor.fetchall())
            columns = [*names, "history_id", "history_date", "history_type", "history_user_id", "history_change_reason"]
            quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
            with cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for n, obj in enumerate(objs):
                    values = {name: getattr(obj, name) for name in names}
                    if overrides:
                        values.update(overrides[n])
                    row = [values[name] if prepare[name] is None else prepare[name](values[name]) for name in names]
                    copy.write_row([*row, ids[n], dates[n] if dates else now, history_type, user_id, "Generated register"])
        self.counts["history rows"] += len(objs)
        return [SimpleNamespace(id=obj.pk, history_id=ids[n]) for n, obj in enumerate(objs)]

    def link(self, model, field, pairs, history_rows=None):
        """Many-to-many rows (owner pk, other pk) of `model.field`, with their history beside the owner's history rows."""
        through = model._meta.get_field(field).remote_field.through
        owner, other = (f.attname for f in through._meta.concrete_fields if f.is_relation)
        rows = through.objects.bulk_create([through(**{owner: a, other: b}) for a, b in pairs], batch_size=BATCH)
        if history_rows is not None:
            m2m_history = apps.get_model(model._meta.app_label, f"Historical{model.__name__}_{field}")
            by_owner = {row.id: row.history_id for row in history_rows}
            m2m_history.objects.bulk_create([
                m2m_history(id=row.pk, history_id=by_owner[getattr(row, owner)], **{owner: getattr(row, owner), other: getattr(row, other)})
                for row in rows
            ], batch_size=BATCH)
            self.counts["history rows"] += len(rows)
        return rows

    # People

    def make_people(self, password):
        rng = self.rng
        User = get_user_model()
        taken = set(User.objects.values_list("username", flat=True))
        hashed = make_password(password or None)  # hashed once: every account shares it
        self.clerk = User.objects.filter(username="register-clerk").first() or User.objects.create(
            username="register-clerk", first_name="Register", last_name="Generator", password=hashed,
            email="register-clerk@cabinet.example.govt.nz", is_staff=True, is_superuser=True,
        )
        taken.add("register-clerk")
        agencies = {a.short_name: a for a in Agency.objects.all()}
        new_agencies = [Agency(name=name, short_name=short) for short, name, _, _ in AGENCIES if short not in agencies]
        for agency in self.create(Agency, new_agencies):
            agencies[agency.short_name] = agency
        portfolios = {p.name: p for p in Portfolio.objects.all()}
        wanted = [(name, f"Minister {word} {name}".replace("  ", " ") if word else name)
                  for _, _, _, held in AGENCIES for name, word in held]
        new = [Portfolio(name=name, minister_title=title) for name, title in wanted if name not in portfolios]
        for portfolio in self.create(Portfolio, new):
            portfolios[portfolio.name] = portfolio
        self.agencies = [agencies[short] for short, *_ in AGENCIES]
        self.agency_weights = [size for _, _, size, _ in AGENCIES]
        self.portfolios_of = {agencies[short].pk: [portfolios[name] for name, _ in held] for short, _, _, held in AGENCIES}
        self.agency_of_portfolio = {p.pk: a for a in self.agencies for p in self.portfolios_of[a.pk]}
        # Ministers: a new line-up each term; a portfolio's Minister holds it for the term.
        names = sorted({f"Hon {first} {last}" for first in FIRST_NAMES for last in LAST_NAMES})
        existing = set(Minister.objects.values_list("name", flat=True))
        names = [name for name in names if name not in existing]
        rng.shuffle(names)
        ministers = self.create(Minister, [Minister(name=name) for name in names[:90]])
        terms = [e for e in ELECTIONS if e <= self.until]
        assignments, self.minister_for = [], {}
        for n, start in enumerate(terms):
            end = terms[n + 1] - datetime.timedelta(days=1) if n + 1 < len(terms) else None
            line_up = rng.sample(ministers, 25)
            for m, portfolio in enumerate(portfolios[name] for name, _ in wanted):
                minister = line_up[m % 25]
                assignments.append(PortfolioAssignment(minister=minister, portfolio=portfolio, start_date=start, end_date=end))
                self.minister_for[(n, portfolio.pk)] = minister
        self.terms = terms
        self.create(PortfolioAssignment, assignments, dates=[self.when(a.start_date) for a in assignments])
        # Accounts: clerks serve committees; officials act for one agency and some of its portfolios; readers read.
        committees = list(Committee.objects.all())
        self.committees = committees
        accounts = [(f"clerk{n:02d}", Profile.Role.CLERK, None) for n in range(1, 13)]
        accounts += [(f"reader{n:02d}", Profile.Role.READER, None) for n in range(1, 9)]
        accounts += [(f"{a.short_name.lower()}{n:02d}", Profile.Role.OFFICIAL, a)
                     for a, size in zip(self.agencies, self.agency_weights) for n in range(1, 2 + max(2, size // 2))]
        accounts = [account for account in accounts if account[0] not in taken]
        users = self.create(User, [
            User(username=name, password=hashed, first_name=rng.choice(FIRST_NAMES), last_name=rng.choice(LAST_NAMES),
                 email=f"{name}@{'cabinet' if role != Profile.Role.OFFICIAL else agency.short_name.lower()}.example.govt.nz",
                 is_staff=role == Profile.Role.CLERK, is_superuser=role == Profile.Role.CLERK)
            for name, role, agency in accounts
        ])
        profiles = self.create(Profile, [Profile(user=user, role=role, digest=rng.choice(Profile.Digest.values))
                                         for user, (_, role, _) in zip(users, accounts)])
        history = self.last_history
        agency_pairs, portfolio_pairs, committee_pairs = [], [], []
        current = [c for c in committees if c.valid_to is None]
        self.officials_of = defaultdict(list)
        for profile, user, (_, role, agency) in zip(profiles, users, accounts):
            if role == Profile.Role.OFFICIAL:
                agency_pairs.append((profile.pk, agency.pk))
                held = self.portfolios_of[agency.pk]
                for portfolio in rng.sample(held, min(len(held), rng.randint(1, 2))):
                    portfolio_pairs.append((profile.pk, portfolio.pk))
                self.officials_of[agency.pk].append(user)
            elif role == Profile.Role.CLERK:
                committee_pairs += [(profile.pk, c.pk) for c in rng.sample(current, 2)]
        self.link(Profile, "agencies", agency_pairs, history)
        self.link(Profile, "portfolios", portfolio_pairs, history)
        self.link(Profile, "committees", committee_pairs, history)
        self.clerks = [user for user, account in zip(users, accounts) if account[1] == Profile.Role.CLERK] or [self.clerk]
        self.grounds = {g.code: g for g in OIAGround.objects.filter(code__in=GROUNDS)}

    # Minutes and papers

    def committee_on(self, code, day):
        return next((c for c in self.committees if c.code == code and c.valid_from <= day
                     and (c.valid_to is None or c.valid_to >= day)), None)

    def term_of(self, day):
        return max(bisect.bisect_right(self.terms, day) - 1, 0)

    def meeting_day(self, day, code):
        """The committee's usual weekday on or after `day`, moved on past holidays."""
        day += datetime.timedelta(days=(WEEKDAYS.get(code, 2) - day.weekday()) % 7)
        while not business_days.is_business_day(day):
            day += datetime.timedelta(days=1)
        return day

    def make_minutes(self, total):
        rng = self.rng
        taken = set(Minute.objects.values_list("reference", flat=True)) | set(Paper.objects.values_list("reference", flat=True))
        numbers = Counter()  # (body, year, type) -> last number; (body, year, "meeting") -> last meeting
        meetings = {}

        def reference(body, day, kind):
            while True:
                if day.year < 2015:  # CAB Min (10) 39/8; papers CAB (10) 61
                    if kind == MINUTE:
                        meeting = meetings.setdefault((body, day), numbers[(body, day.year, "meeting")] + 1)
                        numbers[(body, day.year, "meeting")] = meeting
                        numbers[(body, day, "item")] += 1
                        ref = Reference(body, day.year, MINUTE, numbers[(body, day, "item")], meeting=meeting, is_legacy=True)
                    else:
                        numbers[(body, day.year, PAPER)] += 1
                        ref = Reference(body, day.year, PAPER, numbers[(body, day.year, PAPER)], is_legacy=True)
                else:
                    numbers[(body, day.year, kind)] += 1
                    ref = Reference(body, day.year, kind, numbers[(body, day.year, kind)])
                if str(ref) not in taken:
                    taken.add(str(ref))
                    return ref

        # Decision minutes on random days, each moved to its body's meeting day. A Report of Committee at the next
        # Cabinet confirms each committee's minutes of a week (not those under Power to Act): candidates are taken in
        # random order until minutes and reports together make `total`.
        span = (self.until - self.start).days
        candidates = []
        for _ in range(total + total // 4 + 5):
            day = self.start + datetime.timedelta(days=rng.randrange(span))
            codes = [c.code for c in self.committees if c.valid_from <= day and (c.valid_to is None or c.valid_to >= day)]
            code = "CAB" if rng.random() < 0.35 or len(codes) == 1 else rng.choice([c for c in codes if c != "CAB"])
            day = self.meeting_day(day, code)
            if day <= self.until and self.committee_on(code, day):
                candidates.append((day, code, not code == "CAB" and rng.random() < 0.08))
        kept, groups = [], set()
        for day, code, power_to_act in candidates:
            group = (code, day - datetime.timedelta(days=day.weekday()))
            confirmed = code != "CAB" and not power_to_act
            needs_report = confirmed and group not in groups and self.meeting_day(group[1] + datetime.timedelta(days=7), "CAB") <= self.until
            if len(kept) + len(groups) + 1 + needs_report > total:
                continue
            kept.append((day, code, power_to_act))
            if needs_report:
                groups.add(group)
            if len(kept) + len(groups) == total:
                break
        kept.sort()
        minutes, papers, minute_portfolios, paper_portfolios, paper_ministers = [], [], [], [], []
        weeks = defaultdict(list)
        every_portfolio = [p for held in self.portfolios_of.values() for p in held]
        for day, code, power_to_act in kept:
            committee = self.committee_on(code, day)
            agency = rng.choices(self.agencies, self.agency_weights)[0]
            portfolio = rng.choice(self.portfolios_of[agency.pk] or every_portfolio)
            subject = rng.choice(SUBJECTS)
            title = f"{subject[0].upper()}{subject[1:]}: {rng.choice(STAGES)}"
            is_oral = rng.random() < 0.05
            classification = rng.choices(
                [Classification.IN_CONFIDENCE, Classification.SENSITIVE, Classification.RESTRICTED], [80, 15, 5])[0]
            minute_ref = reference(committee.code, day, MINUTE)
            paper = None
            if not is_oral:
                paper_ref = minute_ref.counterpart() if not minute_ref.is_legacy else None
                if paper_ref is None or str(paper_ref) in taken:
                    paper_ref = reference(committee.code, day, PAPER)
                taken.add(str(paper_ref))
                paper = Paper(reference=str(paper_ref), title=title, lead_agency=agency, classification=classification,
                              paper_date=day - datetime.timedelta(days=rng.randint(4, 11)), date_precision=DatePrecision.DAY,
                              endorsement="BUDGET" if rng.random() < 0.04 else "")
                papers.append(paper)
            minute = Minute(
                reference=str(minute_ref), year=minute_ref.year, number=minute_ref.number, committee=committee,
                kind=Minute.Kind.ORAL if is_oral else Minute.Kind.DECISION, decision_date=day, title=title, paper=paper,
                classification=classification, signatory="Secretary of the Cabinet" if committee.is_cabinet else "Committee Secretary",
                has_power_to_act=power_to_act,
            )
            minute.agency, minute.portfolio, minute.subject, minute.the_paper = agency, portfolio, subject, paper
            minutes.append(minute)
            group = (code, day - datetime.timedelta(days=day.weekday()))
            if group in groups and not power_to_act:
                weeks[group].append(minute)
        reports = []
        for (_code, monday), confirmed in sorted(weeks.items(), key=lambda item: item[0][1]):
            day = self.meeting_day(monday + datetime.timedelta(days=7), "CAB")
            ref = reference("CAB", day, MINUTE)
            report = Minute(
                reference=str(ref), year=ref.year, number=ref.number, committee=self.committee_on("CAB", day),
                kind=Minute.Kind.REPORT, decision_date=day, signatory="Secretary of the Cabinet",
                title=f"Report of the {confirmed[0].committee.name}: Period Ended {day_text(monday + datetime.timedelta(days=4))}",
            )
            report.confirms, report.agency, report.portfolio, report.subject = confirmed, None, None, ""
            reports.append(report)
        self.create(Paper, papers, dates=[self.when(p.paper_date) for p in papers])
        paper_history = self.last_history
        reports = self.create(Minute, reports, dates=[self.when(r.decision_date, 16) for r in reports])
        for report in reports:
            for minute in report.confirms:
                minute.confirmed_by_id = report.pk
        minutes = self.create(Minute, minutes, dates=[self.when(m.decision_date, 16) for m in minutes])
        minute_history = self.last_history
        for minute in minutes:
            minute_portfolios.append((minute.pk, minute.portfolio.pk))
            if minute.paper_id:
                paper_portfolios.append((minute.paper_id, minute.portfolio.pk))
                paper_ministers.append((minute.paper_id, self.minister_for[(self.term_of(minute.decision_date), minute.portfolio.pk)].pk))
        self.link(Minute, "portfolios", minute_portfolios, minute_history)
        self.link(Paper, "portfolios", paper_portfolios, paper_history)
        self.link(Paper, "ministers", paper_ministers, paper_history)
        self.minutes, self.reports = minutes, reports
        self.report_dates = {report.pk: report.decision_date for report in reports}
        self.all_minutes = sorted(minutes + reports, key=lambda m: m.decision_date)
        self.minute_days = [m.decision_date for m in self.all_minutes]

    # Decision items and follow-ups

    def final_date(self, minute):
        if minute.committee.is_cabinet or minute.has_power_to_act:
            return minute.decision_date
        return self.report_dates.get(minute.confirmed_by_id)

    def make_items_and_follow_ups(self):
        rng = self.rng
        decision_minutes = [m for m in self.minutes if m.kind != Minute.Kind.REPORT]
        # One follow-up per minute in all, spread over decision minutes; the more recent, the likelier still owed.
        per_minute = Counter(rng.randrange(len(decision_minutes)) for _ in range(len(self.minutes) + len(self.reports)))
        items, redactions, planned = [], [], []
        for index, minute in enumerate(decision_minutes):
            owed_here = per_minute[index]
            count = max(rng.randint(4, 14), owed_here + 2)
            follow_up_at = set(rng.sample(range(2, count + 1), owed_here))
            number = 0
            for position in range(1, count + 1):
                number += 1
                if position in follow_up_at:
                    item, follow_up = self.follow_up_item(minute, number)
                    planned.append((len(items), follow_up))
                    items.append(item)
                    continue
                item, redaction = self.plain_item(minute, number, position == 1)
                items.append(item)
                if redaction:
                    redactions.append((len(items) - 1, redaction))
                if position == 2 and not item.is_redacted and rng.random() < 0.3:  # a paragraph ending ":" with sub-paragraphs
                    item.text = item.text.rstrip(";.") + ":"
                    for sub in range(1, rng.randint(2, 4) + 1):
                        items.append(DecisionItem(
                            minute=minute, number=f"{number}.{sub}", sort_key=number_sort_key(f"{number}.{sub}"), verb="",
                            text=f"{rng.choice(ACTIONS).replace('${amount}', str(rng.randint(2, 90)))} {rng.choice(SUBJECTS)};",
                        ))
            if not items[-1].is_redacted:
                items[-1].text = items[-1].text.rstrip(";:") + "."
        for report in self.reports:
            items.append(DecisionItem(minute=report, number="1", sort_key=number_sort_key("1"), verb=DecisionItem.Verb.CONFIRMED,
                                      text="confirmed the decisions of the committee as set out in the minutes listed below."))
        dates = [self.when(item.minute.decision_date, 16) for item in items]
        items = self.create(DecisionItem, items, dates=dates)
        for index, redaction in redactions:
            redaction.decision = items[index]
        self.create(Redaction, [r for _, r in redactions], dates=[self.when(r.decision.minute.decision_date, 16) for _, r in redactions])
        self.redacted_minutes = defaultdict(set)
        for _, redaction in redactions:
            self.redacted_minutes[redaction.decision.minute_id].add(redaction.ground_id)
        # Which follow-ups are still owed: the most recent half, with some old ones left behind.
        follow_ups = []
        for index, follow_up in planned:
            follow_up.decision = items[index]
            follow_up.minute_id = items[index].minute_id  # bulk_create skips save(), which keeps it in step
            follow_ups.append(follow_up)
        score = sorted(range(len(follow_ups)), key=lambda n: follow_ups[n].decision.minute.decision_date.toordinal()
                       + rng.random() * 365 * 6, reverse=True)
        owed = set(score[:len(follow_ups) // 2])
        self.closures = []
        for n, follow_up in enumerate(follow_ups):
            self.settle(follow_up, still_owed=n in owed)
        opened = []
        for follow_up in follow_ups:
            follow_up.created_at = self.when(follow_up.decision.minute.decision_date, 17)
            changed = follow_up.status != FollowUp.Status.OPEN
            follow_up.version = 2 if changed else 1
            opened.append({
                "status": FollowUp.Status.OPEN, "closed_at": None, "closed_reason": "", "submitted_reference": "",
                "submitted_at": None, "discharged_by_minute_id": None, "version": 1,
            } if changed else {})
        with no_auto_now(FollowUp, "created_at"):
            self.follow_ups = FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH)
        self.counts["follow-ups"] += len(follow_ups)
        # History: each created open, then (for those no longer simply open) the change that moved it on.
        self.history(FollowUp, follow_ups, dates=[f.created_at for f in follow_ups], overrides=opened)
        changed = [f for f in follow_ups if f.status != FollowUp.Status.OPEN]
        self.history(FollowUp, changed, history_type="~", dates=[f.changed_at for f in changed])

    def plain_item(self, minute, number, first):
        rng = self.rng
        verb = "noted" if first else rng.choices(["noted", "agreed", "approved", "endorsed", "agreed_in_principle"], [30, 40, 15, 8, 7])[0]
        subject = minute.subject or rng.choice(SUBJECTS)
        if verb == "noted" and rng.random() < 0.0005:  # a rare subject, for benches of search
            text = "noted the advice on the Kermadec Ocean Sanctuary;"
        elif verb == "noted":
            text = f"noted that {subject} {rng.choice(['is a priority for the Government', 'has been considered by officials', 'was discussed with stakeholders in ' + str(minute.decision_date.year)])};"
        else:
            action = rng.choice(ACTIONS).replace("${amount}", str(rng.randint(2, 900)))
            text = f"{DecisionItem.Verb(verb).label} {action} {subject};"
        item = DecisionItem(minute=minute, number=str(number), sort_key=number_sort_key(str(number)), verb=verb, text=text)
        redaction = None
        roll = rng.random()
        if roll < 0.01:  # withheld whole: only its number and the ground are printed
            code = rng.choice(GROUNDS)
            item.verb, item.text, item.is_redacted = "", f"s{code}", True
            redaction = Redaction(ground=self.grounds.get(code), marker=f"s{code}", start=0, end=len(item.text))
        elif roll < 0.05:  # a withheld span, with the label printed before it
            code = rng.choice(GROUNDS)
            marker = f"[s{code}]"
            item.text = item.text.rstrip(";") + f", subject to {rng.choice(['Negotiations', 'Commercial terms', 'Legal advice'])} {marker};"
            start = item.text.index(marker)
            redaction = Redaction(ground=self.grounds.get(code), marker=marker, start=start, end=start + len(marker),
                                  label=item.text[:start].rsplit(", subject to ", 1)[-1].strip())
        return item, redaction

    def follow_up_item(self, minute, number):
        rng = self.rng
        kind = rng.choices(list(FollowUp.Kind.values[:4]), [75, 12, 9, 4])[0]
        portfolio = minute.portfolio
        minister = self.minister_for.get((self.term_of(minute.decision_date), portfolio.pk))
        title = portfolio.minister_title or "Prime Minister"
        report_to = minute.committee if rng.random() < 0.6 else self.committee_on("CAB", minute.decision_date)
        due = minute.decision_date + datetime.timedelta(days=rng.randint(30, 420))
        undated = kind == FollowUp.Kind.REPORT_BACK and rng.random() < 0.06
        precision = rng.choices([DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.HALF], [70, 25, 5])[0]
        if precision == DatePrecision.MONTH:
            due = (due.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
            due_text = f"by the end of {due:%B %Y}"
        elif precision == DatePrecision.HALF:
            due = datetime.date(due.year, 6, 30) if due.month <= 6 else datetime.date(due.year, 12, 31)
            due_text = f"by {'mid' if due.month == 6 else 'the end of'} {due.year}"
        else:
            due_text = f"by {day_text(due)}"
        if undated:
            due, precision, due_text = None, DatePrecision.NONE, ""
        subject = minute.subject
        if kind == FollowUp.Kind.REPORT_BACK:
            text = f"invited the {title} to report back to the {report_to.name} {due_text} on {subject}".replace("  ", " ")
            description = f"Report back on {subject}"
        elif kind == FollowUp.Kind.DIRECTION:
            text = f"directed officials from the {minute.agency.name} to report to the {title} {due_text} on options for {subject}"
            description = f"Officials to report on options for {subject}"
        elif kind == FollowUp.Kind.DELEGATED_DECISION:
            text = f"authorised the {title} and the Minister of Finance jointly to make final decisions on {subject}"
            description = f"Final decisions on {subject}"
        else:
            text = f"invited the {title} to issue drafting instructions to the Parliamentary Counsel Office to give effect to the above decisions"
            description = "Drafting instructions to the Parliamentary Counsel Office"
        verb = "authorised" if kind == FollowUp.Kind.DELEGATED_DECISION else "directed" if kind == FollowUp.Kind.DIRECTION else "invited"
        item = DecisionItem(minute=minute, number=str(number), sort_key=number_sort_key(str(number)), verb=verb,
                            text=" ".join(text.split()) + ";")
        follow_up = FollowUp(
            kind=kind, description=description[:300], responsible_minister=minister, responsible_portfolio=portfolio,
            responsible_agency=minute.agency, responsible_text=f"the {title}",
            report_to=report_to if kind == FollowUp.Kind.REPORT_BACK else None,
            due_date=due, due_precision=precision, due_text=due_text, original_due_date=due, original_due_precision=precision,
        )
        return item, follow_up

    def later_minute(self, day):
        start = bisect.bisect_right(self.minute_days, day)
        if start >= len(self.all_minutes):
            return None
        return self.all_minutes[self.rng.randrange(start, min(len(self.all_minutes), start + 200))]

    def settle(self, follow_up, *, still_owed):
        """Give a follow-up its state today: still owed (some with an extension), or submitted or closed."""
        rng = self.rng
        made = follow_up.decision.minute.decision_date
        follow_up.changes = []
        if still_owed:
            if follow_up.due_date and rng.random() < 0.12:  # an extension within a month, notified and applied
                to_date = follow_up.due_date + datetime.timedelta(days=rng.randint(7, 28))
                follow_up.changes.append(("approved", follow_up.due_date, follow_up.due_precision, to_date))
                follow_up.due_date, follow_up.due_precision = to_date, DatePrecision.DAY
            if follow_up.due_date and rng.random() < 0.04:  # a longer one waiting for the chair
                follow_up.status = FollowUp.Status.EXTENSION_REQUESTED
                follow_up.changed_at = self.when(min(follow_up.due_date, self.until) - datetime.timedelta(days=3), 11)
                follow_up.changes.append(("pending", follow_up.due_date, follow_up.due_precision,
                                          follow_up.due_date + datetime.timedelta(days=rng.randint(45, 120))))
            return
        done = min((follow_up.due_date or made + datetime.timedelta(days=180)) - datetime.timedelta(days=rng.randint(-30, 40)),
                   self.until)
        done = max(done, made + datetime.timedelta(days=7))
        at = self.when(min(done, self.until), 15)
        roll = rng.random()
        if roll < 0.08:
            follow_up.status, follow_up.submitted_at, follow_up.changed_at = FollowUp.Status.SUBMITTED, at, at
            follow_up.submitted_reference = f"{follow_up.decision.minute.committee.code}-{done.year % 100:02d}-SUB-{rng.randint(1, 400):04d}"
            return
        by = self.later_minute(done) if roll < 0.78 else None
        if by is not None:
            follow_up.status, follow_up.discharged_by_minute = FollowUp.Status.DISCHARGED, by
            follow_up.closed_reason = f"Reported back: {by.reference}."
        elif roll < 0.9:
            follow_up.status = FollowUp.Status.CANCELLED
            follow_up.closed_reason = rng.choice(["Overtaken by the Budget decisions.", "The Minister withdrew the proposal.",
                                                  "No longer required after the change of Government."])
        else:
            follow_up.status = FollowUp.Status.SUPERSEDED
            follow_up.closed_reason = "Superseded by a later decision on the same matter."
        follow_up.closed_at = follow_up.changed_at = at

    # Due-date changes, progress notes, proactive releases

    def make_changes_and_notes(self):
        rng = self.rng
        changes, notes = [], []
        for follow_up in self.follow_ups:
            officials = self.officials_of.get(follow_up.responsible_agency_id) or self.clerks
            for status, from_date, from_precision, to_date in follow_up.changes:
                asked = self.when(min(from_date, self.until) - datetime.timedelta(days=3), 11)
                official, clerk = rng.choice(officials), rng.choice(self.clerks)
                changes.append(DueDateChange(
                    follow_up=follow_up, from_date=from_date, from_precision=from_precision, to_date=to_date,
                    reason=rng.choice(["Consultation took longer than planned.", "Waiting on costings from the Treasury.",
                                       "Aligning with the Budget timetable.", "Further engagement with iwi is needed."]),
                    tier=DueDateChange.Tier.NOTIFICATION if status == "approved" else DueDateChange.Tier.CHAIR,
                    status=status, requested_by=official, requested_at=asked,
                    approved_by="Notified: within one month" if status == "approved" else "",
                    decided_by=clerk if status == "approved" else None, decided_at=asked if status == "approved" else None,
                ))
            for _ in range(rng.choices([0, 1, 2], [45, 35, 20])[0]):
                made = follow_up.decision.minute.decision_date
                written = made + datetime.timedelta(days=rng.randint(14, max(15, (self.until - made).days)))
                notes.append(ProgressNote(
                    follow_up=follow_up, author=rng.choice(officials), created_at=self.when(min(written, self.until), 14),
                    text=rng.choice(["Draft paper with the Minister's office.", "Agency consultation under way.",
                                     "Officials met stakeholders; advice to the Minister next week.",
                                     "Costings agreed with the Treasury.", "Paper lodged for the next committee meeting."]),
                ))
        self.create(DueDateChange, changes, dates=[c.requested_at for c in changes])
        self.create(ProgressNote, notes, dates=[n.created_at for n in notes])

    def make_releases(self):
        rng = self.rng
        releases, documents, grounds = [], [], []
        due_cache = {}
        for minute in self.minutes:
            final = self.final_date(minute)
            if not minute.paper_id or final is None or final < PROACTIVE_RELEASE_FROM or rng.random() > 0.7:
                continue
            if final not in due_cache:
                due_cache[final] = business_days.publication_due_date(final)
            published = final + datetime.timedelta(days=rng.randint(20, 90))
            withheld = self.redacted_minutes.get(minute.pk, set())
            published = published if published <= self.until and rng.random() < 0.9 else None
            release = ProactiveRelease(
                minute=minute, final_decision_date=final, publication_due_date=due_cache[final], published_date=published,
                # bulk_create skips save(): the state a release has with these facts (decisions/releases.py)
                status=ProactiveRelease.Status.PUBLISHED if published else ProactiveRelease.Status.DUE,
                minister=self.minister_for.get((self.term_of(final), minute.portfolio.pk)), agency=minute.agency,
                is_redacted=bool(withheld),
            )
            release.withheld = withheld
            releases.append(release)
        releases = self.create(ProactiveRelease, releases, dates=[self.when(r.final_decision_date, 12) for r in releases])
        for release in releases:
            minute = release.minute
            documents += [
                ReleasedDocument(release=release, document_date=minute.the_paper.paper_date, title=minute.the_paper.title,
                                 author=f"Office of the {minute.portfolio.minister_title or 'Prime Minister'}"),
                ReleasedDocument(release=release, document_date=minute.decision_date, title=f"{minute.title} ({minute.reference})",
                                 author="Cabinet Office"),
            ]
            grounds += [(release.pk, ground) for ground in sorted(g for g in release.withheld if g)]
        self.create(ReleasedDocument, documents, dates=[self.when(d.release.final_decision_date, 12) for d in documents])
        history = list(ProactiveRelease.history.model.objects.filter(id__in=[r.pk for r in releases]))
        self.link(ProactiveRelease, "grounds", grounds, history)

    # The Cabinet cycle

    def make_meetings(self):
        """Each committee's weekly meetings while it exists, from the register's first day to half a year past its last
        (the calendar is published ahead), but for the summer recess; a meeting on every day a minute was decided (a
        meeting called in the recess), and a few others cancelled. Held before `until`, scheduled from it."""
        rng = self.rng
        last = self.until + datetime.timedelta(weeks=26)
        recess = [datetime.date(year, 12, 22) + datetime.timedelta(days=n)
                  for year in range(self.start.year - 1, last.year + 1) for n in range(0, 35, 7)]
        weeks = sitting_weeks(self.start, last, recess)
        decided = set(Minute.objects.values_list("committee_id", "decision_date"))  # Reports of Committee too
        taken = set(Meeting.objects.values_list("committee_id", "meeting_date"))
        days = {}  # (committee pk, day): (committee, note)
        for committee in self.committees:
            first, final = max(self.start, committee.valid_from), min(last, committee.valid_to or last)
            weekday = committee.meeting_weekday if committee.meeting_weekday is not None else WEEKDAYS.get(committee.code, 2)
            for usual, day in meeting_days(weekday, weeks, first_day=first, last_day=final):
                if day is not None:
                    days[(committee.pk, day)] = (committee, moved_note(usual, day))
        by_pk = {committee.pk: committee for committee in self.committees}
        for committee_id, day in decided:
            days.setdefault((committee_id, day), (by_pk[committee_id], "Called outside the usual cycle."))
        meetings = []
        for (committee_id, day), (committee, note) in sorted(days.items(), key=lambda item: (item[0][1], item[0][0])):
            if (committee_id, day) in taken:
                continue
            status = Meeting.Status.HELD if day < self.until else Meeting.Status.SCHEDULED
            if (committee_id, day) not in decided and rng.random() < 0.02:
                status, note = Meeting.Status.CANCELLED, "Cancelled: no business."
            meetings.append(Meeting(
                committee=committee, meeting_date=day, start_time=committee.meeting_time or datetime.time(10, 0),
                lodgement_deadline=lodgement_deadline(day), status=status, note=note,
            ))
        self.create(Meeting, meetings, dates=[self.when(min(m.meeting_date - datetime.timedelta(weeks=8), self.until))
                                              for m in meetings])
