"""Carts, checkout and paying, over the same services as REST's.

A guest's cart is reached by its token alone, a customer's only with the customer's
own token; anything else is "no such cart". Inputs are checked by REST's own input
serializers, so both APIs accept exactly the same.
"""

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from django.conf import settings
from rest_framework import serializers
from strawberry.types import Info

from nexus.api.graphql.context import current_user
from nexus.api.graphql.errors import UserError, attempt, domain_error, input_error
from nexus.api.graphql.idempotency import once
from nexus.api.graphql.inputs import given, validated
from nexus.api.graphql.orders import Order, order_node
from nexus.api.rest.checkout import serializers as checkout_inputs
from nexus.api.rest.checkout.views import checkout_place_from
from nexus.api.rest.payments import serializers as payment_inputs
from nexus.checkout import selectors, services
from nexus.checkout.errors import CartNotFound
from nexus.checkout.models import Cart as CartModel
from nexus.core.errors import DomainError
from nexus.orders import selectors as orders_selectors
from nexus.orders.models import Order as OrderModel
from nexus.payments import selectors as payments_selectors
from nexus.payments import services as payments_services
from nexus.payments.models import Payment as PaymentModel

# --- carts ------------------------------------------------------------------------------


@strawberry.type
class CartVariant:
    id: int
    sku: str
    name: str
    product_name: str
    product_slug: str


@strawberry.type
class CartLine:
    id: int
    variant: CartVariant
    quantity: int
    unit_price: Decimal = strawberry.field(description="Today's price.")
    line_total: Decimal
    quantity_available: int = strawberry.field(description="Units left to sell right now.")
    is_available: bool = strawberry.field(
        description="False when the product is no longer for sale; such a line is not counted."
    )


@strawberry.type
class Cart:
    token: uuid.UUID = strawberry.field(description="The cart's id; for a guest, its only key.")
    status: str
    currency: str
    lines: list[CartLine]
    quantity: int
    subtotal: Decimal
    reserved_until: datetime | None
    updated_at: datetime


def _cart(cart: CartModel, *, after_write: bool = True) -> Cart:
    if after_write:  # the service changed its own, locked copy of the row
        cart.refresh_from_db(fields=["status", "reserved_until", "updated_at"])
    summary = selectors.cart_summary(cart=cart)
    return Cart(
        token=summary["token"],
        status=summary["status"],
        currency=summary["currency"],
        lines=[
            CartLine(
                id=line["id"],
                variant=CartVariant(**line["variant"]),
                quantity=line["quantity"],
                unit_price=line["unit_price"],
                line_total=line["line_total"],
                quantity_available=line["quantity_available"],
                is_available=line["is_available"],
            )
            for line in summary["lines"]
        ],
        quantity=summary["quantity"],
        subtotal=summary["subtotal"],
        reserved_until=summary["reserved_until"],
        updated_at=summary["updated_at"],
    )


@strawberry.type
class CartPayload:
    cart: Cart | None
    errors: list[UserError]


def _cart_change(
    info: Info[Any, Any], token: uuid.UUID, change: Callable[[CartModel], object]
) -> CartPayload:
    def run() -> Cart:
        cart = selectors.cart_get(token=token, user=current_user(info))
        change(cart)
        return _cart(cart)

    cart, errors = attempt(run)
    return CartPayload(cart=cart, errors=errors)


# --- checkout ---------------------------------------------------------------------------


# Optional fields default to UNSET: left out, they are left out of what REST's
# serializer reads, as a key missing from a JSON body.
@strawberry.input
class PostalAddressInput:
    first_name: str
    last_name: str
    line1: str
    city: str
    country: str = strawberry.field(description="ISO 3166-1 alpha-2.")
    company: str | None = strawberry.UNSET
    line2: str | None = strawberry.UNSET
    postal_code: str | None = strawberry.UNSET
    region: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET


@strawberry.input
class CheckoutInput:
    cart: uuid.UUID
    email: str | None = strawberry.field(
        default=strawberry.UNSET, description="Required for guests; customers default to theirs."
    )
    shipping_address: PostalAddressInput | None = strawberry.UNSET
    shipping_address_id: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="A saved address of yours, instead of shippingAddress.",
    )
    billing_address: PostalAddressInput | None = strawberry.field(
        default=strawberry.UNSET, description="Defaults to the shipping address."
    )
    billing_address_id: int | None = strawberry.UNSET
    shipping_method: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="Id of a method from checkoutSummary's shippingMethods.",
    )
    voucher: str | None = strawberry.UNSET


