"""Calendar feeds: each person's secret iCalendar (RFC 5545) address of the due dates they see, turned on, reset and
turned off on "Your settings"; clerks turn a person's feed off in the admin.

Calendar clients cannot sign in, so the token in the address is the only key: 256 random bits, shown to its owner
once, stored only as its SHA-256. The feed is the follow-ups the owner's list shows by default (still owed, through
need to know, decisions/access.py) that have a due date: reference and paragraph, what is owed, the due date and a
link, never the decision's words. A reset, turned-off or unknown address, or an inactive owner, is a 404.
"""

import datetime
import hashlib
import secrets

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from icalendar import Calendar, Event

from cabinet.audit import AccessLogEntry, client_address
from cabinet.models import DatePrecision
from decisions import access
from decisions.forms import FollowUpFilterForm
from decisions.models import CalendarFeed
from decisions.views import profile_settings_context

TOKEN_BYTES = 32


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(token):
    return f"{settings.SITE_URL}{reverse('decisions:calendar_feed', args=[token])}"


def turn_on(user, *, by):
    """A new secret address for `user` (any earlier one stops working): returns the token, which is not kept."""
    for feed in CalendarFeed.objects.active().select_for_update().filter(user=user):
        feed.revoke(by=by, ended=CalendarFeed.Ended.RESET)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    CalendarFeed.objects.create(user=user, token_hash=hash_token(token))
    return token


def turn_off(user, *, by, ended=CalendarFeed.Ended.TURNED_OFF):
    """Stop `user`'s address working; returns whether one was on."""
    feeds = list(CalendarFeed.objects.active().select_for_update().filter(user=user))
    for feed in feeds:
        feed.revoke(by=by, ended=ended)
    return bool(feeds)


# The feed.


def _due_phrase(follow_up):
    day = f"{follow_up.due_date.day} {follow_up.due_date:%B %Y}"
    return {
        DatePrecision.DAY: f"Due {day}",
        DatePrecision.MONTH: f"Due by the end of {follow_up.due_date:%B %Y}",
        DatePrecision.HALF: f"Due by {day} (the end of the half-year)",
        DatePrecision.YEAR: f"Due by the end of {follow_up.due_date.year}",
    }.get(follow_up.due_precision, f"Due {day}")


def feed_follow_ups(user):
    """What the feed holds: the user's visible follow-ups still owed (as their list shows by default) with a due date."""
    return (
        access.visible_follow_ups(user)
        .filter(status__in=FollowUpFilterForm.OWED, due_date__isnull=False)
        .select_related("minute", "decision")
        .only(
            "pk", "kind", "description", "due_date", "due_precision", "status", "version",
            "minute__reference", "minute__classification", "minute__endorsement", "decision__number",
        )
        .order_by("due_date", "pk")
    )


def calendar_for(user, *, now=None):
    """The iCalendar document of the user's due dates."""
    now = now or timezone.now()
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    calendar = Calendar()
    calendar.add("prodid", "-//Cabinet Office//Cabinet decision tracker//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Cabinet follow-ups due")
    calendar.add("x-wr-caldesc", "Due dates of the Cabinet follow-ups you see in the decision tracker.")
    calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for follow_up in feed_follow_ups(user).iterator(chunk_size=2000):
        reference = f"{follow_up.minute.reference} para {follow_up.decision.number}"
        link = f"{settings.SITE_URL}{follow_up.get_absolute_url()}"
        event = Event()
        event.add("uid", f"follow-up-{follow_up.pk}@{host}")
        event.add("dtstamp", now)
        event.add("sequence", follow_up.version)
        event.add("dtstart", follow_up.due_date)
        event.add("dtend", follow_up.due_date + datetime.timedelta(days=1))
        event.add("transp", "TRANSPARENT")  # a due date, not a meeting: the day stays free
        event.add("class", "CONFIDENTIAL")
        event.add("summary", f"{reference}: {follow_up.description}")
        event.add("description", "\n".join([
            follow_up.minute.marking,
            f"{follow_up.get_kind_display()}: {follow_up.description}",
            _due_phrase(follow_up),
            f"Status: {follow_up.get_status_display()}",
            link,
        ]))
        event.add("url", link)
        event.add("categories", [follow_up.get_kind_display()])
        calendar.add_component(event)
    return calendar


@login_not_required
@never_cache
@require_safe
def calendar_feed(request, token):
    """The feed at its secret address: anyone holding the address reads it, so it holds no decision text."""
    feed = (
        CalendarFeed.objects.active().select_related("user").filter(token_hash=hash_token(token), user__is_active=True).first()
    )
    if feed is None:
        raise Http404("No calendar feed at this address.")
    body = calendar_for(feed.user).to_ical()
    # The read is logged for the feed's owner; the address itself is the key, so the log keeps it masked.
    AccessLogEntry.objects.create(
        kind=AccessLogEntry.Kind.EXPORT, user=feed.user, username=feed.user.get_username()[:150],
        record_type="decisions.calendarfeed", record_id=str(feed.pk),
        path=reverse("decisions:calendar_feed", args=["…"]), address=client_address(request), details={"format": "ics"},
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="cabinet-follow-ups.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# Managing one's own feed ("Your settings").


class CalendarFeedForm(forms.Form):
    action = forms.ChoiceField(choices=[("turn_on", "Turn on"), ("reset", "Reset the address"), ("turn_off", "Turn off")])


@require_POST
def calendar_feed_settings(request):
    """Turn on, reset or turn off the signed-in person's feed; a new address is shown once, on the page this returns."""
    form = CalendarFeedForm(request.POST)
    if not form.is_valid() or access.profile_of(request.user) is None:
        messages.error(request, "Choose to turn your calendar feed on, reset it or turn it off.")
        return redirect("decisions:profile_settings")
    action = form.cleaned_data["action"]
    if action == "turn_off":
        with transaction.atomic(durable=True):
            was_on = turn_off(request.user, by=request.user)
        messages.success(request, "Your calendar feed is off: its address no longer works." if was_on else "Your calendar feed was already off.")
        return redirect("decisions:profile_settings")
    with transaction.atomic(durable=True):
        token = turn_on(request.user, by=request.user)
    # Shown on this response only (never stored, never redirected with): a reload asks before resending the form.
    response = render(request, "decisions/profile_settings.html", {
        **profile_settings_context(request), "feed_address": feed_url(token), "feed_was_reset": action == "reset",
    })
    response["Cache-Control"] = "private, no-store"
    return response
