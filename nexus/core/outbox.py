"""The transactional outbox: domain events leave through rows written with the change.

``emit`` writes the row inside the caller's transaction and wakes the relay: on
PostgreSQL by ``NOTIFY``, which the server delivers only if the transaction commits;
in the embedded mode by relaying in-process right after the commit. A web request
never talks to the broker, so a broker outage cannot slow or fail it.

``relay`` publishes unsent rows to Celery under ``SELECT … FOR UPDATE SKIP LOCKED``,
so several relays never publish one row at the same time, and marks them sent in the
same transaction; a relay that dies before that commit leaves them unsent, to be
published again. A broker that is down leaves them waiting. Consumers subscribe with
``consumer`` and run at most once per event.
"""

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from nexus.core.metrics import OUTBOX_PUBLISH_FAILURES, OUTBOX_PUBLISHED
from nexus.core.models import OutboxEvent, ProcessedEvent
from nexus.core.task_context import current_request_id

logger = structlog.get_logger(__name__)

Handler = Callable[[int, Mapping[str, Any]], None]
_consumers: dict[str, list[tuple[str, Handler]]] = {}


def consumer(topic: str, name: str) -> Callable[[Handler], Handler]:
    """Subscribe a function to a topic; ``name`` identifies it for at-most-once runs."""

    def register(handler: Handler) -> Handler:
        _consumers.setdefault(topic, []).append((name, handler))
        return handler

    return register


# The PostgreSQL channel the relay process listens on (``manage.py relay_outbox``).
CHANNEL = "nexus_outbox"


def emit(topic: str, payload: Mapping[str, Any]) -> OutboxEvent:
    event = OutboxEvent.objects.create(
        topic=topic, payload=dict(payload), request_id=current_request_id()
    )
    if settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(_relay_in_process, robust=True)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")  # sent at commit, dropped on rollback
    return event


def _relay_in_process() -> None:
    relay()


def relay(*, batch: int = 100) -> int:
    """Publish up to ``batch`` unsent events in order; returns how many were sent."""
    from nexus.core.tasks import deliver_event  # noqa: PLC0415

    sent: list[int] = []
    with transaction.atomic():
        rows = OutboxEvent.objects.filter(sent_at__isnull=True).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        for event in rows[:batch]:
            try:
                with structlog.contextvars.bound_contextvars(request_id=event.request_id or None):
                    deliver_event.apply_async(args=(event.pk, event.topic, event.payload))
            except Exception as exc:  # noqa: BLE001 — kept for the next run, with the reason
                OutboxEvent.objects.filter(pk=event.pk).update(
                    attempts=F("attempts") + 1, last_error=repr(exc)[:2000]
                )
                logger.warning("outbox_publish_failed", event_id=event.pk, error=repr(exc))
                OUTBOX_PUBLISH_FAILURES.inc()
                break
            sent.append(event.pk)
        OutboxEvent.objects.filter(pk__in=sent).update(
            sent_at=timezone.now(), attempts=F("attempts") + 1
        )
    # The batch's transaction has committed (its callers run it outside any other).
    OUTBOX_PUBLISHED.inc(len(sent))
    return len(sent)


def deliver(event_id: int, topic: str, payload: Mapping[str, Any]) -> None:
    """Run every consumer of the topic once for this event."""
    for name, handler in _consumers.get(topic, []):
        with transaction.atomic():
            try:
                with transaction.atomic():
                    ProcessedEvent.objects.create(event_id=event_id, consumer=name)
            except IntegrityError:
                logger.info("outbox_event_already_handled", event_id=event_id, consumer=name)
                continue  # a redelivery
            # The handler's own errors propagate (and roll its mark back) for a retry.
            handler(event_id, payload)


def lag() -> timedelta | None:
    """Age of the oldest unsent event (None when none waits): the relay's backlog."""
    oldest = (
        OutboxEvent.objects.filter(sent_at__isnull=True).order_by("pk").values("created_at").first()
    )
    return timezone.now() - oldest["created_at"] if oldest else None


def unsent_count() -> int:
    return OutboxEvent.objects.filter(sent_at__isnull=True).count()
