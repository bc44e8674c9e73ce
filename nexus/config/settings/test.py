"""Settings for the test suite: the real PostgreSQL, Redis and RabbitMQ on this machine.

Each service defaults to its standard local port; set DATABASE_URL, REDIS_URL or
CELERY_BROKER_URL to point the tests elsewhere.
"""

import os

os.environ.setdefault("NEXUS_ENV", "test")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nexus")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
os.environ.setdefault("CACHE_KEY_PREFIX", f"nexus-test-{os.getpid()}")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from nexus.config.settings.base import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A worker process started by a test sends to that test's SMTP server.
if os.environ.get("TEST_EMAIL_URL"):
    _test_email = env.email_url("TEST_EMAIL_URL")
    EMAIL_BACKEND = _test_email["EMAIL_BACKEND"]
    EMAIL_HOST, EMAIL_PORT = _test_email["EMAIL_HOST"], _test_email["EMAIL_PORT"]
# Tasks run inline where they are sent (after commit); the tests that need a real
# worker on RabbitMQ start one and switch this off for their duration.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "true") == "true"
# Static files are served from the apps' folders; no collectstatic before tests.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
