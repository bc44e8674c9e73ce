from typing import Any

from celery import shared_task
from django.db import OperationalError

from nexus.core import outbox
from nexus.core.idempotency import idempotency_records_delete_expired


@shared_task
def delete_expired_idempotency_records() -> int:
    """Periodic: forget idempotent answers older than a day."""
    return idempotency_records_delete_expired()


@shared_task
def relay_outbox() -> int:
    """Publish waiting outbox events (after each commit that wrote one, and on a schedule
    for any that a lost nudge or a broker outage left behind)."""
    return outbox.relay()


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, retry_jitter=True, max_retries=8
)
def deliver_event(event_id: int, topic: str, payload: dict[str, Any]) -> None:
    outbox.deliver(event_id, topic, payload)
