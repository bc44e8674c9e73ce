from rest_framework import serializers

from nexus.api.rest.serializers import CharField, InputSerializer
from nexus.orders.models import Order, OrderEvent, OrderLine


class OrderLineOutput(serializers.ModelSerializer[OrderLine]):
    class Meta:
        model = OrderLine
        fields = (
            "id",
            "variant",
            "sku",
            "product_name",
            "variant_name",
            "unit_price",
            "quantity",
            "line_total",
        )
        read_only_fields = fields


class OrderEventOutput(serializers.ModelSerializer[OrderEvent]):
    class Meta:
        model = OrderEvent
        fields = ("type", "data", "created_at")
        read_only_fields = fields


ORDER_FIELDS: tuple[str, ...] = (
    "number",
    "status",
    "email",
    "currency",
    "subtotal",
    "shipping_total",
    "discount_total",
    "tax_total",
    "total",
    "shipping_method_name",
    "voucher_code",
    "shipping_address",
    "billing_address",
    "lines",
    "created_at",
)


class OrderOutput(serializers.ModelSerializer[Order]):
    lines = OrderLineOutput(many=True, read_only=True)

    class Meta:
        model = Order
        fields = ORDER_FIELDS
        read_only_fields = ORDER_FIELDS


class OrderDetailOutput(OrderOutput):
    events = OrderEventOutput(many=True, read_only=True)

    class Meta(OrderOutput.Meta):
        fields = (*ORDER_FIELDS, "events")
        read_only_fields = fields


class StaffOrderEventOutput(serializers.ModelSerializer[OrderEvent]):
    actor = serializers.EmailField(source="actor.email", allow_null=True, default=None)

    class Meta:
        model = OrderEvent
        fields = ("type", "actor", "data", "created_at")
        read_only_fields = fields


class StaffOrderOutput(OrderOutput):
    customer = serializers.EmailField(source="user.email", allow_null=True, default=None)

    class Meta(OrderOutput.Meta):
        fields = (*ORDER_FIELDS, "customer", "tracking_number")
        read_only_fields = fields


class StaffOrderDetailOutput(StaffOrderOutput):
    events = StaffOrderEventOutput(many=True, read_only=True)

    class Meta(StaffOrderOutput.Meta):
        fields = (*ORDER_FIELDS, "customer", "tracking_number", "events")
        read_only_fields = fields


class StaffTransitionInput(InputSerializer):
    status = serializers.ChoiceField(choices=Order.Status.choices)
    tracking_number = CharField(max_length=100, required=False, allow_blank=True)


class StaffNoteInput(InputSerializer):
    message = CharField(max_length=2000)
