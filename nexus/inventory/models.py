"""Stock per variant per warehouse, with the database as the last guard of its rules."""

from typing import ClassVar

from django.db import models

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


class Stock(models.Model):
    variant = models.ForeignKey(ProductVariant, on_delete=models.CASCADE, related_name="stocks")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stocks")
    quantity = models.IntegerField(default=0, help_text="On hand.")
    quantity_allocated = models.IntegerField(default=0, help_text="Promised to placed orders.")

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
