from celery import shared_task
from django.db import OperationalError

from nexus.payments import services


@shared_task(
    autoretry_for=(OperationalError,),  # a lost connection or a lock timeout: transient
    retry_backoff=True,
    retry_jitter=True,
    max_retries=8,
)
def process_payment_event(event_pk: int) -> None:
    """Apply a stored provider event; safe to run twice (it is marked processed)."""
    services.payment_event_process(event_pk=event_pk)


@shared_task
def requeue_payment_events() -> int:
    """Periodic: stored provider events not applied yet go to the queue again."""
    return services.payment_events_requeue()
