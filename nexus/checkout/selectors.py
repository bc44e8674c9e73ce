"""Reads of carts: a cart is shown with current prices and stock, in five queries."""

import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from nexus.accounts.models import User
from nexus.catalog import selectors as catalog_selectors
from nexus.checkout.errors import CartNotFound
from nexus.checkout.models import Cart
from nexus.inventory import selectors as inventory_selectors

CENT = Decimal("0.01")


def cart_get(*, token: uuid.UUID, user: User | AnonymousUser | None) -> Cart:
    """The cart with this token, if the caller may see it.

    A guest cart belongs to whoever holds its token; a customer's cart only to the
    customer. Anything else is "no such cart", never "not yours".
    """
    cart = Cart.objects.filter(token=token).first()
    if cart is None:
        raise CartNotFound()
    if cart.user_id is not None and (user is None or user.pk != cart.user_id):
        raise CartNotFound()
    return cart


def cart_summary(*, cart: Cart, with_stock: bool = True) -> dict[str, Any]:
    """The cart as a shopper sees it: lines at today's prices, stock, subtotal.

    A line whose product is no longer for sale stays visible, marked unavailable
    and left out of the subtotal, so the shopper sees why it will not be bought.
    Without ``with_stock`` the units left are not read (shown as 0): checkout skips
    them, since allocation checks the stock again under its locks.
    """
    lines = list(cart.lines.select_related("variant__product"))
    variant_ids = [line.variant_id for line in lines]
    for_sale = catalog_selectors.variant_ids_for_sale(variant_ids=variant_ids)
    available = (
        inventory_selectors.quantities_available(variant_ids=variant_ids, holder=cart.token)
        if with_stock
        else {}
    )
    subtotal = Decimal(0)
    shown = []
    for line in lines:
        variant = line.variant
        unit_price = variant.price
        line_total = (unit_price * line.quantity).quantize(CENT, rounding=ROUND_HALF_UP)
        purchasable = line.variant_id in for_sale
        if purchasable:
            subtotal += line_total
        shown.append(
            {
                "id": line.pk,
                "variant": {
                    "id": variant.pk,
                    "sku": variant.sku,
                    "name": variant.name,
                    "product_name": variant.product.name,
                    "product_slug": variant.product.slug,
                },
                "quantity": line.quantity,
                "unit_price": unit_price,
                "line_total": line_total,
                "quantity_available": max(available.get(line.variant_id, 0), 0),
                "is_available": purchasable,
                "weight_grams": variant.weight_grams or 0,
            }
        )
    return {
        "token": cart.token,
        "status": cart.status,
        "currency": cart.currency,
        "lines": shown,
        "quantity": sum(line.quantity for line in lines),
        "subtotal": subtotal.quantize(CENT, rounding=ROUND_HALF_UP),
        "reserved_until": (
            cart.reserved_until
            if cart.reserved_until is not None and cart.reserved_until > timezone.now()
            else None
        ),
        "updated_at": cart.updated_at,
    }
