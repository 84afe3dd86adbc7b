"""Downloads: the follow-up list as the address filters it and, for clerks, minutes with their decision items, as CSV or XLSX.

Rows are read from the database in chunks (`.iterator(chunk_size=...)`) and written as they come: a CSV is a
StreamingHttpResponse over a generator, an XLSX is written by XlsxWriter in constant-memory mode (one row in memory
at a time) to a temporary file that is then streamed. Either way 50,000 rows never sit in memory at once
(bench/bench_exports.py measures it).

Each file carries the highest protective marking of its rows: in an XLSX a header band above the table (and the
printed page's header and footer); in a CSV, which has no portable comment line, the file name and the first
column's title. A cell a spreadsheet would run as a formula is neutralised (`neutralise`). Every download is a row
in the access log.
"""

import csv
import datetime
import re
import tempfile

import xlsxwriter
from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from cabinet import business_days
from cabinet.audit import AccessLogEntry, record_event
from cabinet.models import Classification, Committee, DatePrecision, format_marking, search_vectors
from decisions import access
from decisions.forms import DateInput
from decisions.models import DecisionItem, FollowUp
from decisions.views import filtered_follow_ups

CHUNK_SIZE = 2000
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A cell starting with one of these is run by a spreadsheet as a formula (or, tab and carriage return, can hide
# one): OWASP's "CSV injection".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CLASSIFICATION_RANK = {value: rank for rank, value in enumerate(Classification.values)}


def neutralise(value):
    """The text with a leading apostrophe when a spreadsheet would run it as a formula: shown as typed, never run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def is_formula_like(value):
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def highest_marking(pairs):
    """The marking a file of rows with these (classification, endorsement) pairs carries: the highest classification,
    with every endorsement any row has ("BUDGET : SENSITIVE"). Cabinet material is at least IN CONFIDENCE."""
    pairs = list(pairs)
    if not pairs:
        return format_marking(Classification.IN_CONFIDENCE, "")
    classification = max((pair[0] for pair in pairs), key=CLASSIFICATION_RANK.__getitem__)
    endorsements = sorted({pair[1].strip().upper() for pair in pairs if pair[1] and pair[1].strip()})
    return format_marking(classification, ", ".join(endorsements))


def marking_slug(marking):
    """BUDGET : SENSITIVE -> BUDGET-SENSITIVE, for a file name."""
    return re.sub(r"[^A-Za-z0-9]+", "-", marking).strip("-")


class Column:
    """One column of an export: its title, its width in an XLSX, and the value a row gives it."""

    def __init__(self, title, width, value):
        self.title, self.width, self.value = title, width, value


class Export:
    """What one download holds: a title, the marking, the columns and the rows (an iterator)."""

    def __init__(self, *, name, sheet, title, marking, columns, rows, record_type):
        self.name, self.sheet, self.title, self.marking = name, sheet, title, marking
        self.record_type = record_type  # for the access log: decisions.followup
        self.columns, self.rows = columns, rows

    def filename(self, extension):
        return f"{self.name}-{marking_slug(self.marking)}-{timezone.localdate():%Y-%m-%d}.{extension}"


# Follow-ups.


KIND_LABELS = dict(FollowUp.Kind.choices)
STATUS_LABELS = dict(FollowUp.Status.choices)
PRECISION_LABELS = {**dict(DatePrecision.choices), DatePrecision.NONE: ""}
# What a row of the follow-up export reads: plain values, no model instances (50,000 rows of seven joined models
# would spend most of the export building objects). The follow-up's own fields, and others' under a name of their own.
FOLLOW_UP_FIELDS = [
    "description", "kind", "responsible_text", "due_date", "due_precision", "due_text", "original_due_date", "status",
    "last_changed_at",
]
RELATED_FIELDS = {
    "classification": "minute__classification", "endorsement": "minute__endorsement", "reference": "minute__reference",
    "number": "decision__number", "minister": "responsible_minister__name", "portfolio": "responsible_portfolio__name",
    "agency": "responsible_agency__name", "reported_to": "report_to__name",
}


def follow_up_columns(today):
    overdue_by_date, markings = {}, {}

    def business_days_overdue(row):
        due = row["due_date"]
        if row["status"] not in FollowUp.ACTIVE_STATUSES or due is None or due >= today:
            return 0
        if due not in overdue_by_date:  # many rows share a due date: count each once
            overdue_by_date[due] = business_days.business_days_between(due, today)
        return overdue_by_date[due]

    def marking(row):
        key = (row["classification"], row["endorsement"])
        if key not in markings:
            markings[key] = format_marking(*key)
        return markings[key]

    def field(name):
        return lambda row: row[name] or ""

    return [
        Column("Marking", 16, marking),
        Column("Reference", 18, field("reference")),
        Column("Paragraph", 10, field("number")),
        Column("What is owed", 60, field("description")),
        Column("Kind", 20, lambda row: KIND_LABELS[row["kind"]]),
        Column("Responsible (as worded)", 30, field("responsible_text")),
        Column("Responsible Minister", 24, field("minister")),
        Column("Responsible portfolio", 24, field("portfolio")),
        Column("Responsible agency", 30, field("agency")),
        Column("Reported to", 30, field("reported_to")),
        Column("Due date", 13, lambda row: row["due_date"]),
        Column("Due date precision", 12, lambda row: PRECISION_LABELS[row["due_precision"]]),
        Column("Due (as worded)", 24, field("due_text")),
        Column("Original due date", 13, lambda row: row["original_due_date"]),
        Column("Business days overdue", 10, business_days_overdue),
        Column("Status", 18, lambda row: STATUS_LABELS[row["status"]]),
        Column("Last change", 18, lambda row: row["last_changed_at"]),
    ]


def follow_up_export(queryset):
    """The export of `queryset` (already the user's visible follow-ups, filtered and ordered as their list is)."""
    pairs = queryset.order_by().values_list("minute__classification", "minute__endorsement").distinct()
    history = FollowUp.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
    rows = queryset.annotate(last_changed_at=Subquery(history.values("history_date")[:1])).values(
        *FOLLOW_UP_FIELDS, **{name: F(path) for name, path in RELATED_FIELDS.items()}
    )
    return Export(
        name="follow-ups", sheet="Follow-ups", title="Follow-ups", record_type="decisions.followup",
        marking=highest_marking(pairs),
        columns=follow_up_columns(timezone.localdate()), rows=rows.iterator(chunk_size=CHUNK_SIZE),
    )


# Minutes and their decision items.


def decision_columns():
    return [
        Column("Marking", 16, lambda item: item.minute.marking),
        Column("Reference", 18, lambda item: item.minute.reference),
        Column("Body", 30, lambda item: item.minute.committee.name),
        Column("Kind of minute", 18, lambda item: item.minute.get_kind_display()),
        Column("Decision date", 13, lambda item: item.minute.decision_date),
        Column("Title", 40, lambda item: item.minute.title),
        Column("Portfolios", 30, lambda item: ", ".join(portfolio.name for portfolio in item.minute.portfolios.all())),
        Column("Paper", 18, lambda item: item.minute.paper.reference if item.minute.paper else ""),
        Column("Paragraph", 10, lambda item: item.number),
        Column("Verb", 14, lambda item: item.get_verb_display() if item.verb else ""),
        Column("Decision", 80, DecisionItem.text_with_grounds),
        Column("Withheld in part or whole", 10, lambda item: "Yes" if item.is_redacted or item.redactions.all() else "No"),
        Column("Follow-ups", 10, lambda item: item.follow_up_count),
        Column("Minute withdrawn", 10, lambda item: "Yes" if item.minute.is_withdrawn else "No"),
    ]


def decision_export(queryset):
    """Decision items of `queryset` (already visible to the user), each with its minute, in minute then paragraph order."""
    pairs = queryset.order_by().values_list("minute__classification", "minute__endorsement").distinct()
    rows = (
        queryset.select_related("minute__committee", "minute__paper")
        .defer(*search_vectors(DecisionItem, ["minute__paper"]))
        .prefetch_related("redactions__ground", "minute__portfolios")
        .annotate(follow_up_count=Count("follow_ups"))
        .order_by("-minute__decision_date", "minute__reference", "sort_key")
    )
    return Export(
        name="minutes-and-decisions", sheet="Decision items", title="Minutes and their decision items",
        marking=highest_marking(pairs), columns=decision_columns(), rows=rows.iterator(chunk_size=CHUNK_SIZE),
        record_type="decisions.decisionitem",
    )


# Writers.


class Echo:
    """A file-like object csv.writer writes one line to, for streaming."""

    def write(self, value):
        return value


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(value)


def csv_lines(export):
    """The CSV, line by line: a byte-order mark (so spreadsheets read macrons as UTF-8), the titles (the first names the
    file's marking), then one line per row."""
    writer = csv.writer(Echo())
    titles = [column.title for column in export.columns]
    titles[0] = f"{export.marking} (file); {titles[0].lower()} of each row"
    yield ("\ufeff" + writer.writerow(titles)).encode()
    for row in export.rows:
        yield writer.writerow([_csv_value(column.value(row)) for column in export.columns]).encode()


def write_xlsx(export, output):
    """The XLSX into `output` (a binary file): a header band with the marking, the title, then the table."""
    workbook = xlsxwriter.Workbook(output, {
        "constant_memory": True,  # each row is flushed to a temporary file once the next starts
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        "remove_timezone": True,
    })
    workbook.set_properties({"title": f"{export.marking}: {export.title}", "comments": export.marking})
    sheet = workbook.add_worksheet(export.sheet)
    band = workbook.add_format({"bold": True, "align": "center", "font_color": "#FFFFFF", "bg_color": "#0B0C0C", "font_size": 12})
    heading = workbook.add_format({"bold": True, "font_size": 14})
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
    date = workbook.add_format({"num_format": "d mmm yyyy", "align": "left"})
    moment = workbook.add_format({"num_format": "d mmm yyyy hh:mm", "align": "left"})
    text = workbook.add_format({"valign": "top"})
    # Excel's own "treat as text" flag: the words stay as written, and stay text if someone edits the cell.
    quoted = workbook.add_format({"valign": "top", "quote_prefix": True})
    last = len(export.columns) - 1
    for index, column in enumerate(export.columns):
        sheet.set_column(index, index, column.width)
    printed_marking = export.marking.replace("&", "&&")
    sheet.set_header(f"&C&B{printed_marking}")
    sheet.set_footer(f"&C&B{printed_marking}&R&P of &N")
    sheet.set_landscape()
    sheet.merge_range(0, 0, 0, last, export.marking, band)
    sheet.write_string(1, 0, f"{export.title}, exported {timezone.localtime():%-d %B %Y %H:%M}", heading)
    header_row = 3
    for index, column in enumerate(export.columns):
        sheet.write_string(header_row, index, column.title, header)
    sheet.freeze_panes(header_row + 1, 0)
    sheet.repeat_rows(0, header_row)
    row_number = header_row
    for row in export.rows:
        row_number += 1
        for index, column in enumerate(export.columns):
            value = column.value(row)
            if value is None or value == "":
                continue
            if isinstance(value, datetime.datetime):
                sheet.write_datetime(row_number, index, timezone.localtime(value).replace(tzinfo=None), moment)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(row_number, index, value, date)
            elif isinstance(value, int):
                sheet.write_number(row_number, index, value)
            else:
                sheet.write_string(row_number, index, value, quoted if is_formula_like(value) else text)
    sheet.autofilter(header_row, 0, max(row_number, header_row), last)
    workbook.close()


def download(request, export, extension):
    """The response for the export: streamed CSV, or the XLSX written to a temporary file and streamed from it."""
    record_event(
        AccessLogEntry.Kind.EXPORT, request=request, record_type=export.record_type, format=extension, marking=export.marking,
    )
    filename = export.filename(extension)
    if extension == "csv":
        response = StreamingHttpResponse(csv_lines(export), content_type=FORMATS["csv"])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        output = tempfile.TemporaryFile()
        try:
            write_xlsx(export, output)
        except BaseException:
            output.close()
            raise
        output.seek(0)
        response = FileResponse(output, as_attachment=True, filename=filename, content_type=FORMATS["xlsx"])
    response["Cache-Control"] = "private, no-store"
    return response


# Views.


@require_GET
def followup_export(request, extension):
    """The follow-up list as its address filters it (the list's own filter, through need to know), as a file."""
    if extension not in FORMATS:
        raise Http404("Exports are CSV or XLSX.")
    _form, queryset = filtered_follow_ups(request)
    return download(request, follow_up_export(queryset), extension)


class MinuteExportForm(forms.Form):
    committee = forms.ModelChoiceField(
        required=False, queryset=Committee.objects.order_by("code", "-valid_from"), empty_label="Every body", label="Body",
    )
    decided_from = forms.DateField(required=False, label="Decided from", widget=DateInput())
    decided_to = forms.DateField(required=False, label="Decided by", widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decided_from") and cleaned.get("decided_to") and cleaned["decided_from"] > cleaned["decided_to"]:
            self.add_error("decided_to", "“Decided by” must be on or after “Decided from”.")
        return cleaned

    def filter(self, queryset):
        data = self.cleaned_data
        condition = Q()
        if data.get("committee"):
            condition &= Q(minute__committee=data["committee"])
        if data.get("decided_from"):
            condition &= Q(minute__decision_date__gte=data["decided_from"])
        if data.get("decided_to"):
            condition &= Q(minute__decision_date__lte=data["decided_to"])
        return queryset.filter(condition)


@require_GET
def minute_export(request):
    """Clerks: the minutes (by body and decision date) with their decision items, as CSV or XLSX."""
    if not access.is_clerk(request.user):
        raise PermissionDenied("Only the Cabinet Office exports minutes and their decision items.")
    extension = request.GET.get("format")
    form = MinuteExportForm(request.GET if extension else None)
    if extension in FORMATS and form.is_valid():
        return download(request, decision_export(form.filter(access.visible_decisions(request.user))), extension)
    return render(request, "decisions/minute_export.html", {
        "form": form, "list_url": reverse("decisions:followup_list"),
    }, status=400 if form.is_bound else 200)
