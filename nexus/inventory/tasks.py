from celery import shared_task

from nexus.inventory import services


@shared_task
def sweep_expired_reservations() -> int:
    """Periodic: delete reservations past their time (they stopped counting already)."""
    return services.reservations_delete_expired()
