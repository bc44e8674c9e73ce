"""The signed-in customer's own orders: the same selectors and cancel service as REST.

Anyone else's order reads as missing: null from ``order``, a not-found error from
``orderCancel``, exactly as REST answers 404.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from django.db.models import Prefetch
from strawberry.scalars import JSON
from strawberry.types import Info

from nexus.accounts.models import POSTAL_FIELDS
from nexus.api.graphql.context import require_user
from nexus.api.graphql.errors import UserError, attempt
from nexus.api.graphql.pagination import Connection, connection, paginate
from nexus.orders import selectors
from nexus.orders.errors import OrderNotFound
from nexus.orders.models import Order as OrderModel
from nexus.orders.models import OrderEvent as OrderEventModel
from nexus.orders.models import OrderLine as OrderLineModel
from nexus.payments import services as payments_services

# The model's own choices, so a status added there is one here too.
strawberry.enum(OrderModel.Status, name="OrderStatus")
strawberry.enum(OrderEventModel.Type, name="OrderEventType")

# Newest first, as REST's list.
ORDER_LIST_ORDERING = ("-created_at", "-id")


@strawberry.type(description="One line as it was sold: a snapshot, unchanged by the catalog.")
class OrderLine:
    id: int
    variant: int | None = strawberry.field(description="Null once the variant is deleted.")
    sku: str
    product_name: str
    variant_name: str
    unit_price: Decimal = strawberry.field(description="The price it was sold at.")
    quantity: int
    line_total: Decimal


@strawberry.type(description="One entry of the order's timeline.")
class OrderEvent:
    type: OrderEventModel.Type
    data: JSON
    created_at: datetime


@strawberry.type(description="A postal address as the order keeps it.")
class OrderAddress:
    first_name: str
    last_name: str
    company: str
    line1: str
    line2: str
    city: str
    postal_code: str
    region: str
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 code, e.g. DE.")
    phone: str


@strawberry.type(description="An order with its lines, addresses and timeline.")
class Order:
    number: str
    status: OrderModel.Status
    email: str
    currency: str
    subtotal: Decimal
    shipping_total: Decimal
    discount_total: Decimal
    tax_total: Decimal = strawberry.field(
        description="Included in the prices or added to them (PRICES_INCLUDE_TAX)."
    )
    total: Decimal
    shipping_method_name: str
    voucher_code: str
    shipping_address: OrderAddress
    billing_address: OrderAddress
    lines: list[OrderLine]
    events: list[OrderEvent]
    created_at: datetime


@strawberry.type
class OrderPayload:
    order: Order | None
    errors: list[UserError]


def _order_address(snapshot: dict[str, Any]) -> OrderAddress:
    # A snapshot is JSON, kept as written at checkout: read it leniently.
    return OrderAddress(**{field: str(snapshot.get(field) or "") for field in POSTAL_FIELDS})


def _line(line: OrderLineModel) -> OrderLine:
    return OrderLine(
        id=line.pk,
        variant=line.variant_id,
        sku=line.sku,
        product_name=line.product_name,
        variant_name=line.variant_name,
        unit_price=line.unit_price,
        quantity=line.quantity,
        line_total=line.line_total,
    )


def _event(event: OrderEventModel) -> OrderEvent:
    return OrderEvent(
        type=OrderEventModel.Type(event.type), data=event.data, created_at=event.created_at
    )


def order_node(order: OrderModel) -> Order:
    """The order as REST's customer detail shows it (lines and events prefetched)."""
    return Order(
        number=order.number,
        status=OrderModel.Status(order.status),
        email=order.email,
        currency=order.currency,
        subtotal=order.subtotal,
        shipping_total=order.shipping_total,
        discount_total=order.discount_total,
        tax_total=order.tax_total,
        total=order.total,
        shipping_method_name=order.shipping_method_name,
        voucher_code=order.voucher_code,
        shipping_address=_order_address(order.shipping_address),
        billing_address=_order_address(order.billing_address),
        lines=[_line(line) for line in order.lines.all()],
        events=[_event(event) for event in order.events.all()],
        created_at=order.created_at,
    )


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in customer's orders, newest first.")
    def orders(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Order]:
        user = require_user(info)
        # REST's list shows no timeline; here every node has one, fetched in one query.
        rows = selectors.order_list_for_user(user=user).prefetch_related(
            Prefetch("events", queryset=selectors.customer_timeline())
        )
        page = paginate(rows, ordering=ORDER_LIST_ORDERING, first=first, after=after)
        return connection(page, order_node)

    @strawberry.field(description="One of the signed-in customer's orders; null if none.")
    def order(self, info: Info[Any, Any], number: str) -> Order | None:
        user = require_user(info)
        try:
            return order_node(selectors.order_get_for_user(user=user, number=number))
        except OrderNotFound:
            return None


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description=(
            "Cancel one of your orders before it is fulfilled: its stock is given back, a "
            "payment under way is called off and what was paid is refunded."
        )
    )
    def order_cancel(self, info: Info[Any, Any], number: str) -> OrderPayload:
        user = require_user(info)

        def cancel() -> OrderModel:
            order = selectors.order_get_for_user(user=user, number=number)
            payments_services.order_cancel_with_refund(order=order, actor=user)
            # Read again: the timeline now ends with the cancellation.
            return selectors.order_get_for_user(user=user, number=number)

        order, errors = attempt(cancel)
        return OrderPayload(order=order_node(order) if order else None, errors=errors)
