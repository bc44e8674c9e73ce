"""Reads of stock levels."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from django.db.models import F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from nexus.inventory.errors import WarehouseNotFound
from nexus.inventory.models import LowStockThreshold, Reservation, Stock, Warehouse


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


# --- staff ---------------------------------------------------------------------------


def warehouse_list() -> QuerySet[Warehouse]:
    return Warehouse.objects.all()


def warehouse_get(*, warehouse_id: int) -> Warehouse:
    warehouse = Warehouse.objects.filter(pk=warehouse_id).first()
    if warehouse is None:
        raise WarehouseNotFound()
    return warehouse


def stock_levels() -> QuerySet[Stock]:
    """Stock rows with their variant, warehouse, live reservations of the variant
    and its low-stock threshold, for the staff report."""
    reserved = (
        Reservation.objects.filter(variant=OuterRef("variant"), expires_at__gt=timezone.now())
        .values("variant")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    rows: QuerySet[Stock] = Stock.objects.select_related("variant__product", "warehouse").annotate(
        reserved=Coalesce(Subquery(reserved), Value(0)),
        available=F("quantity") - F("quantity_allocated"),
        threshold=F("variant__low_stock_threshold__threshold"),
    )
    return rows


def _variant_unallocated() -> QuerySet[Any, Any]:
    """Subquery: the outer row's variant's units on hand and not allocated, all warehouses."""
    return (
        Stock.objects.filter(variant=OuterRef("variant"))
        .values("variant")
        .annotate(total=Sum(F("quantity") - F("quantity_allocated")))
        .values("total")
    )


def stock_levels_low(rows: QuerySet[Stock]) -> QuerySet[Stock]:
    """Rows of variants at or below their threshold (over all their warehouses)."""
    return (
        rows.filter(variant__low_stock_threshold__isnull=False)
        .annotate(variant_available=Subquery(_variant_unallocated()))
        .filter(variant_available__lte=F("variant__low_stock_threshold__threshold"))
    )


def low_stock_variant_count() -> int:
    """How many variants are at or below their low-stock threshold right now."""
    return (
        LowStockThreshold.objects.annotate(
            available=Coalesce(Subquery(_variant_unallocated()), Value(0))
        )
        .filter(available__lte=F("threshold"))
        .count()
    )
