"""Session rules: an idle timeout, an absolute lifetime, ending a person's sessions, and a page that says why.

Django keeps a session for SESSION_COOKIE_AGE (8 hours) from its last save; this adds the idle timeout
(SESSION_IDLE_TIMEOUT) and an absolute lifetime counted from sign-in, and tells the person which one ended it.
A password change ends every other session of the account (Django's session hash: the session no longer
matches the password); a clerk can end all of a person's sessions from the admin (`end_sessions`).
"""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.models import Session
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

SIGNED_IN_AT = "cabinet_signed_in_at"
LAST_SEEN = "cabinet_last_seen"
ENDED = "cabinet_ended"  # what end_sessions() leaves in a session it ends: the reason
LAST_SEEN_GRANULARITY = 60  # seconds: the session is saved at most once a minute just to say it was used

REASONS = {
    "idle": "You did not use the service for {idle} minutes, so we signed you out to protect Cabinet material.",
    "lifetime": "You were signed in for {lifetime} hours, the longest a sign-in lasts. Sign in again to carry on.",
    "password": "The password for your account was changed, so every session that used the old one was ended.",
    "ended": "The Cabinet Office signed you out of every session of your account.",
}


@receiver(user_logged_in)
def start_clock(sender, request, user, **kwargs):
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now


def end_sessions(users, reason="ended"):
    """End every open session of these users; each one's next request lands on the signed-out page. The count."""
    user_ids = {str(user.pk) for user in users}
    store_class = Session.get_session_store_class()
    ended_data = store_class().encode({ENDED: reason})
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) in user_ids:
            ended += Session.objects.filter(pk=session.pk).update(session_data=ended_data)
    return ended


class SessionPolicyMiddleware:
    """Ends a session that sat idle too long, is older than its lifetime, or was ended; says why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        reason = session.get(ENDED)
        if reason is None and SESSION_KEY in session:
            now = time.time()
            user_id = session[SESSION_KEY]
            last_seen = session.get(LAST_SEEN, now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                reason = "idle"
            elif now - session.get(SIGNED_IN_AT, now) > settings.SESSION_COOKIE_AGE:
                reason = "lifetime"
            elif not request.user.is_authenticated:
                # Django's check found the session no longer matches the account's password (and flushed it),
                # or the account was deactivated.
                active = get_user_model().objects.filter(pk=user_id, is_active=True).exists()
                reason = "password" if active else "ended"
            elif now - last_seen >= LAST_SEEN_GRANULARITY:
                session[LAST_SEEN] = now
        if reason is None:
            return self.get_response(request)
        next_url = request.get_full_path() if request.method == "GET" else ""
        logout(request)  # flushes the session whether or not it still had a user
        url = f"{reverse('signed_out')}?{urlencode({'reason': reason, 'next': next_url})}"
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)


@login_not_required
def signed_out(request):
    reason = request.GET.get("reason", "")
    explanation = REASONS.get(reason, "")
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    login_url = reverse("account_login") + (f"?{urlencode({'next': next_url})}" if next_url else "")
    return render(request, "registration/signed_out.html", {
        "explanation": explanation.format(
            idle=settings.SESSION_IDLE_TIMEOUT // 60, lifetime=settings.SESSION_COOKIE_AGE // 3600
        ),
        "login_url": login_url,
    })
