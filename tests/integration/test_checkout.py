"""Checkout and orders over HTTP: placing, stock, idempotency, ownership, cancelling."""

from datetime import timedelta

import pytest

from nexus.catalog import services as catalog_services
from nexus.checkout.models import Cart
from nexus.core.models import IdempotencyRecord
from nexus.inventory import services as inventory_services
from nexus.inventory.models import Stock, Warehouse
from nexus.orders.models import Order, OrderLineAllocation
from tests.factories import AddressFactory

pytestmark = pytest.mark.django_db

CARTS = "/api/v1/carts/"
CHECKOUT = "/api/v1/checkout/"
ORDERS = "/api/v1/orders/"
ADDRESS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
}


def variant_of(product, index=0):
    return product.variants.order_by("sku")[index]


def cart_with(client, *lines):
    token = client.post(CARTS).json()["token"]
    for variant, quantity in lines:
        response = client.post(
            f"{CARTS}{token}/lines/", {"variant": variant.pk, "quantity": quantity}, format="json"
        )
        assert response.status_code == 201, response.json()
    return token


def guest_checkout(api, token, **extra):
    body = {"cart": token, "email": "guest@example.com", "shipping_address": ADDRESS, **extra}
    return api.post(CHECKOUT, body, format="json")


def allocated(variant):
    return sum(variant.stocks.values_list("quantity_allocated", flat=True))


def test_a_guest_places_an_order_at_server_prices(api, catalog):
    shirt, headphones = variant_of(catalog.red_shirt), variant_of(catalog.headphones)
    token = cart_with(api, (shirt, 2), (headphones, 1))

    response = guest_checkout(api, token)

    assert response.status_code == 201, response.json()
    order = response.json()
    assert order["status"] == "unpaid"
    assert order["email"] == "guest@example.com"
    assert [(line["sku"], line["unit_price"], line["quantity"]) for line in order["lines"]] == [
        ("red-linen-shirt-0", "20.00", 2),
        ("wireless-headphones-0", "120.00", 1),
    ]
    assert (order["subtotal"], order["total"]) == ("160.00", "160.00")
    assert order["shipping_address"]["city"] == "London"
    assert order["billing_address"] == order["shipping_address"]
    assert [event["type"] for event in order["events"]] == ["placed"]
    assert (allocated(shirt), allocated(headphones)) == (2, 1)
    assert Cart.objects.get(token=token).status == "ordered"


def test_a_cart_becomes_one_order_at_most(api, catalog):
    token = cart_with(api, (variant_of(catalog.red_shirt), 1))
    assert guest_checkout(api, token).status_code == 201
    again = guest_checkout(api, token)
    assert again.status_code == 409
    assert again.json()["code"] == "cart_closed"
    assert Order.objects.count() == 1
    assert allocated(variant_of(catalog.red_shirt)) == 1


@pytest.mark.parametrize("field", ["total", "subtotal", "unit_price", "status", "user"])
def test_client_sent_money_status_or_owner_is_refused(api, catalog, field):
    token = cart_with(api, (variant_of(catalog.red_shirt), 1))
    response = guest_checkout(api, token, **{field: "0.01"})
    assert response.status_code == 400
    assert field in {error["field"] for error in response.json()["errors"]}
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cart": None, "email": "guest@example.com", "shipping_address": ADDRESS}, "cart"),
        ({"cart": "nope", "email": "guest@example.com", "shipping_address": ADDRESS}, "cart"),
        ({"email": "guest@example.com"}, "shipping_address"),
        ({"shipping_address": ADDRESS}, "email"),
        ({"email": "x", "shipping_address": ADDRESS}, "email"),
        ({"email": "g@example.com", "shipping_address": {**ADDRESS, "country": "XX"}}, None),
        ({"email": "g@example.com", "shipping_address_id": 1}, "shipping_address_id"),
    ],
)
def test_bad_checkout_input_is_400_and_writes_nothing(api, catalog, body, field):
    token = cart_with(api, (variant_of(catalog.red_shirt), 1))
    response = api.post(CHECKOUT, {"cart": token, **body}, format="json")
    assert response.status_code == 400, response.json()
    fields = {error["field"] for error in response.json().get("errors", [])}
    assert field is None or field in fields, fields
    assert not Order.objects.exists()
    assert Cart.objects.get(token=token).status == "open"


