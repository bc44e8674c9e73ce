"""Checkout pricing: shipping zones and rates, tax inside or on top, vouchers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from nexus.discounts.models import Voucher
from nexus.orders.models import Order
from nexus.shipping.models import ShippingMethod, ShippingZone, WeightRate
from nexus.taxes.models import TaxRate

pytestmark = pytest.mark.django_db

CARTS = "/api/v1/carts/"
CHECKOUT = "/api/v1/checkout/"
SUMMARY = "/api/v1/checkout/summary/"
BERLIN = {"first_name": "A", "last_name": "B", "line1": "1 Weg", "city": "Berlin", "country": "DE"}


@pytest.fixture
def shop(catalog):
    """Germany ships flat (4.90) or by weight; 19 % tax in DE, 7 % in one region."""
    zone = ShippingZone.objects.create(name="DACH", countries="AT,CH,DE")
    flat = ShippingMethod.objects.create(zone=zone, name="Standard", price=Decimal("4.90"))
    weight = ShippingMethod.objects.create(
        zone=zone, name="Freight", kind=ShippingMethod.Kind.WEIGHT
    )
    WeightRate.objects.create(method=weight, max_grams=1000, price=Decimal("6.00"))
    WeightRate.objects.create(method=weight, max_grams=None, price=Decimal("15.00"))
    TaxRate.objects.create(country="DE", rate=Decimal("19.00"))
    TaxRate.objects.create(country="DE", region="Helgoland", rate=Decimal("0.00"))
    shirt = catalog.red_shirt.variants.order_by("sku")[0]  # 20.00, 5 in stock
    shirt.weight_grams = 400
    shirt.save(update_fields=["weight_grams"])
    return {"flat": flat, "weight": weight, "shirt": shirt}


def cart_with(api, variant, quantity):
    token = api.post(CARTS).json()["token"]
    response = api.post(
        f"{CARTS}{token}/lines/", {"variant": variant.pk, "quantity": quantity}, format="json"
    )
    assert response.status_code == 201, response.json()
    return token


def summary(api, token, **extra):
    response = api.post(SUMMARY, {"cart": token, "country": "DE", **extra}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def test_the_summary_offers_the_zones_methods_priced_by_weight(api, shop):
    light = summary(api, cart_with(api, shop["shirt"], 2))  # 800 g
    assert [(m["name"], m["price"]) for m in light["shipping_methods"]] == [
        ("Standard", "4.90"),
        ("Freight", "6.00"),
    ]
    heavy = summary(api, cart_with(api, shop["shirt"], 3))  # 1,200 g
    assert [(m["name"], m["price"]) for m in heavy["shipping_methods"]] == [
        ("Standard", "4.90"),
        ("Freight", "15.00"),
    ]
    elsewhere = api.post(
        SUMMARY, {"cart": cart_with(api, shop["shirt"], 1), "country": "FR"}, format="json"
    )
    assert elsewhere.json()["shipping_methods"] == []


def test_tax_inside_the_prices_is_shown_and_not_added(api, shop):
    token = cart_with(api, shop["shirt"], 2)  # 40.00
    priced = summary(api, token, shipping_method=shop["flat"].pk)
    assert priced["prices_include_tax"] is True
    # 44.90 gross at 19 %: 44.90 - 44.90 / 1.19 = 7.1689… → 7.17
    assert (priced["subtotal"], priced["shipping"], priced["tax"], priced["total"]) == (
        "40.00",
        "4.90",
        "7.17",
        "44.90",
    )
    region = summary(api, token, shipping_method=shop["flat"].pk, region="Helgoland")
    assert region["tax"] == "0.00"


def test_tax_on_top_of_net_prices(api, shop, settings):
    settings.PRICES_INCLUDE_TAX = False
    token = cart_with(api, shop["shirt"], 2)
    priced = summary(api, token, shipping_method=shop["flat"].pk)
    # 44.90 net + 19 % = 8.531 → 8.53
    assert (priced["tax"], priced["total"]) == ("8.53", "53.43")


def test_the_order_carries_the_same_totals_as_the_summary(api, shop):
    Voucher.objects.create(code="TEN", kind=Voucher.Kind.PERCENTAGE, value=Decimal(10))
    token = cart_with(api, shop["shirt"], 2)
    priced = summary(api, token, shipping_method=shop["flat"].pk, voucher="ten")
    response = api.post(
        CHECKOUT,
        {
            "cart": token,
            "email": "g@example.com",
            "shipping_address": BERLIN,
            "shipping_method": shop["flat"].pk,
            "voucher": "ten",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    order = response.json()
    assert priced["discount"] == order["discount_total"] == "4.00"
    assert priced["tax"] == order["tax_total"]
    assert priced["total"] == order["total"] == "40.90"
    assert (order["shipping_method_name"], order["voucher_code"]) == ("Standard", "TEN")


def test_a_shop_that_ships_needs_a_method_offered_for_the_address(api, shop):
    token = cart_with(api, shop["shirt"], 1)
    body = {"cart": token, "email": "g@example.com", "shipping_address": BERLIN}
    missing = api.post(CHECKOUT, body, format="json")
    assert missing.status_code == 400
    assert missing.json()["code"] == "shipping_method_unavailable"
    paris = {**BERLIN, "country": "FR"}
    wrong_zone = api.post(
        CHECKOUT,
        {**body, "shipping_address": paris, "shipping_method": shop["flat"].pk},
        format="json",
    )
    assert wrong_zone.status_code == 400
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("voucher", "code"),
    [
        ({"code": "OLD", "ends_at": timezone.now() - timedelta(days=1)}, "voucher_invalid"),
        ({"code": "SOON", "starts_at": timezone.now() + timedelta(days=1)}, "voucher_invalid"),
        ({"code": "BIG", "min_spend": Decimal("100.00")}, "voucher_not_applicable"),
        ({"code": "GONE", "usage_limit": 1, "used_count": 1}, "voucher_used_up"),
    ],
)
def test_vouchers_that_do_not_apply_are_refused_and_nothing_is_written(api, shop, voucher, code):
    Voucher.objects.create(kind=Voucher.Kind.FIXED, value=Decimal(5), **voucher)
    token = cart_with(api, shop["shirt"], 1)
    response = api.post(
        CHECKOUT,
        {
            "cart": token,
            "email": "g@example.com",
            "shipping_address": BERLIN,
            "shipping_method": shop["flat"].pk,
            "voucher": voucher["code"],
        },
        format="json",
    )
    assert response.json()["code"] == code
    assert not Order.objects.exists()
    assert (
        api.post(
            SUMMARY, {"cart": token, "country": "DE", "voucher": "NOPE"}, format="json"
        ).json()["code"]
        == "voucher_invalid"
    )


def test_a_fixed_voucher_never_takes_more_than_the_subtotal(api, shop):
    Voucher.objects.create(code="HUGE", kind=Voucher.Kind.FIXED, value=Decimal(500))
    priced = summary(api, cart_with(api, shop["shirt"], 1), voucher="HUGE")
    assert (priced["discount"], priced["total"]) == ("20.00", "0.00")


def test_per_customer_limits_count_a_guests_email_and_free_up_on_cancel(
    api, client_for, customer, shop
):
    Voucher.objects.create(
        code="ONCE", kind=Voucher.Kind.FIXED, value=Decimal(5), per_customer_limit=1
    )

    def buy(client, **extra):
        return client.post(
            CHECKOUT,
            {
                "cart": cart_with(client, shop["shirt"], 1),
                "shipping_address": BERLIN,
                "shipping_method": shop["flat"].pk,
                "voucher": "once",
                **extra,
            },
            format="json",
        )

    assert buy(api, email="g@example.com").status_code == 201
    again = buy(api, email="G@example.com")
    assert again.json()["code"] == "voucher_used_up"
    assert buy(api, email="other@example.com").status_code == 201

    mine = client_for(customer)
    number = buy(mine).json()["number"]
    assert buy(mine).json()["code"] == "voucher_used_up"
    mine.post(f"/api/v1/orders/{number}/cancel/")
    assert buy(mine).status_code == 201
    assert Voucher.objects.get().used_count == 3


def test_an_order_a_voucher_pays_in_full_is_paid_at_once(api, catalog):
    Voucher.objects.create(code="FREE", kind=Voucher.Kind.PERCENTAGE, value=Decimal(100))
    token = cart_with(api, catalog.red_shirt.variants.order_by("sku")[0], 1)
    response = api.post(
        CHECKOUT,
        {"cart": token, "email": "g@example.com", "shipping_address": BERLIN, "voucher": "FREE"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["total"] == "0.00"
    assert Order.objects.get().status == "paid"
    payment = api.post(
        f"/api/v1/orders/{response.json()['number']}/payments/",
        {"payment_method": "4242424242424242", "cart": token},
        format="json",
    )
    assert payment.status_code == 409
