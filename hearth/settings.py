"""Hearth settings: one module, configured from the environment (see docs/ARCHITECTURE.md, "Configuration")."""

import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from hearth.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("HEARTH_VAR_DIR", str(BASE_DIR / "var")))


def _local_secret(name: str) -> str:
    """A random secret kept in var/ (made on first use, readable by its owner only) so a fresh clone just works."""
    key_file = VAR_DIR / name
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


def _secret_key() -> str:
    """Use HEARTH_SECRET_KEY when given; otherwise a random key kept in var/."""
    return env_str("HEARTH_SECRET_KEY") or _local_secret("secret_key")


def _audit_keys(base_domain: str) -> list[str]:
    """The keys that seal the audit log (audit/keys.py), one per line: the first seals, the others only verify
    blocks sealed before a rotation. Only a local setup (``localhost``, as ``make run``) falls back to a key kept in
    var/: a deployment must choose where its key lives, since a key invented at start-up would differ between
    servers and vanish with a container, leaving sealed blocks unverifiable."""
    configured = env_str("HEARTH_AUDIT_KEY")
    if not configured and base_domain == "localhost":
        configured = _local_secret("audit_key")
    keys = configured.split()
    if not keys:
        raise ImproperlyConfigured(
            "HEARTH_AUDIT_KEY or HEARTH_AUDIT_KEY_FILE must be set outside localhost (see docs/settings.md)."
        )
    if any(len(key) < 32 for key in keys):
        raise ImproperlyConfigured(
            "HEARTH_AUDIT_KEY: each key needs at least 32 characters, e.g. from "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'."
        )
    return keys


SECRET_KEY = _secret_key()
DEBUG = env_bool("HEARTH_DEBUG", False)

# Tenancy: each clinic is served at <slug>.<HEARTH_BASE_DOMAIN>.
HEARTH_BASE_DOMAIN = env_str("HEARTH_BASE_DOMAIN", "localhost").lower()
HEARTH_RESERVED_SLUGS = {"www", "app", "api", "admin", "support", "static", "mail", "status"}
# The vendor's support console answers on support.<HEARTH_BASE_DOMAIN> with its own URLs (console/urls.py).
HEARTH_SUPPORT_SLUG = "support"
HEARTH_SUPPORT_URLCONF = "console.urls"
HEARTH_VENDOR_IDLE_MINUTES = env_int("HEARTH_VENDOR_IDLE_MINUTES", 30)
ALLOWED_HOSTS = [HEARTH_BASE_DOMAIN, f".{HEARTH_BASE_DOMAIN}", *env_list("HEARTH_EXTRA_HOSTS", [])]
if HEARTH_BASE_DOMAIN == "localhost":
    # `make run`: http://127.0.0.1:8000/ is the bare domain too, answered with the demo clinics' addresses.
    ALLOWED_HOSTS += ["127.0.0.1", "[::1]"]
# What the bare domain answers (no clinic in the host): a welcome page, listing the demo clinics under localhost.
HEARTH_WELCOME_VIEW = "hearth.views.welcome"
HEARTH_PUBLIC_SCHEME = env_str("HEARTH_PUBLIC_SCHEME", "http" if HEARTH_BASE_DOMAIN == "localhost" else "https")
HEARTH_PUBLIC_PORT = env_str("HEARTH_PUBLIC_PORT", "8000" if HEARTH_BASE_DOMAIN == "localhost" else "")
# The PostgreSQL role that requests run as (SET ROLE), subject to row-level security. Empty: the login role is
# already restricted and no SET ROLE is needed.
HEARTH_DB_APP_ROLE = env_str("HEARTH_DB_APP_ROLE", "hearth_app")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "tenancy",
    "accounts",
    "audit",
    "core",
    "clients",
    "tickets",
    "reports",
    "scheduling",
    "notes",
    "measures",
    "console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hearth.middleware.PrivacyHeadersMiddleware",
    "tenancy.middleware.TenantMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "console.middleware.ConsoleBoundaryMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.MembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.uploads.RequestSizeLimitMiddleware",
    "accounts.middleware.SessionPolicyMiddleware",
    "accounts.middleware.MfaRequiredMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hearth.urls"
