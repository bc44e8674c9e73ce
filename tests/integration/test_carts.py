"""Carts over HTTP: guest and customer carts, lines, limits, ownership, merge on sign-in."""

import uuid
from decimal import Decimal

import pytest

from nexus.catalog import services as catalog_services
from nexus.checkout.models import Cart, CartLine
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

CARTS = "/api/v1/carts/"


def variant_of(product, index=0):
    return product.variants.order_by("sku")[index]


def lines_url(token):
    return f"{CARTS}{token}/lines/"


def new_guest_cart(api):
    response = api.post(CARTS)
    assert response.status_code == 201, response.json()
    return response.json()["token"]


def test_a_guest_cart_shows_server_prices_and_totals(api, catalog):
    token = new_guest_cart(api)
    shirt = variant_of(catalog.red_shirt)  # 20.00, 5 in stock
    response = api.post(lines_url(token), {"variant": shirt.pk, "quantity": 2}, format="json")
    assert response.status_code == 201, response.json()
    api.post(
        lines_url(token),
        {"variant": variant_of(catalog.headphones).pk, "quantity": 1},
        format="json",
    )

    cart = api.get(f"{CARTS}{token}/").json()
    assert cart["currency"] == "EUR"
    assert [(line["variant"]["sku"], line["quantity"]) for line in cart["lines"]] == [
        ("red-linen-shirt-0", 2),
        ("wireless-headphones-0", 1),
    ]
    assert cart["lines"][0]["unit_price"] == "20.00"
    assert cart["lines"][0]["line_total"] == "40.00"
    assert cart["lines"][0]["quantity_available"] == 5
    assert cart["quantity"] == 3
    assert cart["subtotal"] == "160.00"


def test_adding_a_variant_again_raises_its_quantity(api, catalog):
    token = new_guest_cart(api)
    shirt = variant_of(catalog.red_shirt)
    api.post(lines_url(token), {"variant": shirt.pk, "quantity": 1}, format="json")
    cart = api.post(lines_url(token), {"variant": shirt.pk, "quantity": 2}, format="json").json()
    assert [line["quantity"] for line in cart["lines"]] == [3]


def test_a_price_change_shows_on_the_next_read(api, catalog, staff):
    token = new_guest_cart(api)
    shirt = variant_of(catalog.red_shirt)
    api.post(lines_url(token), {"variant": shirt.pk, "quantity": 2}, format="json")
    catalog_services.variant_update(variant=shirt, changes={"price": Decimal("25.50")})
    cart = api.get(f"{CARTS}{token}/").json()
    assert cart["lines"][0]["unit_price"] == "25.50"
    assert cart["subtotal"] == "51.00"


def test_client_sent_prices_are_rejected(api, catalog):
    token = new_guest_cart(api)
    body = {"variant": variant_of(catalog.red_shirt).pk, "quantity": 1, "unit_price": "0.01"}
    response = api.post(lines_url(token), body, format="json")
    assert response.status_code == 400
    assert "unit_price" in {error["field"] for error in response.json()["errors"]}
    assert not CartLine.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"variant": 1, "quantity": 0}, "quantity"),
        ({"variant": 1, "quantity": -3}, "quantity"),
        ({"variant": 1, "quantity": "2"}, "quantity"),
        ({"variant": 1, "quantity": 2**40}, "quantity"),
        ({"variant": "abc", "quantity": 1}, "variant"),
        ({"variant": 2**70, "quantity": 1}, "variant"),
        ({"quantity": 1}, "variant"),
    ],
)
def test_malformed_lines_are_400_with_the_field(api, catalog, body, field):
    token = new_guest_cart(api)
    response = api.post(lines_url(token), body, format="json")
    assert response.status_code == 400
    assert field in {error["field"] for error in response.json()["errors"]}
    assert not CartLine.objects.exists()


