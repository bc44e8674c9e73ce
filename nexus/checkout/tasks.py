from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from nexus.checkout import services


@shared_task
def purge_abandoned_carts() -> int:
    """Periodic: delete carts untouched for CART_ABANDONED_DAYS (see the service)."""
    cutoff = timezone.now() - timedelta(days=settings.CART_ABANDONED_DAYS)
    return services.carts_purge_abandoned(untouched_since=cutoff)
