"""Orders: what was bought, at which prices, where it goes, and what happened since.

Lines keep a snapshot of the product as it was sold (SKU, names, unit price), so an
order reads the same after the catalog changes.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models

from nexus.catalog.models import ProductVariant
from nexus.discounts.models import Voucher
from nexus.inventory.models import Stock


class Order(models.Model):
    class Status(models.TextChoices):
        UNPAID = "unpaid", "Unpaid"
        PAID = "paid", "Paid"
        FULFILLED = "fulfilled", "Fulfilled"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"

    # Orders that were paid for: the sales that reports count.
    SALE_STATUSES: ClassVar[tuple[str, ...]] = (
        Status.PAID,
        Status.FULFILLED,
        Status.SHIPPED,
        Status.DELIVERED,
        Status.PARTIALLY_REFUNDED,
        Status.REFUNDED,
    )

    number = models.CharField(max_length=16, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    email = models.EmailField()
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.UNPAID)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=14, decimal_places=2)
    shipping_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    discount_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    tax_total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    shipping_address = models.JSONField()
    billing_address = models.JSONField()
    # The cart it was placed from: unique, so one cart can never become two orders.
    cart_token = models.UUIDField(unique=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    shipping_method_name = models.CharField(max_length=100, blank=True)
    voucher = models.ForeignKey(
        Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    voucher_code = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(total__gte=0), name="order_total_gte_0"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["user", "-created_at", "-id"], name="order_by_customer"),
            models.Index(fields=["status", "-created_at"], name="order_by_status"),
            # Sales reports read a date range of sales and their totals from this alone.
            models.Index(
                fields=["created_at"],
                include=["total", "currency"],
                condition=models.Q(
                    status__in=[
                        "paid",
                        "fulfilled",
                        "shipped",
                        "delivered",
                        "partially_refunded",
                        "refunded",
                    ]
                ),
                name="order_sales_by_date",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        ProductVariant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sku = models.CharField(max_length=64)
    product_name = models.CharField(max_length=250)
    variant_name = models.CharField(max_length=250, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering: ClassVar = ["id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="order_line_quantity_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class OrderLineAllocation(models.Model):
    """Units of a line promised from one warehouse's stock, until fulfilled or released."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="allocations")
    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    # Fulfilled: the units left the warehouse (kept to know where a restock goes).
    consumed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.line_id} from stock {self.stock_id}"


class OrderEvent(models.Model):
    """One entry of an order's timeline: who did what, when."""

    class Type(models.TextChoices):
        PLACED = "placed", "Placed"
        STATUS_CHANGED = "status_changed", "Status changed"
        FULFILLED = "fulfilled", "Fulfilled"
        CANCELLED = "cancelled", "Cancelled"
        PAYMENT = "payment", "Payment"
        NOTE = "note", "Note"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=32, choices=Type.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.type}"
