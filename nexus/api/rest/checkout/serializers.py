from typing import Any

from rest_framework import serializers

from nexus.api.rest.serializers import InputSerializer, IntegerField


class CartLineInput(InputSerializer):
    variant = IntegerField(min_value=1, max_value=2**63 - 1, help_text="Id of the product variant.")
    quantity = IntegerField(min_value=1, help_text="Units to add.")


class CartLineQuantityInput(InputSerializer):
    quantity = IntegerField(min_value=1, help_text="The line's new quantity.")


class CartVariantOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    product_name = serializers.CharField()
    product_slug = serializers.CharField()


class CartLineOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    variant = CartVariantOutput()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Today's price."
    )
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    quantity_available = serializers.IntegerField(help_text="Units left to sell right now.")
    is_available = serializers.BooleanField(
        help_text="False when the product is no longer for sale; such a line is not counted."
    )


class CartOutput(serializers.Serializer[Any]):
    token = serializers.UUIDField(help_text="The cart's id; for a guest, its only key.")
    status = serializers.ChoiceField(choices=["open", "merged", "ordered"])
    currency = serializers.CharField()
    lines = CartLineOutput(many=True)
    quantity = serializers.IntegerField(help_text="Units over all lines.")
    subtotal = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Available lines at today's prices."
    )
    updated_at = serializers.DateTimeField()