@strawberry.type
class ShippingMethod:
    id: int
    name: str
    price: Decimal


@strawberry.type
class CheckoutSummary:
    currency: str
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal = strawberry.field(description="Included in the prices or added to them.")
    total: Decimal
    prices_include_tax: bool
    shipping_methods: list[ShippingMethod]


@strawberry.type
class CheckoutPayload:
    order: Order | None
    replayed: bool = strawberry.field(
        description="True when this is the answer to an earlier call with the same key."
    )
    errors: list[UserError]


def _place_order(
    info: Info[Any, Any], checkout_input: CheckoutInput, idempotency_key: str | None
) -> CheckoutPayload:
    user = current_user(info)
    values = given(checkout_input)
    outcome = once(
        user=user,
        key=idempotency_key,
        operation="checkoutPlace",
        arguments=values,
        action=lambda: checkout_place_from(validated(checkout_inputs.CheckoutInput, values), user),
        remember=lambda order: order.number,
        recall=lambda number: orders_selectors.order_for_customer(number=number),
    )
    placed = outcome.result
    return CheckoutPayload(
        order=order_node(placed) if placed else None,
        replayed=outcome.replayed,
        errors=outcome.errors,
    )


# --- payments ---------------------------------------------------------------------------


@strawberry.type
class Payment:
    id: int
    gateway: str
    status: str
    amount: Decimal
    currency: str
    amount_received: Decimal
    amount_refunded: Decimal
    failure_reason: str
    created_at: datetime


@strawberry.type
class PaymentPayload:
    payment: Payment | None
    client_secret: str | None = strawberry.field(
        description="For a storefront that completes an extra step with the provider."
    )
    replayed: bool = strawberry.field(
        default=False,
        description="True when this is the answer to an earlier call with the same key.",
    )
    errors: list[UserError]


def _payment(payment: PaymentModel) -> Payment:
    payment.refresh_from_db()  # a sandbox outcome may be applied already
    return Payment(
        id=payment.pk,
        gateway=payment.gateway,
        status=payment.status,
        amount=payment.amount,
        currency=payment.currency,
        amount_received=payment.amount_received,
        amount_refunded=payment.amount_refunded,
        failure_reason=payment.failure_reason,
        created_at=payment.created_at,
    )


def _order_for(info: Info[Any, Any], number: str, cart: uuid.UUID | None) -> OrderModel:
    return orders_selectors.order_get_for_holder(
        number=number, user=current_user(info), cart_token=cart
    )


