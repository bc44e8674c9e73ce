"""Checkout under real concurrency: many HTTP requests at once, each on its own
database connection, committed transactions (no test transaction around them)."""

import contextlib
import functools
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from nexus.checkout import services as cart_services
from nexus.inventory.models import Stock
from nexus.orders.models import Order, OrderLineAllocation
from tests.catalog_data import build_catalog

pytestmark = pytest.mark.django_db(transaction=True)

CHECKOUT = "/api/v1/checkout/"
ADDRESS = {"first_name": "A", "last_name": "B", "line1": "1 Road", "city": "Oslo", "country": "NO"}
# Threads that hold a database connection at once; PostgreSQL allows 100 by default.
WORKERS = 40


def all_at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls on WORKERS threads, released together by a barrier."""
    barrier = threading.Barrier(min(WORKERS, len(calls)))

    def run(call: Callable[[], Any]) -> Any:
        try:
            # The barrier is cyclic: calls start in batches of the pool's size; a
            # short last batch times out on it and starts anyway.
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=1)
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(run, calls))


def guest_cart(*lines: tuple[int, int]) -> str:
    cart, _ = cart_services.cart_create(user=None)
    for variant_id, quantity in lines:
        cart_services.cart_line_add(cart=cart, variant_id=variant_id, quantity=quantity)
    return str(cart.token)


def checkout(token: str, idempotency_key: str | None = None) -> tuple[int, str]:
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency_key} if idempotency_key else {}
    response = APIClient().post(
        CHECKOUT,
        {"cart": token, "email": "race@example.com", "shipping_address": ADDRESS},
        format="json",
        **headers,  # type: ignore[arg-type]  # extra WSGI environ, as Django's client takes
    )
    body = response.json()
    return response.status_code, body.get("code") or body.get("number", "")


def test_two_hundred_buyers_for_fifty_units_sell_exactly_fifty():
    catalog = build_catalog()
    variant = catalog.headphones.variants.get()
    Stock.objects.filter(variant=variant).update(quantity=50)
    tokens = [guest_cart((variant.pk, 1)) for _ in range(200)]

    outcomes = all_at_once([functools.partial(checkout, token) for token in tokens])

    statuses = Counter(status for status, _ in outcomes)
    assert statuses == {201: 50, 409: 150}, statuses
    assert {code for status, code in outcomes if status == 409} == {"insufficient_stock"}
    stock = Stock.objects.get(variant=variant)
    assert (stock.quantity, stock.quantity_allocated) == (50, 50)
    assert Order.objects.count() == 50
    assert sum(OrderLineAllocation.objects.values_list("quantity", flat=True)) == 50


def test_carts_locking_the_same_variants_in_opposite_orders_do_not_deadlock():
    catalog = build_catalog()
    first = catalog.headphones.variants.get()
    second = catalog.speaker.variants.get()
    Stock.objects.filter(variant__in=[first, second]).update(quantity=100)
    tokens = []
    for index in range(40):
        pair = [(first.pk, 1), (second.pk, 1)]
        tokens.append(guest_cart(*(pair if index % 2 else reversed(pair))))

    outcomes = all_at_once([functools.partial(checkout, token) for token in tokens])

    assert Counter(status for status, _ in outcomes) == {201: 40}
    allocated = Stock.objects.filter(variant__in=[first, second]).values_list(
        "quantity_allocated", flat=True
    )
    assert sorted(allocated) == [40, 40]


def test_one_idempotency_key_fired_twenty_times_makes_one_order():
    catalog = build_catalog()
    token = guest_cart((catalog.headphones.variants.get().pk, 1))

    outcomes = all_at_once([functools.partial(checkout, token, "same-click")] * 20)

    statuses = Counter(status for status, _ in outcomes)
    assert set(statuses) <= {201, 409}, statuses
    assert statuses[201] >= 1
    assert {code for status, code in outcomes if status == 409} <= {
        "idempotency_in_flight",
        "cart_closed",
    }
    assert Order.objects.count() == 1
    assert {code for status, code in outcomes if status == 201} == {Order.objects.get().number}


def test_a_voucher_limited_to_ten_uses_is_used_ten_times_by_fifty_buyers():
    from decimal import Decimal  # noqa: PLC0415

    from nexus.discounts.models import Voucher  # noqa: PLC0415

    catalog = build_catalog()
    variant = catalog.headphones.variants.get()
    Stock.objects.filter(variant=variant).update(quantity=100)
    Voucher.objects.create(code="TEN", kind=Voucher.Kind.FIXED, value=Decimal(5), usage_limit=10)
    tokens = [guest_cart((variant.pk, 1)) for _ in range(50)]

    def checkout_with_voucher(token: str) -> tuple[int, str]:
        response = APIClient().post(
            CHECKOUT,
            {
                "cart": token,
                "email": f"{token}@example.com",
                "shipping_address": ADDRESS,
                "voucher": "TEN",
            },
            format="json",
        )
        return response.status_code, response.json().get("code", "")

    outcomes = all_at_once([functools.partial(checkout_with_voucher, t) for t in tokens])

    assert Counter(status for status, _ in outcomes) == {201: 10, 409: 40}
    assert {code for status, code in outcomes if status == 409} == {"voucher_used_up"}
    assert Voucher.objects.get().used_count == 10
    assert Order.objects.filter(voucher_code="TEN").count() == 10


def test_one_payment_event_delivered_ten_times_at_once_changes_the_order_once():
    from nexus.orders.models import OrderEvent  # noqa: PLC0415
    from nexus.payments.models import Payment, PaymentEvent  # noqa: PLC0415
    from tests.integration.test_payments import signed_event  # noqa: PLC0415

    catalog = build_catalog()
    token = guest_cart((catalog.headphones.variants.get().pk, 1))
    number = checkout(token)[1]
    order = Order.objects.get(number=number)
    payment = Payment.objects.create(
        order=order, gateway="sandbox", reference="sb_pay_race", amount=order.total, currency="EUR"
    )
    cents = int(order.total * 100)
    body, headers = signed_event("payment.succeeded", payment.reference, cents)

    def deliver() -> int:
        response = APIClient().post(
            "/api/v1/payments/webhooks/sandbox/", body, content_type="application/json", **headers
        )
        return response.status_code

    assert all_at_once([deliver] * 10) == [200] * 10
    assert PaymentEvent.objects.count() == 1
    order.refresh_from_db()
    assert order.status == "paid"
    assert OrderEvent.objects.filter(order=order, type="status_changed").count() == 1
