"""Stock changes: reservations, allocation, release and fulfilment.

Every change locks the Stock rows it touches (``SELECT … FOR UPDATE``) in primary-key
order, so two checkouts over the same variants queue instead of deadlocking, and
runs inside the caller's short transaction; the database's CHECK constraints are
the backstop. Nothing here calls out of the process.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError, Sum
from django.utils import timezone

from nexus.catalog.models import ProductVariant
from nexus.core import outbox
from nexus.core.rows import lock_current
from nexus.inventory.errors import (
    InsufficientStock,
    StockBelowAllocated,
    StockNegative,
    StockTooLarge,
    VariantNotFound,
    WarehouseInUse,
    WarehouseNotFound,
    WarehouseSlugTaken,
)
from nexus.inventory.models import (
    LowStockThreshold,
    Reservation,
    Stock,
    StockMovement,
    Warehouse,
)


@dataclass(frozen=True)
class LineRequest:
    """A caller's line asking for units of a variant; ``ref`` is the caller's id."""

    ref: int
    variant_id: int
    quantity: int


@dataclass(frozen=True)
class Allocation:
    """Units of one line promised from one stock row."""

    ref: int
    stock_id: int
    quantity: int


# Units on hand fit PostgreSQL's integer column.
MAX_UNITS = 2**31 - 1


def _locked_stocks(variant_ids: Iterable[int]) -> list[Stock]:
    return list(
        Stock.objects.select_related("warehouse").filter(variant_id__in=set(variant_ids)).locked()
    )


def _reserved_by_others(variant_ids: Iterable[int], holder: UUID | None) -> dict[int, int]:
    live = Reservation.objects.filter(
        variant_id__in=set(variant_ids), expires_at__gt=timezone.now()
    )
    if holder is not None:
        live = live.exclude(holder=holder)
    rows = live.values("variant_id").annotate(total=Sum("quantity")).order_by()
    return {row["variant_id"]: row["total"] for row in rows}


def _free(stocks: Sequence[Stock], holder: UUID | None) -> dict[int, int]:
    """Units each variant can still promise to ``holder``: on hand - allocated -
    what other holders have reserved."""
    free: dict[int, int] = defaultdict(int)
    for stock in stocks:
        free[stock.variant_id] += stock.quantity - stock.quantity_allocated
    for variant_id, reserved in _reserved_by_others(free.keys(), holder).items():
        free[variant_id] -= reserved
    return free


def _raise_if_short(wanted: Mapping[int, int], free: Mapping[int, int]) -> None:
    short = {
        variant_id: max(free.get(variant_id, 0), 0)
        for variant_id, quantity in wanted.items()
        if quantity > free.get(variant_id, 0)
    }
    if short:
        raise InsufficientStock(
            "Not enough stock: "
            + ", ".join(
                f"variant {variant_id} has {left} left" for variant_id, left in short.items()
            )
            + ".",
            field_errors={
                "lines": [f"Variant {v}: only {left} left." for v, left in short.items()]
            },
        )


@transaction.atomic
def stock_reserve(*, holder: UUID, quantities: Mapping[int, int], ttl: timedelta) -> None:
    """Hold these units (variant id → quantity) for ``holder`` until now + ttl,
    replacing what it held before; raises InsufficientStock, holding nothing new."""
    stocks = _locked_stocks(quantities)
    _raise_if_short(quantities, _free(stocks, holder))
    Reservation.objects.filter(holder=holder).delete()
    expires_at = timezone.now() + ttl
    Reservation.objects.bulk_create(
        Reservation(holder=holder, variant_id=variant_id, quantity=quantity, expires_at=expires_at)
        for variant_id, quantity in quantities.items()
    )


def stock_reservation_release(*, holder: UUID) -> None:
    Reservation.objects.filter(holder=holder).delete()


@transaction.atomic
def stock_allocate(*, holder: UUID | None, lines: Sequence[LineRequest]) -> list[Allocation]:
    """Promise stock to these lines, from warehouses in priority order, split across
    warehouses when one has too few; raises InsufficientStock, promising nothing.

    The holder's own reservations count as its stock and end here.
    """
    stocks = _locked_stocks(line.variant_id for line in lines)
    wanted: dict[int, int] = defaultdict(int)
    for line in lines:
        wanted[line.variant_id] += line.quantity
    free = _free(stocks, holder)
    _raise_if_short(wanted, free)

    by_variant: dict[int, list[Stock]] = defaultdict(list)
    for stock in sorted(stocks, key=lambda s: (s.warehouse.priority, s.warehouse_id)):
        by_variant[stock.variant_id].append(stock)
    allocations: list[Allocation] = []
    taken: dict[int, int] = defaultdict(int)  # stock id → units promised now
    for line in lines:
        remaining = line.quantity
        for stock in by_variant[line.variant_id]:
            take = min(remaining, stock.quantity - stock.quantity_allocated - taken[stock.pk])
            if take > 0:
                taken[stock.pk] += take
                allocations.append(Allocation(ref=line.ref, stock_id=stock.pk, quantity=take))
                remaining -= take
            if remaining == 0:
                break
    for stock_id, quantity in sorted(taken.items()):
        Stock.objects.filter(pk=stock_id).update(
            quantity_allocated=F("quantity_allocated") + quantity
        )
    if holder is not None:
        Reservation.objects.filter(holder=holder).delete()
    _report_low_stock({v: (free[v], free[v] - units) for v, units in wanted.items()})
    return allocations


def _report_low_stock(changes: Mapping[int, tuple[int, int]]) -> None:
    """Emit ``stock.low`` for variants that just fell to or below their threshold
    (changes: variant id → units available before and after)."""
    thresholds = dict(
        LowStockThreshold.objects.filter(variant_id__in=changes).values_list(
            "variant_id", "threshold"
        )
    )
    for variant_id, threshold in thresholds.items():
        before, after = changes[variant_id]
        if after <= threshold < before:
            outbox.emit(
                "stock.low",
                {"variant": variant_id, "available": after, "threshold": threshold},
            )


def _apply(units: Mapping[int, int], *, allocated: int, on_hand: int) -> None:
    """Move each stock row's allocated and on-hand units by the given signs."""
    _locked_stocks_by_id(units)
    for stock_id, quantity in sorted(units.items()):
        Stock.objects.filter(pk=stock_id).update(
            quantity_allocated=F("quantity_allocated") + allocated * quantity,
            quantity=F("quantity") + on_hand * quantity,
        )


