"""Vouchers: a code for a percentage or a fixed amount off, with a minimum spend, a
validity window and usage limits that hold under concurrent checkouts."""

from typing import ClassVar

from django.db import models


class Voucher(models.Model):
    class Kind(models.TextChoices):
        PERCENTAGE = "percentage", "Percentage off the subtotal"
        FIXED = "fixed", "Fixed amount off the subtotal"

    # Stored upper case; customers may type it in any case.
    code = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    value = models.DecimalField(max_digits=12, decimal_places=2)
    min_spend = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    usage_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Uses in all.")
    per_customer_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Uses per customer (account, or email for guests)."
    )
    used_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(condition=models.Q(value__gt=0), name="voucher_value_gt_0"),
            models.CheckConstraint(
                condition=~models.Q(kind="percentage") | models.Q(value__lte=100),
                name="voucher_percentage_lte_100",
            ),
            # The backstop of the usage limit: a use past it cannot be written.
            models.CheckConstraint(
                condition=models.Q(usage_limit__isnull=True)
                | models.Q(used_count__lte=models.F("usage_limit")),
                name="voucher_used_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: object, **kwargs: object) -> None:
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)  # type: ignore[arg-type]