def test_unknown_and_unpublished_variants_are_not_for_sale(api, catalog):
    token = new_guest_cart(api)
    for variant_id in (variant_of(catalog.hidden).pk, 10**6, 2**62):
        response = api.post(lines_url(token), {"variant": variant_id, "quantity": 1}, format="json")
        assert response.status_code == 400, variant_id
        assert response.json()["code"] == "variant_unavailable"
    assert not CartLine.objects.exists()


def test_more_than_the_stock_is_a_409(api, catalog):
    token = new_guest_cart(api)
    shirt = variant_of(catalog.red_shirt)  # 5 in stock
    response = api.post(lines_url(token), {"variant": shirt.pk, "quantity": 6}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock"
    sold_out = variant_of(catalog.red_shirt, 1)
    response = api.post(lines_url(token), {"variant": sold_out.pk, "quantity": 1}, format="json")
    assert response.json()["code"] == "insufficient_stock"
    assert not CartLine.objects.exists()


def test_the_per_line_limit_holds(api, catalog, settings):
    settings.CART_MAX_LINE_QUANTITY = 4
    token = new_guest_cart(api)
    shirt = variant_of(catalog.red_shirt)
    api.post(lines_url(token), {"variant": shirt.pk, "quantity": 3}, format="json")
    response = api.post(lines_url(token), {"variant": shirt.pk, "quantity": 2}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "cart_limit"
    assert CartLine.objects.get().quantity == 3


def test_the_line_count_limit_holds(api, catalog, settings):
    settings.CART_MAX_LINES = 1
    token = new_guest_cart(api)
    body = {"variant": variant_of(catalog.red_shirt).pk, "quantity": 1}
    api.post(lines_url(token), body, format="json")
    response = api.post(
        lines_url(token),
        {"variant": variant_of(catalog.headphones).pk, "quantity": 1},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "cart_limit"


def test_a_line_can_be_changed_and_removed(api, catalog):
    token = new_guest_cart(api)
    shirt = variant_of(catalog.red_shirt)
    cart = api.post(lines_url(token), {"variant": shirt.pk, "quantity": 1}, format="json").json()
    line_id = cart["lines"][0]["id"]

    changed = api.patch(f"{lines_url(token)}{line_id}/", {"quantity": 4}, format="json")
    assert changed.status_code == 200
    assert changed.json()["subtotal"] == "80.00"
    too_many = api.patch(f"{lines_url(token)}{line_id}/", {"quantity": 9}, format="json")
    assert too_many.status_code == 409
    assert CartLine.objects.get().quantity == 4

    removed = api.delete(f"{lines_url(token)}{line_id}/")
    assert removed.status_code == 200
    assert removed.json()["lines"] == []
    assert api.delete(f"{lines_url(token)}{line_id}/").status_code == 404


def test_a_line_of_another_cart_is_not_found(api, catalog):
    mine, theirs = new_guest_cart(api), new_guest_cart(api)
    body = {"variant": variant_of(catalog.red_shirt).pk, "quantity": 1}
    their_line = api.post(lines_url(theirs), body, format="json").json()["lines"][0]["id"]
    response = api.patch(f"{lines_url(mine)}{their_line}/", {"quantity": 2}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "cart_line_not_found"
    assert api.delete(f"{lines_url(mine)}{their_line}/").status_code == 404
    assert CartLine.objects.get().quantity == 1


def test_unknown_and_malformed_tokens_are_404(api, catalog):
    assert api.get(f"{CARTS}{uuid.uuid4()}/").status_code == 404
    assert api.get(f"{CARTS}not-a-token/").status_code == 404
    body = {"variant": variant_of(catalog.red_shirt).pk, "quantity": 1}
    assert api.post(lines_url(uuid.uuid4()), body, format="json").status_code == 404


def test_a_customer_has_one_open_cart(client_for, customer):
    client = client_for(customer)
    first = client.post(CARTS)
    again = client.post(CARTS)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["token"] == again.json()["token"]


def test_a_customers_cart_is_theirs_alone(api, client_for, customer, other_customer, catalog):
    token = client_for(customer).post(CARTS).json()["token"]
    body = {"variant": variant_of(catalog.red_shirt).pk, "quantity": 1}
    for outsider in (api, client_for(other_customer)):
        assert outsider.get(f"{CARTS}{token}/").status_code == 404
        assert outsider.post(lines_url(token), body, format="json").status_code == 404
    assert not CartLine.objects.exists()
    assert client_for(customer).get(f"{CARTS}{token}/").status_code == 200


def test_signing_in_with_a_guest_cart_merges_it(api, client_for, customer, catalog):
    shirt, headphones = variant_of(catalog.red_shirt), variant_of(catalog.headphones)
    mine = client_for(customer)
    own_token = mine.post(CARTS).json()["token"]
    mine.post(lines_url(own_token), {"variant": shirt.pk, "quantity": 1}, format="json")
    guest_token = new_guest_cart(api)
    api.post(lines_url(guest_token), {"variant": shirt.pk, "quantity": 2}, format="json")
    api.post(lines_url(guest_token), {"variant": headphones.pk, "quantity": 1}, format="json")

    response = api.post(
        "/api/v1/auth/token/",
        {"email": customer.email, "password": PASSWORD, "cart": guest_token},
        format="json",
    )
    assert response.status_code == 200, response.json()

    cart = mine.get(f"{CARTS}{own_token}/").json()
    assert {(line["variant"]["sku"], line["quantity"]) for line in cart["lines"]} == {
        ("red-linen-shirt-0", 3),
        ("wireless-headphones-0", 1),
    }
    assert Cart.objects.get(token=guest_token).status == "merged"
    # The merged guest cart is closed for writes.
    closed = api.post(lines_url(guest_token), {"variant": shirt.pk, "quantity": 1}, format="json")
    assert closed.status_code == 409
    assert closed.json()["code"] == "cart_closed"


def test_signing_in_with_a_stale_cart_token_still_signs_in(api, customer):
    response = api.post(
        "/api/v1/auth/token/",
        {"email": customer.email, "password": PASSWORD, "cart": str(uuid.uuid4())},
        format="json",
    )
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    bad = api.post(
        "/api/v1/auth/token/",
        {"email": customer.email, "password": PASSWORD, "cart": "nope"},
        format="json",
    )
    assert bad.status_code == 400


def test_a_wrong_password_merges_nothing(api, customer, catalog):
    guest_token = new_guest_cart(api)
    body = {"variant": variant_of(catalog.red_shirt).pk, "quantity": 1}
    api.post(lines_url(guest_token), body, format="json")
    response = api.post(
        "/api/v1/auth/token/",
        {"email": customer.email, "password": "wrong-password-1", "cart": guest_token},
        format="json",
    )
    assert response.status_code == 401
    assert Cart.objects.get(token=guest_token).status == "open"


def test_a_cart_reads_in_a_constant_number_of_queries(api, catalog, django_assert_max_num_queries):
    token = new_guest_cart(api)
    for product in (catalog.red_shirt, catalog.headphones):
        body = {"variant": variant_of(product).pk, "quantity": 1}
        api.post(lines_url(token), body, format="json")
    # cart, lines with variants and products, variants for sale, stock, reservations
    with django_assert_max_num_queries(5):
        assert api.get(f"{CARTS}{token}/").status_code == 200


def test_abandoned_carts_are_purged_but_customers_open_carts_stay(
    api, client_for, customer, settings
):
    from datetime import timedelta  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    from nexus.checkout.tasks import purge_abandoned_carts  # noqa: PLC0415

    old_guest = new_guest_cart(api)
    fresh_guest = new_guest_cart(api)
    customers = client_for(customer).post(CARTS).json()["token"]
    long_ago = timezone.now() - timedelta(days=45)
    Cart.objects.exclude(token=fresh_guest).update(updated_at=long_ago)
    settings.CART_ABANDONED_DAYS = 30

    assert purge_abandoned_carts() == 1

    assert set(Cart.objects.values_list("token", flat=True)) == {
        uuid.UUID(fresh_guest),
        uuid.UUID(customers),
    }
    assert old_guest not in {str(t) for t in Cart.objects.values_list("token", flat=True)}
