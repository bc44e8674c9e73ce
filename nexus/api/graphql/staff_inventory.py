"""Stock for staff: warehouses, stock levels, adjustments with an audit trail and
low-stock thresholds, over the same selectors, input serializers, filters, services
and permissions as REST's ``/api/v1/staff/`` inventory views."""

from typing import Any

import strawberry
from strawberry.types import Info

from nexus.api.graphql.context import require_staff
from nexus.api.graphql.errors import UserError, attempt
from nexus.api.graphql.inputs import (
    StaffDeletePayload,
    deleted,
    filtered,
    given,
    validated,
)
from nexus.api.graphql.pagination import Connection, connection, paginate
from nexus.api.rest.inventory import serializers as s
from nexus.api.rest.inventory.views import StockLevelFilter
from nexus.inventory import selectors, services
from nexus.inventory.errors import WarehouseNotFound
from nexus.inventory.models import Stock, Warehouse

# --- output ------------------------------------------------------------------------


@strawberry.type
class StaffWarehouse:
    id: int
    name: str
    slug: str
    priority: int = strawberry.field(description="Lower is allocated first.")


@strawberry.type(description="The stock of one variant in one warehouse.")
class StaffStockLevel:
    id: int
    variant: int = strawberry.field(description="Variant id.")
    sku: str
    product_name: str
    warehouse: str = strawberry.field(description="Warehouse slug.")
    quantity: int = strawberry.field(description="Units on hand.")
    quantity_allocated: int = strawberry.field(description="Units promised to orders.")
    reserved: int = strawberry.field(
        description="Live reservations of the variant, all warehouses."
    )
    available: int = strawberry.field(description="On hand - allocated, this warehouse.")
    threshold: int | None = strawberry.field(description="Low-stock threshold, if any.")


@strawberry.type
class StaffLowStockThreshold:
    variant: int = strawberry.field(description="Variant id.")
    threshold: int | None = strawberry.field(description="Null: the variant has none.")


def staff_warehouse(warehouse: Warehouse) -> StaffWarehouse:
    return StaffWarehouse(
        id=warehouse.pk, name=warehouse.name, slug=warehouse.slug, priority=warehouse.priority
    )


def staff_stock_level(row: Stock) -> StaffStockLevel:
    """From ``selectors.stock_levels``, whose joins and annotations these reads use."""
    annotated: Any = row  # reserved, available, threshold: annotations the model type lacks
    return StaffStockLevel(
        id=row.pk,
        variant=row.variant_id,
        sku=row.variant.sku,
        product_name=row.variant.product.name,
        warehouse=row.warehouse.slug,
        quantity=row.quantity,
        quantity_allocated=row.quantity_allocated,
        reserved=annotated.reserved,
        available=annotated.available,
        threshold=annotated.threshold,
    )


# --- input -------------------------------------------------------------------------


@strawberry.input
class StaffWarehouseCreateInput:
    name: str
    slug: str
    priority: int | None = strawberry.field(
        default=strawberry.UNSET, description="Lower is allocated first (default 100)."
    )


@strawberry.input
class StaffWarehouseUpdateInput:
    name: str | None = strawberry.UNSET
    slug: str | None = strawberry.UNSET
    priority: int | None = strawberry.UNSET


@strawberry.input(description="The same filters as REST's stock level list.")
class StaffStockLevelFilter:
    warehouse: int | None = strawberry.field(default=None, description="Warehouse id.")
    sku: str | None = None
    low: bool | None = strawberry.field(
        default=None, description="true: only variants at or below their threshold."
    )


@strawberry.input(description="Give either delta or setTo.")
class StaffStockAdjustInput:
    variant: int = strawberry.field(description="Variant id.")
    warehouse: int = strawberry.field(description="Warehouse id.")
    reason: str = strawberry.field(description="Why, for the audit trail.")
    delta: int | None = strawberry.field(
        default=strawberry.UNSET, description="Units to add (negative: remove)."
    )
    set_to: int | None = strawberry.field(
        default=strawberry.UNSET, description="The new units on hand."
    )


# --- payloads ----------------------------------------------------------------------


@strawberry.type
class StaffWarehousePayload:
    warehouse: StaffWarehouse | None
    errors: list[UserError]


@strawberry.type
class StaffStockLevelPayload:
    stock_level: StaffStockLevel | None
    errors: list[UserError]


@strawberry.type
class StaffLowStockThresholdPayload:
    low_stock_threshold: StaffLowStockThreshold | None
    errors: list[UserError]


def _threshold_set(variant: int, threshold: int | None) -> StaffLowStockThresholdPayload:
    def run() -> StaffLowStockThreshold:
        values = validated(s.LowStockThresholdInput, {"variant": variant, "threshold": threshold})
        services.low_stock_threshold_set(
            variant_id=values["variant"], threshold=values["threshold"]
        )
        return StaffLowStockThreshold(variant=values["variant"], threshold=values["threshold"])

    result, errors = attempt(run)
    return StaffLowStockThresholdPayload(low_stock_threshold=result, errors=errors)


