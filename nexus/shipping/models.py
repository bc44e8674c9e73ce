"""Where the shop ships and what it costs: zones of countries, methods per zone with a
flat price or prices by weight."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django_countries.fields import CountryField


class ShippingZone(models.Model):
    name = models.CharField(max_length=100)
    countries = CountryField(multiple=True)

    def __str__(self) -> str:
        return self.name


class ShippingMethod(models.Model):
    class Kind(models.TextChoices):
        FLAT = "flat", "Flat price"
        WEIGHT = "weight", "By total weight"

    zone = models.ForeignKey(ShippingZone, on_delete=models.CASCADE, related_name="methods")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.FLAT)
    price = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, help_text="The flat price (kind: flat)."
    )
    currency = models.CharField(max_length=3, default=settings.SHOP_CURRENCY)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar = ["price", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="shipping_method_price_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.zone}: {self.name}"


class WeightRate(models.Model):
    """A weight band of a by-weight method: up to ``max_grams`` (null: any weight)."""

    method = models.ForeignKey(ShippingMethod, on_delete=models.CASCADE, related_name="rates")
    max_grams = models.PositiveIntegerField(null=True, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering: ClassVar = [models.F("max_grams").asc(nulls_last=True)]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="weight_rate_price_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"≤ {self.max_grams or '∞'} g: {self.price}"
