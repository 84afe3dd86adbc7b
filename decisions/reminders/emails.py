"""The digest email: its Message-ID, its lines and sections, and the message itself.

A digest is built from `Item`s: a `Line` (what is owed, as printed, worked out once a run and shared by every
recipient it goes to) and the kind and offset of the recipient's reminder about it. Each section counts its
items and lists only the most pressing few, with a link for the rest, so a digest is the same length at any
size. A new kind of line (a release due, a report-back counted to a lodgement deadline) is a row in `SECTIONS`
and a function that makes its `Line`s.
"""

import dataclasses
import datetime
import functools
import hashlib
import heapq
from email.utils import parseaddr
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string
from django.urls import reverse

from cabinet.business_days import business_days_between
from cabinet.models import Classification, Profile, format_marking
from decisions.access import among
from decisions.meetings import lodgement_phrases
from decisions.models import FollowUp

from .schedule import Kind, config, reminder_day


def _mail_domain():
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or DNS_NAME.get_fqdn()


def message_id_for(copies, releases=()):
    """The same copies, as (pk, resends), and release reminders (pks) give the same Message-ID.

    A resend after a crash or a failure is then a known duplicate.
    """
    keys, releases = sorted(copies), sorted(releases)
    if len(keys) == 1 and keys[0][1] == 0 and not releases:
        return f"<reminder-{keys[0][0]}@{_mail_domain()}>"
    parts = [f"{pk}.{resends}" for pk, resends in keys] + [f"r{pk}" for pk in releases]
    digest = hashlib.sha256(",".join(parts).encode()).hexdigest()[:16]
    first = keys[0][0] if keys else f"r{releases[0]}"
    return f"<reminders-{first}-{digest}@{_mail_domain()}>"


def follow_up_url(follow_up):
    return f"{settings.SITE_URL}{follow_up.get_absolute_url()}"


SECTIONS = [
    # (key, heading, phrase in the subject), most pressing first
    ("overdue", "Overdue", "overdue"),
    ("due", "Due today", "due today"),
    ("due_soon", "Due soon", "due soon"),
    ("undated", "Report-backs with no due date: please set one", "with no due date"),
    # Proactive releases (decisions/release_reminders.py), by where each stands on the day sent.
    ("release_overdue", "Proactive releases overdue", "release(s) overdue"),
    ("release_due_3", "Proactive releases due within 3 business days", "release(s) due within 3 business days"),
    ("release_due_10", "Proactive releases due within 10 business days", "release(s) due within 10 business days"),
]
# A release reminder's kind as an Item's offset: the most pressing one of a release's copies is the one listed.
RELEASE_URGENCY = {"due_10": 0, "due_3": 1, "overdue": 2}
ACTIVE = [("status", status) for status in FollowUp.ACTIVE_STATUSES]
CLASSIFICATION_RANK = {value: rank for rank, value in enumerate(Classification.values)}


def section_of(follow_up, on, days_overdue):
    """Where a follow-up is listed: by where it stands on the day sent (a late-sent "due" reminder is overdue)."""
    if follow_up.due_date is None:
        return "undated"
    if days_overdue:
        return "overdue"
    return "due" if on >= reminder_day(follow_up.due_date) else "due_soon"


@dataclasses.dataclass(frozen=True, slots=True)
class Line:
    """One line of a digest, as printed: the same for every recipient, so worked out once a run."""

    key: tuple  # what it is about, e.g. ("follow_up", pk): a digest lists each once
    section: str
    sort: tuple  # most pressing first, within its section
    rank: tuple  # how high its marking is: the digest carries the highest
    marking: str
    reference: str
    number: str
    description: str
    due_date: datetime.date | None
    due_text: str
    days_overdue: int
    path: str
    lodgement: str = ""  # "lodge by 10:00 Thursday 4 March 2027 for the SWC meeting on ...": due at a meeting

    @property
    def url(self):
        return f"{settings.SITE_URL}{self.path}"


@functools.cache
def _marking(classification, endorsement):
    return format_marking(classification, endorsement)


