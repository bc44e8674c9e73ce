"""Reads of orders, always scoped to who may see them."""

from uuid import UUID

from django.db.models import Prefetch, QuerySet

from nexus.accounts.models import User
from nexus.orders.errors import OrderNotFound
from nexus.orders.models import Order, OrderEvent, OrderLine


def customer_timeline() -> QuerySet[OrderEvent]:
    """What a customer sees of an order's timeline: staff notes stay with the staff."""
    return OrderEvent.objects.exclude(type=OrderEvent.Type.NOTE).order_by("created_at", "id")


def _as_customer_sees_it(orders: QuerySet[Order]) -> Order:
    order = orders.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
        Prefetch("events", queryset=customer_timeline()),
    ).first()
    if order is None:
        raise OrderNotFound()
    return order


def order_for_customer(*, number: str) -> Order:
    """An order as its customer sees it (lines, timeline); the caller has made sure
    the customer holds it."""
    return _as_customer_sees_it(Order.objects.filter(number=number))


def order_list_for_user(*, user: User) -> QuerySet[Order]:
    return Order.objects.filter(user=user).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id"))
    )


def order_get_for_user(*, user: User, number: str) -> Order:
    """The customer's own order; anyone else's is simply not found."""
    return _as_customer_sees_it(Order.objects.filter(user=user, number=number))


def order_get_for_holder(*, number: str, user: User | None, cart_token: UUID | None) -> Order:
    """The order if the caller holds it: a customer's order to that customer, a guest's
    order to whoever shows the token of the cart it came from; otherwise not found."""
    order = Order.objects.filter(number=number).first()
    if order is None:
        raise OrderNotFound()
    if order.user_id is not None:
        holds = user is not None and user.pk == order.user_id
    else:
        holds = cart_token is not None and cart_token == order.cart_token
    if not holds:
        raise OrderNotFound()
    return order


# --- staff -----------------------------------------------------------------------------


def order_list() -> QuerySet[Order]:
    return Order.objects.select_related("user").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id"))
    )


def order_get(*, number: str) -> Order:
    order = (
        Order.objects.filter(number=number)
        .select_related("user")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
            Prefetch(
                "events",
                queryset=OrderEvent.objects.select_related("actor").order_by("created_at", "id"),
            ),
        )
        .first()
    )
    if order is None:
        raise OrderNotFound()
    return order


def voucher_uses(*, voucher_id: int, user: User | None, email: str) -> int:
    """Orders not cancelled that used the voucher, by this customer (or guest email)."""
    orders = Order.objects.filter(voucher_id=voucher_id).exclude(status=Order.Status.CANCELLED)
    if user is not None:
        return orders.filter(user=user).count()
    return orders.filter(user__isnull=True, email__iexact=email).count()
