"""Orders for staff over GraphQL: the same permissions, filters, state machine, stock
effects and timeline as REST's staff orders."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nexus.api.graphql.staff_orders import StaffOrderStatus
from nexus.inventory.models import Stock
from nexus.orders.models import Order
from tests.graphql.client import data, error_codes, gql
from tests.graphql.staff_access import (
    ROLES,
    assert_access,
    assert_no_masked_errors,
    place,
    query_counts,
)

pytestmark = pytest.mark.django_db

ERRORS = "errors { code message field }"
ORDER_FIELDS = """number status email customer currency subtotal shippingTotal discountTotal
  taxTotal total shippingMethodName voucherCode trackingNumber shippingAddress
  billingAddress createdAt lines { id variant sku productName variantName unitPrice
  quantity lineTotal }"""
ORDERS = f"""query($filter: StaffOrderFilterInput, $first: Int, $after: String) {{
  staffOrders(filter: $filter, first: $first, after: $after) {{
    edges {{ cursor node {{ {ORDER_FIELDS} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""
ORDER = f"""query($number: String!) {{
  staffOrder(number: $number) {{ {ORDER_FIELDS} events {{ type data actor createdAt }} }} }}"""
TRANSITION = f"""mutation($number: String!, $input: StaffOrderTransitionInput!) {{
  staffOrderTransition(number: $number, input: $input) {{
    order {{ number status trackingNumber events {{ type data actor }} }} {ERRORS} }} }}"""
NOTE = f"""mutation($number: String!, $input: StaffOrderNoteInput!) {{
  staffOrderNoteAdd(number: $number, input: $input) {{
    order {{ number events {{ type data actor }} }} {ERRORS} }} }}"""


@pytest.fixture
def shirt(catalog):
    return catalog.red_shirt.variants.order_by("sku")[0]  # 5 on hand


@pytest.fixture
def number(shirt):
    return place(shirt, 2)


def stock_of(variant):
    stock = Stock.objects.get(variant=variant)
    return stock.quantity, stock.quantity_allocated


def test_the_status_enum_is_the_models():
    assert [s.value for s in StaffOrderStatus] == list(Order.Status.values)


# (field, document, variables from the order number, the permission REST requires)
OPERATIONS = [
    ("staffOrders", ORDERS, lambda n: {}, "orders.view_order"),
    ("staffOrder", ORDER, lambda n: {"number": n}, "orders.view_order"),
    (
        "staffOrderTransition",
        TRANSITION,
        lambda n: {"number": n, "input": {"status": "PAID"}},
        "orders.change_order",
    ),
    (
        "staffOrderNoteAdd",
        NOTE,
        lambda n: {"number": n, "input": {"message": "Called the customer."}},
        "orders.change_order",
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("field", "document", "variables", "permission"),
    OPERATIONS,
    ids=[operation[0] for operation in OPERATIONS],
)
def test_permission_table(number, staff, customer, role, field, document, variables, permission):
    result = assert_access(
        role, permission, document, variables(number), staff=staff, customer=customer
    )
    if role == "staff":
        assert result[field] is not None
        if "errors" in result[field]:
            assert result[field]["errors"] == [], result


# --- reads ----------------------------------------------------------------------------


def test_one_order_matches_rest_with_lines_and_timeline(client_for, staff, number):
    order = data(ORDER, {"number": number}, user=staff)["staffOrder"]
    rest = client_for(staff).get(f"/api/v1/staff/orders/{number}/").json()
    assert order["status"] == "UNPAID"
    for graphql_name, rest_name in (
        ("email", "email"),
        ("customer", "customer"),
        ("subtotal", "subtotal"),
        ("shippingTotal", "shipping_total"),
        ("taxTotal", "tax_total"),
        ("total", "total"),
        ("shippingAddress", "shipping_address"),
        ("trackingNumber", "tracking_number"),
    ):
        assert order[graphql_name] == rest[rest_name], graphql_name
    assert [(line["sku"], line["quantity"], line["lineTotal"]) for line in order["lines"]] == [
        (line["sku"], line["quantity"], line["line_total"]) for line in rest["lines"]
    ]
    assert [(e["type"], e["actor"]) for e in order["events"]] == [
        (e["type"], e["actor"]) for e in rest["events"]
    ]
    assert data(ORDER, {"number": "NOPE"}, user=staff) == {"staffOrder": None}


@pytest.fixture
def orders(catalog, shirt):
    """Three orders of different totals and emails, the first placed two days ago."""
    speaker = catalog.speaker.variants.get()
    first = place(shirt, 1, email="ann@example.com")
    Order.objects.filter(number=first).update(created_at=timezone.now() - timedelta(days=2))
    second = place(speaker, 3, email="bob@example.com")
    third = place(shirt, 2, email="ann.other@example.org")
    Order.objects.filter(number=second).update(status=Order.Status.PAID)
    return first, second, third


@pytest.mark.parametrize(
    ("graphql_filter", "rest_query"),
    [
        ({}, ""),
        ({"status": "PAID"}, "status=paid"),
        ({"status": "UNPAID"}, "status=unpaid"),
        ({"customer": "ANN"}, "customer=ANN"),
        ({"minTotal": "50"}, "min_total=50"),
        ({"maxTotal": "50", "customer": "example.com"}, "max_total=50&customer=example.com"),
        ("placedAfter", "placed_after={day_ago}"),
        ("placedBefore", "placed_before={day_ago}"),
    ],
)
def test_the_order_list_filters_as_rest(client_for, staff, orders, graphql_filter, rest_query):
    day_ago = (timezone.now() - timedelta(days=1)).isoformat()
    if isinstance(graphql_filter, str):
        graphql_filter = {graphql_filter: day_ago}
    params = [pair.split("=", 1) for pair in rest_query.format(day_ago=day_ago).split("&")]
    rest = client_for(staff).get("/api/v1/staff/orders/", dict(p for p in params if len(p) == 2))
    assert rest.status_code == 200, rest.json()
    rows = data(ORDERS, {"filter": graphql_filter}, user=staff)["staffOrders"]["edges"]
    assert [row["node"]["number"] for row in rows] == [o["number"] for o in rest.json()["results"]]
    assert rows


def test_the_order_list_pages_newest_first(staff, orders):
    seen, after = [], None
    while True:
        page = data(ORDERS, {"first": 2, "after": after}, user=staff)["staffOrders"]
        seen += [edge["node"]["number"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    first, second, third = orders
    assert seen == [third, second, first]


@pytest.mark.parametrize(
    ("graphql_filter", "field"),
    [
        ({"customer": "x" * 255}, "customer"),
        ({"placedAfter": "9999-12-31T23:00:00-10:00"}, "placedAfter"),
    ],
)
def test_bad_order_filters_are_invalid_requests(staff, orders, graphql_filter, field):
    body = gql(ORDERS, {"filter": graphql_filter}, user=staff)
    assert error_codes(body) == ["invalid"], body
    assert list(body["errors"][0]["extensions"]["fields"]) == [field]


# --- transitions and notes ----------------------------------------------------------------


def _move(number, staff, status, **extra):
    body = gql(TRANSITION, {"number": number, "input": {"status": status, **extra}}, user=staff)
    assert_no_masked_errors(body)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["staffOrderTransition"]
    return payload


def test_an_order_goes_from_paid_to_delivered_and_fulfilment_takes_its_stock(staff, shirt, number):
    assert stock_of(shirt) == (5, 2)
    early = _move(number, staff, "SHIPPED")
    assert [(e["code"], e["field"]) for e in early["errors"]] == [("illegal_transition", "status")]
    assert early["order"] is None
    assert _move(number, staff, "PAID")["order"]["status"] == "PAID"
    fulfilled = _move(number, staff, "FULFILLED", trackingNumber="TRACK-1")["order"]
    assert (fulfilled["status"], fulfilled["trackingNumber"]) == ("FULFILLED", "TRACK-1")
    assert stock_of(shirt) == (3, 0)
    assert _move(number, staff, "SHIPPED")["order"]["status"] == "SHIPPED"
    delivered = _move(number, staff, "DELIVERED")["order"]
    assert [event["type"] for event in delivered["events"]] == [
        "placed",
        "status_changed",
        "fulfilled",
        "status_changed",
        "status_changed",
    ]
    assert delivered["events"][1]["actor"] == staff.email


def test_cancelling_gives_the_stock_back(staff, shirt, number):
    cancelled = _move(number, staff, "CANCELLED")
    assert cancelled["errors"] == []
    assert cancelled["order"]["status"] == "CANCELLED"
    assert stock_of(shirt) == (5, 0)
    again = _move(number, staff, "CANCELLED")
    assert [e["code"] for e in again["errors"]] == ["illegal_transition"]


@pytest.mark.parametrize(
    ("number_given", "given", "expected"),
    [
        ("NOPE", {"status": "PAID"}, [("order_not_found", None)]),
        (None, {"status": "PAID", "trackingNumber": "x" * 101}, [("max_length", "trackingNumber")]),
        (None, {"status": "PAID", "trackingNumber": None}, [("null", "trackingNumber")]),
        (None, {"status": "UNPAID"}, [("illegal_transition", "status")]),
    ],
)
def test_bad_transitions_are_user_errors(staff, shirt, number, number_given, given, expected):
    body = gql(TRANSITION, {"number": number_given or number, "input": given}, user=staff)
    assert_no_masked_errors(body)
    payload = body["data"]["staffOrderTransition"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == expected
    assert payload["order"] is None
    assert Order.objects.get(number=number).status == Order.Status.UNPAID
    assert stock_of(shirt) == (5, 2)


def test_notes_join_the_timeline(staff, number):
    result = data(NOTE, {"number": number, "input": {"message": "Gift wrap."}}, user=staff)
    events = result["staffOrderNoteAdd"]["order"]["events"]
    assert events[-1]["type"] == "note"
    assert events[-1]["actor"] == staff.email
    assert "Gift wrap." in str(events[-1]["data"])


@pytest.mark.parametrize(
    ("number_given", "message", "expected"),
    [
        ("NOPE", "Hello", [("order_not_found", None)]),
        (None, "", [("blank", "message")]),
        (None, "x" * 2001, [("max_length", "message")]),
    ],
)
def test_bad_notes_are_user_errors(staff, number, number_given, message, expected):
    body = gql(NOTE, {"number": number_given or number, "input": {"message": message}}, user=staff)
    assert_no_masked_errors(body)
    payload = body["data"]["staffOrderNoteAdd"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == expected
    assert payload["order"] is None


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (ORDER, {"number": 7}),
        (ORDERS, {"filter": {"status": "paid"}}),  # enum names, not values
        (ORDERS, {"filter": {"minTotal": "lots"}}),
        (ORDERS, {"filter": {"placedAfter": "yesterday"}}),
        (TRANSITION, {"number": "X", "input": {"status": "LOST"}}),
        (TRANSITION, {"number": "X", "input": {}}),
        (NOTE, {"number": "X", "input": {"message": 5}}),
    ],
)
def test_wrong_types_are_graphql_validation_errors(staff, number, document, variables):
    body = gql(document, variables, user=staff)
    assert body["errors"], body
    assert_no_masked_errors(body)
    assert body.get("data") is None


# --- query counts -----------------------------------------------------------------------


def test_the_list_costs_the_same_queries_at_any_page_size(staff, catalog, shirt):
    speaker = catalog.speaker.variants.get()
    for index in range(8):
        place(speaker if index % 2 else shirt, 1, email=f"buyer{index}@example.com")
    for variables in (
        lambda size: {"first": size},
        lambda size: {"first": size, "filter": {"status": "UNPAID", "customer": "buyer"}},
    ):
        counts = query_counts(ORDERS, variables, (2, 8), user=staff, field="staffOrders")
        assert len(counts) == 1, counts


def test_one_order_costs_a_fixed_number_of_queries(staff, shirt):
    small, large = place(shirt, 1), place(shirt, 3)
    data(NOTE, {"number": large, "input": {"message": "A"}}, user=staff)
    counts = set()
    for number in (small, large):
        with CaptureQueriesContext(connection) as queries:
            data(ORDER, {"number": number}, user=staff)
        counts.add(len(queries))
    assert len(counts) == 1, counts
