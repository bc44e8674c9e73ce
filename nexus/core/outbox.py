"""The transactional outbox: domain events leave through rows written with the change.

``emit`` writes the row inside the caller's transaction and, after the commit, nudges
the relay (at once in the embedded mode). ``relay`` publishes unsent rows to Celery
under ``SELECT … FOR UPDATE SKIP LOCKED``, so several relays never publish one row at
the same time, and marks them sent; a broker that is down leaves them waiting.
Consumers subscribe with ``consumer`` and run at most once per event.
"""

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import structlog
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from nexus.core.models import OutboxEvent, ProcessedEvent

logger = structlog.get_logger(__name__)

Handler = Callable[[int, Mapping[str, Any]], None]
_consumers: dict[str, list[tuple[str, Handler]]] = {}


def consumer(topic: str, name: str) -> Callable[[Handler], Handler]:
    """Subscribe a function to a topic; ``name`` identifies it for at-most-once runs."""

    def register(handler: Handler) -> Handler:
        _consumers.setdefault(topic, []).append((name, handler))
        return handler

    return register


def emit(topic: str, payload: Mapping[str, Any]) -> OutboxEvent:
    event = OutboxEvent.objects.create(topic=topic, payload=dict(payload))
    transaction.on_commit(_nudge_relay)
    return event


def _nudge_relay() -> None:
    """Ask for a relay run soon; the periodic relay covers a nudge that is lost."""
    from nexus.core.tasks import relay_outbox  # noqa: PLC0415 — tasks import this module

    try:
        relay_outbox.delay()
    except Exception:
        logger.warning("outbox_nudge_failed", exc_info=True)


def relay(*, batch: int = 100) -> int:
    """Publish up to ``batch`` unsent events in order; returns how many were sent."""
    from nexus.core.tasks import deliver_event  # noqa: PLC0415

    sent = 0
    with transaction.atomic():
        rows = OutboxEvent.objects.filter(sent_at__isnull=True).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        for event in rows[:batch]:
            try:
                deliver_event.apply_async(args=(event.pk, event.topic, event.payload))
            except Exception as exc:  # noqa: BLE001 — kept for the next run, with the reason
                OutboxEvent.objects.filter(pk=event.pk).update(
                    attempts=event.attempts + 1, last_error=repr(exc)[:2000]
                )
                logger.warning("outbox_publish_failed", event_id=event.pk, error=repr(exc))
                break
            OutboxEvent.objects.filter(pk=event.pk).update(
                sent_at=timezone.now(), attempts=event.attempts + 1
            )
            sent += 1
    return sent


def deliver(event_id: int, topic: str, payload: Mapping[str, Any]) -> None:
    """Run every consumer of the topic once for this event."""
    for name, handler in _consumers.get(topic, []):
        with transaction.atomic():
            try:
                with transaction.atomic():
                    ProcessedEvent.objects.create(event_id=event_id, consumer=name)
            except IntegrityError:
                continue  # handled before: a redelivery
            # The handler's own errors propagate (and roll its mark back) for a retry.
            handler(event_id, payload)


def lag() -> timedelta | None:
    """Age of the oldest unsent event (None when none waits): the relay's backlog."""
    oldest = (
        OutboxEvent.objects.filter(sent_at__isnull=True).order_by("pk").values("created_at").first()
    )
    return timezone.now() - oldest["created_at"] if oldest else None
