from django.contrib import admin

from nexus.discounts.models import Voucher


@admin.register(Voucher)
class VoucherAdmin(admin.ModelAdmin[Voucher]):
    list_display = ("code", "kind", "value", "used_count", "usage_limit", "starts_at", "ends_at")
    search_fields = ("code",)
    # Counted by checkouts under a row lock; editing it by hand would break the limit.
    readonly_fields = ("used_count",)
