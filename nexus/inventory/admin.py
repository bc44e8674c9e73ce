from typing import ClassVar

from django.contrib import admin

from nexus.core.admin import ReadOnlyAdmin
from nexus.inventory.models import Stock, Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin[Warehouse]):
    list_display = ("name", "slug", "priority")


@admin.register(Stock)
class StockAdmin(ReadOnlyAdmin):
    """Read-only: stock is changed by the inventory services, which keep its rules."""

    list_display = ("variant", "warehouse", "quantity", "quantity_allocated")
    list_select_related = ("variant__product", "warehouse")
    raw_id_fields: ClassVar = ["variant"]
    search_fields = ("variant__sku",)
