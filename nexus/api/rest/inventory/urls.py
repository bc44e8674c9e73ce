from django.urls import path

from nexus.api.rest.inventory import views

urlpatterns = [
    path("warehouses/", views.StaffWarehouseListView.as_view(), name="staff-warehouse-list"),
    path(
        "warehouses/<int:warehouse_id>/",
        views.StaffWarehouseDetailView.as_view(),
        name="staff-warehouse-detail",
    ),
    path("stock/", views.StaffStockLevelView.as_view(), name="staff-stock-levels"),
    path(
        "stock/adjustments/",
        views.StaffStockAdjustmentView.as_view(),
        name="staff-stock-adjustment",
    ),
    path(
        "stock/thresholds/",
        views.StaffLowStockThresholdView.as_view(),
        name="staff-stock-threshold",
    ),
]
