"""The Celery application; every setting comes from Django's ``CELERY_*`` settings."""

import os

from celery import Celery, signals

import nexus.core.metrics  # noqa: F401 — task and worker signal handlers for /metrics
from nexus.core.tracing import configure_tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.config.settings.base")

app = Celery("nexus")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_process_init.connect
def _trace_pool_process(**_: object) -> None:
    # In each pool process: the exporter's thread would not survive the fork.
    configure_tracing("nexus-worker")
