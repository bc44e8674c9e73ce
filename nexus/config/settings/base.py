"""Settings for every mode, read from the environment.

With no environment set, Nexus Commerce runs embedded: a SQLite file, an in-process
cache, background work run in-process after commit and email printed to the console.
Setting ``DATABASE_URL``, ``REDIS_URL`` and ``CELERY_BROKER_URL`` moves it onto
PostgreSQL, Redis and RabbitMQ. ``NEXUS_ENV=production`` turns on the production
guards: secrets must be given, cookies are secure, logs are JSON.
"""

from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured

from nexus.core.logging import configure_logging

# Lets Django's generic classes be subscripted at run time, as the type stubs expect.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parents[3]

env = environ.Env()

NEXUS_ENV = env.str("NEXUS_ENV", default="development")
if NEXUS_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"NEXUS_ENV must be development, test or production, not {NEXUS_ENV!r}"
    )
PRODUCTION = NEXUS_ENV == "production"

# Where the embedded mode keeps its SQLite file and uploaded media.
DATA_DIR = Path(env.str("NEXUS_DATA_DIR", default=str(BASE_DIR / "var")))


def _secret(name: str, dev_default: str) -> str:
    """A secret: required in production, a fixed throwaway value elsewhere."""
    if PRODUCTION:
        return str(env.str(name))  # raises ImproperlyConfigured when missing
    return str(env.str(name, default=dev_default))


SECRET_KEY = _secret("DJANGO_SECRET_KEY", "insecure-development-key-never-use-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production")
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "nexus.api.rest.errors.csrf_failure"

INSTALLED_APPS = [
    "nexus.config.admin.NexusAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "django_countries",
    "treebeard",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "nexus.core",
    "nexus.accounts",
    "nexus.catalog",
    "nexus.inventory",
    "nexus.shipping",
    "nexus.taxes",
    "nexus.discounts",
    "nexus.orders",
    "nexus.payments",
    "nexus.checkout",
    "nexus.notifications",
    "nexus.webhooks",
    "nexus.exports",
    "nexus.imports",
    "nexus.reports",
    "nexus.demo",
]

