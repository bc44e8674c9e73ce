from typing import Any

from rest_framework import serializers

from nexus.api.rest.accounts.serializers import PostalAddressInput, StrictCountryField
from nexus.api.rest.serializers import (
    CharField,
    EmailField,
    InputSerializer,
    IntegerField,
    UUIDField,
)


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
    reserved_until = serializers.DateTimeField(
        allow_null=True, help_text="Until when checkout holds the lines' stock; null: not held."
    )
    updated_at = serializers.DateTimeField()


class CheckoutInput(InputSerializer):
    cart = UUIDField(help_text="The cart's token.")
    email = EmailField(
        max_length=254,
        required=False,
        help_text="Required for guests; customers default to theirs.",
    )
    shipping_address = PostalAddressInput(required=False)
    shipping_address_id = IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, help_text="A saved address of yours."
    )
    billing_address = PostalAddressInput(required=False, help_text="Defaults to the shipping one.")
    billing_address_id = IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    shipping_method = IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        required=False,
        help_text="Id of a method from the summary's shipping_methods; needed when the shop ships.",
    )
    voucher = CharField(max_length=64, required=False, help_text="A voucher code, any case.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for kind in ("shipping", "billing"):
            if f"{kind}_address" in attrs and f"{kind}_address_id" in attrs:
                raise serializers.ValidationError(
                    {f"{kind}_address": ["Give the address or its id, not both."]},
                    code="choose_one",
                )
        if "shipping_address" not in attrs and "shipping_address_id" not in attrs:
            raise serializers.ValidationError(
                {"shipping_address": ["Give a shipping address or the id of a saved one."]},
                code="address_required",
            )
        return attrs


class CheckoutSummaryInput(InputSerializer):
    cart = UUIDField()
    country = StrictCountryField(help_text="Where it goes, ISO 3166-1 alpha-2.")
    region = CharField(max_length=120, required=False, allow_blank=True)
    shipping_method = IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    voucher = CharField(max_length=64, required=False)
    email = EmailField(
        max_length=254, required=False, help_text="A guest's, for per-customer voucher limits."
    )


class ShippingMethodOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="method_id")
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)


class CheckoutSummaryOutput(serializers.Serializer[Any]):
    currency = serializers.CharField()
    subtotal = serializers.DecimalField(max_digits=14, decimal_places=2)
    discount = serializers.DecimalField(max_digits=14, decimal_places=2)
    shipping = serializers.DecimalField(max_digits=14, decimal_places=2)
    tax = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Included in the prices or added to them."
    )
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    prices_include_tax = serializers.BooleanField()
    shipping_methods = ShippingMethodOutput(many=True)