# --- operations ----------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field(description="Warehouses, by allocation priority.")
    def staff_warehouses(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[StaffWarehouse]:
        require_staff(info, "inventory.view_warehouse")
        page = paginate(
            selectors.warehouse_list(), ordering=("priority", "id"), first=first, after=after
        )
        return connection(page, staff_warehouse)

    @strawberry.field(description="One warehouse; null if there is none.")
    def staff_warehouse(self, info: Info[Any, Any], id: int) -> StaffWarehouse | None:  # noqa: A002
        require_staff(info, "inventory.view_warehouse")
        try:
            return staff_warehouse(selectors.warehouse_get(warehouse_id=id))
        except WarehouseNotFound:
            return None

    @strawberry.field(description="Stock levels per variant and warehouse.")
    def staff_stock_levels(
        self,
        info: Info[Any, Any],
        filter: StaffStockLevelFilter | None = None,  # noqa: A002 — the argument's public name
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[StaffStockLevel]:
        require_staff(info, "inventory.view_stock")
        rows = filtered(StockLevelFilter, filter, selectors.stock_levels())
        page = paginate(rows, ordering=("id",), first=first, after=after)
        return connection(page, staff_stock_level)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a warehouse.")
    def staff_warehouse_create(
        self,
        info: Info[Any, Any],
        input: StaffWarehouseCreateInput,  # noqa: A002 — the argument's public name
    ) -> StaffWarehousePayload:
        require_staff(info, "inventory.add_warehouse")

        def create() -> StaffWarehouse:
            values = validated(s.WarehouseInput, given(input))
            return staff_warehouse(services.warehouse_create(**values))

        warehouse, errors = attempt(create)
        return StaffWarehousePayload(warehouse=warehouse, errors=errors)

    @strawberry.mutation(description="Change a warehouse.")
    def staff_warehouse_update(
        self,
        info: Info[Any, Any],
        id: int,  # noqa: A002
        input: StaffWarehouseUpdateInput,  # noqa: A002
    ) -> StaffWarehousePayload:
        require_staff(info, "inventory.change_warehouse")

        def update() -> StaffWarehouse:
            warehouse = selectors.warehouse_get(warehouse_id=id)
            changes = validated(s.WarehouseInput, given(input), partial=True)
            return staff_warehouse(services.warehouse_update(warehouse=warehouse, changes=changes))

        warehouse, errors = attempt(update)
        return StaffWarehousePayload(warehouse=warehouse, errors=errors)

    @strawberry.mutation(description="Delete a warehouse that holds no stock rows.")
    def staff_warehouse_delete(self, info: Info[Any, Any], id: int) -> StaffDeletePayload:  # noqa: A002
        require_staff(info, "inventory.delete_warehouse")

        return deleted(
            id,
            lambda: services.warehouse_delete(warehouse=selectors.warehouse_get(warehouse_id=id)),
        )

    @strawberry.mutation(
        description="Set or change the units on hand, with a reason for the audit trail. "
        "On hand never goes below the units promised to orders."
    )
    def staff_stock_adjust(
        self,
        info: Info[Any, Any],
        input: StaffStockAdjustInput,  # noqa: A002
    ) -> StaffStockLevelPayload:
        actor = require_staff(info, "inventory.change_stock")

        def adjust() -> StaffStockLevel:
            values = validated(s.StockAdjustmentInput, given(input))
            stock = services.stock_adjust(
                variant_id=values["variant"],
                warehouse=selectors.warehouse_get(warehouse_id=values["warehouse"]),
                delta=values.get("delta"),
                set_to=values.get("set_to"),
                reason=values["reason"],
                actor=actor,
            )
            return staff_stock_level(selectors.stock_levels().get(pk=stock.pk))

        stock_level, errors = attempt(adjust)
        return StaffStockLevelPayload(stock_level=stock_level, errors=errors)

    @strawberry.mutation(description="Set a variant's low-stock threshold.")
    def staff_low_stock_threshold_set(
        self, info: Info[Any, Any], variant: int, threshold: int
    ) -> StaffLowStockThresholdPayload:
        require_staff(info, "inventory.change_lowstockthreshold")
        return _threshold_set(variant, threshold)

    @strawberry.mutation(description="Remove a variant's low-stock threshold.")
    def staff_low_stock_threshold_clear(
        self, info: Info[Any, Any], variant: int
    ) -> StaffLowStockThresholdPayload:
        require_staff(info, "inventory.change_lowstockthreshold")
        return _threshold_set(variant, None)
