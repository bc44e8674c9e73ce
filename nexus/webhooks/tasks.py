from celery import shared_task
from django.db import OperationalError

from nexus.webhooks import services


@shared_task(
    autoretry_for=(OperationalError,), retry_backoff=True, retry_jitter=True, max_retries=5
)
def send_webhooks(event_id: int | None = None, delivery_ids: list[int] | None = None) -> int:
    """Post the due deliveries of one event (or the given ones) now."""
    return services.deliveries_send_due(event_id=event_id, delivery_ids=delivery_ids)


@shared_task
def send_due_webhooks(*, batches: int = 20) -> int:
    """Periodic: retries that have come due, and any a lost message left waiting."""
    sent = 0
    for _ in range(batches):
        attempted = services.deliveries_send_due()
        sent += attempted
        if not attempted:
            break
    return sent