def test_an_empty_cart_cannot_be_ordered(api, catalog):
    response = guest_checkout(api, cart_with(api))
    assert response.status_code == 400
    assert response.json()["code"] == "cart_empty"


def test_stock_gone_since_the_cart_was_filled_is_a_409_and_nothing_is_written(api, catalog):
    shirt, headphones = variant_of(catalog.red_shirt), variant_of(catalog.headphones)
    token = cart_with(api, (headphones, 1), (shirt, 3))
    Stock.objects.filter(variant=shirt).update(quantity=2)

    response = guest_checkout(api, token)

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    assert not Order.objects.exists()
    assert (allocated(shirt), allocated(headphones)) == (0, 0)
    assert Cart.objects.get(token=token).status == "open"


def test_a_line_no_longer_for_sale_blocks_the_order(api, catalog, staff):
    token = cart_with(api, (variant_of(catalog.headphones), 1))
    catalog_services.product_update(product=catalog.headphones, changes={"is_published": False})
    response = guest_checkout(api, token)
    assert response.status_code == 409
    assert response.json()["code"] == "lines_unavailable"
    assert not Order.objects.exists()


def test_a_customer_orders_to_a_saved_address(client_for, customer, catalog):
    client = client_for(customer)
    saved = AddressFactory.create(user=customer, city="Leeds")
    token = cart_with(client, (variant_of(catalog.red_shirt), 1))
    response = client.post(
        CHECKOUT, {"cart": token, "shipping_address_id": saved.pk}, format="json"
    )
    assert response.status_code == 201, response.json()
    order = response.json()
    assert order["email"] == customer.email
    assert order["shipping_address"]["city"] == "Leeds"
    assert Order.objects.get().user == customer


def test_another_customers_address_or_cart_is_404(client_for, customer, other_customer, catalog):
    theirs = AddressFactory.create(user=other_customer)
    client = client_for(customer)
    token = cart_with(client, (variant_of(catalog.red_shirt), 1))
    response = client.post(
        CHECKOUT, {"cart": token, "shipping_address_id": theirs.pk}, format="json"
    )
    assert response.status_code == 404
    their_cart = cart_with(client_for(other_customer), (variant_of(catalog.headphones), 1))
    response = client.post(
        CHECKOUT, {"cart": their_cart, "shipping_address": ADDRESS}, format="json"
    )
    assert response.status_code == 404
    assert not Order.objects.exists()


