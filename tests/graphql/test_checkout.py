"""Carts, checkout and paying over GraphQL — and the same numbers as REST."""

import uuid
from decimal import Decimal
from typing import Any

import pytest

from nexus.discounts.models import Voucher
from nexus.orders.models import Order
from nexus.payments.models import Payment
from nexus.shipping.models import ShippingMethod, ShippingZone
from nexus.taxes.models import TaxRate
from tests.graphql.client import data, error_codes, gql

pytestmark = pytest.mark.django_db

BERLIN = {"firstName": "A", "lastName": "B", "line1": "1 Weg", "city": "Berlin", "country": "DE"}
CART_FIELDS = (
    "token status quantity subtotal lines { id quantity unitPrice lineTotal variant { sku } }"
)


@pytest.fixture
def shop(catalog):
    zone = ShippingZone.objects.create(name="DACH", countries="AT,CH,DE")
    flat = ShippingMethod.objects.create(zone=zone, name="Standard", price=Decimal("4.90"))
    TaxRate.objects.create(country="DE", rate=Decimal("19.00"))
    Voucher.objects.create(code="TEN", kind=Voucher.Kind.PERCENTAGE, value=Decimal(10))
    return {"flat": flat, "shirt": catalog.red_shirt.variants.order_by("sku")[0]}


def _cart(**options):
    return data(
        f"mutation {{ cartCreate {{ cart {{ {CART_FIELDS} }} errors {{ code }} }} }}", **options
    )["cartCreate"]["cart"]


def _add(token, variant, quantity, **options):
    return data(
        f"""mutation($t: UUID!, $v: Int!, $q: Int!) {{
              cartLineAdd(token: $t, variant: $v, quantity: $q) {{
                cart {{ {CART_FIELDS} }} errors {{ code field message }} }} }}""",
        {"t": token, "v": variant, "q": quantity},
        **options,
    )["cartLineAdd"]


PLACE = """mutation($input: CheckoutInput!, $key: String) {
  checkoutPlace(input: $input, idempotencyKey: $key) {
    order { number status total subtotal shippingTotal taxTotal discountTotal email }
    replayed errors { code field message } } }"""


def test_a_guest_buys_and_pays_over_graphql(shop, django_capture_on_commit_callbacks):
    token = _cart()["token"]
    cart = _add(token, shop["shirt"].pk, 2)["cart"]
    assert (cart["quantity"], cart["subtotal"]) == (2, "40.00")

    summary = data(
        """query($c: UUID!) { checkoutSummary(cart: $c, country: "DE") {
             total subtotal shippingMethods { id name price } } }""",
        {"c": token},
    )["checkoutSummary"]
    assert [(m["name"], m["price"]) for m in summary["shippingMethods"]] == [("Standard", "4.90")]

    placed = data(
        PLACE,
        {
            "input": {
                "cart": token,
                "email": "guest@example.com",
                "shippingAddress": BERLIN,
                "shippingMethod": shop["flat"].pk,
            }
        },
    )["checkoutPlace"]
    assert placed["errors"] == []
    order = placed["order"]
    assert (order["status"], order["total"]) == ("UNPAID", "44.90")

    with django_capture_on_commit_callbacks(execute=True):  # the sandbox's events
        paid = data(
            """mutation($o: String!, $c: UUID) {
                 paymentStart(order: $o, paymentMethod: "4242424242424242", cart: $c) {
                   payment { status amount } errors { code } } }""",
            {"o": order["number"], "c": token},
        )["paymentStart"]
    assert paid["errors"] == []
    assert paid["payment"]["amount"] == "44.90"
    assert Order.objects.get(number=order["number"]).status == "paid"


