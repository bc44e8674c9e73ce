from typing import Any

from rest_framework import serializers

from nexus.api.rest.serializers import (
    BooleanField,
    CharField,
    InputSerializer,
    MoneyField,
    UUIDField,
)
from nexus.payments.models import Payment, Refund


class PaymentStartInput(InputSerializer):
    payment_method = CharField(
        max_length=255,
        help_text=(
            "What pays: with the sandbox gateway a test card number — 4242424242424242 "
            "succeeds, 4000000000000002 is declined, 4000000000009995 has insufficient "
            "funds, 4000002500003155 requires an extra step (confirm it)."
        ),
    )
    cart = UUIDField(
        required=False, help_text="A guest's proof of the order: the token of its cart."
    )


class GuestProofInput(InputSerializer):
    cart = UUIDField(required=False)


class PaymentOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    gateway = serializers.CharField()
    status = serializers.ChoiceField(choices=Payment.Status.choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    amount_received = serializers.DecimalField(max_digits=14, decimal_places=2)
    amount_refunded = serializers.DecimalField(max_digits=14, decimal_places=2)
    failure_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class PaymentStartedOutput(PaymentOutput):
    client_secret = serializers.CharField(
        help_text="For a storefront that completes an extra step with the provider."
    )


class WebhookAckOutput(serializers.Serializer[Any]):
    received = serializers.BooleanField()
    duplicate = serializers.BooleanField(help_text="Seen before: acknowledged, not applied again.")


class RefundInput(InputSerializer):
    amount = MoneyField(required=False, help_text="Leave out to refund all that is left.")
    restock = BooleanField(
        required=False, default=False, help_text="Put the order's units back into stock."
    )


class RefundOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.ChoiceField(choices=Refund.Status.choices)
    reference = serializers.CharField()
    restock = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class StaffPaymentOutput(PaymentOutput):
    order = serializers.CharField(source="order_number")
    reference = serializers.CharField()
    flagged = serializers.BooleanField()
    flag_reason = serializers.CharField()