# --- the schema's part ------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field(description="A cart you hold; null if there is none you may see.")
    def cart(self, info: Info[Any, Any], token: uuid.UUID) -> Cart | None:
        try:
            return _cart(
                selectors.cart_get(token=token, user=current_user(info)), after_write=False
            )
        except CartNotFound:
            return None

    @strawberry.field(
        description="What the order would cost: shipping methods, discount, tax, total. "
        "Computed by the server; writes nothing."
    )
    def checkout_summary(
        self,
        info: Info[Any, Any],
        *,
        cart: uuid.UUID,
        country: str,
        region: str | None = None,
        shipping_method: int | None = None,
        voucher: str | None = None,
        email: str | None = None,
    ) -> CheckoutSummary:
        user = current_user(info)
        try:
            arguments = {
                "cart": str(cart),
                "country": country,
                "region": region,
                "shipping_method": shipping_method,
                "voucher": voucher,
                "email": email,
            }
            values = validated(
                checkout_inputs.CheckoutSummaryInput,
                {name: value for name, value in arguments.items() if value is not None},
            )
            held = selectors.cart_get(token=values["cart"], user=user)
            priced = services.checkout_quote(
                cart=held,
                user=user,
                country=str(values["country"]),
                region=values.get("region", ""),
                shipping_method_id=values.get("shipping_method"),
                voucher_code=values.get("voucher"),
                email=values.get("email", ""),
            )
        except serializers.ValidationError as exc:
            raise input_error(exc) from exc
        except DomainError as exc:
            raise domain_error(exc) from exc
        totals = priced.totals
        return CheckoutSummary(
            currency=held.currency,
            subtotal=totals.subtotal,
            discount=totals.discount,
            shipping=totals.shipping,
            tax=totals.tax,
            total=totals.total,
            prices_include_tax=settings.PRICES_INCLUDE_TAX,
            shipping_methods=[
                ShippingMethod(id=q.method_id, name=q.name, price=q.price)
                for q in priced.shipping_quotes
            ],
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Start a cart: a guest gets a new one (keep its token), a customer "
        "their open one."
    )
    def cart_create(self, info: Info[Any, Any]) -> CartPayload:
        cart, _ = services.cart_create(user=current_user(info))
        return CartPayload(cart=_cart(cart, after_write=False), errors=[])

    @strawberry.mutation(description="Add units of a variant to a cart.")
    def cart_line_add(
        self, info: Info[Any, Any], token: uuid.UUID, variant: int, quantity: int
    ) -> CartPayload:
        def add(cart: CartModel) -> None:
            values = validated(
                checkout_inputs.CartLineInput, {"variant": variant, "quantity": quantity}
            )
            services.cart_line_add(
                cart=cart, variant_id=values["variant"], quantity=values["quantity"]
            )

        return _cart_change(info, token, add)

    @strawberry.mutation(description="Change a line's quantity.")
    def cart_line_update(
        self, info: Info[Any, Any], token: uuid.UUID, line: int, quantity: int
    ) -> CartPayload:
        def update(cart: CartModel) -> None:
            values = validated(checkout_inputs.CartLineQuantityInput, {"quantity": quantity})
            services.cart_line_set_quantity(cart=cart, line_id=line, quantity=values["quantity"])

        return _cart_change(info, token, update)

    @strawberry.mutation(description="Remove a line.")
    def cart_line_delete(self, info: Info[Any, Any], token: uuid.UUID, line: int) -> CartPayload:
        return _cart_change(
            info, token, lambda cart: services.cart_line_delete(cart=cart, line_id=line)
        )

    @strawberry.mutation(description="Start checkout: hold the lines' stock for a while.")
    def cart_reserve(self, info: Info[Any, Any], token: uuid.UUID) -> CartPayload:
        return _cart_change(info, token, lambda cart: services.cart_reserve(cart=cart))

    @strawberry.mutation(
        description="Place an order from a cart at today's prices, its units promised, or "
        "not at all. With idempotencyKey, the same call again returns the first answer."
    )
    def checkout_place(
        self,
        info: Info[Any, Any],
        input: CheckoutInput,  # noqa: A002 — GraphQL's usual name for a mutation's input
        idempotency_key: str | None = None,
    ) -> CheckoutPayload:
        return _place_order(info, input, idempotency_key)

    @strawberry.mutation(
        description="Pay an order with the configured gateway (sandbox test cards in the "
        "embedded mode). Guests prove the order with its cart's token."
    )
    def payment_start(
        self,
        info: Info[Any, Any],
        *,
        order: str,
        payment_method: str,
        cart: uuid.UUID | None = None,
        idempotency_key: str | None = None,
    ) -> PaymentPayload:
        user = current_user(info)
        arguments = {"payment_method": payment_method, **({"cart": str(cart)} if cart else {})}

        def start() -> tuple[PaymentModel, str]:
            values = validated(payment_inputs.PaymentStartInput, arguments)
            started = payments_services.payment_start(
                order=_order_for(info, order, values.get("cart")),
                payment_method=values["payment_method"],
                actor=user,
            )
            return started.payment, started.client_secret

        def recall(kept: str) -> tuple[PaymentModel, str]:
            first = json.loads(kept)
            return PaymentModel.objects.get(pk=first["payment"]), first["client_secret"]

        outcome = once(
            user=user,
            key=idempotency_key,
            operation="paymentStart",
            arguments={"order": order, **arguments},
            action=start,
            remember=lambda started: json.dumps(
                {"payment": started[0].pk, "client_secret": started[1]}
            ),
            recall=recall,
        )
        if outcome.result is None:
            return PaymentPayload(
                payment=None, client_secret=None, replayed=False, errors=outcome.errors
            )
        payment, client_secret = outcome.result
        return PaymentPayload(
            payment=_payment(payment),
            client_secret=client_secret,
            replayed=outcome.replayed,
            errors=[],
        )

    @strawberry.mutation(description="Complete a payment's extra step (sandbox: it succeeds).")
    def payment_confirm(
        self, info: Info[Any, Any], order: str, payment: int, cart: uuid.UUID | None = None
    ) -> PaymentPayload:
        def confirm() -> PaymentModel:
            held = payments_selectors.payment_of(
                order=_order_for(info, order, cart), payment_id=payment
            )
            payments_services.payment_confirm(payment=held)
            return held

        confirmed, errors = attempt(confirm)
        return PaymentPayload(
            payment=_payment(confirmed) if confirmed else None,
            client_secret=None,
            replayed=False,
            errors=errors,
        )
