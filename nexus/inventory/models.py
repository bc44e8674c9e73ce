"""Stock per variant per warehouse, with the database as the last guard of its rules."""

from typing import ClassVar

from django.conf import settings
from django.db import connection, models

from nexus.catalog.models import ProductVariant


class Warehouse(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    # Lower numbers are allocated from first.
    priority = models.PositiveIntegerField(default=100)

    class Meta:
        ordering: ClassVar = ["priority", "id"]

    def __str__(self) -> str:
        return self.name


class StockQuerySet(models.QuerySet["Stock"]):
    def locked(self) -> "StockQuerySet":
        """These rows locked ``FOR UPDATE``, in primary-key order.

        Every lock on stock rows is taken through here: always in the same order, two
        transactions never wait for each other in a cycle (deadlock).
        """
        if connection.features.has_select_for_update_of:
            return self.select_for_update(of=("self",)).order_by("pk")  # not joined rows
        return self.select_for_update().order_by("pk")


class Stock(models.Model):
    variant = models.ForeignKey(ProductVariant, on_delete=models.CASCADE, related_name="stocks")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stocks")
    quantity = models.IntegerField(default=0, help_text="On hand.")
    quantity_allocated = models.IntegerField(default=0, help_text="Promised to placed orders.")

    objects = StockQuerySet.as_manager()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["variant", "warehouse"], name="stock_variant_warehouse"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="stock_quantity_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_allocated__gte=0), name="stock_allocated_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_allocated__lte=models.F("quantity")),
                name="stock_allocated_lte_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.warehouse_id}: {self.quantity}"


class Reservation(models.Model):
    """Units held for a checkout in progress, until ``expires_at``.

    Availability is on hand - allocated - the live reservations of other holders;
    an expired reservation stops counting at once (every read compares with now)
    and is deleted later by the sweeper.
    """

    # Opaque to inventory: the checkout's cart token.
    holder = models.UUIDField(db_index=True)
    variant = models.ForeignKey(ProductVariant, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["holder", "variant"], name="reservation_per_variant"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="reservation_quantity_gte_1"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["variant", "expires_at"], name="reservation_live_by_variant")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.variant_id} for {self.holder}"


class StockMovement(models.Model):
    """The audit trail of staff changes to quantities on hand: who, why, how much."""

    stock = models.ForeignKey(Stock, on_delete=models.CASCADE, related_name="movements")
    quantity_delta = models.IntegerField()
    quantity_after = models.IntegerField()
    reason = models.CharField(max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.quantity_delta:+d} on {self.stock_id}: {self.reason}"


class LowStockThreshold(models.Model):
    """At or below this many units available (over all warehouses) a variant is low."""

    variant = models.OneToOneField(
        ProductVariant, on_delete=models.CASCADE, related_name="low_stock_threshold"
    )
    threshold = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.variant_id} low at {self.threshold}"
