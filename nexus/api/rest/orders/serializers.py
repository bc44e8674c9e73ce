from typing import Any

from rest_framework import serializers

from nexus.api.rest.serializers import CharField, InputSerializer
from nexus.orders.models import Order, OrderEvent


# Plain serializers rather than ModelSerializers: these render every placed order, and
# a ModelSerializer rebuilds its fields from the model on each use (about 2 ms of a
# checkout's 10).
def _money(help_text: str = "") -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, help_text=help_text)


class OrderLineOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    variant = serializers.IntegerField(
        source="variant_id", allow_null=True, help_text="Null once the variant is deleted."
    )
    sku = serializers.CharField()
    product_name = serializers.CharField()
    variant_name = serializers.CharField()
    unit_price = _money("The price it was sold at.")
    quantity = serializers.IntegerField()
    line_total = _money()


class OrderEventOutput(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=OrderEvent.Type.choices)
    # DRF's metaclass moves declared fields off the class: this does not shadow .data.
    data = serializers.JSONField()  # type: ignore[assignment]
    created_at = serializers.DateTimeField()


class OrderOutput(serializers.Serializer[Any]):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Order.Status.choices)
    email = serializers.EmailField()
    currency = serializers.CharField()
    subtotal = _money()
    shipping_total = _money()
    discount_total = _money()
    tax_total = _money("Included in the prices or added to them (PRICES_INCLUDE_TAX).")
    total = _money()
    shipping_method_name = serializers.CharField()
    voucher_code = serializers.CharField()
    shipping_address = serializers.JSONField()
    billing_address = serializers.JSONField()
    lines = OrderLineOutput(many=True)
    created_at = serializers.DateTimeField()


class OrderDetailOutput(OrderOutput):
    events = OrderEventOutput(many=True)


class StaffOrderEventOutput(OrderEventOutput):
    actor = serializers.EmailField(source="actor.email", allow_null=True, default=None)


class StaffOrderOutput(OrderOutput):
    customer = serializers.EmailField(source="user.email", allow_null=True, default=None)
    tracking_number = serializers.CharField()


class StaffOrderDetailOutput(StaffOrderOutput):
    events = StaffOrderEventOutput(many=True)


class StaffTransitionInput(InputSerializer):
    status = serializers.ChoiceField(choices=Order.Status.choices)
    tracking_number = CharField(max_length=100, required=False, allow_blank=True)


class StaffNoteInput(InputSerializer):
    message = CharField(max_length=2000)
