"""Paying orders, and the providers' webhooks."""

import uuid
from typing import Any, cast

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts.models import User
from nexus.api.rest.filters import BooleanFilter, DateTimeFilter
from nexus.api.rest.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from nexus.api.rest.payments import serializers as s
from nexus.api.rest.permissions import IsStaff, model_permissions
from nexus.api.rest.schema import BODY_ERRORS, problems
from nexus.orders import selectors as orders_selectors
from nexus.orders.models import Order
from nexus.payments import selectors, services
from nexus.payments.models import Payment


def _order_for(request: Request, number: str, cart: uuid.UUID | None) -> Order:
    user = request.user if isinstance(request.user, User) else None
    return orders_selectors.order_get_for_holder(number=number, user=user, cart_token=cart)


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
        responses={
            201: s.PaymentStartedOutput,
            **problems(*BODY_ERRORS, 404, 409, 422, 429, 503),
        },
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
        started.payment.refresh_from_db()  # a sandbox outcome may be applied already
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
    # Providers send bursts from few addresses; a per-IP limit would drop real events.
    throttle_classes = ()

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
        "order_number": payment.order.number,
        "reference": payment.reference,
        "flagged": payment.flagged,
        "flag_reason": payment.flag_reason,
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


# --- staff ------------------------------------------------------------------------------

STAFF_TAGS = ["staff: payments"]


class StaffPaymentFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Payment.Status.choices)
    gateway = filters.CharFilter(max_length=32)
    flagged = BooleanFilter(help_text="true: over- or under-payments to look at.")
    order = filters.CharFilter(field_name="order__number", max_length=16)
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Payment
        fields = ("status",)


class StaffPaymentListView(GenericAPIView[Payment]):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("payments.payment")
    serializer_class = s.StaffPaymentOutput
    filter_backends = (filters.DjangoFilterBackend,)
    filterset_class = StaffPaymentFilter
    cursor_ordering = ("-created_at", "-id")

    def get_queryset(self) -> QuerySet[Payment]:
        return selectors.payment_list()

    @extend_schema(
        summary="Payments, newest first, filtered (staff)",
        tags=STAFF_TAGS,
        responses={200: s.StaffPaymentOutput(many=True), **problems(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset())) or []
        return self.get_paginated_response(
            s.StaffPaymentOutput([_payment(p) for p in page], many=True).data
        )


class StaffRefundView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = {"POST": ["payments.add_refund"]}

    @extend_schema(
        summary="Refund a payment, all or part, optionally restocking the order (staff)",
        description=(
            "The refund is asked of the gateway and counted when its event confirms it; "
            "the order then becomes refunded or partially_refunded."
        ),
        tags=STAFF_TAGS,
        parameters=[IDEMPOTENCY_PARAMETER],
        request=s.RefundInput,
        responses={
            201: s.RefundOutput,
            **problems(*BODY_ERRORS, 401, 403, 404, 409, 422, 429, 503),
        },
    )
    @idempotent
    def post(self, request: Request, payment_id: int) -> Response:
        payment = selectors.payment_get(payment_id=payment_id)
        data = s.RefundInput(data=request.data)
        data.is_valid(raise_exception=True)
        refund = services.payment_refund(
            payment=payment,
            amount=data.validated_data.get("amount"),
            restock=data.validated_data["restock"],
            actor=cast("User", request.user),
        )
        refund.refresh_from_db()
        return Response(s.RefundOutput(refund).data, status=status.HTTP_201_CREATED)
