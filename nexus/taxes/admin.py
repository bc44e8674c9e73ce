from django.contrib import admin

from nexus.taxes.models import TaxRate


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin[TaxRate]):
    list_display = ("country", "region", "rate")
    list_filter = ("country",)