def test_an_idempotent_replay_returns_the_first_answer(api, catalog):
    token = cart_with(api, (variant_of(catalog.red_shirt), 1))
    body = {"cart": token, "email": "guest@example.com", "shipping_address": ADDRESS}
    first = api.post(CHECKOUT, body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    again = api.post(CHECKOUT, body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Order.objects.count() == 1

    other_body = {**body, "email": "someone@example.com"}
    reused = api.post(CHECKOUT, other_body, format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"


def test_a_failed_request_gives_its_idempotency_key_back(api, catalog):
    shirt = variant_of(catalog.red_shirt)
    token = cart_with(api, (shirt, 3))
    Stock.objects.filter(variant=shirt).update(quantity=1)
    body = {"cart": token, "email": "guest@example.com", "shipping_address": ADDRESS}
    failed = api.post(CHECKOUT, body, format="json", HTTP_IDEMPOTENCY_KEY="retry-me")
    assert failed.status_code == 409
    assert not IdempotencyRecord.objects.exists()
    Stock.objects.filter(variant=shirt).update(quantity=5)
    retried = api.post(CHECKOUT, body, format="json", HTTP_IDEMPOTENCY_KEY="retry-me")
    assert retried.status_code == 201


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "naïve"])
def test_a_malformed_idempotency_key_is_400(api, catalog, key):
    token = cart_with(api, (variant_of(catalog.red_shirt), 1))
    body = {"cart": token, "email": "guest@example.com", "shipping_address": ADDRESS}
    response = api.post(CHECKOUT, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert not Order.objects.exists()


def test_an_idempotency_key_still_in_flight_is_409(api, catalog):
    token = cart_with(api, (variant_of(catalog.red_shirt), 1))
    body = {"cart": token, "email": "guest@example.com", "shipping_address": ADDRESS}
    first = api.post(CHECKOUT, body, format="json", HTTP_IDEMPOTENCY_KEY="slow")
    assert first.status_code == 201
    # As if the first request were still running: its record is in flight again.
    IdempotencyRecord.objects.update(state=IdempotencyRecord.State.IN_FLIGHT)
    response = api.post(CHECKOUT, body, format="json", HTTP_IDEMPOTENCY_KEY="slow")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_flight"


def test_customers_see_only_their_own_orders(client_for, customer, other_customer, catalog):
    mine = client_for(customer)
    token = cart_with(mine, (variant_of(catalog.red_shirt), 1))
    number = mine.post(
        CHECKOUT, {"cart": token, "shipping_address": ADDRESS}, format="json"
    ).json()["number"]
    listed = mine.get(ORDERS).json()["results"]
    assert [order["number"] for order in listed] == [number]
    assert mine.get(f"{ORDERS}{number}/").status_code == 200

    theirs = client_for(other_customer)
    assert theirs.get(ORDERS).json()["results"] == []
    assert theirs.get(f"{ORDERS}{number}/").status_code == 404
    assert theirs.post(f"{ORDERS}{number}/cancel/").status_code == 404


def test_orders_need_a_sign_in(api):
    assert api.get(ORDERS).status_code == 401
    assert api.get(f"{ORDERS}ABC/").status_code == 401


def test_cancelling_an_unpaid_order_gives_its_stock_back(client_for, customer, catalog):
    client = client_for(customer)
    shirt = variant_of(catalog.red_shirt)
    token = cart_with(client, (shirt, 2))
    number = client.post(
        CHECKOUT, {"cart": token, "shipping_address": ADDRESS}, format="json"
    ).json()["number"]
    assert allocated(shirt) == 2

    response = client.post(f"{ORDERS}{number}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert [event["type"] for event in response.json()["events"]] == ["placed", "cancelled"]
    assert allocated(shirt) == 0
    assert not OrderLineAllocation.objects.exists()
    again = client.post(f"{ORDERS}{number}/cancel/")
    assert again.status_code == 409
    assert again.json()["code"] == "illegal_transition"


def test_allocation_takes_warehouses_by_priority_and_splits(catalog):
    headphones = variant_of(catalog.headphones)  # 3 in "Main" (priority 100)
    first = Warehouse.objects.create(name="Front", slug="front", priority=1)
    Stock.objects.create(variant=headphones, warehouse=first, quantity=2)
    allocations = inventory_services.stock_allocate(
        holder=None,
        lines=[inventory_services.LineRequest(ref=7, variant_id=headphones.pk, quantity=4)],
    )
    taken = {Stock.objects.get(pk=a.stock_id).warehouse.slug: a.quantity for a in allocations}
    assert taken == {"front": 2, "main": 2}


def test_reservations_hold_stock_for_their_holder_until_they_expire(catalog):
    import uuid  # noqa: PLC0415

    from nexus.inventory.errors import InsufficientStock  # noqa: PLC0415
    from nexus.inventory.models import Reservation  # noqa: PLC0415
    from nexus.inventory.selectors import quantities_available  # noqa: PLC0415

    headphones = variant_of(catalog.headphones)  # 3 in stock
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    inventory_services.stock_reserve(
        holder=mine, quantities={headphones.pk: 2}, ttl=timedelta(minutes=15)
    )
    assert quantities_available(variant_ids=[headphones.pk]) == {headphones.pk: 1}
    assert quantities_available(variant_ids=[headphones.pk], holder=mine) == {headphones.pk: 3}
    with pytest.raises(InsufficientStock):
        inventory_services.stock_reserve(
            holder=theirs, quantities={headphones.pk: 2}, ttl=timedelta(minutes=15)
        )
    line = inventory_services.LineRequest(ref=1, variant_id=headphones.pk, quantity=2)
    with pytest.raises(InsufficientStock):
        inventory_services.stock_allocate(holder=theirs, lines=[line])
    inventory_services.stock_allocate(holder=mine, lines=[line])  # its own reservation
    assert not Reservation.objects.filter(holder=mine).exists()

    # An expired reservation stops counting at once, before any sweep.
    inventory_services.stock_reserve(
        holder=theirs, quantities={headphones.pk: 1}, ttl=timedelta(minutes=15)
    )
    Reservation.objects.update(expires_at=Reservation.objects.get().expires_at - timedelta(hours=1))
    assert quantities_available(variant_ids=[headphones.pk]) == {headphones.pk: 1}
    assert inventory_services.reservations_delete_expired() == 1


def test_starting_checkout_holds_the_stock_until_the_cart_changes(api, catalog):
    headphones = variant_of(catalog.headphones)  # 3 in stock
    mine = cart_with(api, (headphones, 2))
    held = api.post(f"{CARTS}{mine}/reservation/")
    assert held.status_code == 200, held.json()
    assert held.json()["reserved_until"] is not None

    theirs = cart_with(api, (headphones, 1))
    refused = api.post(
        f"{CARTS}{theirs}/lines/", {"variant": headphones.pk, "quantity": 1}, format="json"
    )
    assert refused.status_code == 409  # 3 - 2 held = 1, and they already have 1
    assert api.post(f"{CARTS}{theirs}/reservation/").status_code == 200
    assert api.post(f"{CARTS}{cart_with(api)}/reservation/").json()["code"] == "cart_empty"

    assert guest_checkout(api, mine).status_code == 201  # its own hold counts as its stock
    assert allocated(headphones) == 2


def test_changing_the_cart_ends_its_hold(api, catalog):
    headphones = variant_of(catalog.headphones)
    token = cart_with(api, (headphones, 1))
    api.post(f"{CARTS}{token}/reservation/")
    line_id = api.get(f"{CARTS}{token}/").json()["lines"][0]["id"]
    changed = api.patch(f"{CARTS}{token}/lines/{line_id}/", {"quantity": 2}, format="json")
    assert changed.json()["reserved_until"] is None
    from nexus.inventory.models import Reservation  # noqa: PLC0415

    assert not Reservation.objects.exists()


def test_unpaid_orders_are_cancelled_after_their_time(api, catalog, settings):
    from django.utils import timezone  # noqa: PLC0415

    from nexus.orders.tasks import cancel_unpaid_orders  # noqa: PLC0415

    shirt = variant_of(catalog.red_shirt)
    old = guest_checkout(api, cart_with(api, (shirt, 1))).json()["number"]
    fresh = guest_checkout(api, cart_with(api, (shirt, 1))).json()["number"]
    Order.objects.filter(number=old).update(created_at=timezone.now() - timedelta(hours=2))
    settings.ORDER_UNPAID_CANCEL_MINUTES = 60

    assert cancel_unpaid_orders() == 1

    assert Order.objects.get(number=old).status == "cancelled"
    assert Order.objects.get(number=fresh).status == "unpaid"
    assert allocated(shirt) == 1


def test_idempotent_answers_expire_after_a_day(api, catalog):
    from nexus.core.tasks import delete_expired_idempotency_records  # noqa: PLC0415

    token = cart_with(api, (variant_of(catalog.red_shirt), 1))
    body = {"cart": token, "email": "guest@example.com", "shipping_address": ADDRESS}
    api.post(CHECKOUT, body, format="json", HTTP_IDEMPOTENCY_KEY="day-old")
    IdempotencyRecord.objects.update(
        created_at=IdempotencyRecord.objects.get().created_at - timedelta(hours=25)
    )
    # Past the day the key is free again: the request runs, and finds its cart ordered.
    again = api.post(CHECKOUT, body, format="json", HTTP_IDEMPOTENCY_KEY="day-old")
    assert again.status_code == 409
    assert again.json()["code"] == "cart_closed"
    IdempotencyRecord.objects.all().delete()
    api.post(
        CHECKOUT,
        {**body, "cart": cart_with(api, (variant_of(catalog.red_shirt), 1))},
        format="json",
        HTTP_IDEMPOTENCY_KEY="old",
    )
    IdempotencyRecord.objects.update(
        created_at=IdempotencyRecord.objects.get().created_at - timedelta(hours=25)
    )
    assert delete_expired_idempotency_records() == 1
