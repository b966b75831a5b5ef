"""Kinship settings: everything comes from the environment, with safe single-machine defaults."""

import ipaddress
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from kinship.env import database_from_url, email_from_url, env, env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for a development key).")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105 - DEBUG only  # nosec B105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
HTTPS = env_bool("HTTPS", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "template_partials",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "kinship.core",
    "kinship.accounts",
    "kinship.notifications",
    "kinship.circles",
    "kinship.discussions",
    "kinship.events",
    "kinship.qa",
    "kinship.library",
    "kinship.search",
    "kinship.peers",
    "kinship.journal",
    "kinship.safety",
    "kinship.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: it leaves a message for the sign-in page it sends a suspended member to.
    "kinship.safety.middleware.SuspendedSignOutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "kinship.core.middleware.ErrorMiddleware",
]
# Reverse proxies and load balancers (addresses or networks) whose X-Forwarded-For names the visitor:
# rate limits count per visitor, not per proxy (kinship.core.proxy). A typo stops start-up.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    ipaddress.ip_network(_proxy, strict=False)  # ValueError names the bad entry
if TRUSTED_PROXIES:
    MIDDLEWARE.insert(0, "kinship.core.proxy.ForwardedForMiddleware")

ROOT_URLCONF = "kinship.urls"
WSGI_APPLICATION = "kinship.wsgi.application"

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
            ],
            "builtins": ["kinship.core.templatetags.kinship"],
        },
    },
    # Only for fragments drawn many times per page; see kinship/core/jinja.py.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "APP_DIRS": True,
        "OPTIONS": {"environment": "kinship.core.jinja.environment"},
    },
]

DATABASES = {"default": database_from_url(env("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'kinship.sqlite3'}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A read replica of the primary: a few read-only pages read from it (kinship.core.db_router).
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL")
# How long after a member's post their pages keep reading the primary: longer than the replica's lag.
REPLICA_PIN_SECONDS = int(env("DATABASE_REPLICA_PIN_SECONDS", "10"))
if DATABASE_REPLICA_URL:
    # In tests the replica is the test database itself, under a second connection.
    DATABASES["replica"] = {**database_from_url(DATABASE_REPLICA_URL), "TEST": {"MIRROR": "default"}}
    DATABASE_ROUTERS = ["kinship.core.db_router.ReplicaRouter"]
    # Last: the replica scope wraps only the view, never sessions, sign-in or CSRF.
    MIDDLEWARE.append("kinship.core.db_router.ReplicaReadsMiddleware")

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kinship",
            # A stalled Redis fails a request in seconds instead of holding its thread for good.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Live updates (kinship.core.live): each server-sent-event stream holds a server thread, so a
# process keeps at most this many open (the rest poll) and ends each after a minute.
LIVE_MAX_STREAMS = 8
LIVE_STREAM_SECONDS = 55

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["kinship.accounts.backends.KinshipBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

LANGUAGE_CODE = "en"
TIME_ZONE = env("TIME_ZONE", "UTC")
# English only for now; with translation off every template lookup is measurably cheaper.
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))

# Requests stay small: posts are at most 20,000 characters, avatars 2 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

_email = email_from_url(env("EMAIL_URL", "console://"))
globals().update(_email)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Kinship <no-reply@kinship.local>")
# Where links in emails (reminders, unsubscribe) point: mail is sent outside any request.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Searches per client (account, or address when signed out) per minute; 0 turns the limit off (benchmarks).
SEARCH_RATE_LIMIT = int(env("SEARCH_RATE_LIMIT", "60"))
# Posting pace per member per hour; 0 turns a limit off (load tests).
TOPICS_PER_HOUR = int(env("TOPICS_PER_HOUR", "20"))
REPLIES_PER_HOUR = int(env("REPLIES_PER_HOUR", "120"))

# Background work (reminders, email) through Django's tasks API, stored in the database and run
# by `manage.py run_worker`, which `make run` starts beside the web server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Everything the pages need comes from this site: no inline script or style, no plugins, no framing.
# Only the API's browsable docs (Swagger UI from its CDN, with an inline starter script) are left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# No page uses these device features; saying so stops any injected content from asking.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if not host.startswith(".")]
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Versions of the terms and privacy notice members accept at sign-up.
TERMS_VERSION = "2026-11"
# How long an email verification or change link stays valid.
VERIFY_LINK_MAX_AGE = 60 * 60 * 24 * 3

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
