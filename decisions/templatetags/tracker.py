"""Template helpers: status tags in one set of colours, GOV.UK form fields, redactions shown as their grounds."""

import functools
import html

from django import forms, template
from django.template.defaultfilters import date as format_date, pluralize
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

STATUS_COLOURS = {
    "open": "blue",
    "extension": "yellow",
    "submitted": "turquoise",
    "discharged": "green",
    "cancelled": "grey",
    "superseded": "grey",
    "overdue": "red",
    "undated": "orange",
    "pending": "yellow",
    "approved": "green",
    "declined": "red",
    "withdrawn": "grey",
}


@register.simple_tag
def status_tag(follow_up, today=None):
    """The follow-up's status; an overdue one says so in red, an undated one asks for a date."""
    # An extension waiting for approval says so even when overdue: the due column gives the days.
    if today and follow_up.status == follow_up.Status.OPEN and follow_up.due_date and follow_up.due_date < today:
        key, label = "overdue", "Overdue"
    elif follow_up.needs_date:
        key, label = "undated", "Needs a due date"
    else:
        key, label = follow_up.status, follow_up.get_status_display()
    return _tag(key, label)


@functools.lru_cache(maxsize=64)
def _tag(key, label):
    """A status tag's HTML: a handful of them, made once (a list or the dashboard shows dozens)."""
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', STATUS_COLOURS[key], label)


_RESPONSIBLE_LABEL = mark_safe('<span class="app-stacked-table__label" aria-hidden="true">Responsible: </span>')
_ROW = (
    '<tr class="govuk-table__row" role="row">'
    '<td class="govuk-table__cell app-stacked-table__title" role="cell"><a class="govuk-link" href="{}">{} para {}</a></td>'
    '<td class="govuk-table__cell" role="cell">{}: {}</td>'
    '<td class="govuk-table__cell" role="cell">{}</td>'
    '<td class="govuk-table__cell" role="cell"><span class="app-stacked-table__label" aria-hidden="true">Due: </span>{}</td>'
    '<td class="govuk-table__cell app-stacked-table__status" role="cell">{}</td>'
    "</tr>"
)


@register.simple_tag
def follow_up_row(follow_up, today=None):
    """One row of a follow-up table (includes/followup_table.html): written here rather than by a template of
    its own, whose tags cost more than the rest of a list or the dashboard.

    Its words are escaped as `escape` does (the standard library's `html.escape`, which Django's calls) but without
    `format_html`'s checks of each value for laziness and safety: none of them is lazy, and only the status tag
    and the label are already HTML. A list or the dashboard writes dozens of rows, each once.
    """
    portfolio, agency = follow_up.responsible_portfolio, follow_up.responsible_agency
    responsible = "".join([
        _RESPONSIBLE_LABEL if portfolio or agency else "", _text(portfolio) if portfolio else "",
        "<br>" if portfolio and agency else "", _text(agency.short_name) if agency else "",
    ])
    if follow_up.due_date:
        overdue = follow_up.business_days_overdue(today)
        due = _date(follow_up.due_date) + (
            f'<br><span class="govuk-body-s">{overdue} business day{pluralize(overdue)} overdue</span>' if overdue else ""
        )
    else:
        due = "Not set"
    decision = follow_up.decision
    return mark_safe(_ROW.format(
        _text(follow_up.get_absolute_url()), _text(decision.minute.reference), _text(decision.number),
        _text(follow_up.get_kind_display()), _text(follow_up.description), responsible, due, status_tag(follow_up, today),
    ))


def _text(value):
    return html.escape(str(value))


@functools.lru_cache(maxsize=4096)
def _date_in(day, language):
    return _text(format_date(day))


def _date(day):
    """`{{ day|date }}`, escaped, made once a day (and language) per process."""
    return _date_in(day, get_language())


@register.simple_tag
def choice_tag(value, label):
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', STATUS_COLOURS.get(value, "grey"), label)


def _withheld(redaction):
    ground = f"s{redaction.ground.code} {redaction.ground.label}" if redaction.ground_id else "ground not given"
    return format_html('<span class="app-redaction">[Withheld: {}]</span>', ground)


@register.filter
def redacted_text(decision):
    """The paragraph's words with each redaction marker replaced by its ground: never the words behind it.

    A paragraph withheld whole shows only its grounds, and says so when none was recorded.
    """
    redactions = list(decision.redactions.all())
    if decision.is_redacted:
        if not redactions:
            return format_html('<span class="app-redaction">{}</span>', "[Withheld (ground not recorded)]")
        return format_html_join(" ", "{}", ((_withheld(redaction),) for redaction in redactions))
    text = escape(decision.text)
    for redaction in redactions:
        shown = _withheld(redaction)
        marker = escape(redaction.marker)
        if marker and marker in text:
            text = text.replace(marker, shown, 1)
        else:
            text = format_html("{} {}", mark_safe(text), shown)
    return mark_safe(text)


WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.CheckboxInput: "govuk-checkboxes__input",
}


@register.inclusion_tag("includes/field.html")
def govuk_field(field, width=""):
    widget = field.field.widget
    kind = (  # CheckboxSelectMultiple is a RadioSelect: test it first
        "checkboxes" if isinstance(widget, forms.CheckboxSelectMultiple)
        else "radios" if isinstance(widget, forms.RadioSelect)
        else "checkbox" if isinstance(widget, forms.CheckboxInput)
        else "hidden" if widget.is_hidden
        else "input"
    )
    css = next((c for t, c in WIDGET_CLASSES.items() if isinstance(widget, t)), "govuk-input")
    if field.errors and kind == "input":
        css += " govuk-input--error" if css == "govuk-input" else f" {css}--error"
    if width:
        css += f" govuk-input--width-{width}"
    attrs = {"class": css}
    if field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}-hint"
    return {"field": field, "kind": kind, "widget_html": field.as_widget(attrs=attrs) if kind in ("input", "hidden") else ""}


@register.filter
def one_month_after(day):
    """The last date an extension moves to at once (decisions.models.one_month_after)."""
    from decisions.models import one_month_after as month_later

    return month_later(day) if day else None
