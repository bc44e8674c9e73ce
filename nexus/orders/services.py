"""Writes to orders: creation from a checkout, state changes with their timeline."""

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction

from nexus.accounts.models import User
from nexus.core import outbox
from nexus.discounts import services as discounts_services
from nexus.inventory import services as inventory_services
from nexus.inventory.services import Allocation
from nexus.orders.errors import IllegalTransition
from nexus.orders.models import Order, OrderEvent, OrderLine, OrderLineAllocation

Status = Order.Status

# Where an order may go from each state; anything else is a 409 naming the state.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.UNPAID: frozenset({Status.PAID, Status.CANCELLED}),
    Status.PAID: frozenset(
        {Status.FULFILLED, Status.CANCELLED, Status.REFUNDED, Status.PARTIALLY_REFUNDED}
    ),
    Status.FULFILLED: frozenset({Status.SHIPPED, Status.REFUNDED, Status.PARTIALLY_REFUNDED}),
    Status.SHIPPED: frozenset({Status.DELIVERED, Status.REFUNDED, Status.PARTIALLY_REFUNDED}),
    Status.DELIVERED: frozenset({Status.REFUNDED, Status.PARTIALLY_REFUNDED}),
    Status.PARTIALLY_REFUNDED: frozenset({Status.REFUNDED, Status.PARTIALLY_REFUNDED}),
    Status.CANCELLED: frozenset(),
    Status.REFUNDED: frozenset(),
}

# Crockford's base 32: no I, L, O or U to misread over the phone.
_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_NUMBER_LENGTH = 10


def _new_number() -> str:
    return "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(_NUMBER_LENGTH))


@dataclass(frozen=True)
class OrderTotals:
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal


def order_create(
    *,
    user: User | None,
    email: str,
    currency: str,
    lines: Sequence[Mapping[str, Any]],
    totals: OrderTotals,
    shipping_address: Mapping[str, Any],
    billing_address: Mapping[str, Any],
    cart_token: UUID,
    shipping_method_name: str = "",
    voucher_id: int | None = None,
    voucher_code: str = "",
) -> tuple[Order, list[OrderLine]]:
    """An unpaid order with its lines and a "placed" event. Called inside the
    checkout's transaction; an order for the same cart fails on its unique token."""
    for _attempt in range(5):
        try:
            with transaction.atomic():  # a savepoint: a number collision is retried
                order = Order.objects.create(
                    number=_new_number(),
                    user=user,
                    email=email,
                    currency=currency,
                    subtotal=totals.subtotal,
                    discount_total=totals.discount,
                    shipping_total=totals.shipping,
                    tax_total=totals.tax,
                    total=totals.total,
                    shipping_address=dict(shipping_address),
                    billing_address=dict(billing_address),
                    cart_token=cart_token,
                    shipping_method_name=shipping_method_name,
                    voucher_id=voucher_id,
                    voucher_code=voucher_code,
                )
            break
        except IntegrityError:
            if Order.objects.filter(cart_token=cart_token).exists():
                raise
    else:  # 32**10 numbers: five collisions in a row mean something else is wrong
        raise RuntimeError("could not find a free order number")
    created = OrderLine.objects.bulk_create([OrderLine(order=order, **line) for line in lines])
    OrderEvent.objects.create(
        order=order, type=OrderEvent.Type.PLACED, actor=user, data={"total": str(totals.total)}
    )
    outbox.emit("order.placed", _event_payload(order))
    return order, created


def order_record_allocations(*, allocations: Sequence[Allocation]) -> None:
    """Remember where each line's units were promised from (``ref`` is the line id)."""
    OrderLineAllocation.objects.bulk_create(
        OrderLineAllocation(line_id=a.ref, stock_id=a.stock_id, quantity=a.quantity)
        for a in allocations
    )


def _locked(order: Order) -> Order:
    locked: Order = Order.objects.select_for_update().get(pk=order.pk)
    return locked


def _event_payload(order: Order) -> dict[str, Any]:
    return {
        "order": order.number,
        "status": order.status,
        "email": order.email,
        "total": str(order.total),
        "currency": order.currency,
        "tracking_number": order.tracking_number,
    }


def _event_type(to: str) -> str:
    if to == Status.CANCELLED:
        return OrderEvent.Type.CANCELLED
    if to == Status.FULFILLED:
        return OrderEvent.Type.FULFILLED
    return OrderEvent.Type.STATUS_CHANGED


