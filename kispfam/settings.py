"""Settings of KispFam: one module, read from the environment.

Production is the default: without ``DEBUG=true`` the application refuses to start
without a ``SECRET_KEY`` and sends only secure cookies. ``make run`` sets the
development variables explicitly (see the README's configuration table).
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")
DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "development-only-insecure-key-never-use-in-production"  # noqa: S105
    else:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # The admin site is an OTPAdminSite (cooperation/admin_site.py): no back office
    # without a second factor.
    "cooperation.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "simple_history",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "django_tasks_db",
    "health_check",
    "cooperation",
    "outbox",
    "cases",
    "conferences",
    "agreements",
    "concept",
    "reports",
    "oparl",
    "privacy",
    "worklist",
    # The project package on top: the demo loader, which knows every app.
    "kispfam",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A NUL byte in the path, query, form, cookies or headers: 400 before anything reads it.
    "common.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Static files are served above; every other answer to a signed-in person is no-store.
    "common.middleware.NoStoreForSignedInMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: which device verified the session (or the IdP's second
    # factor), and no page but the second-factor step until one did.
    "cooperation.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last, once the others let the request through: an admin object id that cannot
    # exist (``abc``, an integer beyond 64 bits) is a 404, not a database error.
    "common.middleware.MalformedObjectIdMiddleware",
]

ROOT_URLCONF = "kispfam.urls"
WSGI_APPLICATION = "kispfam.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cooperation.context_processors.accounts",
                "worklist.context_processors.worklist_counts",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=0 if TESTING else envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles a query when the planner's cost estimate is high: for the
    # statistics' counts over a Land's cases that takes longer than running them (about
    # 900 ms of 1.2 s measured, bench/report.py). Short queries are what this application
    # runs; JIT pays off only for long analytical ones.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

AUTH_USER_MODEL = "cooperation.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, which loads the session's user with its institution,
    # committee seat and second-factor devices in one query (cooperation/backends.py).
    "cooperation.backends.PasswordBackend",
    # Single sign-on (OpenID Connect): answers only when OIDC_ENABLED, never creates an
    # account (cooperation/oidc.py).
    "cooperation.oidc.OIDCBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# django-guardian: permissions are granted to each institution's group only, through
# direct foreign-key permission models; there is no anonymous user to grant to.
ANONYMOUS_USER_NAME = None  # django-guardian: no anonymous user
GUARDIAN_RAISE_403 = False

# django-axes: a username tried from one client address is locked after AXES_FAILURE_LIMIT
# failures, and one address trying any usernames after AXES_ADDRESS_FAILURE_LIMIT, for an
# hour from the last failure (cooperation/throttling.py). Behind a reverse proxy the client
# address comes from X-Forwarded-For, and only when TRUSTED_PROXY_COUNT says how many
# proxies in front append to it; without it the header is ignored (anyone can send one).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = envint("AXES_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "cooperation.throttling.AttemptHandler"
AXES_CLIENT_IP_CALLABLE = "cooperation.throttling.client_address"
AXES_LOCKOUT_CALLABLE = "cooperation.throttling.locked_out"
# A locked-out attempt does not restart the hour: the lockout page names the time.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLED = envbool("AXES_ENABLED", not TESTING)
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# Two factors (django-otp): TOTP apps, backup codes and passkeys (WebAuthn). Every staff
# account needs one; OTP_REQUIRED_ROLES may narrow that to some roles (superusers always).
OTP_REQUIRED_ROLES = envlist("OTP_REQUIRED_ROLES", "caseworker,lead,coordination,data_protection")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "KispFam")
OTP_BACKUP_CODES = 10
# Passkeys as the second factor only, never instead of the password (axes counts those).
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = "KispFam"
_site_host = SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
# A relying party is a domain name, never an address: in development passkeys work at
# http://localhost:8000, not at http://127.0.0.1:8000.
OTP_WEBAUTHN_RP_ID = os.environ.get(
    "WEBAUTHN_RP_ID", "localhost" if _site_host.replace(".", "").isdigit() else _site_host
)
OTP_WEBAUTHN_ALLOWED_ORIGINS = envlist(
    "WEBAUTHN_ORIGINS",
    SITE_URL if SITE_URL.startswith(("https://", "http://localhost")) else "http://localhost:8000",
)

# Staff accounts are created by invitation: the link sets the person's own password.
INVITATION_VALID_HOURS = envint("INVITATION_VALID_HOURS", 72)

# Single sign-on with OpenID Connect (mozilla-django-oidc), off unless OIDC_ENABLED. A
# sign-in is matched to an existing account by OIDC_MATCH_CLAIM (never creates one); the
# IdP's second factor counts when its ``amr`` names one of OIDC_MFA_AMR or its ``acr`` one
# of OIDC_MFA_ACR, otherwise our own second factor follows.
OIDC_ENABLED = envbool("OIDC_ENABLED", False)
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "Single Sign-on")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_MATCH_CLAIM = os.environ.get("OIDC_MATCH_CLAIM", "email")
OIDC_MFA_AMR = envlist("OIDC_MFA_AMR", "mfa")
OIDC_MFA_ACR = envlist("OIDC_MFA_ACR")
OIDC_CREATE_USER = False
OIDC_USE_PKCE = envbool("OIDC_USE_PKCE", True)
OIDC_AUTH_REQUEST_EXTRA_PARAMS = (
    {"acr_values": os.environ["OIDC_ACR_VALUES"]} if os.environ.get("OIDC_ACR_VALUES") else {}
)
OIDC_TIMEOUT = envint("OIDC_TIMEOUT", 10)

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded documents (consent scans) live outside the static files and are never
# served by the web server directly: only through the access gateway's views.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "uploads"))
# Uploads (consent scans, declarations): a signed page or two, scanned. Larger files and
# images with more pixels (an A4 page at 600 dpi has 35 megapixels) are refused with a
# message; the pixel limit also stops images that declare a huge size in a few bytes.
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", envint("CONSENT_SCAN_MAX_BYTES", 10 * 1024 * 1024))
UPLOAD_MAX_PIXELS = envint("UPLOAD_MAX_PIXELS", 40_000_000)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# E-mail (Django 6.1 MAILERS). Nothing is sent inside a request: the default mailer is
# the outbox (``outbox.backends.OutboxBackend``), which stores each message and enqueues a
# task; the task delivers it through the "delivery" mailer (SMTP from the environment, the
# console in development) with retries and backoff. pytest-django swaps every mailer for
# the in-memory backend; the outbox's own tests put the outbox back where they need it.
EMAIL_BACKEND_PATH = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DELIVERY_MAILER = {"BACKEND": EMAIL_BACKEND_PATH}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    DELIVERY_MAILER["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": envint("EMAIL_PORT", 587),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": envbool("EMAIL_USE_TLS", True),
        "timeout": envint("EMAIL_TIMEOUT", 30),
    }
elif EMAIL_BACKEND_PATH.endswith("filebased.EmailBackend"):
    DELIVERY_MAILER["OPTIONS"] = {
        "file_path": os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
    }
MAILERS = {
    "default": {"BACKEND": "outbox.backends.OutboxBackend"},
    "delivery": DELIVERY_MAILER,
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "KispFam <kispfam@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A send that fails is tried again after 1, 4, 16, 64 and 256 minutes: six attempts
# over about six hours, then the message is "failed" on the coordination office's outbox
# page. Sent messages keep their subject and state (not their text) this many days.
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", 6)
OUTBOX_KEEP_DAYS = envint("OUTBOX_KEEP_DAYS", 30)

# Django's task framework. Production: django-tasks-db keeps the queue in PostgreSQL, and
# ``manage.py db_worker`` processes it (any number of workers on any number of machines;
# a task enqueued inside a transaction commits with it, and a queued task survives a
# restart). Development and tests run each task at once, in the process that enqueues it.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate" if DEBUG or TESTING else "database")
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in TASK_BACKENDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}.")
# "mail" carries the outbox's deliveries, so that they never wait behind long work on
# "default"; a worker started with ``--queue-name '*'`` (the README's unit) takes both.
TASK_QUEUES = ["default", "mail"]
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND], "QUEUES": TASK_QUEUES}}
# The health endpoint reports the task queue unhealthy when a task has been waiting for a
# worker longer than this.
TASKS_BACKLOG_MINUTES = envint("TASKS_BACKLOG_MINUTES", 15)

# Cache: Redis in production (Django's own backend), local memory in development and
# tests. Sessions are written to the database and read from the cache.
CACHE_URL = os.environ.get(
    "CACHE_URL", "locmem://" if DEBUG or TESTING else "redis://127.0.0.1:6379/0"
)


def cache_from_url(url: str) -> dict:
    """``redis://host:port/db`` (also ``rediss://``), ``locmem://`` or ``dummy://``."""
    scheme = url.split("://", 1)[0]
    if scheme in ("redis", "rediss"):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "kispfam",
            # A cache that does not answer within a second fails fast instead of holding
            # the request; cached_db sessions then fall back to the database.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"CACHE_URL: unknown scheme {scheme!r}.")