MIDDLEWARE = [
    # First and last: request counts and latency by view (django-prometheus).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "nexus.core.middleware.RequestContextMiddleware",
    "nexus.api.rest.middleware.ProbeMiddleware",
    "nexus.api.rest.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "nexus.core.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "nexus.config.urls"
WSGI_APPLICATION = "nexus.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Data ------------------------------------------------------------------

if "DATABASE_URL" not in env:
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # the embedded mode's SQLite file lives here
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'nexus.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    # A short connect timeout keeps /readyz and start-up from hanging on a dead server.
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )
    # The planner's default (4) prices random reads for spinning disks: on SSD storage
    # it seq-scanned 100,000 products for a trigram match the GIN index answers in a
    # third of the time. Empty leaves the server's value (needed behind a pooler that
    # rejects startup options).
    random_page_cost = env.str("DATABASE_RANDOM_PAGE_COST", default="1.1")
    if random_page_cost:
        DATABASES["default"]["OPTIONS"].setdefault(
            "options", f"-c random_page_cost={float(random_page_cost)}"
        )
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The sales index's covering columns are for PostgreSQL; SQLite builds it without them.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# The same engines, with query counts, errors and timings for /metrics (django-prometheus).
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends.", 1
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "nexus.core.cache.MeasuredRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="nexus"),
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
            },
        }
    }
    # A Redis outage degrades the API (no response cache, no rate limits) instead of
    # failing every request; /readyz reports it and the errors are logged.
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    # Files, not process memory: every web worker process sees the same cache, so a
    # catalog write or a rate limit counts across all of them.
    CACHES = {
        "default": {
            "BACKEND": "django_prometheus.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# --- Background work ---------------------------------------------------------

from celery.schedules import crontab  # noqa: E402 — the beat schedule below needs it

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
# Without a real broker, tasks run in the web process (after commit, where callers
# use on_commit), so the embedded mode needs no worker.
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory://")
)
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged when it finished, and given back if its worker died, so no
# task is lost; tasks are written to be idempotent for the redelivery this can cause.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
# Publisher confirms: a publish returns only once RabbitMQ has the message.
CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Durable queues (kombu's default), one per kind of work so that a slow kind does not
# hold up the others; persistent messages are Celery's default delivery mode.
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = {
    name: {"exchange": name, "routing_key": name}
    for name in ("default", "email", "webhooks", "payments", "reports")
}
CELERY_TASK_ROUTES = {
    "nexus.payments.tasks.*": {"queue": "payments"},
    "nexus.notifications.tasks.*": {"queue": "email"},
    "nexus.webhooks.tasks.*": {"queue": "webhooks"},
    "nexus.reports.tasks.*": {"queue": "reports"},
    "nexus.exports.tasks.*": {"queue": "reports"},
    "nexus.imports.tasks.*": {"queue": "reports"},
}
# Run by Celery beat (`make beat`); every schedule of the shop is here.
CELERY_BEAT_SCHEDULE = {
    "sweep-expired-reservations": {
        "task": "nexus.inventory.tasks.sweep_expired_reservations",
        "schedule": 300.0,
    },
    "cancel-unpaid-orders": {
        "task": "nexus.orders.tasks.cancel_unpaid_orders",
        "schedule": 60.0,
    },
    "purge-abandoned-carts": {
        "task": "nexus.checkout.tasks.purge_abandoned_carts",
        "schedule": 24 * 3600.0,
    },
    "daily-sales-summary": {
        "task": "nexus.notifications.tasks.send_daily_sales_summary",
        "schedule": crontab(hour=6, minute=0),
    },
    "requeue-payment-events": {
        "task": "nexus.payments.tasks.requeue_payment_events",
        "schedule": 120.0,
    },
    # The relay process (`make relay`) publishes at once; this covers its absence.
    "relay-outbox": {
        "task": "nexus.core.tasks.relay_outbox",
        "schedule": 30.0,
    },
    "send-due-webhooks": {
        "task": "nexus.webhooks.tasks.send_due_webhooks",
        "schedule": 15.0,
    },
    "delete-expired-idempotency-records": {
        "task": "nexus.core.tasks.delete_expired_idempotency_records",
        "schedule": 3600.0,
    },
}

# --- Outgoing webhooks ------------------------------------------------------

OUTGOING_WEBHOOK_TIMEOUT_SECONDS = env.float("OUTGOING_WEBHOOK_TIMEOUT_SECONDS", default=10.0)
OUTGOING_WEBHOOK_MAX_ATTEMPTS = env.int("OUTGOING_WEBHOOK_MAX_ATTEMPTS", default=8)
# Retry n waits base * 4^(n-1) (capped at 6 h, ±20 %): 30 s, 2 min, 8 min, 32 min, 2 h, 6 h…
OUTGOING_WEBHOOK_RETRY_BASE_SECONDS = env.float("OUTGOING_WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
# Subscriber URLs on loopback, private or link-local addresses are refused unless this
# is set (a shop whose receivers live on its own network; local development).
OUTGOING_WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("OUTGOING_WEBHOOK_ALLOW_PRIVATE_URLS", default=False)

# --- Email ------------------------------------------------------------------

_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Nexus Commerce <shop@localhost>")

# --- Accounts and auth ------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=10)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=14)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    # Pinned: a token naming any other algorithm (``none`` included) is rejected.
    "ALGORITHM": "HS256",
    "SIGNING_KEY": _secret("JWT_SIGNING_KEY", SECRET_KEY),
    "AUDIENCE": env.str("JWT_AUDIENCE", default="nexus-commerce"),
    "ISSUER": env.str("JWT_ISSUER", default="nexus-commerce"),
    "LEEWAY": 0,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}
if SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] > timedelta(minutes=15):
    raise ImproperlyConfigured("JWT_ACCESS_MINUTES must be 15 or less")

# Throttle rates: login and registration are limited per client IP and per account.
THROTTLE_RATES = {
    "auth_ip": env.str("THROTTLE_AUTH_IP", default="20/min"),
    "auth_account": env.str("THROTTLE_AUTH_ACCOUNT", default="5/min"),
    "anon": env.str("THROTTLE_ANON", default="300/min"),
    "user": env.str("THROTTLE_USER", default="1200/min"),
}
# Number of trusted reverse proxies in front of the app; 0 trusts REMOTE_ADDR only,
# so a client cannot dodge the IP limits with a forged X-Forwarded-For.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

# --- Shop -----------------------------------------------------------------------

# ISO 4217 code of the shop's currency; every price is in it.
SHOP_CURRENCY = env.str("SHOP_CURRENCY", default="EUR")
SHOP_NAME = env.str("SHOP_NAME", default="Nexus Commerce")
# The storefront page that takes ?uid=…&token=… and posts them with the new password.
PASSWORD_RESET_URL = env.str("PASSWORD_RESET_URL", default="http://localhost:3000/reset-password")
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
CART_MAX_LINE_QUANTITY = env.int("CART_MAX_LINE_QUANTITY", default=100)
CART_MAX_LINES = env.int("CART_MAX_LINES", default=100)
CART_ABANDONED_DAYS = env.int("CART_ABANDONED_DAYS", default=30)
# True: catalog prices include tax (shown to consumers, as in the EU); False: tax is
# added on top at checkout.
PRICES_INCLUDE_TAX = env.bool("PRICES_INCLUDE_TAX", default=True)
# --- Payments -----------------------------------------------------------------
PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY", default="sandbox")
# The sandbox signs its events with this. In production it has no default: a known
# secret would let anyone post a "payment succeeded" event.
SANDBOX_WEBHOOK_SECRET = env.str(
    "SANDBOX_WEBHOOK_SECRET", default="" if PRODUCTION else "sandbox-development-secret"
)
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
# Events signed longer ago than this are refused (replays of old events).
WEBHOOK_TOLERANCE_SECONDS = env.int("WEBHOOK_TOLERANCE_SECONDS", default=300)

CHECKOUT_RESERVATION_MINUTES = env.int("CHECKOUT_RESERVATION_MINUTES", default=15)
ORDER_UNPAID_CANCEL_MINUTES = env.int("ORDER_UNPAID_CANCEL_MINUTES", default=60)
# Full-text search dictionary (PostgreSQL text search configuration).
SEARCH_CONFIG = env.str("SEARCH_CONFIG", default="english")
# Public catalog responses: kept server-side this long (a catalog write drops them at
# once; stock levels shown may lag by up to this), and by clients this long.
CATALOG_CACHE_SECONDS = env.int("CATALOG_CACHE_SECONDS", default=60)
CATALOG_CLIENT_MAX_AGE = env.int("CATALOG_CLIENT_MAX_AGE", default=0)

# --- REST API ---------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["nexus.api.rest.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["nexus.api.rest.parsers.ORJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "nexus.api.rest.pagination.CursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "nexus.api.rest.throttles.AnonRateThrottle",
        "nexus.api.rest.throttles.UserRateThrottle",
    ],
    "NUM_PROXIES": NUM_PROXIES,
    "EXCEPTION_HANDLER": "nexus.api.rest.errors.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "nexus.api.rest.schema.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_PAGE_SIZE = 20
