"""Reads of orders, always scoped to who may see them."""

from django.db.models import Prefetch, QuerySet

from nexus.accounts.models import User
from nexus.orders.errors import OrderNotFound
from nexus.orders.models import Order, OrderEvent, OrderLine


def order_list_for_user(*, user: User) -> QuerySet[Order]:
    return Order.objects.filter(user=user).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id"))
    )


def order_get_for_user(*, user: User, number: str) -> Order:
    """The customer's own order; anyone else's is simply not found."""
    order = (
        Order.objects.filter(user=user, number=number)
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
            Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "id")),
        )
        .first()
    )
    if order is None:
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
