from django.db.models import Count, QuerySet

from nexus.webhooks.errors import WebhookDeliveryNotFound, WebhookEndpointNotFound
from nexus.webhooks.models import WebhookDelivery, WebhookEndpoint


def endpoint_list() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.all()


def endpoint_get(*, endpoint_id: int) -> WebhookEndpoint:
    try:
        return WebhookEndpoint.objects.get(pk=endpoint_id)
    except WebhookEndpoint.DoesNotExist:
        raise WebhookEndpointNotFound from None


def delivery_list(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint)


def delivery_get(*, delivery_id: int) -> WebhookDelivery:
    try:
        return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    except WebhookDelivery.DoesNotExist:
        raise WebhookDeliveryNotFound from None


def delivery_counts_by_status(statuses: tuple[str, ...]) -> dict[str, int]:
    """How many deliveries are in each of the given states (0 included)."""
    counts = dict(
        WebhookDelivery.objects.filter(status__in=statuses)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {status: counts.get(status, 0) for status in statuses}
