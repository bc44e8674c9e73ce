"""Orders for staff: find them, move them through their states, fulfil, annotate."""

from typing import cast

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts.models import User
from nexus.api.rest.filters import DateTimeFilter
from nexus.api.rest.orders import serializers as s
from nexus.api.rest.permissions import IsStaff, model_permissions
from nexus.api.rest.schema import BODY_ERRORS, problems
from nexus.orders import selectors, services
from nexus.orders.models import Order
from nexus.payments import services as payments_services

TAGS = ["staff: orders"]


class StaffOrderFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Order.Status.choices)
    placed_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    placed_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")
    customer = filters.CharFilter(
        field_name="email", lookup_expr="icontains", max_length=254, help_text="Part of the email."
    )
    min_total = filters.NumberFilter(field_name="total", lookup_expr="gte")
    max_total = filters.NumberFilter(field_name="total", lookup_expr="lte")

    class Meta:
        model = Order
        fields = ("status",)


class StaffOrderListView(GenericAPIView[Order]):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("orders.order")
    serializer_class = s.StaffOrderOutput
    filter_backends = (filters.DjangoFilterBackend,)
    filterset_class = StaffOrderFilter
    cursor_ordering = ("-created_at", "-id")

    def get_queryset(self) -> QuerySet[Order]:
        return selectors.order_list()

    @extend_schema(
        summary="Orders, newest first, filtered (staff)",
        tags=TAGS,
        responses={200: s.StaffOrderOutput(many=True), **problems(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.StaffOrderOutput(page, many=True).data)


class StaffOrderDetailView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("orders.order")

    @extend_schema(
        summary="One order with its timeline (staff)",
        tags=TAGS,
        responses={200: s.StaffOrderDetailOutput, **problems(401, 403, 404, 429)},
    )
    def get(self, request: Request, number: str) -> Response:
        return Response(s.StaffOrderDetailOutput(selectors.order_get(number=number)).data)


class StaffOrderTransitionView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = {"POST": ["orders.change_order"]}

    @extend_schema(
        summary="Move an order to another state (staff)",
        description=(
            "unpaid → paid → fulfilled → shipped → delivered, or cancelled / refunded / "
            "partially_refunded. Fulfilling takes the promised units off the stock on "
            "hand; cancelling gives them back. A move the state does not allow is a 409."
        ),
        tags=TAGS,
        request=s.StaffTransitionInput,
        responses={
            200: s.StaffOrderDetailOutput,
            **problems(*BODY_ERRORS, 401, 403, 404, 409, 429),
        },
    )
    def post(self, request: Request, number: str) -> Response:
        order = selectors.order_get(number=number)
        data = s.StaffTransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        payments_services.order_move(
            order=order,
            to=data.validated_data["status"],
            actor=cast("User", request.user),
            tracking_number=data.validated_data.get("tracking_number", ""),
        )
        return Response(s.StaffOrderDetailOutput(selectors.order_get(number=number)).data)


class StaffOrderNoteView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = {"POST": ["orders.change_order"]}

    @extend_schema(
        summary="Add a note to an order's timeline (staff)",
        tags=TAGS,
        request=s.StaffNoteInput,
        responses={201: s.StaffOrderDetailOutput, **problems(*BODY_ERRORS, 401, 403, 404, 429)},
    )
    def post(self, request: Request, number: str) -> Response:
        order = selectors.order_get(number=number)
        data = s.StaffNoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.order_note_add(
            order=order, actor=cast("User", request.user), message=data.validated_data["message"]
        )
        return Response(
            s.StaffOrderDetailOutput(selectors.order_get(number=number)).data,
            status=status.HTTP_201_CREATED,
        )