def _locked_stocks_by_id(stock_ids: Iterable[int]) -> None:
    list(Stock.objects.filter(pk__in=set(stock_ids)).locked())


def _units_by_stock(allocations: Iterable[tuple[int, int]]) -> dict[int, int]:
    units: dict[int, int] = defaultdict(int)
    for stock_id, quantity in allocations:
        units[stock_id] += quantity
    return units


@transaction.atomic
def stock_release(*, allocations: Iterable[tuple[int, int]]) -> None:
    """Give back promised units, (stock id, quantity) pairs: an order was cancelled."""
    _apply(_units_by_stock(allocations), allocated=-1, on_hand=0)


@transaction.atomic
def stock_consume(*, allocations: Iterable[tuple[int, int]]) -> None:
    """Promised units leave the warehouse: on hand and allocated both go down."""
    _apply(_units_by_stock(allocations), allocated=-1, on_hand=-1)


@transaction.atomic
def stock_return(*, allocations: Iterable[tuple[int, int]]) -> None:
    """Shipped units came back (a refund with restock): on hand goes up."""
    _apply(_units_by_stock(allocations), allocated=0, on_hand=1)


def reservations_delete_expired() -> int:
    """Delete reservations past their time (they stopped counting already)."""
    deleted, _ = Reservation.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


# --- staff: warehouses, stock levels, thresholds -------------------------------------


def warehouse_create(*, name: str, slug: str, priority: int = 100) -> Warehouse:
    try:
        with transaction.atomic():
            return Warehouse.objects.create(name=name, slug=slug, priority=priority)
    except IntegrityError as exc:
        raise WarehouseSlugTaken(field_errors={"slug": ["This slug is taken."]}) from exc


def warehouse_update(*, warehouse: Warehouse, changes: Mapping[str, Any]) -> Warehouse:
    for field, value in changes.items():
        setattr(warehouse, field, value)
    try:
        with transaction.atomic():
            lock_current(warehouse, gone=WarehouseNotFound())
            warehouse.save(update_fields=[*changes.keys()])
    except IntegrityError as exc:
        raise WarehouseSlugTaken(field_errors={"slug": ["This slug is taken."]}) from exc
    return warehouse


def warehouse_delete(*, warehouse: Warehouse) -> None:
    try:
        with transaction.atomic():
            warehouse.delete()
    except ProtectedError as exc:
        raise WarehouseInUse() from exc


def stock_quantity_check(*, quantity: int, allocated: int = 0) -> None:
    """Units on hand a stock row may be set to: 0 to MAX_UNITS, and never below the
    units promised to orders."""
    if quantity < 0:
        raise StockNegative(field_errors={"quantity": [f"On hand would be {quantity}."]})
    if quantity > MAX_UNITS:
        raise StockTooLarge(
            field_errors={"quantity": [f"On hand would be {quantity}; at most {MAX_UNITS}."]}
        )
    if quantity < allocated:
        raise StockBelowAllocated(
            field_errors={"quantity": [f"{allocated} units are promised to orders."]}
        )