@functools.cache
def _long_date(day):
    return day and f"{day.day} {day:%B %Y}"


class FollowUpLines:
    """The lines for follow-ups on a day, each read (one query for many) and worked out once a run.

    `follow_up(pk)` is the follow-up itself, with only what the sender checks (status, due date, who is
    responsible), for `access.may_see`.
    """

    # In the model's order, as `from_db` takes them.
    FIELDS = [
        field.attname for field in FollowUp._meta.concrete_fields
        if field.attname in {
            "id", "kind", "status", "due_date", "due_text", "report_to_id", "responsible_agency_id", "responsible_portfolio_id",
        }
    ]
    COLUMNS = ["description", "decision__number", "minute__reference", "minute__classification", "minute__endorsement"]

    def __init__(self, on):
        self.on, self._lines, self._follow_ups, self._overdue = on, {}, {}, {}

    def load(self, pks, chunk=2000):
        missing = sorted(set(pks) - self._lines.keys())
        for start in range(0, len(missing), chunk):
            rows = FollowUp.objects.filter(among("pk", missing[start:start + chunk])).values_list(*self.FIELDS, *self.COLUMNS)
            fields = len(self.FIELDS)
            read = [(FollowUp.from_db(FollowUp.objects.db, self.FIELDS, row[:fields]), row[fields:]) for row in rows]
            # Report-backs due at a meeting say when to lodge for it (decisions/meetings.py: one query a chunk).
            lodgement = lodgement_phrases([follow_up for follow_up, _ in read])
            for follow_up, columns in read:
                self._add(follow_up, columns, lodgement.get(follow_up.pk, ""))
        return self

    def __getitem__(self, pk):
        return self._lines[pk]

    def follow_up(self, pk):
        return self._follow_ups[pk]

    def _add(self, follow_up, columns, lodgement):
        description, number, reference, classification, endorsement = columns
        due_date, on = follow_up.due_date, self.on
        key = (due_date, follow_up.is_active)
        if key not in self._overdue:
            self._overdue[key] = follow_up.business_days_overdue(on)
        days_overdue = self._overdue[key]
        self._follow_ups[follow_up.pk] = follow_up
        self._lines[follow_up.pk] = Line(
            key=("follow_up", follow_up.pk),
            section=section_of(follow_up, on, days_overdue),
            sort=(-days_overdue, due_date or on, reference, follow_up.pk),
            rank=(CLASSIFICATION_RANK[classification], bool(endorsement)),
            marking=_marking(classification, endorsement),
            reference=reference,
            number=number,
            description=description,
            due_date=due_date,
            due_text=_long_date(due_date),
            days_overdue=days_overdue,
            path=follow_up.get_absolute_url(),
            lodgement=lodgement,
        )


