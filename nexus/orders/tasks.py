from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from nexus.orders import services


@shared_task
def cancel_unpaid_orders() -> int:
    """Periodic: cancel orders left unpaid for ORDER_UNPAID_CANCEL_MINUTES."""
    cutoff = timezone.now() - timedelta(minutes=settings.ORDER_UNPAID_CANCEL_MINUTES)
    return services.orders_cancel_unpaid(placed_before=cutoff)
