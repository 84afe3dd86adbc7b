"""The Reports page: overdue report-backs by age, slipped due dates, what was owed month by month, and how long
committees' decisions took to discharge. Each chart is SVG drawn on the server with its numbers in a table beside it.

Everything is counted in the database from the follow-ups the person may see (decisions/access.py): clerks and
readers the whole register, officials their own. The number of queries does not grow with the register.
"""

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Avg, Count, F, Func, IntegerField, Max, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cabinet.business_days import business_days_between
from decisions import access
from decisions.models import DueDateChange, FollowUp

# Business days overdue: (first, last) of each band; None is open-ended.
AGEING_BANDS = [(1, 10), (11, 20), (21, 60), (61, None)]
MONTHS = 24
SLIPPAGE_CHART_ROWS = 12  # the chart shows the most slipped; the table lists them all
EXTENSION_TIERS = (DueDateChange.Tier.NOTIFICATION, DueDateChange.Tier.CHAIR)

# GOV.UK Frontend colours with at least 3:1 contrast on white (grid lines grey); lines differ in dashes too.
BLUE, RED, BLACK, GREY = "#1d70b8", "#d4351c", "#0b0c0c", "#b1b4b6"


class DaysBetween(Func):
    """Whole days from the date `start` to the date `end`."""

    output_field = IntegerField()

    def __init__(self, start, end):
        super().__init__(start, end)

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL: date - date is a number of days
        (start, start_params), (end, end_params) = (compiler.compile(expression) for expression in self.source_expressions)
        return f"({end} - {start})", [*end_params, *start_params]

    def as_sqlite(self, compiler, connection, **extra):
        (start, start_params), (end, end_params) = (compiler.compile(expression) for expression in self.source_expressions)
        return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)", [*end_params, *start_params]


# The numbers.