def release_line(release, on):
    """A proactive release owed soon or overdue, as a digest prints it; None if it is not due within 10 business days.

    `release` comes with its minute. The line is the same for each of the agency's officials, so made once a run.
    """
    from decisions.release_reminders import milestone

    kind = milestone(release.owed_date, on)
    if kind is None:
        return None  # delayed since it was planned: nothing to remind of now
    minute, owed = release.minute, release.owed_date
    days_overdue = business_days_between(owed, on) if owed < on else 0
    return Line(
        key=("release", release.pk),
        section=f"release_{kind}",
        sort=(-days_overdue, owed, minute.reference, release.pk),
        rank=(CLASSIFICATION_RANK[minute.classification], bool(minute.endorsement)),
        marking=_marking(minute.classification, minute.endorsement),
        reference=minute.reference,
        number="",
        description=f"Proactive release of {minute.title} (now: {release.get_status_display().lower()})",
        due_date=owed,
        due_text=_long_date(owed),
        days_overdue=days_overdue,
        path=release.get_absolute_url(),
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Item:
    """A recipient's reminder about a line: its kind and offset say how pressing it is."""

    line: Line
    kind: str
    offset: int

    @property
    def urgency(self):
        return (self.kind != Kind.UNDATED, self.offset)


def list_url(key, lines, on):
    """The recipient's follow-up list filtered to a section: the place for the lines a digest leaves out."""
    if key.startswith("release_"):
        return f"{settings.SITE_URL}{reverse('decisions:release_list')}"
    if key == "overdue":
        query = [("overdue", "on"), ("sort", "due")]
    elif key == "undated":
        query = [*ACTIVE, ("kind", FollowUp.Kind.REPORT_BACK), ("undated", "on")]
    else:
        dates = [line.due_date for line in lines]
        query = [*ACTIVE, ("due_from", min(dates).isoformat()), ("due_to", max(dates).isoformat()), ("sort", "due")]
    return f"{settings.SITE_URL}{_list_path()}?{urlencode(query)}"


@functools.cache
def _list_path():
    return reverse("decisions:followup_list")


def digest_context(items, *, on, lines_per_section=None):
    """Sections of the lines this digest is about (each once, by its most pressing reminder), and the highest marking.

    Each section counts them all but lists only the most pressing `lines_per_section` (the setting `digest_lines`),
    with a link to the recipient's follow-up list, filtered to the section, for the rest.
    """
    if lines_per_section is None:
        lines_per_section = config()["digest_lines"]
    latest = {}
    for item in items:
        known = latest.get(item.line.key)
        if known is None or item.urgency > known.urgency:
            latest[item.line.key] = item
    by_section = {}
    for item in latest.values():
        by_section.setdefault(item.line.section, []).append(item)
    sections = []
    for key, heading, phrase in SECTIONS:
        section = by_section.get(key)
        if not section:
            continue
        shown = heapq.nsmallest(lines_per_section, section, key=lambda item: item.line.sort)
        more = len(section) - len(shown)
        sections.append({
            "key": key, "heading": heading, "phrase": phrase, "count": len(section),
            "lines": [_described(item) for item in shown], "more": more,
            "more_url": list_url(key, [item.line for item in section], on) if more else "",
            "escalated": sum(item.kind == Kind.ESCALATED for item in section),
        })
    top = max((item.line for item in latest.values()), key=lambda line: line.rank)
    return {"sections": sections, "marking": top.marking, "on": on, "total": len(latest)}


def _described(item):
    """A listed line's words and link, as the templates and the dry run print them."""
    line = item.line
    return {
        "reference": line.reference, "number": line.number, "marking": line.marking, "description": line.description,
        "due_date": line.due_date, "due_text": line.due_text, "lodgement": line.lodgement, "days_overdue": line.days_overdue,
        "is_escalated": item.kind == Kind.ESCALATED, "url": line.url,
    }


def _reminder_context(recipient, items, *, on, context=None):
    profile = getattr(recipient, "profile", None)
    return {
        **(context or digest_context(items, on=on)),
        "recipient": recipient,
        "name": recipient.first_name or recipient.get_username(),
        "digest": "on " + profile.get_digest_display() if profile and profile.digest != Profile.Digest.DAILY
        else "every business day",
        "site_url": settings.SITE_URL,
        "service_name": settings.SERVICE_NAME,
    }


def reminder_email(recipient, items, *, on, message_id, context=None):
    """The digest email for one recipient: subject, plain text and HTML, marked as automatic."""
    context = _reminder_context(recipient, items, on=on, context=context)
    return automatic_email("reminder", context, to=recipient.email, message_id=message_id)


def reminder_subject(recipient, items, *, on, context=None):
    """The digest's subject alone, as `reminder_email` gives it (a dry run prints no bodies, so renders none)."""
    return automatic_subject("reminder", _reminder_context(recipient, items, on=on, context=context))


def automatic_subject(name, context):
    return " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())


def automatic_email(name, context, *, to, message_id):
    """An email the service sends by itself, from the templates emails/<name>-subject.txt, -body.txt and -body.html:
    the subject on one line, plain text with an HTML alternative, marked as automatic so no one's auto-reply answers."""
    email = EmailMultiAlternatives(
        automatic_subject(name, context),
        render_to_string(f"emails/{name}-body.txt", context),
        to=[to],
        headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    )
    email.attach_alternative(render_to_string(f"emails/{name}-body.html", context), "text/html")
    return email
