"""The shop's own Prometheus instruments, counted where things happen.

Requests, database queries and cache reads are counted by django-prometheus; what
only the shop knows (orders, checkout failures, payment outcomes, background tasks,
outbox publishing) is counted here. Counters live in the process that counts; with
several processes (granian workers, Celery's pool) ``PROMETHEUS_MULTIPROC_DIR`` makes
prometheus_client keep them in files that ``/metrics`` and the worker's metrics port
add up.
"""

import functools
import os
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from celery import signals
from celery.app.task import Task
from django.db import transaction
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    multiprocess,
    start_http_server,
)

from nexus.core.errors import DomainError

# A *_created sample per series doubles every scrape and no rule of ours reads it.
disable_created_metrics()  # type: ignore[no-untyped-call]

ORDERS_PLACED = Counter("nexus_orders_placed", "Orders placed at checkout (committed).")
CHECKOUT_FAILURES = Counter(
    "nexus_checkout_failures",
    "Checkout attempts refused by a rule of the shop, by error code.",
    ["code"],
)
PAYMENT_EVENTS = Counter(
    "nexus_payment_events",
    "Payment provider events applied to payments, by outcome.",
    ["outcome"],
)
TASK_RUNS = Counter(
    "nexus_task_runs",
    "Background task runs by queue, task and outcome (success, failure, retry).",
    ["queue", "task", "outcome"],
)
TASK_DURATION = Histogram(
    "nexus_task_duration_seconds",
    "Time a background task ran, by queue.",
    ["queue"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)

OUTBOX_PUBLISHED = Counter(
    "nexus_outbox_published",
    "Outbox events published to the broker (by the relay, or beat's relay task).",
)
OUTBOX_PUBLISH_FAILURES = Counter(
    "nexus_outbox_publish_failures",
    "Attempts to publish an outbox event that the broker refused (the event waits).",
)

P = ParamSpec("P")
R = TypeVar("R")


def count_refusals(counter: Counter) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Count the domain errors a service raises, by their code, and let them go on."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def counted(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return function(*args, **kwargs)
            except DomainError as error:
                counter.labels(code=error.code).inc()
                raise

        return counted

    return decorate


def count_on_commit(counter: Counter, **labels: str) -> None:
    """Count once the current transaction commits; a rolled-back one counts nothing."""
    child = counter.labels(**labels) if labels else counter
    transaction.on_commit(child.inc)


def outcome_label(outcome: str) -> str:
    """A bounded label from a free-text outcome: "ignored: out of order" -> "ignored"."""
    return outcome.split(":", 1)[0].strip().replace(" ", "_") or "unknown"


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def process_registry() -> CollectorRegistry:
    """What this process's instruments say: all processes' when they share a directory."""
    if multiprocess_dir() is None:
        return REGISTRY
    registry = CollectorRegistry(auto_describe=False)
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


# Background tasks: counted in the process that runs them (a pool child).
_started: dict[str, float] = {}


def _queue(task: Task[Any, Any]) -> str:
    delivery = getattr(task.request, "delivery_info", None) or {}
    # Eagerly run tasks (the embedded mode) never went through a queue.
    return str(delivery.get("routing_key") or "inline")


@signals.task_prerun.connect
def _task_started(task_id: str, **_: object) -> None:
    _started[task_id] = time.perf_counter()


@signals.task_postrun.connect
def _task_finished(task_id: str, task: Task[Any, Any], state: str | None, **_: object) -> None:
    started = _started.pop(task_id, None)
    queue = _queue(task)
    outcome = {"SUCCESS": "success", "RETRY": "retry"}.get(state or "", "failure")
    TASK_RUNS.labels(queue=queue, task=task.name, outcome=outcome).inc()
    if started is not None:
        TASK_DURATION.labels(queue=queue).observe(time.perf_counter() - started)


def serve_metrics(port_variable: str) -> None:
    """Serve this process's counters over HTTP on the port the variable names, if set.

    For the processes without a web server of their own (workers, relays): the web
    processes' /metrics cannot see their counters, which live in other directories.
    """
    port = os.environ.get(port_variable)
    if port:
        start_http_server(int(port), registry=process_registry())


@signals.worker_init.connect
def _serve_worker_metrics(**_: object) -> None:
    """Started in the worker's main process, which outlives the pool children whose
    files it reads."""
    serve_metrics("NEXUS_WORKER_METRICS_PORT")