API_MAX_PAGE_SIZE = 100
# Largest request body the API accepts; larger ones get 413 before being read.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
# Multipart uploads (product images) may be larger; the files go to disk, not memory.
API_MAX_UPLOAD_BYTES = env.int("API_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES

SPECTACULAR_SETTINGS = {
    "TITLE": "Nexus Commerce API",
    "DESCRIPTION": (
        "A headless e-commerce backend. Authenticate with `POST /api/v1/auth/token/` and send "
        "`Authorization: Bearer <access>`. Errors are `application/problem+json` (RFC 9457) "
        "with a stable `code`; lists use cursor pagination."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "nexus.orders.models.Order.Status",
        "CartStatusEnum": ["open", "merged", "ordered"],
        "PaymentStatusEnum": "nexus.payments.models.Payment.Status",
        "WebhookDeliveryStatusEnum": "nexus.webhooks.models.WebhookDelivery.Status",
        "ExportFormatEnum": "nexus.exports.models.ExportFormat",
        "ImportFormatEnum": "nexus.imports.models.ImportJob.FileFormat",
        "SchemaFormatEnum": ["json", "yaml"],
    },
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}

# --- GraphQL ------------------------------------------------------------------

# GraphiQL at /graphql/ in a browser: on in development, off in production.
GRAPHQL_IDE = env.bool("GRAPHQL_IDE", default=not PRODUCTION)
GRAPHQL_MAX_DEPTH = env.int("GRAPHQL_MAX_DEPTH", default=10)
GRAPHQL_MAX_ALIASES = env.int("GRAPHQL_MAX_ALIASES", default=30)
# Fields count 1, multiplied by the page size of each connection above them.
GRAPHQL_MAX_COST = env.int("GRAPHQL_MAX_COST", default=5000)

# --- Health -----------------------------------------------------------------

HEALTH_CHECK_TIMEOUT_SECONDS = env.float("HEALTH_CHECK_TIMEOUT_SECONDS", default=2.0)

# --- i18n, static -----------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(DATA_DIR / "static")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security ---------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Asking browsers to hard-code HTTPS for the domain cannot be taken back quickly:
    # the shop opts in (and then submits its domain to the preload list) itself.
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Logging ----------------------------------------------------------------

LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "console")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = configure_logging(LOG_FORMAT, LOG_LEVEL)
