from django.urls import path

from nexus.api.rest.reports import views

urlpatterns = [
    path("reports/sales/", views.StaffSalesReportView.as_view(), name="staff-sales-report"),
]
