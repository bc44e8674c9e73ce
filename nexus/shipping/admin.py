from django.contrib import admin

from nexus.shipping.models import ShippingMethod, ShippingZone, WeightRate


class WeightRateInline(admin.TabularInline[WeightRate, ShippingMethod]):
    model = WeightRate
    extra = 1


@admin.register(ShippingZone)
class ShippingZoneAdmin(admin.ModelAdmin[ShippingZone]):
    list_display = ("name", "countries")


@admin.register(ShippingMethod)
class ShippingMethodAdmin(admin.ModelAdmin[ShippingMethod]):
    list_display = ("name", "zone", "kind", "price", "is_active")
    list_filter = ("zone", "kind", "is_active")
    inlines = (WeightRateInline,)
