"""Reads of stock levels."""

from collections.abc import Sequence
from uuid import UUID

from django.db.models import F, Sum
from django.utils import timezone

from nexus.inventory.models import Reservation, Stock


def quantities_available(
    *, variant_ids: Sequence[int], holder: UUID | None = None
) -> dict[int, int]:
    """Units left to sell per variant over all warehouses: on hand - allocated -
    live reservations (except ``holder``'s own). Never below 0.

    Variants without stock rows are absent: they have nothing to sell.
    """
    rows = (
        Stock.objects.filter(variant_id__in=variant_ids)
        .values("variant_id")
        .annotate(available=Sum(F("quantity") - F("quantity_allocated")))
        .order_by()
    )
    available = {row["variant_id"]: row["available"] for row in rows}
    reserved = Reservation.objects.filter(variant_id__in=variant_ids, expires_at__gt=timezone.now())
    if holder is not None:
        reserved = reserved.exclude(holder=holder)
    for row in reserved.values("variant_id").annotate(total=Sum("quantity")).order_by():
        if row["variant_id"] in available:
            available[row["variant_id"]] -= row["total"]
    return {variant_id: max(units, 0) for variant_id, units in available.items()}
