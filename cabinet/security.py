"""Sign-in security: the second-factor rule, failed sign-ins (django-axes), NUL bytes in requests.

django-allauth does the sign-in and its MFA step (TOTP, WebAuthn, recovery codes); django-axes counts failures
per account and per address and locks after five. What is ours is here: who must have a second factor and where,
how long a lock lasts, that a wrong MFA code counts as a failed sign-in, and the pages that say so.
"""

import datetime

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa import signals as mfa_signals
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from allauth.mfa.models import Authenticator
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessFailureLog
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from cabinet.audit import AccessLogEntry, record_event
from cabinet.models import Profile

LOCK_BASE = datetime.timedelta(minutes=15)
LOCK_LONGEST = datetime.timedelta(hours=24)
# The follow-up actions only clerks take (decisions/urls.py).
CLERK_ACTIONS = {"followup_decide_extension", "followup_set_due_date", "followup_discharge", "followup_close"}
# Pages a signed-in person without a second factor can still open: signing in and out, enrolling, the password.
OPEN_WITHOUT_FACTOR = {"login", "logout", "signed_out", "password_change", "password_change_done"}


# Who needs a second factor, and where

def is_clerk(user):
    profile = getattr(user, "profile", None)
    return user.is_staff or user.is_superuser or (profile is not None and profile.role == Profile.Role.CLERK)


def has_second_factor(user):
    """A TOTP app or a passkey/security key: recovery codes back those up, they are not a factor of their own."""
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def needs_second_factor(user, match):
    """Whether this signed-in user must have a second factor to open the view `match` resolves to."""
    name = match.url_name or ""
    if name in OPEN_WITHOUT_FACTOR or name.startswith(("account_", "mfa_")):
        return False
    if settings.MFA_REQUIRED_FOR_ALL:
        return True
    clerk_page = match.namespace == "admin" or (match.namespace == "decisions" and name in CLERK_ACTIONS)
    return clerk_page and is_clerk(user)


class SecondFactorMiddleware:
    """Sends a signed-in person who must have a second factor and has none to enrol one, saying why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or not needs_second_factor(user, request.resolver_match):
            return None
        if has_second_factor(user):
            return None
        messages.warning(
            request,
            "Set up a second way to sign in (an authenticator app or a security key) before you use "
            + ("this service." if settings.MFA_REQUIRED_FOR_ALL else "the admin or a clerk's action."),
        )
        return HttpResponseRedirect(reverse("mfa_index"))


@login_not_required
def admin_login(request):
    """The admin's sign-in page is ours: one door, with the second factor and the failure count."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("admin:index")
    return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


# Signing in

class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False  # the Cabinet Office makes accounts in the admin

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            # The password is right: a new session key before the second step (and Django's login()
            # gives another after it), so a key seen before sign-in is worth nothing after.
            request.session.cycle_key()
        return user


class AuthenticateForm(AllauthAuthenticateForm):
    """allauth's MFA code step, refused while the account or address is locked: codes count as failures."""

    def clean_code(self):
        request = context.request
        credentials = {"username": self.user.get_username()}
        request.cabinet_login_username = credentials["username"]
        if not AxesProxyHandler.is_allowed(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            raise ValidationError("Too many failed attempts.", code="locked")
        return super().clean_code()


@receiver(mfa_signals.authentication_failed)
def count_wrong_code(sender, request, user, **kwargs):
    """A wrong MFA or recovery code is a failed sign-in for django-axes, like a wrong password."""
    request.cabinet_login_username = user.get_username()
    record_event(AccessLogEntry.Kind.MFA_FAILED, request=request, username=user.get_username())
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)


# The access log (cabinet/audit.py) records every lock and every change to a person's second factors.

@receiver(user_locked_out, dispatch_uid="cabinet.security.locked")
def log_lock(sender, request, username, ip_address, **kwargs):
    record_event(AccessLogEntry.Kind.LOCKED, request=request, username=username or "")


@receiver(mfa_signals.authenticator_added, dispatch_uid="cabinet.security.mfa_added")
def log_factor_added(sender, request, user, authenticator, **kwargs):
    record_event(AccessLogEntry.Kind.MFA_ADDED, request=request, user=user, record=authenticator, type=authenticator.type)


@receiver(mfa_signals.authenticator_removed, dispatch_uid="cabinet.security.mfa_removed")
def log_factor_removed(sender, request, user, authenticator, **kwargs):
    record_event(AccessLogEntry.Kind.MFA_REMOVED, request=request, user=user, record=authenticator, type=authenticator.type)


@receiver(mfa_signals.authenticator_used, dispatch_uid="cabinet.security.recovery_code_used")
def log_recovery_code(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        record_event(AccessLogEntry.Kind.RECOVERY_CODE_USED, request=request, user=user, record=authenticator)


# Locks (django-axes settings point here)

def lockout_cool_off(request=None):
    """15 minutes, doubled for every further five failures on the account in the last day (at most a day)."""
    username = getattr(request, "cabinet_login_username", None) or (request.POST.get("login") if request else None)
    if not username:
        return LOCK_BASE
    failures = AccessFailureLog.objects.filter(
        username=username, attempt_time__gte=timezone.now() - datetime.timedelta(days=1)
    ).count()
    return min(LOCK_BASE * 2 ** max(0, (failures - settings.AXES_FAILURE_LIMIT) // settings.AXES_FAILURE_LIMIT), LOCK_LONGEST)


def locked_out(request, original_response=None, credentials=None):
    """The same page whether or not the account exists: it names the username typed, nothing about it."""
    minutes = int(lockout_cool_off(request).total_seconds() // 60)
    return render(request, "account/locked.html", {"minutes": minutes}, status=429)


# NUL bytes

def contains_nul(query_dict: QueryDict):
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query_dict.lists())


class RefuseNulBytesMiddleware:
    """A NUL byte in the query string or form data is a 400 with a page that says so, never a database error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if contains_nul(request.GET) or (request.method == "POST" and contains_nul(request.POST)):
            return render(request, "400.html", {"nul_byte": True}, status=400)
        return self.get_response(request)
