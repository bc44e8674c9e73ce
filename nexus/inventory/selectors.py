"""Reads of stock levels."""

from collections.abc import Sequence

from django.db.models import F, Sum

from nexus.inventory.models import Stock


def quantities_available(*, variant_ids: Sequence[int]) -> dict[int, int]:
    """Units left to sell per variant over all warehouses (on hand - allocated).

    Variants without stock rows are absent: they have nothing to sell.
    """
    rows = (
        Stock.objects.filter(variant_id__in=variant_ids)
        .values("variant_id")
        .annotate(available=Sum(F("quantity") - F("quantity_allocated")))
        .order_by()
    )
    return {row["variant_id"]: row["available"] for row in rows}
