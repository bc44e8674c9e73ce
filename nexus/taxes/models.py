from typing import ClassVar

from django.db import models
from django_countries.fields import CountryField


class TaxRate(models.Model):
    """The rate for deliveries to a country, or to one region of it (region wins)."""

    country = CountryField()
    region = models.CharField(max_length=120, blank=True, help_text="Blank: the whole country.")
    rate = models.DecimalField(max_digits=5, decimal_places=2, help_text="Percent, e.g. 19.00.")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["country", "region"], name="tax_rate_per_place"),
            models.CheckConstraint(
                condition=models.Q(rate__gte=0) & models.Q(rate__lte=100), name="tax_rate_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country}{'/' + self.region if self.region else ''}: {self.rate} %"
