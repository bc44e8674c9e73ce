"""Orders for staff: find them, move them through their states, fulfil, annotate; over
the same selectors, input serializers, filters, services and permissions as REST's
``/api/v1/staff/orders/`` views."""

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from nexus.accounts.models import User
from nexus.api.graphql.context import require_staff
from nexus.api.graphql.errors import UserError, attempt
from nexus.api.graphql.inputs import filtered, given, validated
from nexus.api.graphql.pagination import Connection, connection, paginate
from nexus.api.rest.orders import serializers as s
from nexus.api.rest.orders.staff_views import StaffOrderFilter
from nexus.orders import selectors, services
from nexus.orders.errors import OrderNotFound
from nexus.orders.models import Order, OrderEvent, OrderLine
from nexus.payments import services as payments_services


@strawberry.enum(description="The states of an order (Order.Status).")
class StaffOrderStatus(enum.Enum):
    UNPAID = "unpaid"
    PAID = "paid"
    FULFILLED = "fulfilled"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"


# --- output ------------------------------------------------------------------------


@strawberry.type
class StaffOrderLine:
    id: int
    variant: int | None = strawberry.field(description="Null once the variant is deleted.")
    sku: str
    product_name: str
    variant_name: str
    unit_price: Decimal = strawberry.field(description="The price it was sold at.")
    quantity: int
    line_total: Decimal


@strawberry.type(description="One entry of an order's timeline.")
class StaffOrderEvent:
    type: str = strawberry.field(description="placed, status_changed, fulfilled, cancelled, …")
    data: JSON
    actor: str | None = strawberry.field(description="Email of who did it; null: the shop.")
    created_at: datetime


@strawberry.type
class StaffOrder:
    number: str
    status: StaffOrderStatus
    email: str
    customer: str | None = strawberry.field(description="The customer's email; null: a guest.")
    currency: str
    subtotal: Decimal
    shipping_total: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    shipping_method_name: str
    voucher_code: str
    tracking_number: str
    shipping_address: JSON
    billing_address: JSON
    lines: list[StaffOrderLine]
    created_at: datetime


@strawberry.type(description="An order with its timeline.")
class StaffOrderDetail(StaffOrder):
    events: list[StaffOrderEvent]


def _line(line: OrderLine) -> StaffOrderLine:
    return StaffOrderLine(
        id=line.pk,
        variant=line.variant_id,
        sku=line.sku,
        product_name=line.product_name,
        variant_name=line.variant_name,
        unit_price=line.unit_price,
        quantity=line.quantity,
        line_total=line.line_total,
    )


def _event(event: OrderEvent) -> StaffOrderEvent:
    return StaffOrderEvent(
        type=event.type,
        data=event.data,
        actor=event.actor.email if event.actor else None,
        created_at=event.created_at,
    )


def _order_fields(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": StaffOrderStatus(order.status),
        "email": order.email,
        "customer": order.user.email if order.user else None,
        "currency": order.currency,
        "subtotal": order.subtotal,
        "shipping_total": order.shipping_total,
        "discount_total": order.discount_total,
        "tax_total": order.tax_total,
        "total": order.total,
        "shipping_method_name": order.shipping_method_name,
        "voucher_code": order.voucher_code,
        "tracking_number": order.tracking_number,
        "shipping_address": order.shipping_address,
        "billing_address": order.billing_address,
        "lines": [_line(line) for line in order.lines.all()],
        "created_at": order.created_at,
    }


def staff_order(order: Order) -> StaffOrder:
    """From ``selectors.order_list``, whose joins and prefetches these reads use."""
    return StaffOrder(**_order_fields(order))


def staff_order_detail(order: Order) -> StaffOrderDetail:
    """From ``selectors.order_get``."""
    return StaffOrderDetail(
        **_order_fields(order), events=[_event(event) for event in order.events.all()]
    )


# --- input -------------------------------------------------------------------------


@strawberry.input(description="The same filters as REST's staff order list.")
class StaffOrderFilterInput:
    status: StaffOrderStatus | None = None
    placed_after: datetime | None = strawberry.field(default=None, description="Inclusive.")
    placed_before: datetime | None = strawberry.field(default=None, description="Exclusive.")
    customer: str | None = strawberry.field(default=None, description="Part of the email.")
    min_total: Decimal | None = None
    max_total: Decimal | None = None


@strawberry.input
class StaffOrderTransitionInput:
    status: StaffOrderStatus
    tracking_number: str | None = strawberry.field(
        default=strawberry.UNSET, description="Recorded when fulfilling."
    )


@strawberry.input
class StaffOrderNoteInput:
    message: str


@strawberry.type
class StaffOrderPayload:
    order: StaffOrderDetail | None
    errors: list[UserError]


def _transition(order: Order, values: dict[str, Any], actor: User) -> None:
    payments_services.order_move(
        order=order,
        to=values["status"],
        actor=actor,
        tracking_number=values.get("tracking_number", ""),
    )


# --- operations ----------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field(description="Orders, newest first, filtered.")
    def staff_orders(
        self,
        info: Info[Any, Any],
        filter: StaffOrderFilterInput | None = None,  # noqa: A002 — the argument's public name
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[StaffOrder]:
        require_staff(info, "orders.view_order")
        orders = filtered(StaffOrderFilter, filter, selectors.order_list())
        page = paginate(orders, ordering=("-created_at", "-id"), first=first, after=after)
        return connection(page, staff_order)

    @strawberry.field(description="One order with its timeline; null if there is none.")
    def staff_order(self, info: Info[Any, Any], number: str) -> StaffOrderDetail | None:
        require_staff(info, "orders.view_order")
        try:
            return staff_order_detail(selectors.order_get(number=number))
        except OrderNotFound:
            return None


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Move an order to another state: unpaid → paid → fulfilled → shipped → "
        "delivered, or cancelled / refunded / partially_refunded. Fulfilling takes the "
        "promised units off the stock on hand; cancelling gives them back and refunds "
        "what was paid."
    )
    def staff_order_transition(
        self,
        info: Info[Any, Any],
        number: str,
        input: StaffOrderTransitionInput,  # noqa: A002 — the argument's public name
    ) -> StaffOrderPayload:
        actor = require_staff(info, "orders.change_order")

        def transition() -> StaffOrderDetail:
            order = selectors.order_get(number=number)
            values = validated(s.StaffTransitionInput, given(input))
            _transition(order, values, actor)
            return staff_order_detail(selectors.order_get(number=number))

        order, errors = attempt(transition)
        return StaffOrderPayload(order=order, errors=errors)

    @strawberry.mutation(description="Add a note to an order's timeline.")
    def staff_order_note_add(
        self,
        info: Info[Any, Any],
        number: str,
        input: StaffOrderNoteInput,  # noqa: A002
    ) -> StaffOrderPayload:
        actor = require_staff(info, "orders.change_order")

        def add_note() -> StaffOrderDetail:
            order = selectors.order_get(number=number)
            values = validated(s.StaffNoteInput, given(input))
            services.order_note_add(order=order, actor=actor, message=values["message"])
            return staff_order_detail(selectors.order_get(number=number))

        order, errors = attempt(add_note)
        return StaffOrderPayload(order=order, errors=errors)
