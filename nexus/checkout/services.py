"""Writes to carts. Each runs in a transaction holding the cart's row lock, so two
requests on one cart (two tabs, a double click) apply one after the other."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from nexus.accounts.models import User
from nexus.catalog import selectors as catalog_selectors
from nexus.catalog.models import ProductVariant
from nexus.checkout import selectors
from nexus.checkout.errors import (
    CartClosed,
    CartEmpty,
    CartLimitExceeded,
    CartLineNotFound,
    InsufficientStock,
    LinesUnavailable,
    ShippingMethodUnavailable,
    VariantUnavailable,
)
from nexus.checkout.models import Cart, CartLine
from nexus.core.errors import ValidationFailed
from nexus.core.metrics import CHECKOUT_FAILURES, ORDERS_PLACED, count_on_commit, count_refusals
from nexus.discounts import services as discounts_services
from nexus.discounts.services import VoucherQuote
from nexus.inventory import selectors as inventory_selectors
from nexus.inventory import services as inventory_services
from nexus.orders import selectors as orders_selectors
from nexus.orders import services as orders_services
from nexus.orders.models import Order
from nexus.orders.services import OrderTotals
from nexus.shipping import selectors as shipping_selectors
from nexus.shipping.selectors import ShippingQuote
from nexus.taxes import selectors as tax_selectors


def _locked_open(cart: Cart) -> Cart:
    locked: Cart = Cart.objects.select_for_update().get(pk=cart.pk)
    if locked.status != Cart.Status.OPEN:
        raise CartClosed()
    return locked


def _touch(cart: Cart) -> None:
    """Record a change of the lines; a change ends the stock hold of a started checkout."""
    if cart.reserved_until is not None:
        inventory_services.stock_reservation_release(holder=cart.token)
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now(), reserved_until=None)


def _check_quantity(cart: Cart, variant: ProductVariant, quantity: int) -> None:
    limit = settings.CART_MAX_LINE_QUANTITY
    if quantity > limit:
        raise CartLimitExceeded(
            field_errors={"quantity": [f"At most {limit} of one variant in a cart."]}
        )
    available = inventory_selectors.quantities_available(
        variant_ids=[variant.pk], holder=cart.token
    )
    left = max(available.get(variant.pk, 0), 0)
    if quantity > left:
        raise InsufficientStock(
            f"Only {left} of {variant.sku} left.",
            field_errors={"quantity": [f"Only {left} left."]},
        )


def _variant_for_sale(cart: Cart, variant_id: int) -> ProductVariant:
    variant = catalog_selectors.variants_for_sale(variant_ids=[variant_id]).get(variant_id)
    if variant is None:
        raise VariantUnavailable(field_errors={"variant": ["No variant with this id is for sale."]})
    if variant.currency != cart.currency:
        raise VariantUnavailable(
            field_errors={
                "variant": [f"Priced in {variant.currency}; this cart is {cart.currency}."]
            }
        )
    return variant


def cart_create(*, user: User | None) -> tuple[Cart, bool]:
    """A new guest cart, or the customer's open cart (made if missing).

    Returns the cart and whether it was made now.
    """
    if user is None:
        return Cart.objects.create(), True
    existing = Cart.objects.filter(user=user, status=Cart.Status.OPEN).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return Cart.objects.create(user=user), True
    except IntegrityError:  # a concurrent request made it: one open cart per customer
        return Cart.objects.get(user=user, status=Cart.Status.OPEN), False


@transaction.atomic
def cart_line_add(*, cart: Cart, variant_id: int, quantity: int) -> CartLine:
    """Add units of a variant; a variant already in the cart gets its quantity raised."""
    cart = _locked_open(cart)
    variant = _variant_for_sale(cart, variant_id)
    line = cart.lines.filter(variant=variant).first()
    if line is None and cart.lines.count() >= settings.CART_MAX_LINES:
        raise CartLimitExceeded(
            field_errors={"variant": [f"A cart holds at most {settings.CART_MAX_LINES} lines."]}
        )
    new_quantity = quantity + (line.quantity if line else 0)
    _check_quantity(cart, variant, new_quantity)
    if line is None:
        line = CartLine.objects.create(cart=cart, variant=variant, quantity=new_quantity)
    else:
        line.quantity = new_quantity
        line.save(update_fields=["quantity"])
    _touch(cart)
    return line


def _line(cart: Cart, line_id: int) -> CartLine:
    line = cart.lines.select_related("variant").filter(pk=line_id).first()
    if line is None:
        raise CartLineNotFound()
    return line


@transaction.atomic
def cart_line_set_quantity(*, cart: Cart, line_id: int, quantity: int) -> CartLine:
    cart = _locked_open(cart)
    line = _line(cart, line_id)
    _check_quantity(cart, line.variant, quantity)
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    _touch(cart)
    return line


@transaction.atomic
def cart_line_delete(*, cart: Cart, line_id: int) -> None:
    cart = _locked_open(cart)
    _line(cart, line_id).delete()
    _touch(cart)


@transaction.atomic
def cart_merge(*, guest_token: uuid.UUID, user: User) -> Cart:
    """Move an open guest cart's lines into the customer's open cart (on sign-in).

    Quantities of a variant in both add up, capped at the per-line limit; stock is
    checked again at checkout. An unknown, closed or owned token merges nothing:
    signing in must not fail over a stale cart.
    """
    target, _ = cart_create(user=user)
    guest = Cart.objects.filter(token=guest_token, user__isnull=True).first()
    if guest is None or guest.pk == target.pk:
        return target
    # Both rows locked in primary-key order, as every multi-row lock here.
    locked = {
        c.pk: c
        for c in Cart.objects.select_for_update()
        .filter(pk__in=[target.pk, guest.pk])
        .order_by("pk")
    }
    guest, target = locked[guest.pk], locked[target.pk]
    if guest.status != Cart.Status.OPEN or guest.user_id is not None:
        return target
    if target.status != Cart.Status.OPEN:  # checked out meanwhile: merge into a new one
        target, _ = cart_create(user=user)
    existing = {line.variant_id: line for line in target.lines.all()}
    room = settings.CART_MAX_LINES - len(existing)
    for line in guest.lines.all():
        kept = existing.get(line.variant_id)
        if kept is not None:
            kept.quantity = min(kept.quantity + line.quantity, settings.CART_MAX_LINE_QUANTITY)
            kept.save(update_fields=["quantity"])
        elif room > 0:
            CartLine.objects.create(
                cart=target,
                variant_id=line.variant_id,
                quantity=min(line.quantity, settings.CART_MAX_LINE_QUANTITY),
            )
            room -= 1
    guest.status = Cart.Status.MERGED
    guest.save(update_fields=["status", "updated_at"])
    inventory_services.stock_reservation_release(holder=guest.token)
    _touch(target)
    return target


@transaction.atomic
def cart_reserve(*, cart: Cart) -> Cart:
    """Start checkout: hold the stock of every line for CHECKOUT_RESERVATION_MINUTES
    (again from now if it was held already). Raises InsufficientStock."""
    cart = _locked_open(cart)
    quantities = dict(cart.lines.values_list("variant_id", "quantity"))
    if not quantities:
        raise CartEmpty()
    ttl = timedelta(minutes=settings.CHECKOUT_RESERVATION_MINUTES)
    inventory_services.stock_reserve(holder=cart.token, quantities=quantities, ttl=ttl)
    cart.reserved_until = timezone.now() + ttl
    cart.save(update_fields=["reserved_until", "updated_at"])
    return cart


@dataclass(frozen=True)
class CheckoutDetails:
    """What the buyer tells at checkout; prices and totals are never among it."""

    email: str  # a guest's; empty for a customer means the account's
    shipping_address: Mapping[str, Any]
    billing_address: Mapping[str, Any]
    shipping_method_id: int | None = None
    voucher_code: str | None = None


@dataclass(frozen=True)
class Priced:
    """A cart priced for a destination: the order's totals and what they came from."""

    totals: OrderTotals
    shipping_quotes: list[ShippingQuote]
    shipping: ShippingQuote | None
    voucher: VoucherQuote | None


