"""Who may do what with a customer's cart and order: anonymous, the owner, another
customer, staff. Each cell runs on a fresh database."""

from decimal import Decimal

import pytest

from nexus.orders.models import Order

pytestmark = pytest.mark.django_db

ADDRESS = {"first_name": "A", "last_name": "B", "line1": "1 Road", "city": "Oslo", "country": "NO"}
ROLES = ("anonymous", "owner", "other", "staff")


@pytest.fixture
def world(api, client_for, customer, other_customer, staff, catalog):
    """The owner's open cart with a line, and an order the owner placed earlier."""
    owner = client_for(customer)
    variant = catalog.red_shirt.variants.order_by("sku")[0]
    order_cart = owner.post("/api/v1/carts/").json()["token"]
    owner.post(
        f"/api/v1/carts/{order_cart}/lines/", {"variant": variant.pk, "quantity": 1}, format="json"
    )
    number = owner.post(
        "/api/v1/checkout/", {"cart": order_cart, "shipping_address": ADDRESS}, format="json"
    ).json()["number"]
    cart = owner.post("/api/v1/carts/").json()["token"]
    line = owner.post(
        f"/api/v1/carts/{cart}/lines/", {"variant": variant.pk, "quantity": 1}, format="json"
    ).json()["lines"][0]["id"]
    # A paid order of another guest, for the refund row.
    paid = _paid_order(api, variant)
    clients = {
        "anonymous": api,
        "owner": owner,
        "other": client_for(other_customer),
        "staff": client_for(staff),
    }
    return {
        "clients": clients,
        "cart": cart,
        "line": line,
        "number": number,
        "variant": variant,
        "payment": paid,
    }


def _paid_order(api, variant):
    from nexus.payments.models import Payment  # noqa: PLC0415

    token = api.post("/api/v1/carts/").json()["token"]
    api.post(f"/api/v1/carts/{token}/lines/", {"variant": variant.pk, "quantity": 1}, format="json")
    number = api.post(
        "/api/v1/checkout/",
        {"cart": token, "email": "p@example.com", "shipping_address": ADDRESS},
        format="json",
    ).json()["number"]
    payment = Payment.objects.create(
        order_id=Order.objects.get(number=number).pk,
        gateway="sandbox",
        reference="sb_pay_perm",
        status="succeeded",
        amount=Decimal("20.00"),
        amount_received=Decimal("20.00"),
        currency="EUR",
    )
    return payment.pk


LINE = {"variant": "{variant}", "quantity": 1}
SUMMARY = {"cart": "{cart}", "country": "NO"}
CHECKOUT = {"cart": "{cart}", "shipping_address": ADDRESS, "email": "a@b.co"}
PAY = {"payment_method": "4000000000000002"}  # declined: the order stays payable
OWNER_ONLY = (404, 200, 404, 404)  # a customer's cart: others cannot tell it exists
SIGNED_IN_OWNER = (401, 200, 404, 404)
STAFF_ONLY = (401, 403, 403, 200)

# (method, path, body, expected status for anonymous, owner, other customer, staff)
TABLE = [
    ("get", "/api/v1/carts/{cart}/", None, OWNER_ONLY),
    ("post", "/api/v1/carts/{cart}/lines/", LINE, (404, 201, 404, 404)),
    ("patch", "/api/v1/carts/{cart}/lines/{line}/", {"quantity": 2}, OWNER_ONLY),
    ("delete", "/api/v1/carts/{cart}/lines/{line}/", None, OWNER_ONLY),
    ("post", "/api/v1/carts/{cart}/reservation/", None, OWNER_ONLY),
    ("post", "/api/v1/checkout/summary/", SUMMARY, OWNER_ONLY),
    ("post", "/api/v1/checkout/", CHECKOUT, (404, 201, 404, 404)),
    ("get", "/api/v1/orders/", None, (401, 200, 200, 200)),
    ("get", "/api/v1/orders/{number}/", None, SIGNED_IN_OWNER),
    ("post", "/api/v1/orders/{number}/cancel/", None, SIGNED_IN_OWNER),
    ("get", "/api/v1/staff/orders/", None, STAFF_ONLY),
    ("get", "/api/v1/staff/orders/{number}/", None, STAFF_ONLY),
    ("post", "/api/v1/staff/orders/{number}/transitions/", {"status": "paid"}, STAFF_ONLY),
    ("get", "/api/v1/staff/stock/", None, STAFF_ONLY),
    ("post", "/api/v1/orders/{number}/payments/", PAY, (404, 201, 404, 404)),
    ("get", "/api/v1/orders/{number}/payments/", None, (404, 200, 404, 404)),
    ("get", "/api/v1/staff/payments/", None, STAFF_ONLY),
    ("post", "/api/v1/staff/payments/{payment}/refunds/", None, (401, 403, 403, 201)),
]


def _fill(value, world):
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if value == "{variant}":
        return world["variant"].pk
    if isinstance(value, str):
        return value.format(
            cart=world["cart"], line=world["line"], number=world["number"], payment=world["payment"]
        )
    return value


@pytest.mark.parametrize(
    ("method", "path", "body", "role", "expected"),
    [
        (method, path, body, role, statuses[index])
        for method, path, body, statuses in TABLE
        for index, role in enumerate(ROLES)
    ],
)
def test_permission_table(world, method, path, body, role, expected):
    client = world["clients"][role]
    response = getattr(client, method)(_fill(path, world), _fill(body, world), format="json")
    assert response.status_code == expected, response.content


def test_a_guest_cart_is_anyones_who_holds_its_token(api, client_for, other_customer, catalog):
    token = api.post("/api/v1/carts/").json()["token"]
    assert client_for(other_customer).get(f"/api/v1/carts/{token}/").status_code == 200