CACHES = {"default": cache_from_url(CACHE_URL)}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Security: safe by default, relaxed only in development.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
# The load balancer asks the health endpoint over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not DEBUG and not TESTING
CSRF_COOKIE_SECURE = not DEBUG and not TESTING
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 60 * 60)
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every layout step at INFO.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}

# Demo data: the password every demo account gets (development only), and the TOTP secret
# (base32) of every demo account's authenticator (``oathtool --totp -b <secret>``).
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "kispfam-demo")
DEMO_TOTP_SECRET = os.environ.get("DEMO_TOTP_SECRET", "KISPFAMDEMOTOTPKISPFAMDEMOTOTP22")

# OParl export: the licence URL given as ``license`` on the System and the Body, i.e. for
# every object the export publishes (OParl 1.1 §3.1). Default: Creative Commons
# Attribution 4.0; an empty value leaves ``license`` out.
OPARL_LICENSE = os.environ.get("OPARL_LICENSE", "https://creativecommons.org/licenses/by/4.0/")

if TESTING:
    # Hashing strength is not under test; a fast hasher keeps persona fixtures cheap.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Whitenoise serves the collected files in production; in development and tests it
# finds them in place.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# SQLite (demo, quick local tests) ignores the covering columns of the case list's index;
# PostgreSQL, the production database, uses them. Nothing else is silenced.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
