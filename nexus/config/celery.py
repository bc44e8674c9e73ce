"""The Celery application; every setting comes from Django's ``CELERY_*`` settings."""

import os

from celery import Celery

import nexus.core.metrics  # noqa: F401 — task and worker signal handlers for /metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.config.settings.base")

app = Celery("nexus")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
