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
