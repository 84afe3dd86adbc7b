"""The digest email: its Message-ID, its sections of follow-ups, and the message itself."""

import dataclasses
import functools
import hashlib
from collections import defaultdict
from email.utils import parseaddr
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string
from django.urls import reverse

from cabinet.models import Classification, Profile, format_marking
from decisions.meetings import lodgement_phrases
from decisions.models import FollowUp

from .schedule import Kind, config, reminder_day


def _mail_domain():
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or DNS_NAME.get_fqdn()


def message_id_for(copies):
    """The same copies, as (pk, resends), give the same Message-ID: a resend after a crash is a known duplicate."""
    keys = sorted(copies)
    if len(keys) == 1 and keys[0][1] == 0:
        return f"<reminder-{keys[0][0]}@{_mail_domain()}>"
    digest = hashlib.sha256(",".join(f"{pk}.{resends}" for pk, resends in keys).encode()).hexdigest()[:16]
    return f"<reminders-{keys[0][0]}-{digest}@{_mail_domain()}>"


@functools.lru_cache(maxsize=20_000)  # a follow-up is in each of its recipients' digests
def _follow_up_path(pk):
    return reverse("decisions:followup_detail", args=[pk])


def follow_up_url(follow_up):
    return f"{settings.SITE_URL}{_follow_up_path(follow_up.pk)}"


@dataclasses.dataclass(frozen=True)
class Item:
    follow_up: FollowUp
    kind: str
    offset: int

    @classmethod
    def of(cls, copy):
        return cls(copy.reminder.follow_up, copy.reminder.kind, copy.reminder.offset)

    @property
    def urgency(self):
        return (self.kind != Kind.UNDATED, self.offset)


SECTIONS = [
    # (key, heading, phrase in the subject)
    ("overdue", "Overdue", "overdue"),
    ("due", "Due today", "due today"),
    ("due_soon", "Due soon", "due soon"),
    ("undated", "Report-backs with no due date: please set one", "with no due date"),
]
ACTIVE = [("status", status) for status in FollowUp.ACTIVE_STATUSES]


def section_of(follow_up, on, days_overdue):
    """Where a follow-up is listed: by where it stands on the day sent (a late-sent "due" reminder is overdue)."""
    if follow_up.due_date is None:
        return "undated"
    if days_overdue:
        return "overdue"
    return "due" if on >= reminder_day(follow_up.due_date) else "due_soon"


def list_url(key, lines, on):
    """The recipient's follow-up list filtered to a section: the place for the lines a digest leaves out."""
    if key == "overdue":
        query = [("overdue", "on"), ("sort", "due")]
    elif key == "undated":
        query = [*ACTIVE, ("kind", FollowUp.Kind.REPORT_BACK), ("undated", "on")]
    else:
        dates = [line["due_date"] for line in lines]
        query = [*ACTIVE, ("due_from", min(dates).isoformat()), ("due_to", max(dates).isoformat()), ("sort", "due")]
    return f"{settings.SITE_URL}{_list_path()}?{urlencode(query)}"


@functools.cache
def _list_path():
    return reverse("decisions:followup_list")


CLASSIFICATION_RANK = {value: rank for rank, value in enumerate(Classification.values)}


def digest_context(items, *, on, lines_per_section=None):
    """Sections of the follow-ups this digest is about (each once, by its most pressing reminder), and the highest marking.

    Each section counts them all but lists only the most pressing `lines_per_section` (the setting `digest_lines`),
    with a link to the recipient's follow-up list, filtered to the section, for the rest.
    """
    if lines_per_section is None:
        lines_per_section = config()["digest_lines"]
    latest = {}
    for item in items:
        if item.follow_up.pk not in latest or item.urgency > latest[item.follow_up.pk].urgency:
            latest[item.follow_up.pk] = item
    lines, dates = defaultdict(list), {}
    lodgement = lodgement_phrases([item.follow_up for item in latest.values()])  # "lodge by 10:00 Thursday ..."
    for item in latest.values():
        follow_up = item.follow_up
        minute = follow_up.decision.minute
        if follow_up.due_date not in dates:
            dates[follow_up.due_date] = (
                follow_up.business_days_overdue(on),
                follow_up.due_date and f"{follow_up.due_date.day} {follow_up.due_date:%B %Y}",
            )
        days_overdue, due_text = dates[follow_up.due_date]
        lines[section_of(follow_up, on, days_overdue)].append({
            "follow_up": follow_up,
            "minute": minute,
            "due_date": follow_up.due_date,
            "due_text": due_text,
            "lodgement": lodgement.get(follow_up.pk, ""),
            "days_overdue": days_overdue,
            "is_escalated": item.kind == Kind.ESCALATED,
            "sort": (-days_overdue, follow_up.due_date or on, minute.reference, follow_up.pk),
        })
    sections = []
    for key, heading, phrase in SECTIONS:
        if not lines[key]:
            continue
        ordered = sorted(lines[key], key=lambda line: line["sort"])
        shown = [_described(line) for line in ordered[:lines_per_section]]
        sections.append({
            "key": key, "heading": heading, "phrase": phrase, "count": len(ordered), "lines": shown,
            "more": len(ordered) - len(shown),
            "more_url": list_url(key, ordered, on) if len(ordered) > len(shown) else "",
            "escalated": sum(line["is_escalated"] for line in ordered),
        })
    top = max(
        (item.follow_up.decision.minute for item in latest.values()),
        key=lambda minute: (CLASSIFICATION_RANK[minute.classification], bool(minute.endorsement)),
    )
    return {
        "sections": sections, "marking": format_marking(top.classification, top.endorsement), "on": on,
        "total": len(latest),
    }


def _described(line):
    """A listed line's words and link (worked out only for the lines shown)."""
    follow_up, minute = line.pop("follow_up"), line.pop("minute")
    return {
        **line,
        "reference": minute.reference,
        "number": follow_up.decision.number,
        "marking": minute.marking,
        "description": follow_up.description,
        "url": follow_up_url(follow_up),
    }


def reminder_email(recipient, items, *, on, message_id, context=None):
    """The digest email for one recipient: subject, plain text and HTML, marked as automatic."""
    profile = getattr(recipient, "profile", None)
    context = {
        **(context or digest_context(items, on=on)),
        "recipient": recipient,
        "name": recipient.first_name or recipient.get_username(),
        "digest": "on " + profile.get_digest_display() if profile and profile.digest != Profile.Digest.DAILY
        else "every business day",
        "site_url": settings.SITE_URL,
        "service_name": settings.SERVICE_NAME,
    }
    subject = " ".join(render_to_string("emails/reminder-subject.txt", context).split())
    email = EmailMultiAlternatives(
        subject,
        render_to_string("emails/reminder-body.txt", context),
        to=[recipient.email],
        headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    )
    email.attach_alternative(render_to_string("emails/reminder-body.html", context), "text/html")
    return email
