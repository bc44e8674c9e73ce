"""A customer's own orders over GraphQL: the same selectors and cancel service as REST."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework_simplejwt.tokens import AccessToken

from nexus.inventory.models import Stock
from nexus.orders.models import Order, OrderLineAllocation
from tests.graphql.client import data, error_codes, gql

pytestmark = pytest.mark.django_db

MASKED = "Unexpected error."

ADDRESS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
}

ORDER_FIELDS = """
number status email currency subtotal shippingTotal discountTotal taxTotal total
shippingMethodName voucherCode createdAt
shippingAddress { firstName lastName company line1 line2 city postalCode region country phone }
billingAddress { firstName lastName company line1 line2 city postalCode region country phone }
lines { id variant sku productName variantName unitPrice quantity lineTotal }
events { type data createdAt }
"""

ORDERS = f"""
query Orders($first: Int, $after: String) {{
  orders(first: $first, after: $after) {{
    edges {{ cursor node {{ {ORDER_FIELDS} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""

ORDER = f"query Order($number: String!) {{ order(number: $number) {{ {ORDER_FIELDS} }} }}"

ORDER_CANCEL = f"""
mutation OrderCancel($number: String!) {{
  orderCancel(number: $number) {{ order {{ {ORDER_FIELDS} }} errors {{ code message field }} }}
}}
"""


def variant_of(product, index=0):
    return product.variants.order_by("sku")[index]


def place(client, *lines, **checkout):
    """An order placed over REST, as a storefront would; its number."""
    token = client.post("/api/v1/carts/").json()["token"]
    for variant, quantity in lines:
        added = client.post(
            f"/api/v1/carts/{token}/lines/",
            {"variant": variant.pk, "quantity": quantity},
            format="json",
        )
        assert added.status_code == 201, added.json()
    response = client.post(
        "/api/v1/checkout/",
        {"cart": token, "shipping_address": ADDRESS, **checkout},
        format="json",
    )
    assert response.status_code == 201, response.json()
    number: str = response.json()["number"]
    return number


@pytest.fixture
def order_number(client_for, customer, catalog):
    return place(
        client_for(customer),
        (variant_of(catalog.red_shirt), 2),
        (variant_of(catalog.headphones), 1),
    )


def allocated(variant):
    return sum(variant.stocks.values_list("quantity_allocated", flat=True))


def assert_refused_by_graphql(body):
    assert body.get("data") is None, body
    assert body["errors"], body
    assert all(error["message"] != MASKED for error in body["errors"]), body


def as_rest(order):
    """A GraphQL order in REST's shape, to compare the two field by field."""

    def address(given):
        return {
            "first_name": given["firstName"],
            "last_name": given["lastName"],
            "company": given["company"],
            "line1": given["line1"],
            "line2": given["line2"],
            "city": given["city"],
            "postal_code": given["postalCode"],
            "region": given["region"],
            "country": given["country"],
            "phone": given["phone"],
        }

    return {
        "number": order["number"],
        "status": order["status"].lower(),
        "email": order["email"],
        "currency": order["currency"],
        "subtotal": order["subtotal"],
        "shipping_total": order["shippingTotal"],
        "discount_total": order["discountTotal"],
        "tax_total": order["taxTotal"],
        "total": order["total"],
        "shipping_method_name": order["shippingMethodName"],
        "voucher_code": order["voucherCode"],
        "shipping_address": address(order["shippingAddress"]),
        "billing_address": address(order["billingAddress"]),
        "lines": [
            {
                "id": line["id"],
                "variant": line["variant"],
                "sku": line["sku"],
                "product_name": line["productName"],
                "variant_name": line["variantName"],
                "unit_price": line["unitPrice"],
                "quantity": line["quantity"],
                "line_total": line["lineTotal"],
            }
            for line in order["lines"]
        ],
        "events": [
            {"type": event["type"].lower(), "data": event["data"]} for event in order["events"]
        ],
    }


def rest_detail(client, number):
    body = client.get(f"/api/v1/orders/{number}/").json()
    body.pop("created_at")
    for event in body["events"]:
        event.pop("created_at")
    return body


# --- one order --------------------------------------------------------------------


def test_an_order_reads_as_in_rest(client_for, customer, order_number):
    order = data(ORDER, {"number": order_number}, user=customer)["order"]
    assert order["status"] == "UNPAID"
    assert [(line["sku"], line["unitPrice"], line["quantity"]) for line in order["lines"]] == [
        ("red-linen-shirt-0", "20.00", 2),
        ("wireless-headphones-0", "120.00", 1),
    ]
    assert (order["subtotal"], order["total"]) == ("160.00", "160.00")
    assert order["shippingAddress"]["city"] == "London"
    assert order["billingAddress"] == order["shippingAddress"]
    assert [event["type"] for event in order["events"]] == ["PLACED"]
    assert as_rest(order) == rest_detail(client_for(customer), order_number)


@pytest.mark.parametrize("who", ["other_customer", "staff"])
def test_someone_elses_order_is_null_like_a_missing_one(request, order_number, who):
    caller = request.getfixturevalue(who)
    assert data(ORDER, {"number": order_number}, user=caller) == {"order": None}
    assert data(ORDER, {"number": "NOSUCHORDER"}, user=caller) == {"order": None}


def test_a_guest_order_is_nobodys_to_read(api, client_for, customer, catalog):
    guest_number = place(api, (variant_of(catalog.red_shirt), 1), email="guest@example.com")
    assert data(ORDER, {"number": guest_number}, user=customer) == {"order": None}


def test_an_order_needs_a_sign_in(order_number):
    body = gql(ORDER, {"number": order_number})
    assert error_codes(body) == ["not_authenticated"]
    assert body["data"] == {"order": None}


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (ORDER, {"number": 7}),
        (ORDER, {}),
        ("{ order { number } }", None),
        (ORDER_CANCEL, {"number": ["A"]}),
        (ORDER_CANCEL, {}),
    ],
)
def test_ill_typed_numbers_are_graphql_errors(customer, query, variables):
    assert_refused_by_graphql(gql(query, variables, user=customer))


# --- the list ---------------------------------------------------------------------


def test_the_list_shows_only_own_orders_newest_first(client_for, customer, other_customer, catalog):
    shirt = variant_of(catalog.red_shirt)
    mine = [place(client_for(customer), (shirt, 1)) for _ in range(3)]
    place(client_for(other_customer), (shirt, 1))

    page = data(ORDERS, user=customer)["orders"]

    assert [edge["node"]["number"] for edge in page["edges"]] == list(reversed(mine))
    assert page["pageInfo"]["hasNextPage"] is False
    rest = client_for(customer).get("/api/v1/orders/").json()["results"]
    assert [order["number"] for order in rest] == list(reversed(mine))
    assert [edge["node"]["events"][0]["type"] for edge in page["edges"]] == ["PLACED"] * 3


def test_another_customer_sees_an_empty_list(other_customer, order_number):
    page = data(ORDERS, user=other_customer)["orders"]
    assert page == {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}


def test_the_list_needs_a_sign_in(order_number):
    body = gql(ORDERS)
    assert body["data"] is None
    assert error_codes(body) == ["not_authenticated"]


def test_cursor_pages_walk_the_whole_list_once(client_for, customer, catalog):
    client = client_for(customer)
    placed = [place(client, (variant_of(catalog.red_shirt), 1)) for _ in range(5)]
    seen, after = [], None
    while True:
        page = data(ORDERS, {"first": 2, "after": after}, user=customer)["orders"]
        seen += [edge["node"]["number"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(reversed(placed))


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"first": 0}, "invalid_page_size"),
        ({"first": 101}, "invalid_page_size"),
        ({"after": "garbage"}, "invalid_cursor"),
        ({"after": "WyJ4IiwgMV0"}, "invalid_cursor"),  # ["x", 1]: no date
    ],
)
def test_bad_paging_arguments_are_request_errors(customer, variables, code):
    numbers = """
    query Numbers($first: Int, $after: String) {
      orders(first: $first, after: $after) { edges { node { number } } }
    }
    """
    assert error_codes(gql(numbers, variables, user=customer)) == [code]


def test_the_list_costs_the_same_queries_at_any_page_size(client_for, customer, catalog):
    shirt, headphones = variant_of(catalog.red_shirt), variant_of(catalog.headphones)
    Stock.objects.filter(variant__in=[shirt, headphones]).update(quantity=100)
    client = client_for(customer)
    numbers = [place(client, (shirt, 1), (headphones, 1)) for _ in range(12)]
    client.post(f"/api/v1/orders/{numbers[-1]}/cancel/")  # a longer timeline on the first page

    # Not gql(user=...): that records a refresh token, a write inside the count.
    access = str(AccessToken.for_user(customer))
    counts = []
    for size in (2, 10):
        with CaptureQueriesContext(connection) as queries:
            page = data(ORDERS, {"first": size}, token=access)["orders"]
        assert len(page["edges"]) == size
        assert all(len(edge["node"]["lines"]) == 2 for edge in page["edges"])
        counts.append(len(queries))
    assert counts == [4, 4], counts  # the user, the page, its lines, its events


# --- cancelling -------------------------------------------------------------------


def test_cancelling_an_unpaid_order_gives_its_stock_back(customer, catalog, order_number):
    shirt = variant_of(catalog.red_shirt)
    assert allocated(shirt) == 2

    payload = data(ORDER_CANCEL, {"number": order_number}, user=customer)["orderCancel"]

    assert payload["errors"] == []
    assert payload["order"]["status"] == "CANCELLED"
    assert [event["type"] for event in payload["order"]["events"]] == ["PLACED", "CANCELLED"]
    assert allocated(shirt) == 0
    assert not OrderLineAllocation.objects.exists()

    again = data(ORDER_CANCEL, {"number": order_number}, user=customer)["orderCancel"]
    assert again["order"] is None
    assert {error["code"] for error in again["errors"]} == {"illegal_transition"}


def test_a_cancelled_order_reads_as_in_rest(client_for, customer, order_number):
    payload = data(ORDER_CANCEL, {"number": order_number}, user=customer)["orderCancel"]
    assert as_rest(payload["order"]) == rest_detail(client_for(customer), order_number)


@pytest.mark.parametrize("who", ["other_customer", "staff"])
def test_someone_elses_order_cannot_be_cancelled_and_is_not_revealed(
    request, catalog, order_number, who
):
    caller = request.getfixturevalue(who)
    theirs = data(ORDER_CANCEL, {"number": order_number}, user=caller)["orderCancel"]
    missing = data(ORDER_CANCEL, {"number": "NOSUCHORDER"}, user=caller)["orderCancel"]
    assert theirs == missing
    assert theirs["order"] is None
    assert [error["code"] for error in theirs["errors"]] == ["order_not_found"]
    assert Order.objects.get(number=order_number).status == Order.Status.UNPAID
    assert allocated(variant_of(catalog.red_shirt)) == 2


def test_cancelling_needs_a_sign_in(order_number):
    body = gql(ORDER_CANCEL, {"number": order_number})
    assert body["data"] is None
    assert error_codes(body) == ["not_authenticated"]
    assert Order.objects.get(number=order_number).status == Order.Status.UNPAID
