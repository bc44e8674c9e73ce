from django.urls import include, path

urlpatterns = [
    path("", include("nexus.api.rest.accounts.urls")),
    path("", include("nexus.api.rest.catalog.urls")),
    path("", include("nexus.api.rest.checkout.urls")),
    path("", include("nexus.api.rest.orders.urls")),
    path("", include("nexus.api.rest.payments.urls")),
    path("staff/", include("nexus.api.rest.catalog.staff_urls")),
    path("staff/", include("nexus.api.rest.inventory.urls")),
    path("staff/", include("nexus.api.rest.orders.staff_urls")),
    path("staff/", include("nexus.api.rest.webhooks.urls")),
    path("staff/", include("nexus.api.rest.exports.urls")),
    path("staff/", include("nexus.api.rest.imports.urls")),
    path("staff/", include("nexus.api.rest.reports.urls")),
]
