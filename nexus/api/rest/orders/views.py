"""A customer's own orders. Anyone else's order is a 404."""

from typing import cast

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts.models import User
from nexus.api.rest.orders import serializers as s
from nexus.api.rest.schema import problems
from nexus.orders import selectors
from nexus.orders.models import Order
from nexus.payments import services as payments_services


def _user(request: Request) -> User:
    """The signed-in user; views call it only after IsAuthenticated has passed."""
    return cast("User", request.user)


class OrderListView(GenericAPIView[Order]):
    serializer_class = s.OrderOutput
    cursor_ordering = ("-created_at", "-id")

    def get_queryset(self) -> QuerySet[Order]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Order.objects.none()
        return selectors.order_list_for_user(user=_user(self.request))

    @extend_schema(
        summary="The signed-in customer's orders, newest first",
        tags=["orders"],
        responses={200: s.OrderOutput(many=True), **problems(400, 401, 429)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.OrderOutput(page, many=True).data)


class OrderDetailView(APIView):
    @extend_schema(
        summary="One of the signed-in customer's orders, with its timeline",
        tags=["orders"],
        responses={200: s.OrderDetailOutput, **problems(401, 404, 429)},
    )
    def get(self, request: Request, number: str) -> Response:
        order = selectors.order_get_for_user(user=_user(request), number=number)
        return Response(s.OrderDetailOutput(order).data)


class OrderCancelView(APIView):
    @extend_schema(
        summary="Cancel one of your orders before it is fulfilled",
        description=(
            "Its stock is given back, a payment under way is called off and what was "
            "paid is refunded. A fulfilled, shipped or cancelled order is a 409."
        ),
        tags=["orders"],
        request=None,
        responses={200: s.OrderDetailOutput, **problems(401, 404, 409, 429)},
    )
    def post(self, request: Request, number: str) -> Response:
        user = _user(request)
        order = selectors.order_get_for_user(user=user, number=number)
        payments_services.order_cancel_with_refund(order=order, actor=user)
        return Response(
            s.OrderDetailOutput(selectors.order_get_for_user(user=user, number=number)).data
        )