def _price(
    *,
    summary: Mapping[str, Any],
    country: str,
    region: str,
    shipping_method_id: int | None,
    voucher_code: str | None,
    user: User | None,
    email: str,
    claim_voucher: bool,
) -> Priced:
    """Subtotal - discount + shipping, and the tax of that at the destination's rate
    (inside the prices or on top, by PRICES_INCLUDE_TAX); every amount rounded half up
    to the cent. The voucher is only quoted unless ``claim_voucher`` uses it."""
    subtotal: Decimal = summary["subtotal"]
    weight = sum(line["weight_grams"] * line["quantity"] for line in summary["lines"])
    quotes = shipping_selectors.shipping_quotes(country=country, weight_grams=weight)
    shipping = None
    if shipping_method_id is not None:
        shipping = next((q for q in quotes if q.method_id == shipping_method_id), None)
        if shipping is None:
            raise ShippingMethodUnavailable(
                field_errors={"shipping_method": ["Not offered for this address and weight."]}
            )
    voucher = None
    if voucher_code:

        def uses(voucher_id: int) -> int:
            return orders_selectors.voucher_uses(voucher_id=voucher_id, user=user, email=email)

        use = (
            discounts_services.voucher_claim if claim_voucher else discounts_services.voucher_quote
        )
        voucher = use(code=voucher_code, subtotal=subtotal, uses_by_customer=uses)
    discount = voucher.discount if voucher else Decimal(0)
    shipping_price = shipping.price if shipping else Decimal(0)
    taxable = subtotal - discount + shipping_price
    rate = tax_selectors.tax_rate_for(country=country, region=region)
    tax = tax_selectors.tax_of(
        amount=taxable, rate_percent=rate, amount_includes_tax=settings.PRICES_INCLUDE_TAX
    )
    total = taxable if settings.PRICES_INCLUDE_TAX else taxable + tax
    totals = OrderTotals(
        subtotal=subtotal, discount=discount, shipping=shipping_price, tax=tax, total=total
    )
    return Priced(totals=totals, shipping_quotes=quotes, shipping=shipping, voucher=voucher)