def test_rest_and_graphql_price_the_same_checkout_alike(api, shop):
    """The same cart contents, destination, method and voucher through both APIs."""
    rest_token = api.post("/api/v1/carts/").json()["token"]
    api.post(
        f"/api/v1/carts/{rest_token}/lines/",
        {"variant": shop["shirt"].pk, "quantity": 2},
        format="json",
    )
    rest = api.post(
        "/api/v1/checkout/",
        {
            "cart": rest_token,
            "email": "rest@example.com",
            "shipping_address": {
                "first_name": "A",
                "last_name": "B",
                "line1": "1 Weg",
                "city": "Berlin",
                "country": "DE",
            },
            "shipping_method": shop["flat"].pk,
            "voucher": "TEN",
        },
        format="json",
    ).json()

    token = _cart()["token"]
    assert _add(token, shop["shirt"].pk, 2)["errors"] == []  # 4 of the 5 in stock in all
    graphql = data(
        PLACE,
        {
            "input": {
                "cart": token,
                "email": "graphql@example.com",
                "shippingAddress": BERLIN,
                "shippingMethod": shop["flat"].pk,
                "voucher": "TEN",
            }
        },
    )["checkoutPlace"]
    assert graphql["errors"] == [], graphql
    graphql = graphql["order"]
    assert (
        rest["subtotal"],
        rest["discount_total"],
        rest["shipping_total"],
        rest["tax_total"],
        rest["total"],
    ) == (
        graphql["subtotal"],
        graphql["discountTotal"],
        graphql["shippingTotal"],
        graphql["taxTotal"],
        graphql["total"],
    )
    assert graphql["discountTotal"] != "0.00"


def test_an_idempotency_key_returns_the_first_answer(shop):
    token = _cart()["token"]
    _add(token, shop["shirt"].pk, 1)
    given: dict[str, Any] = {
        "input": {
            "cart": token,
            "email": "k@example.com",
            "shippingAddress": BERLIN,
            "shippingMethod": shop["flat"].pk,
        },
        "key": "order-1",
    }
    first = data(PLACE, given)["checkoutPlace"]
    again = data(PLACE, given)["checkoutPlace"]
    assert again["replayed"] is True
    assert again["order"]["number"] == first["order"]["number"]
    assert Order.objects.count() == 1
    other = data(PLACE, {**given, "input": {**given["input"], "email": "other@example.com"}})[
        "checkoutPlace"
    ]
    assert [e["code"] for e in other["errors"]] == ["idempotency_key_reused"]
    bad_key = data(PLACE, {**given, "key": "has space"})["checkoutPlace"]
    assert [e["field"] for e in bad_key["errors"]] == ["idempotencyKey"]


def test_cart_errors_are_typed_and_others_carts_are_missing(shop, customer, other_customer):
    mine = _cart(user=customer)["token"]
    assert data(
        "query($t: UUID!) { cart(token: $t) { token } }", {"t": mine}, user=other_customer
    ) == {"cart": None}
    assert data("query($t: UUID!) { cart(token: $t) { token } }", {"t": mine}) == {"cart": None}
    added = _add(mine, shop["shirt"].pk, 1, user=other_customer)
    assert [e["code"] for e in added["errors"]] == ["cart_not_found"]

    too_many = _add(mine, shop["shirt"].pk, 500, user=customer)
    assert too_many["cart"] is None
    assert too_many["errors"][0]["field"] == "quantity"
    zero = _add(mine, shop["shirt"].pk, 0, user=customer)
    assert zero["errors"][0]["field"] == "quantity"
    unknown = _add(mine, 987654, 1, user=customer)
    assert unknown["errors"][0]["code"] == "variant_unavailable"
    assert _add(str(uuid.uuid4()), shop["shirt"].pk, 1)["errors"][0]["code"] == "cart_not_found"


def test_checkout_input_errors_name_their_fields(shop):
    token = _cart()["token"]
    _add(token, shop["shirt"].pk, 1)
    no_address = data(PLACE, {"input": {"cart": token, "email": "x@example.com"}})["checkoutPlace"]
    assert [e["field"] for e in no_address["errors"]] == ["shippingAddress"]
    bad_country = data(
        PLACE,
        {
            "input": {
                "cart": token,
                "email": "x@example.com",
                "shippingAddress": {**BERLIN, "country": "XX"},
            }
        },
    )["checkoutPlace"]
    assert [e["field"] for e in bad_country["errors"]] == ["shippingAddress.country"]
    guest_no_email = data(PLACE, {"input": {"cart": token, "shippingAddress": BERLIN}})[
        "checkoutPlace"
    ]
    assert guest_no_email["errors"][0]["field"] == "email"
    wrong_type = gql(PLACE, {"input": {"cart": "not-a-uuid", "shippingAddress": BERLIN}})
    assert wrong_type["errors"]
    assert Order.objects.count() == 0


