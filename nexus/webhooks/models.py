"""Subscribers to the shop's events, and every delivery made to them."""

from typing import ClassVar

from django.db import models

# Domain events a subscriber may choose (outbox topics). Password resets stay inside.
EVENT_TYPES = (
    "order.placed",
    "order.paid",
    "order.cancelled",
    "order.fulfilled",
    "order.shipped",
    "order.delivered",
    "order.refunded",
    "order.partially_refunded",
    "stock.low",
    "user.registered",
)


class WebhookEndpoint(models.Model):
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # A list of EVENT_TYPES; subscribers are few, so it is matched in Python.
    event_types = models.JSONField(default=list)
    # "whsec_" + base64 of 32 random bytes (Standard Webhooks); shown to staff once.
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event for one endpoint: the body is fixed when the event arrives, so every
    attempt (and a redelivery) sends the same bytes under the same ``webhook-id``."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"  # gave up after the last attempt

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.BigIntegerField()
    event_type = models.CharField(max_length=100)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # When it is due (the first try, or the retry); None once it succeeded or gave up.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A sender's hold while its request is out: only the holder of ``claim`` records the
    # outcome, and nobody else takes it before ``leased_until`` (a sender that died).
    claim = models.UUIDField(null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhook_delivery_once_per_endpoint"
            ),
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.event_id} → {self.endpoint_id}"

    @property
    def message_id(self) -> str:
        """The ``webhook-id`` header: one per event, the receiver's key for duplicates."""
        return f"msg_{self.event_id}"


class WebhookAttempt(models.Model):
    """The log of one HTTP attempt: what came back and how long it took."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField()
    error = models.TextField(blank=True)
    response_excerpt = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status_code or self.error}"
