"""Acuflow settings. Everything that differs between a laptop and production comes from
environment variables (see the README's Configuration section), with safe local defaults."""

import datetime
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from clinic.env import cache_from_url, env_bool, env_hosts, env_int, env_list, env_str, pool_from_env

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "value, or set DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-dev-only-key-never-use-in-production"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", ["http://localhost:8000", "http://127.0.0.1:8000"])

INSTALLED_APPS = [
    "clinic.apps.ClinicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Before auditlog: its management command auditlogflush is replaced by audit's, which refuses.
    "audit",
    "auditlog",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "clinic",
    "accounts",
    "patients",
    "sessions.apps.TreatmentSessionsConfig",
    "registry",
    "content",
    "protocols",
    "practice",
]

MIDDLEWARE = [
    # First: a request nothing else can read safely gets a 400 before anything tries.
    "clinic.middleware.UnreadableRequestGuard",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "clinic.middleware.PublicLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.IdleSessionMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "clinic.middleware.PrivatePagesNoStoreMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "clinic.lib.replica.ReplicaRequestMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.clinic",
            ],
        },
    },
]

# Database: SQLite by default so a bare machine runs the app; PostgreSQL in production and CI.
# DATABASE_POOL=N keeps up to N connections per process in psycopg's pool (PostgreSQL only);
# Django's pool and persistent connections exclude each other, so CONN_MAX_AGE is 0 then.
DATABASE_POOL = pool_from_env("DATABASE_POOL")
# Behind PgBouncer in transaction mode: no server-side cursors, no prepared statements.
DATABASE_PGBOUNCER = env_bool("DATABASE_PGBOUNCER", False)


def _database(url):
    database = dj_database_url.parse(
        url, conn_max_age=0 if DATABASE_POOL else env_int("CONN_MAX_AGE", 60), conn_health_checks=True
    )
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite allows one writer at a time. Taking the write lock when a transaction starts, and
        # waiting for it, makes two simultaneous saves queue up instead of failing "database is locked".
        database.setdefault("OPTIONS", {}).update(transaction_mode="IMMEDIATE", timeout=20)
        return database
    if DATABASE_POOL:
        database.setdefault("OPTIONS", {})["pool"] = DATABASE_POOL
    if DATABASE_PGBOUNCER:
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
        database.setdefault("OPTIONS", {})["prepare_threshold"] = None
    return database


