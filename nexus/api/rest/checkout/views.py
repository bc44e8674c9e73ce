"""Carts over REST. A guest's cart is reached by its token alone; a customer's cart
only with the customer's own credentials. Others get 404."""

import uuid
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts import selectors as accounts_selectors
from nexus.accounts.models import POSTAL_FIELDS, User
from nexus.api.rest.checkout import serializers as s
from nexus.api.rest.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from nexus.api.rest.orders.serializers import OrderDetailOutput
from nexus.api.rest.schema import BODY_ERRORS, problems
from nexus.checkout import selectors, services
from nexus.checkout.models import Cart
from nexus.core.errors import ValidationFailed
from nexus.orders.models import Order


def _user(request: Request) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _render(
    cart: Cart, *, status_code: int = status.HTTP_200_OK, after_write: bool = True
) -> Response:
    if after_write:  # the service changed its own, locked copy of the row
        cart.refresh_from_db(fields=["status", "reserved_until", "updated_at"])
    return Response(s.CartOutput(selectors.cart_summary(cart=cart)).data, status=status_code)


class CartCreateView(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Start a cart",
        description=(
            "A guest gets a new cart whose token is its only key: keep it. A signed-in "
            "customer gets their open cart (200) or a new one (201)."
        ),
        tags=["carts"],
        request=None,
        responses={200: s.CartOutput, 201: s.CartOutput, **problems(401, 429)},
    )
    def post(self, request: Request) -> Response:
        cart, created = services.cart_create(user=_user(request))
        return _render(
            cart,
            status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            after_write=False,
        )


class CartDetailView(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="A cart with today's prices and stock",
        tags=["carts"],
        responses={200: s.CartOutput, **problems(401, 404, 429)},
    )
    def get(self, request: Request, token: uuid.UUID) -> Response:
        return _render(selectors.cart_get(token=token, user=_user(request)), after_write=False)


class CartLineListView(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Add a variant to a cart",
        description="Adding a variant already in the cart raises its quantity.",
        tags=["carts"],
        request=s.CartLineInput,
        responses={201: s.CartOutput, **problems(*BODY_ERRORS, 401, 404, 409, 429)},
    )
    def post(self, request: Request, token: uuid.UUID) -> Response:
        cart = selectors.cart_get(token=token, user=_user(request))
        data = s.CartLineInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.cart_line_add(
            cart=cart,
            variant_id=data.validated_data["variant"],
            quantity=data.validated_data["quantity"],
        )
        return _render(cart, status_code=status.HTTP_201_CREATED)


class CartLineDetailView(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Change a line's quantity",
        tags=["carts"],
        request=s.CartLineQuantityInput,
        responses={200: s.CartOutput, **problems(*BODY_ERRORS, 401, 404, 409, 429)},
    )
    def patch(self, request: Request, token: uuid.UUID, line_id: int) -> Response:
        cart = selectors.cart_get(token=token, user=_user(request))
        data = s.CartLineQuantityInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.cart_line_set_quantity(
            cart=cart, line_id=line_id, quantity=data.validated_data["quantity"]
        )
        return _render(cart)

    @extend_schema(
        summary="Remove a line",
        tags=["carts"],
        responses={200: s.CartOutput, **problems(401, 404, 409, 429)},
    )
    def delete(self, request: Request, token: uuid.UUID, line_id: int) -> Response:
        cart = selectors.cart_get(token=token, user=_user(request))
        services.cart_line_delete(cart=cart, line_id=line_id)
        return _render(cart)


class CartReservationView(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Start checkout: hold the cart's stock for a while",
        description=(
            "Every line's units are held for CHECKOUT_RESERVATION_MINUTES (15 by default): "
            "others cannot buy them meanwhile. Calling again restarts the time; changing "
            "the lines ends the hold."
        ),
        tags=["carts"],
        request=None,
        responses={200: s.CartOutput, **problems(400, 401, 404, 409, 429)},
    )
    def post(self, request: Request, token: uuid.UUID) -> Response:
        cart = selectors.cart_get(token=token, user=_user(request))
        services.cart_reserve(cart=cart)
        return _render(cart)


def _address(data: dict[str, Any], kind: str, user: User | None) -> dict[str, Any] | None:
    """The address as given, or a snapshot of the customer's saved one."""
    if f"{kind}_address" in data:
        given = data[f"{kind}_address"]
        return {field: str(given.get(field, "")) for field in POSTAL_FIELDS}
    if f"{kind}_address_id" not in data:
        return None
    if user is None:
        raise ValidationFailed(
            field_errors={f"{kind}_address_id": ["Sign in to use a saved address."]}
        )
    return accounts_selectors.address_snapshot(user=user, address_id=data[f"{kind}_address_id"])


def checkout_place_from(values: dict[str, Any], user: User | None) -> Order:
    """Place the order a validated ``CheckoutInput`` describes (GraphQL's too)."""
    cart = selectors.cart_get(token=values["cart"], user=user)
    shipping = _address(values, "shipping", user)
    if shipping is None:  # the serializer already requires one; kept for the type
        raise ValidationFailed(field_errors={"shipping_address": ["Required."]})
    details = services.CheckoutDetails(
        email=values.get("email", ""),
        shipping_address=shipping,
        billing_address=_address(values, "billing", user) or shipping,
        shipping_method_id=values.get("shipping_method"),
        voucher_code=values.get("voucher"),
    )
    return services.checkout_place(cart=cart, user=user, details=details)


class CheckoutView(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Place an order from a cart",
        description=(
            "Prices, totals and stock are the server's: the order is made at today's "
            "prices with its units promised, or not at all. A cart becomes one order "
            "at most; a second attempt is a 409."
        ),
        tags=["checkout"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=s.CheckoutInput,
        responses={201: OrderDetailOutput, **problems(*BODY_ERRORS, 401, 404, 409, 422, 429)},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = s.CheckoutInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = _user(request)
        order = checkout_place_from(data.validated_data, user)
        return Response(OrderDetailOutput(order).data, status=status.HTTP_201_CREATED)


class CheckoutSummaryView(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="What the order would cost: shipping methods, discount, tax, total",
        description=(
            "Computed by the server from today's prices, the destination (shipping "
            "methods of its zone, its tax rate) and a voucher; writes nothing."
        ),
        tags=["checkout"],
        request=s.CheckoutSummaryInput,
        responses={200: s.CheckoutSummaryOutput, **problems(*BODY_ERRORS, 401, 404, 409, 429)},
    )
    def post(self, request: Request) -> Response:
        data = s.CheckoutSummaryInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = _user(request)
        cart = selectors.cart_get(token=values["cart"], user=user)
        priced = services.checkout_quote(
            cart=cart,
            user=user,
            country=str(values["country"]),
            region=values.get("region", ""),
            shipping_method_id=values.get("shipping_method"),
            voucher_code=values.get("voucher"),
            email=values.get("email", ""),
        )
        totals = priced.totals
        return Response(
            s.CheckoutSummaryOutput(
                {
                    "currency": cart.currency,
                    "subtotal": totals.subtotal,
                    "discount": totals.discount,
                    "shipping": totals.shipping,
                    "tax": totals.tax,
                    "total": totals.total,
                    "prices_include_tax": settings.PRICES_INCLUDE_TAX,
                    "shipping_methods": priced.shipping_quotes,
                }
            ).data
        )
