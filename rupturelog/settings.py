"""RuptureLog settings: one file, configured by environment variables.

Every variable is parsed strictly: a value that cannot be understood stops start-up with a
message naming the variable, rather than running with a silently different configuration.
The README has the full table of variables.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from dj_database_url import DBConfig
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a yes/no value; use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    # Development only: DEBUG is on, so this key never signs a production cookie.
    SECRET_KEY = "insecure-development-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Django's admin on a site that requires two-step sign-in (rupturelog/mfa/admin.py).
    "rupturelog.mfa.apps.VerifiedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "pgtrigger",
    "pghistory",
    "rupturelog.accounts",
    "rupturelog.audit",
    "rupturelog.mfa",
    "sessions.apps.TherapySessionsConfig",
    "repairs",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Before the access log: a request refused for want of the code step reaches no view.
    "rupturelog.mfa.middleware.TwoStepMiddleware",
    "rupturelog.audit.middleware.AccessLogMiddleware",
    "rupturelog.history.HistoryMiddleware",
    "rupturelog.security.SessionLimitsMiddleware",
    "rupturelog.security.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during the request into our page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rupturelog.urls"

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
                "rupturelog.context_processors.product",
                "repairs.context_processors.inbox",
            ],
        },
    },
]

WSGI_APPLICATION = "rupturelog.wsgi.application"

# --- Database ---------------------------------------------------------------------------
# SQLite by default, so a first run needs nothing installed. PostgreSQL when DATABASE_URL is
# set, through Django's psycopg connection pool. The pool's wait timeout stays well under
# gunicorn's worker timeout, so a starved pool fails one request cleanly instead of the
# worker being killed mid-request.
DB_POOL_MIN_SIZE = env_int("DB_POOL_MIN_SIZE", 2, minimum=0)
DB_POOL_MAX_SIZE = env_int("DB_POOL_MAX_SIZE", 10, minimum=1)
DB_POOL_TIMEOUT = env_int("DB_POOL_TIMEOUT", 10, minimum=1)
GUNICORN_TIMEOUT = env_int("GUNICORN_TIMEOUT", 30, minimum=2)
if DB_POOL_TIMEOUT >= GUNICORN_TIMEOUT:
    raise ImproperlyConfigured(
        f"DB_POOL_TIMEOUT ({DB_POOL_TIMEOUT}s) must be shorter than GUNICORN_TIMEOUT "
        f"({GUNICORN_TIMEOUT}s)."
    )
if DB_POOL_MIN_SIZE > DB_POOL_MAX_SIZE:
    raise ImproperlyConfigured("DB_POOL_MIN_SIZE must not exceed DB_POOL_MAX_SIZE.")


def _database(url: str | None) -> DBConfig:
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        }
    try:
        config = dj_database_url.parse(url)
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL could not be parsed: {error}") from None
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_URL must be a postgres:// URL; leave it unset to use SQLite."
        )
    config["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not as well
    config["CONN_HEALTH_CHECKS"] = True
    # PostgreSQL's JIT compiler spends longer compiling the review's aggregates than running
    # them (measured by make bench); this app's queries are short, so it is off.
    config.setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    config["OPTIONS"]["pool"] = {
        "min_size": DB_POOL_MIN_SIZE,
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": DB_POOL_TIMEOUT,
    }
    return config


DATABASES = {"default": _database(os.environ.get("DATABASE_URL"))}
# Review pages and exports read from a replica when one is set (rupturelog/replica.py).
if replica_url := os.environ.get("DATABASE_REPLICA_URL"):
    if "DATABASE_URL" not in os.environ:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL (PostgreSQL) too.")
    DATABASES["replica"] = _database(replica_url)
    # Tests point the replica at the primary: read the test database through it.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["rupturelog.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-axes first: it refuses a locked-out sign-in before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Two-step sign-in (django-otp) -----------------------------------------------------
# Required for therapists, supervisors and administrators; offered to clients.
OTP_TOTP_ISSUER = "RuptureLog"
# The admin never shows a TOTP secret or a backup code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Content Security Policy (django-csp) ------------------------------------------------
# Scripts only from our own origin with this response's nonce; no inline script or style,
# no eval (htmx is configured with allowEval false), nothing framed, no plugins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

# --- Sessions and cookies ---------------------------------------------------------------
# Password-reset links expire after three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if SECURE_COOKIES:
    # __Host- cookies are only accepted over HTTPS, for this exact host, on path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Absolute limit; the 30-minute idle limit is rupturelog.security.SessionLimitsMiddleware.
SESSION_COOKIE_AGE = 12 * 60 * 60

# --- Behind a TLS proxy ---------------------------------------------------------------
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Brute-force protection (django-axes) -----------------------------------------------
# Five failed sign-ins for one email from one IP address pause that pair for 15 minutes;
# another address, or another email, is not affected, and a successful sign-in clears the
# count. Counts live in the database (axes' AccessAttempt), shared by every app server.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
# Tries during the pause do not restart it: the page promises 15 minutes, and it keeps to it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Our login form (and the admin's) posts the email as "username".
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "rupturelog.accounts.lockout.login_username"
# REMOTE_ADDR, or the proxy's X-Forwarded-For entry behind BEHIND_TLS_PROXY.
AXES_CLIENT_IP_CALLABLE = "rupturelog.accounts.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "rupturelog.accounts.lockout.lockout_response"
# Its start-up banner is noise in every manage.py command and log stream.
AXES_VERBOSE = False

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production; the plain storage under DEBUG and tests,
        # so neither needs collectstatic first.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or env_bool("PLAIN_STATIC_STORAGE", default=False)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# --- Email ------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "RuptureLog <noreply@localhost>")
# The address people reach the app at, for links in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Product settings -------------------------------------------------------------------
# Shown calmly on every client page. A practice sets its own local numbers here.
CRISIS_TEXT = os.environ.get(
    "CRISIS_TEXT",
    "Flags are read at your therapist's next working time, not in real time. "
    "If you are in crisis or feel unsafe, call your local emergency number, "
    "or contact your GP or an urgent mental-health line.",
)

# Database triggers that make the access log append-only. On everywhere but the test
# suite, which flushes tables between tests and checks the triggers on their own.
AUDIT_LOG_TRIGGERS = env_bool("AUDIT_LOG_TRIGGERS", default=True)

# Version history (rupturelog/history.py): stamp each event with the time of its statement,
# not of its transaction, so the changes inside one transaction keep their order.
PGHISTORY_CREATED_AT_FUNCTION = "clock_timestamp()"

# How often open pages ask "anything new?" (seconds). Browser tests shorten it.
LIVE_POLL_SECONDS = env_int("LIVE_POLL_SECONDS", 15, minimum=1)

# Structured logs (rupturelog/logs.py): one JSON object per line in production, readable
# text under DEBUG; never clinical text (exception messages are withheld).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} must be json or text.")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").strip().upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(
        f"LOG_LEVEL={LOG_LEVEL!r} must be DEBUG, INFO, WARNING, ERROR or CRITICAL."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "rupturelog.logs.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "rupturelog.logs.JsonFormatter"},
        "text": {
            "()": "rupturelog.logs.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Django's own loggers go through the same handler (not its DEBUG-only console too).
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
    },
}