DATABASES = {"default": _database(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
# A read replica for the dashboard, cohort_table, exports and public article reads (clinic.lib.replica);
# in tests it mirrors the test database, so routing is tested on real connections.
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {**_database(env_str("DATABASE_REPLICA_URL")), "TEST": {"MIRROR": "default"}}
    DATABASE_ROUTERS = ["clinic.lib.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"

# Two-factor sign-in (django-otp: an authenticator app, TOTP, and recovery codes) for everyone who can
# see patient data. Required with DEBUG off; under `make run` the demo logins work with a password alone.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", not DEBUG)
# Device keys never show in admin, even to superusers.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Staff and practitioners are signed out after this long without a request (accounts.middleware).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
LOGIN_REDIRECT_URL = "/practice/"
LOGOUT_REDIRECT_URL = "/"

# Reverse proxies of our own in front of the app that append to X-Forwarded-For (0: use REMOTE_ADDR).
# Every feature that counts clients reads the address through clinic.lib.clientaddress.client_address.
# INTAKE_RATE_LIMIT_PROXIES is its earlier name, still read when TRUSTED_PROXIES is not set.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", env_int("INTAKE_RATE_LIMIT_PROXIES", 0))

# django-axes: failed sign-ins are counted per username (from any address) and, separately, per client
# address; either reaching the limit pauses sign-in for LOGIN_COOLOFF_MINUTES. A failure during the pause
# does not extend it, so nobody can keep a colleague locked out for longer than one cool-off at a time.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "clinic.lib.clientaddress.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Password reset requests allowed per client address, and separately per email address asked for.
PASSWORD_RESET_RATE_LIMIT = env_str("PASSWORD_RESET_RATE_LIMIT", "5/hour")

# The public pages (home, privacy, the assessment, the articles) in English, unprefixed, and in
# Simplified Chinese under /zh-hans/ (clinic/urls.py). The language comes from the address alone
# (clinic.middleware.PublicLanguageMiddleware): the workspace and admin stay in English.
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# URL fields assume https:// when a scheme is left out (Django 6's default, opted into now).
FORMS_URLFIELD_ASSUME_HTTPS = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The intake rate limit and the article embed use the cache. The default is per process; with
# several gunicorn workers or app servers use a shared one: CACHE_URL=redis://host:6379/0.
CACHES = {"default": cache_from_url(env_str("CACHE_URL", "locmem://"))}

# Background jobs (imports, emails) on Django's task API (the django-tasks backport). "database"
# stores them in PostgreSQL for `manage.py db_worker`; "immediate" runs them at once, in the request.
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate" if DEBUG else "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND={TASKS_BACKEND!r}: use database or immediate.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}


# Email. SMTP when EMAIL_HOST is set, or whatever EMAIL_BACKEND names. The console backend (the
# default under DEBUG) prints every message, reset links and patients' addresses included, into the
# server's output; with DEBUG off that is refused, and so is having no mail configuration at all.
_CONSOLE_MAIL = "django.core.mail.backends.console.EmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else _CONSOLE_MAIL if DEBUG else None
)
if not DEBUG and EMAIL_BACKEND is None:
    raise ImproperlyConfigured(
        "No mail configuration. Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD) to send "
        "mail over SMTP, or set EMAIL_BACKEND explicitly, for a trial for instance "
        "EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend with EMAIL_FILE_PATH=/var/mail/acuflow."
    )
if not DEBUG and EMAIL_BACKEND == _CONSOLE_MAIL:
    raise ImproperlyConfigured(
        "EMAIL_BACKEND is the console backend, which writes every email (patients' addresses, password reset "
        "links) into the logs. With DEBUG off use SMTP (EMAIL_HOST) or a file backend (EMAIL_FILE_PATH)."
    )
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-mail"))
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Acuflow clinic <clinic@localhost>")

CLINIC_NAME = env_str("CLINIC_NAME", "Acuflow Clinic")
# The secret behind research pseudonyms (sessions.research): exports refuse to run without it.
RESEARCH_EXPORT_KEY = env_str("RESEARCH_EXPORT_KEY", "")
# How authenticator apps name this site's accounts.
OTP_TOTP_ISSUER = CLINIC_NAME

# Security headers. Cookies are HTTPS-only unless DEBUG is on (override with SECURE_COOKIES).
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
# The public pages' language, once chosen with the switcher (clinic.middleware.PublicLanguageMiddleware).
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto, BEHIND_HTTPS_PROXY=1 lets Django see
# the request was HTTPS (without it, the redirect below would loop); SECURE_SSL_REDIRECT=0 leaves the
# redirect to the proxy. /healthz answers plain HTTP for monitoring inside the network.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY", False) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Hosts whose https images articles may show; any other image from another site is refused when
# the article is saved (a tracking pixel on the clinic's public pages would report every reader).
ARTICLE_IMAGE_HOSTS = env_hosts("ARTICLE_IMAGE_HOSTS", [])

# Content Security Policy: every script and style comes from our own host, images from it and
# from ARTICLE_IMAGE_HOSTS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Django admin and Bootstrap set a few inline style attributes.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", *(f"https://{host}" for host in ARTICLE_IMAGE_HOSTS)],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request logs carry URLs and never bodies; URLs hold only opaque references.
        "django.request": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}

# --- Patient intake (the public free assessment) ---
# Posts to /assessment/ allowed per client address: "N/second", "N/minute", "N/hour" or "N/day"; "off" disables it.
# Several rates, comma-separated, all apply: a waiting room behind one address may send 40 in a
# minute, and a flood from one address stops at 400 a day.
INTAKE_RATE_LIMIT = env_str("INTAKE_RATE_LIMIT", "40/minute,400/day")
# Posts to /assessment/ allowed per email address (counted only for valid forms; "off" disables it).
INTAKE_EMAIL_RATE_LIMIT = env_str("INTAKE_EMAIL_RATE_LIMIT", "5/hour")

# --- The session import in admin ---
# Uploads and the state of their jobs wait here, readable by the app's user only. Web servers and
# the worker must all see the same folder (a shared mount when they run on different hosts).
IMPORT_UPLOAD_DIR = Path(env_str("IMPORT_UPLOAD_DIR", str(Path(tempfile.gettempdir()) / "acuflow-imports")))
# The largest upload admin accepts, in MB, refused while it streams; bigger files use the command.
IMPORT_UPLOAD_MAX_MB = env_int("IMPORT_UPLOAD_MAX_MB", 256)
