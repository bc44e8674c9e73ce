from celery import shared_task

from nexus.core.idempotency import idempotency_records_delete_expired


@shared_task
def delete_expired_idempotency_records() -> int:
    """Periodic: forget idempotent answers older than a day."""
    return idempotency_records_delete_expired()