def latest_due_date(today, days):
    """The latest due date that is at least `days` business days overdue on `today`."""
    low = today - datetime.timedelta(days=days * 3 + 40)  # surely that overdue: a third of all days are business days
    high = today - datetime.timedelta(days=1)
    if business_days_between(high, today) >= days:
        return high
    while (high - low).days > 1:  # business days overdue only grow the earlier the due date: halve the gap
        middle = low + datetime.timedelta(days=(high - low).days // 2)
        if business_days_between(middle, today) >= days:
            low = middle
        else:
            high = middle
    return low


@dataclass
class Row:
    label: str
    values: list
    extra: dict = field(default_factory=dict)


def ageing(follow_ups, today):
    """Overdue report-backs by business days overdue, one row a band, in one aggregate.

    A report-back due on a day just before a weekend or holiday that is not over yet is overdue by no business day:
    it is counted in the first band.
    """
    overdue = follow_ups.overdue(on=today).filter(kind=FollowUp.Kind.REPORT_BACK)
    conditions = {}
    for first, last in AGEING_BANDS:
        condition = Q(due_date__lte=latest_due_date(today, first)) if first > 1 else Q()
        if last is not None:
            condition &= Q(due_date__gt=latest_due_date(today, last + 1))
        conditions[(first, last)] = condition
    counts = overdue.order_by().aggregate(
        **{f"band_{index}": Count("pk", filter=condition) for index, condition in enumerate(conditions.values())}
    )
    rows = []
    for index, (first, last) in enumerate(AGEING_BANDS):
        label = f"{first} to {last} business days" if last else f"More than {first - 1} business days"
        rows.append(Row(label, [counts[f"band_{index}"]], {"first": first, "last": last}))
    return rows


def slippage(follow_ups, key):
    """Due dates against the date first set, and extensions granted, by `key` (agency or portfolio)."""
    dated = follow_ups.filter(original_due_date__isnull=False, due_date__isnull=False)
    later = Q(due_date__gt=F("original_due_date"))
    rows = (
        dated.order_by().values(key)
        .annotate(dated=Count("pk"), later=Count("pk", filter=later),
                  days=Sum(DaysBetween("original_due_date", "due_date"), filter=later))
    )
    extensions = dict(
        DueDateChange.objects.filter(follow_up__in=follow_ups.values("pk"), status=DueDateChange.Status.APPROVED,
                                     tier__in=EXTENSION_TIERS)
        .order_by().values(f"follow_up__{key}").annotate(count=Count("pk")).values_list(f"follow_up__{key}", "count")
    )
    by_name = {}
    for row in rows:
        name = row[key]
        by_name[name] = Row(name or "None named", [row["later"], extensions.get(name, 0)], {
            "dated": row["dated"], "average_days": round(row["days"] / row["later"]) if row["later"] else None,
        })
    for name, count in extensions.items():  # extended, but not dated now (an undated follow-up cannot be)
        by_name.setdefault(name, Row(name or "None named", [0, count], {"dated": 0, "average_days": None}))
    return sorted(by_name.values(), key=lambda row: (-row.values[0] - row.values[1], row.label))


def slippage_totals(follow_ups):
    later = Q(due_date__gt=F("original_due_date"))
    totals = follow_ups.filter(original_due_date__isnull=False, due_date__isnull=False).order_by().aggregate(
        dated=Count("pk"), later=Count("pk", filter=later), days=Sum(DaysBetween("original_due_date", "due_date"), filter=later),
    )
    totals["average_days"] = round(totals["days"] / totals["later"]) if totals["later"] else None
    return totals


def month_points(today, months=MONTHS):
    """The end of each of the last `months` months (the current one: now), oldest first, as (label, instant, day).

    At the end of a month means at midnight as the next one starts in New Zealand: what was due on the month's last
    day and still owed is overdue then.
    """
    zone = timezone.get_current_timezone()
    points = [(f"{today:%b %Y} (so far)", timezone.now(), today)]
    next_first = today.replace(day=1)  # the month before's end
    for _ in range(months - 1):
        first = (next_first - datetime.timedelta(days=1)).replace(day=1)
        points.append((f"{first:%b %Y}", datetime.datetime.combine(next_first, datetime.time(), zone), next_first))
        next_first = first
    return points[::-1]


def owed_over_time(user, today):
    """How many follow-ups were still owed (open or waiting on an extension), and how many of those overdue, at the
    end of each month, rebuilt from their history rows: one query.

    Each history row holds a follow-up's state from its time until the next row's (SQL's LEAD over the follow-up's
    rows); a month's count is of the states holding at its end. The follow-ups are those the person may see now.
    """
    history = FollowUp.history.model._meta.db_table
    visible = access.visible_follow_ups(user)
    ops = connection.ops
    points = month_points(today)
    where, where_params = "", []
    if not access.sees_everything(user):
        visible_sql, where_params = visible.order_by().values("pk").query.sql_with_params()
        where = f"WHERE h.id IN ({visible_sql})"
    active = ", ".join(["%s"] * len(FollowUp.ACTIVE_STATUSES))
    sums, params = [], []
    for index, (_, instant, day) in enumerate(points):
        holds = f"s.valid_from <= %s AND (s.valid_to IS NULL OR s.valid_to > %s) AND s.status IN ({active})"
        at = ops.adapt_datetimefield_value(instant)
        sums.append(f"SUM(CASE WHEN {holds} THEN 1 ELSE 0 END) AS owed_{index}")
        params += [at, at, *FollowUp.ACTIVE_STATUSES]
        sums.append(f"SUM(CASE WHEN {holds} AND s.due_date < %s THEN 1 ELSE 0 END) AS overdue_{index}")
        params += [at, at, *FollowUp.ACTIVE_STATUSES, ops.adapt_datefield_value(day)]
    sql = (
        f"SELECT {', '.join(sums)} FROM ("
        f"SELECT h.status, h.due_date, h.history_date AS valid_from, "
        f"LEAD(h.history_date) OVER (PARTITION BY h.id ORDER BY h.history_date, h.history_id) AS valid_to "
        f"FROM {connection.ops.quote_name(history)} h {where}) s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *where_params])  # the sums come first in the statement, the scope last
        totals = cursor.fetchone()
    return [
        Row(label, [int(totals[2 * index] or 0), int(totals[2 * index + 1] or 0)])
        for index, (label, _, _) in enumerate(points)
    ]


def time_to_discharge(follow_ups):
    """Days from the decision to its follow-up's discharge, by the committee that decided: one aggregate."""
    days = DaysBetween("decision__minute__decision_date", TruncDate("closed_at"))
    rows = (
        follow_ups.filter(status=FollowUp.Status.DISCHARGED).order_by()
        .values("decision__minute__committee__code", "decision__minute__committee__name")
        .annotate(count=Count("pk"), average=Avg(days), shortest=Min(days), longest=Max(days))
        .order_by("-average", "decision__minute__committee__code")
    )
    return [
        Row(row["decision__minute__committee__code"], [round(row["average"])], {
            "name": row["decision__minute__committee__name"], "count": row["count"],
            "shortest": row["shortest"], "longest": row["longest"],
        })
        for row in rows
    ]


# The drawings: geometry worked out here, the SVG written by templates/decisions/reports_*.svg.html.

CHART_WIDTH = 400
LABEL_HEIGHT = 20
BAR_HEIGHT = 16
BAR_GAP = 4
ROW_GAP = 12
VALUE_ROOM = 64  # room right of the longest bar for its number


@dataclass
class Series:
    name: str
    colour: str
    dashes: str = ""  # a line's stroke-dasharray: lines differ in more than colour (bars differ in lightness)


def bar_chart(rows, series, *, unit=""):
    """Horizontal bars: each row's label above its bars, one bar a series, the value at the bar's end."""
    largest = max([value for row in rows for value in row.values] + [1])
    scale = (CHART_WIDTH - VALUE_ROOM) / largest
    drawn, y = [], 0
    for row in rows:
        bars = []
        top = y + LABEL_HEIGHT
        for index, (value, kind) in enumerate(zip(row.values, series)):
            bar_y = top + index * (BAR_HEIGHT + BAR_GAP)
            width = round(value * scale, 1)
            bars.append({"y": bar_y, "width": width, "value": value, "series": kind, "text_x": width + 6,
                         "text_y": bar_y + BAR_HEIGHT - 3})
        drawn.append({"label": row.label, "label_y": y + LABEL_HEIGHT - 5, "bars": bars})
        y = top + len(series) * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    return {"width": CHART_WIDTH, "height": max(y, 1), "rows": drawn, "series": series, "unit": unit}


LINE_HEIGHT = 240
LINE_LEFT, LINE_BOTTOM, LINE_TOP = 40, 40, 10


def line_chart(rows, series):
    """A line a series over the months, with a grid, the value axis from zero, and every sixth month labelled."""
    largest = max([value for row in rows for value in row.values] + [1])
    step = _nice_step(largest)
    top_value = step * -(-largest // step)
    plot_width, plot_height = CHART_WIDTH - LINE_LEFT - 10, LINE_HEIGHT - LINE_TOP - LINE_BOTTOM

    def x(index):
        return round(LINE_LEFT + 20 + index * (plot_width - 40) / max(len(rows) - 1, 1), 1)  # room for the end labels

    def y(value):
        return round(LINE_TOP + plot_height - value * plot_height / top_value, 1)

    lines = [
        {"series": kind, "points": " ".join(f"{x(index)},{y(row.values[number])}" for index, row in enumerate(rows)),
         "dots": [{"x": x(index), "y": y(row.values[number])} for index, row in enumerate(rows)]}
        for number, kind in enumerate(series)
    ]
    grid = [{"y": y(value), "value": value} for value in range(0, top_value + 1, step)]
    ticks = [{"x": x(index), "label": row.label.split(" (")[0]} for index, row in enumerate(rows) if index % 6 == 5 or index == 0]
    return {"width": CHART_WIDTH, "height": LINE_HEIGHT, "lines": lines, "grid": grid, "ticks": ticks,
            "left": LINE_LEFT, "right": CHART_WIDTH - 10, "bottom": LINE_HEIGHT - LINE_BOTTOM, "label_y": LINE_HEIGHT - LINE_BOTTOM + 18}


def _nice_step(largest):
    """A grid step of 1, 2 or 5 times a power of ten giving at most five lines."""
    power = 1
    while True:
        for multiple in (1, 2, 5):
            if largest / (multiple * power) <= 5:
                return multiple * power
        power *= 10


def _slipped(rows):
    """The rows a slippage chart draws: those with a slipped date or an extension, the most first (the table has all)."""
    return [row for row in rows if any(row.values)][:SLIPPAGE_CHART_ROWS]


@require_GET
def reports(request):
    today = timezone.localdate()
    follow_ups = access.visible_follow_ups(request.user)
    later, extensions = Series("Due later than first set", BLUE), Series("Extensions granted", BLACK)
    ageing_rows = ageing(follow_ups, today)
    by_agency = slippage(follow_ups, "responsible_agency__short_name")
    by_portfolio = slippage(follow_ups, "responsible_portfolio__name")
    owed_rows = owed_over_time(request.user, today)
    discharge_rows = time_to_discharge(follow_ups)
    owed, overdue = Series("Still owed", BLUE), Series("Overdue", RED, "6 4")
    return render(request, "decisions/reports.html", {
        "today": today, "sees_everything": access.sees_everything(request.user),
        "ageing": ageing_rows, "ageing_total": sum(row.values[0] for row in ageing_rows),
        "ageing_chart": bar_chart(ageing_rows, [Series("Overdue report-backs", RED)]),
        "slippage": slippage_totals(follow_ups),
        "by_agency": by_agency, "agency_chart": bar_chart(_slipped(by_agency), [later, extensions]),
        "by_portfolio": by_portfolio, "portfolio_chart": bar_chart(_slipped(by_portfolio), [later, extensions]),
        "chart_rows": SLIPPAGE_CHART_ROWS,
        "owed": owed_rows, "owed_chart": line_chart(owed_rows, [owed, overdue]),
        "discharge": discharge_rows,
        "discharge_chart": bar_chart(discharge_rows, [Series("Average days from decision to discharge", BLUE)], unit=" days"),
    })
