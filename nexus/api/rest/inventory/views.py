"""Stock for staff: warehouses, adjustments with an audit trail, levels, thresholds."""

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
from nexus.api.rest.filters import BooleanFilter
from nexus.api.rest.inventory import serializers as s
from nexus.api.rest.permissions import IsStaff, model_permissions
from nexus.api.rest.schema import BODY_ERRORS, problems
from nexus.inventory import selectors, services
from nexus.inventory.models import Stock, Warehouse

TAGS = ["staff: inventory"]


class StaffWarehouseListView(GenericAPIView[Warehouse]):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("inventory.warehouse")
    serializer_class = s.WarehouseOutput
    cursor_ordering = ("priority", "id")

    def get_queryset(self) -> QuerySet[Warehouse]:
        return selectors.warehouse_list()

    @extend_schema(
        summary="List warehouses, by allocation priority (staff)",
        tags=TAGS,
        responses={200: s.WarehouseOutput(many=True), **problems(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.WarehouseOutput(page, many=True).data)

    @extend_schema(
        summary="Create a warehouse (staff)",
        tags=TAGS,
        request=s.WarehouseInput,
        responses={201: s.WarehouseOutput, **problems(*BODY_ERRORS, 401, 403, 409, 429)},
    )
    def post(self, request: Request) -> Response:
        data = s.WarehouseInput(data=request.data)
        data.is_valid(raise_exception=True)
        warehouse = services.warehouse_create(**data.validated_data)
        return Response(s.WarehouseOutput(warehouse).data, status=status.HTTP_201_CREATED)


class StaffWarehouseDetailView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("inventory.warehouse")

    @extend_schema(
        summary="One warehouse (staff)",
        tags=TAGS,
        responses={200: s.WarehouseOutput, **problems(401, 403, 404, 429)},
    )
    def get(self, request: Request, warehouse_id: int) -> Response:
        return Response(s.WarehouseOutput(selectors.warehouse_get(warehouse_id=warehouse_id)).data)

    @extend_schema(
        summary="Change a warehouse (staff)",
        tags=TAGS,
        request=s.WarehouseInput(partial=True),
        responses={200: s.WarehouseOutput, **problems(*BODY_ERRORS, 401, 403, 404, 409, 429)},
    )
    def patch(self, request: Request, warehouse_id: int) -> Response:
        warehouse = selectors.warehouse_get(warehouse_id=warehouse_id)
        data = s.WarehouseInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        warehouse = services.warehouse_update(warehouse=warehouse, changes=data.validated_data)
        return Response(s.WarehouseOutput(warehouse).data)

    @extend_schema(
        summary="Delete a warehouse that holds no stock rows (staff)",
        tags=TAGS,
        responses={204: None, **problems(401, 403, 404, 409, 429)},
    )
    def delete(self, request: Request, warehouse_id: int) -> Response:
        services.warehouse_delete(warehouse=selectors.warehouse_get(warehouse_id=warehouse_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class StockLevelFilter(filters.FilterSet):
    warehouse = filters.NumberFilter(field_name="warehouse_id", help_text="Warehouse id.")
    sku = filters.CharFilter(field_name="variant__sku", max_length=64)
    low = BooleanFilter(
        method="filter_low", help_text="true: only variants at or below their threshold."
    )

    def filter_low(self, queryset: QuerySet[Stock], name: str, value: object) -> QuerySet[Stock]:
        return selectors.stock_levels_low(queryset) if value is True else queryset


class StaffStockLevelView(GenericAPIView[Stock]):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("inventory.stock")
    serializer_class = s.StockLevelOutput
    filter_backends = (filters.DjangoFilterBackend,)
    filterset_class = StockLevelFilter
    cursor_ordering = ("id",)

    def get_queryset(self) -> QuerySet[Stock]:
        return selectors.stock_levels()

    @extend_schema(
        summary="Stock levels per variant and warehouse (staff)",
        tags=TAGS,
        responses={200: s.StockLevelOutput(many=True), **problems(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.StockLevelOutput(page, many=True).data)


class StaffStockAdjustmentView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = {"POST": ["inventory.change_stock"]}

    @extend_schema(
        summary="Set or change the units on hand, with a reason (staff)",
        description="Recorded in the audit trail. On hand never goes below the units promised.",
        tags=TAGS,
        request=s.StockAdjustmentInput,
        responses={200: s.StockLevelOutput, **problems(*BODY_ERRORS, 401, 403, 404, 409, 429)},
    )
    def post(self, request: Request) -> Response:
        data = s.StockAdjustmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        stock = services.stock_adjust(
            variant_id=values["variant"],
            warehouse=selectors.warehouse_get(warehouse_id=values["warehouse"]),
            delta=values.get("delta"),
            set_to=values.get("set_to"),
            reason=values["reason"],
            actor=cast("User", request.user),
        )
        row = selectors.stock_levels().get(pk=stock.pk)
        return Response(s.StockLevelOutput(row).data)


class StaffLowStockThresholdView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = {"PUT": ["inventory.change_lowstockthreshold"]}

    @extend_schema(
        summary="Set a variant's low-stock threshold (staff)",
        tags=TAGS,
        request=s.LowStockThresholdInput,
        responses={204: None, **problems(*BODY_ERRORS, 401, 403, 404, 429)},
    )
    def put(self, request: Request) -> Response:
        data = s.LowStockThresholdInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.low_stock_threshold_set(
            variant_id=data.validated_data["variant"],
            threshold=data.validated_data["threshold"],
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