def checkout_quote(
    *,
    cart: Cart,
    user: User | None,
    country: str,
    region: str = "",
    shipping_method_id: int | None = None,
    voucher_code: str | None = None,
    email: str = "",
) -> Priced:
    """What the order would cost, for the storefront's summary; writes nothing.
    ``email`` (a guest's; a customer's account otherwise) counts per-customer voucher uses."""
    return _price(
        summary=selectors.cart_summary(cart=cart),
        country=country,
        region=region,
        shipping_method_id=shipping_method_id,
        voucher_code=voucher_code,
        user=user,
        email=email or (user.email if user else ""),
        claim_voucher=False,
    )


@count_refusals(CHECKOUT_FAILURES)
@transaction.atomic
def checkout_place(*, cart: Cart, user: User | None, details: CheckoutDetails) -> Order:
    """Turn an open cart into an unpaid order at today's prices, with its stock
    promised and its voucher used; all or nothing.

    Locks the cart row, then the voucher row, then the stock rows in primary-key
    order: every checkout takes them in this order, so none waits for another in
    a cycle. A second attempt on the same cart finds it closed (409); the order's
    unique cart token is the database's own guard of the same rule.
    """
    email = details.email or (user.email if user else "")
    if not email:
        raise ValidationFailed(field_errors={"email": ["Guests must give an email address."]})
    cart = _locked_open(cart)
    summary = selectors.cart_summary(cart=cart, with_stock=False)
    if not summary["lines"]:
        raise CartEmpty()
    unavailable = [line["variant"]["sku"] for line in summary["lines"] if not line["is_available"]]
    if unavailable:
        raise LinesUnavailable(
            field_errors={"lines": [f"{sku} is not for sale." for sku in unavailable]}
        )
    if details.shipping_method_id is None and shipping_selectors.shipping_is_configured():
        raise ShippingMethodUnavailable(
            field_errors={"shipping_method": ["Choose one of the shipping methods offered."]}
        )
    priced = _price(
        summary=summary,
        country=str(details.shipping_address["country"]),
        region=str(details.shipping_address.get("region", "")),
        shipping_method_id=details.shipping_method_id,
        voucher_code=details.voucher_code,
        user=user,
        email=email,
        claim_voucher=True,
    )
    order, order_lines = orders_services.order_create(
        user=user,
        email=email,
        currency=cart.currency,
        lines=[
            {
                "variant_id": line["variant"]["id"],
                "sku": line["variant"]["sku"],
                "product_name": line["variant"]["product_name"],
                "variant_name": line["variant"]["name"],
                "unit_price": line["unit_price"],
                "quantity": line["quantity"],
                "line_total": line["line_total"],
            }
            for line in summary["lines"]
        ],
        totals=priced.totals,
        shipping_address=details.shipping_address,
        billing_address=details.billing_address,
        cart_token=cart.token,
        shipping_method_name=priced.shipping.name if priced.shipping else "",
        voucher_id=priced.voucher.voucher_id if priced.voucher else None,
        voucher_code=priced.voucher.code if priced.voucher else "",
    )
    allocations = inventory_services.stock_allocate(
        holder=cart.token,
        lines=[
            inventory_services.LineRequest(
                ref=line.pk, variant_id=line.variant_id, quantity=line.quantity
            )
            for line in order_lines
            if line.variant_id is not None
        ],
    )
    orders_services.order_record_allocations(allocations=allocations)
    if priced.totals.total == 0:  # a voucher covered everything: nothing to pay
        orders_services.order_mark_paid(order=order, data={"reason": "nothing to pay"})
    cart.status = Cart.Status.ORDERED
    cart.reserved_until = None
    cart.save(update_fields=["status", "reserved_until", "updated_at"])
    count_on_commit(ORDERS_PLACED)
    return order


def carts_purge_abandoned(*, untouched_since: datetime) -> int:
    """Delete guest carts nobody touched since the cutoff, and merged or ordered carts
    (their lines live on in the customer's cart or the order). Customers' open carts
    stay. Returns how many carts went."""
    stale = Cart.objects.filter(updated_at__lt=untouched_since).filter(
        Q(status=Cart.Status.OPEN, user__isnull=True)
        | Q(status__in=[Cart.Status.MERGED, Cart.Status.ORDERED])
    )
    _, by_model = stale.delete()
    return by_model.get(Cart._meta.label, 0)
