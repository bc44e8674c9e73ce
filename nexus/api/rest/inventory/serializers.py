from typing import Any

from rest_framework import serializers

from nexus.api.rest.serializers import CharField, InputSerializer, IntegerField, SlugField
from nexus.inventory.models import Stock, Warehouse

ID_MAX = 2**63 - 1


class WarehouseInput(InputSerializer):
    name = CharField(max_length=200)
    slug = SlugField(max_length=200)
    priority = IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, help_text="Lower is allocated first."
    )


class WarehouseOutput(serializers.ModelSerializer[Warehouse]):
    class Meta:
        model = Warehouse
        fields = ("id", "name", "slug", "priority")
        read_only_fields = fields


class StockAdjustmentInput(InputSerializer):
    variant = IntegerField(min_value=1, max_value=ID_MAX)
    warehouse = IntegerField(min_value=1, max_value=ID_MAX)
    delta = IntegerField(
        min_value=-(2**31 - 1),
        max_value=2**31 - 1,
        required=False,
        help_text="Units to add (negative: remove).",
    )
    set_to = IntegerField(
        min_value=0, max_value=2**31 - 1, required=False, help_text="The new units on hand."
    )
    reason = CharField(max_length=200, help_text="Why, for the audit trail.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("delta" in attrs) == ("set_to" in attrs):
            raise serializers.ValidationError(
                {"delta": ["Give either delta or set_to."]}, code="choose_one"
            )
        return attrs


class LowStockThresholdInput(InputSerializer):
    variant = IntegerField(min_value=1, max_value=ID_MAX)
    threshold = IntegerField(
        min_value=0,
        allow_null=True,
        help_text="Units available at or below which it is low; null removes it.",
    )


class StockLevelOutput(serializers.ModelSerializer[Stock]):
    sku = serializers.CharField(source="variant.sku")
    product_name = serializers.CharField(source="variant.product.name")
    warehouse: "serializers.SlugRelatedField[Warehouse]" = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    reserved = serializers.IntegerField(
        help_text="Live reservations of the variant, all warehouses."
    )
    available = serializers.IntegerField(help_text="On hand - allocated, this warehouse.")
    threshold = serializers.IntegerField(allow_null=True, help_text="Low-stock threshold.")

    class Meta:
        model = Stock
        fields = (
            "id",
            "variant",
            "sku",
            "product_name",
            "warehouse",
            "quantity",
            "quantity_allocated",
            "reserved",
            "available",
            "threshold",
        )
        read_only_fields = fields