def test_paying_someone_elses_order_is_not_found(shop, customer, other_customer):
    token = _cart(user=customer)["token"]
    _add(token, shop["shirt"].pk, 1, user=customer)
    number = data(
        PLACE,
        {"input": {"cart": token, "shippingAddress": BERLIN, "shippingMethod": shop["flat"].pk}},
        user=customer,
    )["checkoutPlace"]["order"]["number"]
    pay = """mutation($o: String!) { paymentStart(order: $o, paymentMethod: "4242424242424242") {
               payment { id } errors { code } } }"""
    assert (
        data(pay, {"o": number}, user=other_customer)["paymentStart"]["errors"][0]["code"]
        == "order_not_found"
    )
    assert data(pay, {"o": number})["paymentStart"]["errors"][0]["code"] == "order_not_found"
    declined = data(
        """mutation($o: String!) { paymentStart(order: $o, paymentMethod: "1234") {
             payment { id } errors { code field } } }""",
        {"o": number},
        user=customer,
    )["paymentStart"]
    assert declined["errors"][0]["field"] == "paymentMethod"


def test_a_summary_for_an_unknown_cart_is_an_error_not_a_500(shop):
    body = gql(
        '{ checkoutSummary(cart: "00000000-0000-0000-0000-000000000000", country: "DE") { total } }'
    )
    assert error_codes(body) == ["cart_not_found"]
    body = gql(f'{{ checkoutSummary(cart: "{uuid.uuid4()}", country: "ZZ") {{ total }} }}')
    assert error_codes(body) == ["invalid"]


def test_a_failed_checkout_is_not_remembered_under_its_key(shop):
    token = _cart()["token"]
    given = {
        "input": {
            "cart": token,
            "email": "k@example.com",
            "shippingAddress": BERLIN,
            "shippingMethod": shop["flat"].pk,
        },
        "key": "retry-me",
    }
    empty = data(PLACE, given)["checkoutPlace"]
    assert [e["code"] for e in empty["errors"]] == ["cart_empty"]
    _add(token, shop["shirt"].pk, 1)  # the customer fixes the cart, tries again
    placed = data(PLACE, given)["checkoutPlace"]
    assert placed["errors"] == []
    assert placed["replayed"] is False
    assert placed["order"]["number"]


def test_a_payment_start_with_a_key_charges_once(shop, django_capture_on_commit_callbacks):
    token = _cart()["token"]
    _add(token, shop["shirt"].pk, 1)
    number = data(
        PLACE,
        {
            "input": {
                "cart": token,
                "email": "p@example.com",
                "shippingAddress": BERLIN,
                "shippingMethod": shop["flat"].pk,
            }
        },
    )["checkoutPlace"]["order"]["number"]
    pay = """mutation($o: String!, $c: UUID, $k: String) {
      paymentStart(order: $o, paymentMethod: "4242424242424242", cart: $c, idempotencyKey: $k) {
        payment { id } replayed errors { code } } }"""
    variables = {"o": number, "c": token, "k": "pay-1"}
    with django_capture_on_commit_callbacks(execute=True):
        first = data(pay, variables)["paymentStart"]
    again = data(pay, variables)["paymentStart"]
    assert again["replayed"] is True
    assert again["payment"]["id"] == first["payment"]["id"]
    assert Payment.objects.filter(order__number=number).count() == 1


def test_staff_notes_are_not_shown_to_the_customer(shop, customer, staff, client_for):
    token = _cart(user=customer)["token"]
    _add(token, shop["shirt"].pk, 1, user=customer)
    number = data(
        PLACE,
        {"input": {"cart": token, "shippingAddress": BERLIN, "shippingMethod": shop["flat"].pk}},
        user=customer,
    )["checkoutPlace"]["order"]["number"]
    noted = client_for(staff).post(
        f"/api/v1/staff/orders/{number}/notes/", {"message": "fraud check"}, format="json"
    )
    assert noted.status_code == 201, noted.json()
    seen = data(
        "query($n: String!) { order(number: $n) { events { type } } }", {"n": number}, user=customer
    )["order"]["events"]
    assert "NOTE" not in [e["type"] for e in seen]
    rest = client_for(customer).get(f"/api/v1/orders/{number}/").json()["events"]
    assert "note" not in [e["type"] for e in rest]
    staff_view = client_for(staff).get(f"/api/v1/staff/orders/{number}/").json()["events"]
    assert "note" in [e["type"] for e in staff_view]
