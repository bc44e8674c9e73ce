"""The bench's settings without the per-request metrics: no django-prometheus
middleware, database engine or cache backend, and no timing of cache operations.
The bench serves both side by side to measure what those cost per request."""

from bench.settings import *  # noqa: F403
from bench.settings import CACHES, DATABASES, MIDDLEWARE

MIDDLEWARE = [name for name in MIDDLEWARE if not name.endswith("PrometheusBeforeMiddleware")]
MIDDLEWARE = [name for name in MIDDLEWARE if not name.endswith("PrometheusAfterMiddleware")]
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django_prometheus.db.backends.", "django.db.backends.", 1
)
CACHES["default"]["BACKEND"] = "django_redis.cache.RedisCache"