WSGI_APPLICATION = "hearth.wsgi.application"
ASGI_APPLICATION = "hearth.asgi.application"

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
                "accounts.context_processors.navigation",
                "tickets.context_processors.notifications",
                "measures.context_processors.safety_notices",
                "hearth.browsers.browser_support",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'hearth.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_db), conn_max_age=env_int("HEARTH_DB_CONN_MAX_AGE", 0)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Each process keeps a pool of connections (psycopg_pool through Django), which is safe under uvicorn where
    # persistent connections leak; tenancy resets the row-level-security role and clinic on every checkout and
    # return (tenancy/rls.py). HEARTH_DB_POOL_MAX=0 turns it off: a new connection per request.
    _pool_min, _pool_max = env_int("HEARTH_DB_POOL_MIN", 2), env_int("HEARTH_DB_POOL_MAX", 4)
    if _pool_max:
        if not 0 <= _pool_min <= _pool_max:
            raise ImproperlyConfigured("HEARTH_DB_POOL_MIN and _MAX need 0 <= MIN <= MAX (MAX=0: no pool)")
        if DATABASES["default"]["CONN_MAX_AGE"]:
            raise ImproperlyConfigured("HEARTH_DB_CONN_MAX_AGE must be 0 while the pool is on (HEARTH_DB_POOL_MAX)")
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": _pool_min, "max_size": _pool_max}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("HEARTH_REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

