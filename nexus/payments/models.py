"""Payments of orders and the provider events that move them."""

from typing import ClassVar

from django.db import models

from nexus.orders.models import Order


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        REQUIRES_ACTION = "requires_action", "Requires action by the buyer"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    gateway = models.CharField(max_length=32)
    # The provider's id of the payment (a PaymentIntent id for Stripe); set once created.
    reference = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.PENDING)
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="Asked for.")
    currency = models.CharField(max_length=3)
    amount_received = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    amount_refunded = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    failure_reason = models.CharField(max_length=255, blank=True)
    # Set for staff when the money does not match the order (over- or under-payment).
    flagged = models.BooleanField(default=False)
    flag_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["gateway", "reference"],
                condition=~models.Q(reference=""),
                name="payment_reference_per_gateway",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_gt_0"),
            models.CheckConstraint(
                condition=models.Q(amount_refunded__lte=models.F("amount_received")),
                name="payment_refunds_within_received",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gateway}:{self.reference or self.pk}"


class PaymentEvent(models.Model):
    """A verified provider event, stored once: its id is unique per gateway, so a
    delivered-again event is acknowledged and ignored."""

    gateway = models.CharField(max_length=32)
    event_id = models.CharField(max_length=255)
    # What the gateway read from the provider's payload, in the domain's terms.
    type = models.CharField(max_length=64)
    reference = models.CharField(max_length=255)
    # For refund events: the provider's id of the refund.
    refund_reference = models.CharField(max_length=255, blank=True)
    # Our ids, echoed from the metadata we sent (see ProviderEvent).
    local_payment_id = models.BigIntegerField(null=True, blank=True)
    local_refund_id = models.BigIntegerField(null=True, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    payload = models.JSONField(help_text="As the provider sent it.")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=255, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="payment_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.gateway}:{self.event_id} {self.type}"


class Refund(models.Model):
    """Money sent back for a payment; counted once, when the provider confirms it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    reference = models.CharField(max_length=255, blank=True, help_text="The provider's id.")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    restock = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["created_at", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} of {self.payment_id}"