def _move(order: Order, to: str, *, actor: User | None, data: Mapping[str, Any]) -> None:
    if to not in TRANSITIONS[order.status]:
        raise IllegalTransition(
            f"The order is {order.status}; it cannot become {to}.",
            field_errors={"status": [f"Current state: {order.status}."]},
        )
    previous = order.status
    order.status = to
    order.save(update_fields=["status", "tracking_number", "updated_at"])
    OrderEvent.objects.create(
        order=order,
        type=_event_type(to),
        actor=actor,
        data={"from": previous, "to": to, **data},
    )
    outbox.emit(f"order.{to}", {**_event_payload(order), "from": previous})


def _allocations_taken(order: Order, *, consumed: bool = False) -> list[tuple[int, int]]:
    """The order's (stock id, units) promises still held, removed from the order."""
    allocations = OrderLineAllocation.objects.filter(line__order=order, consumed=consumed)
    taken = list(allocations.values_list("stock_id", "quantity"))
    allocations.delete()
    return taken


@transaction.atomic
def order_cancel(*, order: Order, actor: User | None, reason: str = "") -> Order:
    """Cancel an order and give its promised stock back."""
    order = _locked(order)
    _move(order, Status.CANCELLED, actor=actor, data={"reason": reason} if reason else {})
    # The voucher row before the stock rows, the order checkout locks them in.
    if order.voucher_id is not None:
        discounts_services.voucher_release(voucher_id=order.voucher_id)
    inventory_services.stock_release(allocations=_allocations_taken(order))
    return order


@transaction.atomic
def order_fulfil(*, order: Order, actor: User | None, tracking_number: str = "") -> Order:
    """The order leaves the warehouse: its promised units leave the stock on hand."""
    order = _locked(order)
    order.tracking_number = tracking_number
    _move(order, Status.FULFILLED, actor=actor, data={"tracking_number": tracking_number})
    allocations = OrderLineAllocation.objects.filter(line__order=order, consumed=False)
    inventory_services.stock_consume(
        allocations=list(allocations.values_list("stock_id", "quantity"))
    )
    allocations.update(consumed=True)
    return order


def order_restock(*, order: Order) -> None:
    """Put a refunded order's units back: promises not yet shipped are released, units
    already shipped return to the warehouses they left. Once only."""
    order = _locked(order)
    inventory_services.stock_release(allocations=_allocations_taken(order))
    inventory_services.stock_return(allocations=_allocations_taken(order, consumed=True))
    OrderEvent.objects.create(
        order=order, type=OrderEvent.Type.NOTE, data={"message": "Restocked."}
    )


@transaction.atomic
def order_transition(
    *, order: Order, to: str, actor: User | None, tracking_number: str = ""
) -> Order:
    """Move an order to another state (staff); cancelling and fulfilling move stock."""
    if to == Status.CANCELLED:
        return order_cancel(order=order, actor=actor)
    if to == Status.FULFILLED:
        return order_fulfil(order=order, actor=actor, tracking_number=tracking_number)
    order = _locked(order)
    if tracking_number:
        order.tracking_number = tracking_number
    _move(
        order, to, actor=actor, data={"tracking_number": tracking_number} if tracking_number else {}
    )
    return order


def order_mark_paid(*, order: Order, data: Mapping[str, Any]) -> Order:
    """A payment covering the order succeeded (inside the payment's transaction)."""
    order = _locked(order)
    _move(order, Status.PAID, actor=None, data=data)
    return order


def order_refunded(*, order: Order, full: bool, data: Mapping[str, Any]) -> Order:
    """Money went back to the buyer; an order past refunds gets a timeline entry."""
    order = _locked(order)
    to = Status.REFUNDED if full else Status.PARTIALLY_REFUNDED
    if to in TRANSITIONS[order.status]:
        _move(order, to, actor=None, data=data)
    else:
        order_payment_noted(order=order, data={**data, "message": f"Refund while {order.status}."})
    return order


def order_payment_noted(*, order: Order, data: Mapping[str, Any]) -> OrderEvent:
    return OrderEvent.objects.create(order=order, type=OrderEvent.Type.PAYMENT, data=dict(data))


def order_note_add(*, order: Order, actor: User, message: str) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order, type=OrderEvent.Type.NOTE, actor=actor, data={"message": message}
    )


def orders_cancel_unpaid(*, placed_before: datetime, batch: int = 200) -> int:
    """Cancel unpaid orders placed before the cutoff, giving their stock back.

    Each order in its own short transaction; an order paid meanwhile is skipped
    (its state no longer allows the move). Returns how many were cancelled.
    """
    cancelled = 0
    while True:
        ids = list(
            Order.objects.filter(status=Status.UNPAID, created_at__lt=placed_before)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        for order_id in ids:
            try:
                order_cancel(order=Order(pk=order_id), actor=None, reason="not paid in time")
                cancelled += 1
            except IllegalTransition:
                continue
        if len(ids) < batch:
            return cancelled
