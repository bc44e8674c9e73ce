"""Orders for staff: filters, the state machine, fulfilment with stock, notes, access."""

import pytest

from nexus.inventory.models import Stock
from nexus.orders.models import Order

pytestmark = pytest.mark.django_db

STAFF_ORDERS = "/api/v1/staff/orders/"
ADDRESS = {"first_name": "A", "last_name": "B", "line1": "1 Road", "city": "Oslo", "country": "NO"}


@pytest.fixture
def staff_api(client_for, staff):
    return client_for(staff)


def place(api, variant, quantity=1, email="guest@example.com"):
    token = api.post("/api/v1/carts/").json()["token"]
    api.post(
        f"/api/v1/carts/{token}/lines/",
        {"variant": variant.pk, "quantity": quantity},
        format="json",
    )
    response = api.post(
        "/api/v1/checkout/",
        {"cart": token, "email": email, "shipping_address": ADDRESS},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()["number"]


def stock_of(variant):
    stock = Stock.objects.get(variant=variant)
    return stock.quantity, stock.quantity_allocated


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("get", "ABC/"),
        ("post", "ABC/transitions/"),
        ("post", "ABC/notes/"),
    ],
)
def test_only_staff_may_manage_orders(api, client_for, customer, method, path):
    assert getattr(api, method)(f"{STAFF_ORDERS}{path}").status_code == 401
    assert getattr(client_for(customer), method)(f"{STAFF_ORDERS}{path}").status_code == 403


def test_an_order_goes_from_paid_to_delivered_and_fulfilment_takes_its_stock(
    api, staff_api, staff, catalog
):
    shirt = catalog.red_shirt.variants.order_by("sku")[0]  # 5 on hand
    number = place(api, shirt, 2)
    assert stock_of(shirt) == (5, 2)

    def move(to, **extra):
        return staff_api.post(
            f"{STAFF_ORDERS}{number}/transitions/", {"status": to, **extra}, format="json"
        )

    early = move("shipped")
    assert early.status_code == 409
    assert early.json()["code"] == "illegal_transition"
    assert move("paid").json()["status"] == "paid"
    fulfilled = move("fulfilled", tracking_number="TRACK-1")
    assert fulfilled.status_code == 200
    assert fulfilled.json()["tracking_number"] == "TRACK-1"
    assert stock_of(shirt) == (3, 0)
    assert move("shipped").json()["status"] == "shipped"
    delivered = move("delivered").json()
    assert [event["type"] for event in delivered["events"]] == [
        "placed",
        "status_changed",
        "fulfilled",
        "status_changed",
        "status_changed",
    ]
    assert delivered["events"][0]["actor"] is None  # a guest placed it
    assert {event["actor"] for event in delivered["events"][1:]} == {staff.email}
    assert move("cancelled").status_code == 409
    assert stock_of(shirt) == (3, 0)


def test_staff_cancelling_gives_the_stock_back(api, staff_api, catalog):
    shirt = catalog.red_shirt.variants.order_by("sku")[0]
    number = place(api, shirt, 3)
    response = staff_api.post(
        f"{STAFF_ORDERS}{number}/transitions/", {"status": "cancelled"}, format="json"
    )
    assert response.json()["status"] == "cancelled"
    assert stock_of(shirt) == (5, 0)


@pytest.mark.parametrize(
    "body", [{}, {"status": "lost"}, {"status": 3}, {"status": "paid", "x": 1}]
)
def test_bad_transitions_are_400(api, staff_api, catalog, body):
    number = place(api, catalog.red_shirt.variants.order_by("sku")[0])
    response = staff_api.post(f"{STAFF_ORDERS}{number}/transitions/", body, format="json")
    assert response.status_code == 400
    assert Order.objects.get().status == "unpaid"


def test_notes_join_the_timeline(api, staff_api, catalog):
    number = place(api, catalog.red_shirt.variants.order_by("sku")[0])
    response = staff_api.post(
        f"{STAFF_ORDERS}{number}/notes/", {"message": "Gift wrap"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["events"][-1]["data"] == {"message": "Gift wrap"}
    assert staff_api.post(f"{STAFF_ORDERS}{number}/notes/", {}, format="json").status_code == 400


def test_staff_filter_orders(api, staff_api, catalog):
    shirt = catalog.red_shirt.variants.order_by("sku")[0]  # 20.00
    cheap = place(api, shirt, 1, email="ann@example.com")
    dear = place(api, shirt, 3, email="bob@example.com")
    staff_api.post(f"{STAFF_ORDERS}{dear}/transitions/", {"status": "paid"}, format="json")

    def numbers(query):
        response = staff_api.get(f"{STAFF_ORDERS}?{query}")
        assert response.status_code == 200, response.json()
        return [order["number"] for order in response.json()["results"]]

    assert numbers("") == [dear, cheap]
    assert numbers("status=paid") == [dear]
    assert numbers("customer=ANN") == [cheap]
    assert numbers("min_total=30") == [dear]
    assert numbers("max_total=30") == [cheap]
    assert numbers("placed_after=2000-01-01T00:00:00Z") == [dear, cheap]
    assert numbers("placed_before=2000-01-01T00:00:00Z") == []
    for bad in ("status=lost", "min_total=abc", "placed_after=yesterday"):
        assert staff_api.get(f"{STAFF_ORDERS}?{bad}").status_code == 400, bad


def test_unknown_order_is_404_for_staff(staff_api):
    assert staff_api.get(f"{STAFF_ORDERS}NOPE/").status_code == 404
    response = staff_api.post(f"{STAFF_ORDERS}NOPE/transitions/", {"status": "paid"}, format="json")
    assert response.status_code == 404
