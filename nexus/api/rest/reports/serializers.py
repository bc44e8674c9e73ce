from typing import Any

from rest_framework import serializers

from nexus.api.rest.serializers import InputSerializer


class SalesQueryInput(InputSerializer):
    start = serializers.DateField(help_text="First day, included (shop time zone).")
    end = serializers.DateField(help_text="Last day, included.")
    group = serializers.ChoiceField(
        choices=["day", "week", "month", "category", "product"],
        default="day",
        help_text="Periods, or the best-selling categories or products.",
    )
    limit = serializers.IntegerField(
        min_value=1, max_value=500, default=50, help_text="Rows for category or product."
    )


class SalesRowOutput(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="The period's first day, or the category/product slug.")
    name = serializers.CharField(source="label", help_text="The period, category or product.")
    orders = serializers.IntegerField()
    units = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
    average_order_value = serializers.DecimalField(max_digits=16, decimal_places=2)
    refunds = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        allow_null=True,
        help_text="Paid back for these orders; null by category or product.",
    )


class SalesReportOutput(serializers.Serializer[Any]):
    start = serializers.DateField()
    end = serializers.DateField()
    group = serializers.CharField(source="grouping")
    currency = serializers.CharField()
    rows = SalesRowOutput(many=True)
    totals = SalesRowOutput()
