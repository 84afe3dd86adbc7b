"""Settings for the Cabinet decision tracker, all from the environment (see README: Configuration)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off"}


def env_bool(name, default=False):
    """A yes/no setting; a value that is neither (a typo such as "ture") refuses to start rather than guess."""
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a yes/no value: use one of {', '.join(sorted(TRUE_VALUES | FALSE_VALUES))}."
    )


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")
    SECRET_KEY = "django-insecure-local-development-only"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SERVICE_NAME = "Cabinet decision tracker"

INSTALLED_APPS = [
    "cabinet.admin_site.TrackerAdminConfig",  # django.contrib.admin, with our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # full-text and trigram search on PostgreSQL (decisions/search.py)
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "rest_framework",  # the read API (decisions/api/)
    "drf_spectacular",  # its OpenAPI description
    "cabinet",
    "decisions",
    # After cabinet: its clean_old_history and clean_duplicate_history (which refuse) replace simple_history's.
    "simple_history",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "cabinet.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cabinet.security.RefuseNulBytesMiddleware",
    "cabinet.sessions.SessionPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cabinet.security.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "cabinet.middleware.AccessLogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cabinet.urls"
WSGI_APPLICATION = "cabinet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cabinet.context_processors.service",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# PostgreSQL (psycopg 3) from DATABASE_URL; an SQLite file when it is unset.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DATABASE_PREPARED_STATEMENTS", True):
    # Parameters bound by the server, so a query a connection runs again is planned once (psycopg prepares it from
    # its sixth run): a page's joins cost more to plan than to run. Set DATABASE_PREPARED_STATEMENTS=0 behind a
    # pooler that cannot keep prepared statements (PgBouncer in transaction mode).
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 5})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "cabinet.validators.RepetitionValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "account_login"

# Sign-in (README: Signing in). django-allauth's sign-in with its MFA second step, django-axes counting failures.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked account or address before any password check
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "cabinet.security.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]  # signing up is closed (the adapter): the Cabinet Office makes accounts
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False  # the session cookie ends with the browser
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True  # a reset for an unknown address sends a mail too: same work, same time
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_RATE_LIMITS = {"login": None, "login_failed": None}  # django-axes counts failures (below)
# Password reset by email makes the mailbox a factor: off in production unless turned on.
PASSWORD_RESET_BY_EMAIL = env_bool("PASSWORD_RESET_BY_EMAIL", DEBUG)
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Cabinet decision tracker"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG  # http://127.0.0.1 in `make run`
MFA_FORMS = {"authenticate": "cabinet.security.AuthenticateForm"}
# Clerks and superusers always need a second factor; everyone does when this is on (production's default).
MFA_REQUIRED_FOR_ALL = env_bool("MFA_REQUIRED_FOR_ALL", not DEBUG)
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # counted per account and per address, either locks
AXES_COOLOFF_TIME = "cabinet.security.lockout_cool_off"  # 15 minutes, doubling with repeated failures
AXES_USE_ATTEMPT_EXPIRATION = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cabinet.security.locked_out"
AXES_CLIENT_IP_CALLABLE = "cabinet.audit.client_address"

LANGUAGE_CODE = "en-nz"
TIME_ZONE = "Pacific/Auckland"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["cabinet.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production: `collectstatic` writes hashed, compressed copies and WhiteNoise serves them from STATIC_ROOT with
# far-future cache headers (the manifest tells it which names are hashed). DEBUG and the tests use the plain
# storage, and WhiteNoise serves the files where they are, with no collectstatic.
plain_static = DEBUG or env_bool("PLAIN_STATIC_STORAGE")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if plain_static
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = plain_static

# Security: cookies and HTTPS follow the environment; `check --deploy` is clean with DEBUG off.
# LOCAL_PLAIN_HTTP=1 runs production settings over plain HTTP for `make serve` and CI's smoke test: never a
# default, and refused unless every allowed host is this machine, so it cannot weaken a real deployment.
LOCAL_PLAIN_HTTP = env_bool("LOCAL_PLAIN_HTTP")
if LOCAL_PLAIN_HTTP and set(ALLOWED_HOSTS) - {"127.0.0.1", "localhost", "[::1]"}:
    raise ImproperlyConfigured(
        "LOCAL_PLAIN_HTTP serves over plain HTTP and is only for this machine: "
        f"ALLOWED_HOSTS may then name only 127.0.0.1, localhost and [::1], not {', '.join(ALLOWED_HOSTS) or 'nothing'}."
    )
serves_https = not DEBUG and not LOCAL_PLAIN_HTTP
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", serves_https)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", serves_https)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", serves_https)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if serves_https else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60  # the absolute lifetime of a sign-in (cabinet/sessions.py)
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", "15")) * 60  # minutes idle before signing out
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (Django's middleware) on every response: our own files only, inline code only with the
# response's nonce (templates use {{ csp_nonce }} / {% csp_nonce_attr %}), never eval, never framed.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    # The one inline style attribute we serve, by its hash: simple_history's history list's `border-top: 0`.
    "style-src-attr": [CSP.UNSAFE_HASHES, "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Browser features the tracker never uses (cabinet.middleware.PermissionsPolicyMiddleware). Passkeys
# (publickey-credentials-*) stay allowed for our own origin.
PERMISSIONS_POLICY = [
    "accelerometer", "autoplay", "bluetooth", "browsing-topics", "camera", "display-capture", "encrypted-media",
    "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment",
    "picture-in-picture", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
]
CSRF_FAILURE_VIEW = "cabinet.views.csrf_failure"

# Business days: the summer close-down is excluded from proactive-release deadlines
# ((month, day) from, (month, day) to, inclusive).
SUMMER_CLOSEDOWN = (
    tuple(int(part) for part in os.environ.get("SUMMER_CLOSEDOWN_START", "12-25").split("-")),
    tuple(int(part) for part in os.environ.get("SUMMER_CLOSEDOWN_END", "01-15").split("-")),
)
PROACTIVE_RELEASE_BUSINESS_DAYS = 30

# The lodgement rule (cabinet/meetings.py): papers for a meeting are lodged by LODGEMENT_TIME on LODGEMENT_WEEKDAY
# (0 Monday ... 3 Thursday) of the week LODGEMENT_WEEKS_BEFORE weeks before the meeting's. With
# LODGEMENT_HOLIDAYS_EARLIER, each public holiday between that day and the meeting moves the deadline a business day
# earlier, so the Cabinet Office keeps the same business days to circulate papers; without it, only a deadline
# falling on a holiday moves, to the business day before.
LODGEMENT_WEEKDAY = int(os.environ.get("LODGEMENT_WEEKDAY", "3"))
LODGEMENT_TIME = os.environ.get("LODGEMENT_TIME", "10:00")
LODGEMENT_WEEKS_BEFORE = int(os.environ.get("LODGEMENT_WEEKS_BEFORE", "1"))
LODGEMENT_HOLIDAYS_EARLIER = env_bool("LODGEMENT_HOLIDAYS_EARLIER", True)

# Mail (Django 6.1 MAILERS): SMTP from the environment, the console when EMAIL_HOST is unset.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Cabinet decision tracker <no-reply@cabinet.example.govt.nz>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "use_ssl": env_bool("EMAIL_USE_SSL"),
                "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},  # failures and locks, not every check
    },
}

# Report-back reminders (decisions/reminders/, `manage.py sendreminders`). Intervals are business days
# (weekends and New Zealand public holidays excluded); see README: Reminders.
REMINDERS = {
    "before_days": [int(days) for days in env_list("REMINDER_BEFORE_DAYS", "10,3")],
    "overdue_every": int(os.environ.get("REMINDER_OVERDUE_EVERY", "5")),
    "escalate_after": int(os.environ.get("REMINDER_ESCALATE_AFTER", "10")),
    "batch_size": 500,
    "max_attempts": int(os.environ.get("REMINDER_MAX_ATTEMPTS", "6")),
    "retry_backoff_minutes": 15,
    "retry_backoff_max_minutes": 24 * 60,
    "claim_timeout_minutes": 30,
}

# The access log (cabinet/audit.py): which pages are reads of Cabinet material, as
# URL name -> (kind, model of the record named by the URL's pk/object_id, or None).
# cabinet.middleware.AccessLogMiddleware writes one row per successful GET of these.
_CABINET_MATERIAL = {"cabinet.Minute": "cabinet_minute", "cabinet.Paper": "cabinet_paper", "decisions.FollowUp": "decisions_followup"}
AUDIT_LOGGED_VIEWS = {
    "decisions:minute_detail": ("read", "cabinet.Minute"),
    "decisions:paper_detail": ("read", "cabinet.Paper"),
    "decisions:followup_detail": ("read", "decisions.FollowUp"),
    **{
        f"admin:{prefix}_{page}": ("read", label)
        for label, prefix in _CABINET_MATERIAL.items()
        for page in ("change", "history", "simple_history")
    },
}
# Access-log rows older than this are removed by `manage.py purgeaccesslog` (the only delete allowed).
AUDIT_LOG_RETENTION_DAYS = int(os.environ.get("AUDIT_LOG_RETENTION_DAYS", str(7 * 366)))

# The read API (decisions/api/, README: Read API): bearer keys only, JSON only, read only. Each view says so too.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["decisions.api.auth.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["decisions.api.auth.HasUsableToken"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cabinet decision tracker: read API",
    "DESCRIPTION": (
        "Read-only access for agencies' own systems to the follow-ups and minutes their key's scope may see. "
        "Send the key the Cabinet Office issued as `Authorization: Bearer <key>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # One name for each set of choices, however many fields use it.
    "ENUM_NAME_OVERRIDES": {
        "FollowUpKind": "decisions.models.FollowUp.Kind",
        "FollowUpStatus": "decisions.models.FollowUp.Status",
        "DueDateChangeStatus": "decisions.models.DueDateChange.Status",
        "DatePrecision": "cabinet.models.DatePrecision",
        "TimelineEntryKind": ["created", "note", "request", "decision", "status"],
    },
}

SIMPLE_HISTORY_REVERT_DISABLED = True  # history is the audit: records move on through their own pages, not by reverting
