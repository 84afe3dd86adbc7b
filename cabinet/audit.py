"""The access log: who read which Cabinet material, and who signed in, failed to, or signed out, from where.

Rows are written, never changed; on PostgreSQL a trigger refuses UPDATE and DELETE (cabinet.history.AppendOnly),
except `manage.py purgeaccesslog` removing rows older than AUDIT_LOG_RETENTION_DAYS.
Reads are logged by cabinet.middleware.AccessLogMiddleware for the views in settings.AUDIT_LOGGED_VIEWS;
everything else calls record_event().
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.dispatch import receiver
from django.utils import timezone

MAX_PATH = 2000


class AccessLogEntry(models.Model):
    class Kind(models.TextChoices):
        READ = "read", "Read"
        EXPORT = "export", "Export"
        API = "api", "API call"
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGN_OUT = "sign_out", "Signed out"
        LOCKED = "locked", "Account locked"
        UNLOCKED = "unlocked", "Account unlocked"
        MFA_ADDED = "mfa_added", "Second factor added"
        MFA_REMOVED = "mfa_removed", "Second factor removed"
        MFA_FAILED = "mfa_failed", "Second factor refused"
        RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"

    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=Kind)
    # PROTECT: users are deactivated, never deleted, so the log keeps naming them.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    username = models.CharField(max_length=150, blank=True, help_text="As signed in, or as typed on a failed sign-in.")
    record_type = models.CharField(max_length=100, blank=True, help_text="The record read, as app.model: cabinet.minute.")
    record_id = models.CharField(max_length=64, blank=True)
    path = models.CharField(max_length=MAX_PATH, blank=True, help_text="The address asked for.")
    address = models.GenericIPAddressField(null=True, blank=True, help_text="The client's IP address.")
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "access log entry"
        verbose_name_plural = "access log"
        indexes = [
            # The admin's searches: by person, by record, and the date filter / retention purge.
            models.Index(fields=["user", "at"], name="cabinet_accesslog_user_at"),
            models.Index(fields=["record_type", "record_id"], name="cabinet_accesslog_record"),
            models.Index(fields=["at"], name="cabinet_accesslog_at"),
        ]

    def __str__(self):
        what = f" {self.record_type} {self.record_id}" if self.record_type else ""
        return f"{self.username or 'Someone'}: {self.get_kind_display()}{what} at {timezone.localtime(self.at):%-d %B %Y %H:%M:%S}"


def client_address(request):
    """The client's address: REMOTE_ADDR, or behind our TLS proxy (BEHIND_TLS_PROXY) the one it appended last."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR") or None


def record_event(kind, *, request=None, user=None, record=None, record_type="", record_id="", **details):
    """Write one access-log row. `record` is a model instance (or give record_type/record_id); `details` must be JSON.

    The user defaults to the request's signed-in user; pass `username=` for someone not signed in (a failed sign-in).
    """
    if kind not in AccessLogEntry.Kind.values:
        raise ValueError(f"Unknown access-log kind {kind!r}: add it to AccessLogEntry.Kind.")
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    username = str(details.pop("username", "") or (user.get_username() if user else ""))[:150]
    if record is not None:
        record_type, record_id = record._meta.label_lower, record.pk
    return AccessLogEntry.objects.create(
        kind=kind,
        user=user,
        username=username,
        record_type=record_type.lower(),
        record_id=str(record_id) if record_id not in (None, "") else "",
        path=request.get_full_path()[:MAX_PATH] if request is not None else "",
        address=client_address(request) if request is not None else None,
        details=details,
    )


@receiver(user_logged_in, dispatch_uid="cabinet.audit.signed_in")
def signed_in(sender, request, user, **kwargs):
    record_event(AccessLogEntry.Kind.SIGN_IN, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="cabinet.audit.sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the name typed is kept.
    record_event(AccessLogEntry.Kind.SIGN_IN_FAILED, request=request, username=credentials.get("username", ""))


@receiver(user_logged_out, dispatch_uid="cabinet.audit.signed_out")
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        record_event(AccessLogEntry.Kind.SIGN_OUT, request=request, user=user)
