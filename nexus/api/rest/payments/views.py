"""Paying orders, and the providers' webhooks."""

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts.models import User
from nexus.api.rest.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from nexus.api.rest.payments import serializers as s
from nexus.api.rest.schema import BODY_ERRORS, problems
from nexus.orders.errors import OrderNotFound
from nexus.orders.models import Order
from nexus.payments import selectors, services


def _order_for(request: Request, number: str, cart: uuid.UUID | None) -> Order:
    """The order, if the caller may pay for it: a customer's order to that customer,
    a guest's order to whoever shows the token of the cart it came from."""
    order = Order.objects.filter(number=number).first()
    user = request.user if isinstance(request.user, User) else None
    if order is None:
        raise OrderNotFound()
    if order.user_id is not None:
        if user is None or user.pk != order.user_id:
            raise OrderNotFound()
    elif cart is None or cart != order.cart_token:
        raise OrderNotFound()
    return order


class OrderPaymentListView(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Pay an order with the configured gateway",
        description=(
            "The payment starts pending; the gateway's event marks it succeeded or failed "
            "and, when the amount matches the order's total, the order paid. Guests prove "
            "the order with its cart's token."
        ),
        tags=["payments"],
        parameters=[IDEMPOTENCY_PARAMETER],
        request=s.PaymentStartInput,
        responses={201: s.PaymentStartedOutput, **problems(*BODY_ERRORS, 404, 409, 422, 429)},
    )
    @idempotent
    def post(self, request: Request, number: str) -> Response:
        data = s.PaymentStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        order = _order_for(request, number, data.validated_data.get("cart"))
        started = services.payment_start(
            order=order,
            payment_method=data.validated_data["payment_method"],
            actor=request.user if isinstance(request.user, User) else None,
        )
        body = {**_payment(started.payment), "client_secret": started.client_secret}
        return Response(s.PaymentStartedOutput(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="An order's payments",
        tags=["payments"],
        parameters=[s.GuestProofInput],
        responses={200: s.PaymentOutput(many=True), **problems(400, 404, 429)},
    )
    def get(self, request: Request, number: str) -> Response:
        proof = s.GuestProofInput(data=request.query_params.dict())
        proof.is_valid(raise_exception=True)
        order = _order_for(request, number, proof.validated_data.get("cart"))
        payments = [_payment(p) for p in selectors.payments_of(order=order)]
        return Response(s.PaymentOutput(payments, many=True).data)


class PaymentConfirmView(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Complete a payment's extra step (sandbox: it then succeeds)",
        tags=["payments"],
        request=s.GuestProofInput,
        responses={200: s.PaymentOutput, **problems(*BODY_ERRORS, 404, 429)},
    )
    def post(self, request: Request, number: str, payment_id: int) -> Response:
        proof = s.GuestProofInput(data=request.data)
        proof.is_valid(raise_exception=True)
        order = _order_for(request, number, proof.validated_data.get("cart"))
        payment = selectors.payment_of(order=order, payment_id=payment_id)
        services.payment_confirm(payment=payment)
        payment.refresh_from_db()
        return Response(s.PaymentOutput(_payment(payment)).data)


class WebhookView(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()  # the signature is the credential

    @extend_schema(
        summary="Receive a payment provider's event",
        description=(
            "The signature is checked first: missing, wrong or outside the timestamp "
            "tolerance is a 400 and nothing changes. An event seen before is acknowledged "
            "and ignored."
        ),
        tags=["payments"],
        request=None,
        responses={200: s.WebhookAckOutput, **problems(400, 404, 429)},
        auth=[],
    )
    def post(self, request: Request, gateway: str) -> Response:
        headers = dict(request.headers.items())
        fresh = services.webhook_receive(
            gateway_name=gateway, body=request._request.body, headers=headers
        )
        return Response(s.WebhookAckOutput({"received": True, "duplicate": not fresh}).data)


def _payment(payment: Any) -> dict[str, Any]:
    return {
        "id": payment.pk,
        "gateway": payment.gateway,
        "status": payment.status,
        "amount": payment.amount,
        "currency": payment.currency,
        "amount_received": payment.amount_received,
        "amount_refunded": payment.amount_refunded,
        "failure_reason": payment.failure_reason,
        "created_at": payment.created_at,
    }