@transaction.atomic
def stock_adjust(
    *,
    variant_id: int,
    warehouse: Warehouse,
    reason: str,
    actor: Any,
    delta: int | None = None,
    set_to: int | None = None,
) -> Stock:
    """Change the units on hand of one variant in one warehouse, by ``delta`` or to
    ``set_to``, with an audit row. Never below the units promised to orders."""
    if not ProductVariant.objects.filter(pk=variant_id).exists():
        raise VariantNotFound(field_errors={"variant": ["No variant with this id."]})
    Stock.objects.get_or_create(variant_id=variant_id, warehouse=warehouse)
    # All the variant's rows, in primary-key order like every stock lock, then the one.
    variant_stocks = _locked_stocks([variant_id])
    stock = next(s for s in variant_stocks if s.warehouse_id == warehouse.pk)
    new_quantity = set_to if set_to is not None else stock.quantity + (delta or 0)
    stock_quantity_check(quantity=new_quantity, allocated=stock.quantity_allocated)
    before = sum(s.quantity - s.quantity_allocated for s in variant_stocks)
    _report_low_stock({variant_id: (before, before + new_quantity - stock.quantity)})
    StockMovement.objects.create(
        stock=stock,
        quantity_delta=new_quantity - stock.quantity,
        quantity_after=new_quantity,
        reason=reason,
        actor=actor,
    )
    stock.quantity = new_quantity
    stock.save(update_fields=["quantity"])
    return stock


def low_stock_threshold_set(*, variant_id: int, threshold: int | None) -> None:
    """Set a variant's low-stock threshold; None removes it."""
    if not ProductVariant.objects.filter(pk=variant_id).exists():
        raise VariantNotFound()
    if threshold is None:
        LowStockThreshold.objects.filter(variant_id=variant_id).delete()
    else:
        LowStockThreshold.objects.update_or_create(
            variant_id=variant_id, defaults={"threshold": threshold}
        )


@dataclass(frozen=True)
class StockLevel:
    """Units that should be on hand of one variant in one warehouse."""

    variant_id: int
    warehouse_id: int
    quantity: int


@transaction.atomic
def stock_levels_set(*, levels: Sequence[StockLevel], reason: str, actor: Any) -> int:
    """Set many stock rows' units on hand at once (bulk imports), with an audit row
    for each one that changes; rows already at their level are not touched.

    The same rules as ``stock_adjust``, checked for every level before anything is
    written: one refused level (StockNegative, StockTooLarge, StockBelowAllocated,
    naming the variant) leaves all of them unchanged. Returns how many changed.
    """
    wanted = {(level.variant_id, level.warehouse_id): level.quantity for level in levels}
    if not wanted:
        return 0
    for quantity in wanted.values():
        stock_quantity_check(quantity=quantity)
    variant_ids = {variant_id for variant_id, _ in wanted}
    existing = {
        (stock.variant_id, stock.warehouse_id): stock for stock in _locked_stocks(variant_ids)
    }
    available_before: dict[int, int] = defaultdict(int)
    for stock in existing.values():
        available_before[stock.variant_id] += stock.quantity - stock.quantity_allocated
    # A missing row is 0 on hand: a level of 0 there needs no row and no audit entry.
    # The others are created at their level at once, rather than at 0 and then updated.
    missing = {key: units for key, units in wanted.items() if key not in existing and units}
    if missing:
        Stock.objects.bulk_create(
            (
                Stock(variant_id=v, warehouse_id=w, quantity=units)
                for (v, w), units in missing.items()
            ),
            ignore_conflicts=True,  # a concurrent writer's row is locked and compared below
        )
        existing.update(
            ((stock.variant_id, stock.warehouse_id), stock)
            for stock in _locked_stocks({variant_id for variant_id, _ in missing})
        )
    changed: list[Stock] = []
    movements: list[StockMovement] = []
    for key, quantity in wanted.items():
        row = existing.get(key)
        if row is None:
            continue
        # A row created just now holds its level already: its audit entry counts from 0.
        before = 0 if key in missing and row.quantity == quantity else row.quantity
        if before == quantity:
            continue
        stock_quantity_check(quantity=quantity, allocated=row.quantity_allocated)
        movements.append(
            StockMovement(
                stock=row,
                quantity_delta=quantity - before,
                quantity_after=quantity,
                reason=reason,
                actor=actor,
            )
        )
        if row.quantity != quantity:
            row.quantity = quantity
            changed.append(row)
    if not movements:
        return 0
    StockMovement.objects.bulk_create(movements)
    if changed:
        Stock.objects.bulk_update(changed, ["quantity"])
    available_after = defaultdict(int, available_before)
    for movement in movements:
        available_after[movement.stock.variant_id] += movement.quantity_delta
    _report_low_stock(
        {
            variant_id: (available_before[variant_id], available_after[variant_id])
            for variant_id in {movement.stock.variant_id for movement in movements}
        }
    )
    return len(movements)
