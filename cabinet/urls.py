"""URL map: the officials' pages, the clerks' admin, sign-in."""

from functools import wraps

from allauth.account import urls as account_urls
from allauth.account import views as account_views
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.urls import URLPattern, include, path
from django.views.generic import RedirectView

from cabinet import security, sessions

admin.site.site_header = "Cabinet decision tracker: Cabinet Office"
admin.site.site_title = "Cabinet decision tracker"
admin.site.index_title = "Records"

# allauth pages we do not offer: accounts are made in the admin, email addresses are kept there,
# and a code by email is no second factor.
CLOSED = {
    "account_signup", "account_email", "account_email_verification_sent", "account_confirm_email",
    "account_set_password", "account_confirm_login_code",
}
PASSWORD_RESET = {
    "account_reset_password", "account_reset_password_done", "account_reset_password_from_key",
    "account_reset_password_from_key_done",
}


@login_not_required
def not_found(request, *args, **kwargs):
    raise Http404


def only_with_password_reset(view):
    """Password reset by email is a 404 unless PASSWORD_RESET_BY_EMAIL is on (off in production by default)."""

    @wraps(view)
    def gated(request, *args, **kwargs):
        if not settings.PASSWORD_RESET_BY_EMAIL:
            raise Http404
        return view(request, *args, **kwargs)

    return gated


def account_pattern(pattern):
    if pattern.name in CLOSED:
        return URLPattern(pattern.pattern, not_found, name=pattern.name)
    if pattern.name in PASSWORD_RESET:
        return URLPattern(pattern.pattern, only_with_password_reset(pattern.callback), name=pattern.name)
    if pattern.name == "account_change_password":  # one password-change page: Django's, below
        return URLPattern(pattern.pattern, RedirectView.as_view(pattern_name="password_change"), name=pattern.name)
    return pattern


urlpatterns = [
    path("admin/login/", security.admin_login),
    path("admin/", admin.site.urls),
    path("accounts/", include([account_pattern(pattern) for pattern in account_urls.urlpatterns])),
    path("accounts/2fa/", include("allauth.mfa.urls")),
    path("accounts/signed-out/", sessions.signed_out, name="signed_out"),
    # The names and addresses the pages and people already use.
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("api/v1/", include("decisions.api.urls")),  # the read API for agencies' systems: bearer keys, no sessions
    path("", include("decisions.urls")),
]