TASKS = {"default": {"BACKEND": env_str("HEARTH_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.signin.backends.ClinicMembershipBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.passwords.policy.ClinicPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 7  # invitation links stay valid for a week

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Uploaded chart documents and attachments: outside STATIC_ROOT, never served by WhiteNoise, no URLs (see
    # core/uploads.py); only access-checked views stream them.
    "private": {
        "BACKEND": "core.uploads.PrivateFileSystemStorage",
        "OPTIONS": {
            "location": env_str("HEARTH_PRIVATE_STORAGE_DIR", str(VAR_DIR / "private")),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
}
# The largest file one upload may carry; a request bigger than this plus the form fields is refused unread (413).
HEARTH_UPLOAD_MAX_BYTES = env_int("HEARTH_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
# Support-ticket attachments (screenshots, PDFs): smaller, and a few per form.
HEARTH_TICKET_ATTACHMENT_MAX_BYTES = env_int("HEARTH_TICKET_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
HEARTH_TICKET_ATTACHMENTS_PER_FORM = env_int("HEARTH_TICKET_ATTACHMENTS_PER_FORM", 5)

# Security headers and cookies.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = env_int("HEARTH_HSTS_SECONDS", 31536000)  # sent only over HTTPS
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_SSL_REDIRECT = env_bool("HEARTH_SSL_REDIRECT", False)
if env_bool("HEARTH_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("HEARTH_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 24 * 60 * 60  # an outer bound; each clinic's lifetime and idle timeout apply first
CSRF_FAILURE_VIEW = "hearth.views.csrf_failure"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("HEARTH_MAX_BODY_BYTES", 2_621_440)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

EMAIL_BACKEND = env_str("HEARTH_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("HEARTH_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("HEARTH_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("HEARTH_FROM_EMAIL", "Hearth <no-reply@hearth.localhost>")
# Appointment reminders: the text-message provider (a dotted path, see scheduling/reminders/sms.py), how long a
# reminder's confirm/cancel link works, and how many link visits one address may make.
HEARTH_SMS_BACKEND = env_str("HEARTH_SMS_BACKEND", "scheduling.reminders.sms.ConsoleSmsBackend")
HEARTH_REMINDER_LINK_DAYS = env_int("HEARTH_REMINDER_LINK_DAYS", 14)
HEARTH_REMINDER_LINK_RATE = env_str("HEARTH_REMINDER_LINK_RATE", "30/10m")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "client_error": {
            "()": "hearth.log_format.ClientErrorFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "security_console": {"class": "logging.StreamHandler", "formatter": "client_error"},
        "security_audit": {"class": "audit.logging.SecurityAuditHandler", "level": "WARNING"},
    },
    "root": {"handlers": ["console"], "level": env_str("HEARTH_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.security": {"handlers": ["security_console", "security_audit"], "level": "WARNING", "propagate": False},
        "axes": {"level": "ERROR"},  # lockouts are audit events; per-attempt chatter would log usernames
        "psycopg.pool": {"level": "WARNING"},  # not a line per checkout; discarded connections still show
    },
}

# The audit log (audit/README.md): the sealer's keys, kept out of the database, and where it exports checkpoints
# of the blocks it seals (a directory on other storage, e.g. synced to a write-once object store; empty: none).
HEARTH_AUDIT_KEYS = _audit_keys(HEARTH_BASE_DOMAIN)
HEARTH_AUDIT_CHECKPOINT_PATH = env_str("HEARTH_AUDIT_CHECKPOINT_PATH")

# How many reverse proxies (load balancer, TLS terminator) stand in front of the app and append X-Forwarded-For.
HEARTH_TRUSTED_PROXY_HOPS = env_int("HEARTH_TRUSTED_PROXY_HOPS", 0)

# Sign-in throttling (django-axes), NIST SP 800-63B 5.2.2: from the clinic's threshold on, timed locks that double
# (1 minute up to an hour); 100 consecutive failures lock until an administrator unlocks. accounts/signin/lockout.py.
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "accounts.signin.lockout.lockout_key"
AXES_FAILURE_LIMIT = "accounts.signin.lockout.failure_limit"
AXES_LOCKOUT_CALLABLE = "accounts.signin.lockout.locked_out_response"
AXES_CLIENT_IP_CALLABLE = "audit.request_info.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_COOLOFF_TIME = "accounts.signin.lockout.cool_off"
AXES_HANDLER = "accounts.signin.lockout.ThrottleHandler"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "new_password1", "new_password2", "old_password", "code"]

# Throttling of sign-in endpoints by client address (django-ratelimit), on top of per-account throttling: every
# step counts toward a ceiling an office behind one address never reaches; failures count toward tighter limits per
# address and per (address, account). accounts/signin/ratelimits.py.
RATELIMIT_VIEW = "hearth.views.rate_limited"
HEARTH_AUTH_RATE = env_str("HEARTH_AUTH_RATE", "600/10m")
HEARTH_AUTH_FAILURE_RATE = env_str("HEARTH_AUTH_FAILURE_RATE", "60/10m")
HEARTH_AUTH_ACCOUNT_FAILURE_RATE = env_str("HEARTH_AUTH_ACCOUNT_FAILURE_RATE", "10/10m")
HEARTH_SSO_RATE = env_str("HEARTH_SSO_RATE", "120/10m")
# Calendar feeds (scheduling/feeds/views.py): per link, and per address (an office shares one).
HEARTH_FEED_RATE = env_str("HEARTH_FEED_RATE", "30/10m")
HEARTH_FEED_ADDRESS_RATE = env_str("HEARTH_FEED_ADDRESS_RATE", "600/10m")
# Per-address throttling is django-ratelimit's job here (accounts/signin/ratelimits.py), so axes locks by account only.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Single sign-on: accept http:// issuers (a provider on this machine) only when asked, e.g. in tests.
HEARTH_SSO_ALLOW_INSECURE_ISSUER = env_bool("HEARTH_SSO_ALLOW_INSECURE_ISSUER", False)

# Two-step sign-in (django-otp): authenticator-app codes and single-use recovery codes.
OTP_TOTP_ISSUER = "Hearth"
OTP_TOTP_THROTTLE_FACTOR = 1  # each wrong code doubles the wait before the next attempt is checked
