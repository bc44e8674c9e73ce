from django.urls import path

from nexus.api.rest.exports import views

urlpatterns = [
    path("exports/orders/", views.StaffOrderExportView.as_view(), name="staff-export-orders"),
    path("exports/products/", views.StaffProductExportView.as_view(), name="staff-export-products"),
    path(
        "exports/customers/",
        views.StaffCustomerExportView.as_view(),
        name="staff-export-customers",
    ),
    path("exports/jobs/", views.ExportJobListView.as_view(), name="staff-export-job-list"),
    path(
        "exports/jobs/<int:job_id>/",
        views.ExportJobDetailView.as_view(),
        name="staff-export-job-detail",
    ),
    path(
        "exports/jobs/<int:job_id>/rerun/",
        views.ExportJobRerunView.as_view(),
        name="staff-export-job-rerun",
    ),
    path(
        "exports/jobs/<int:job_id>/download/",
        views.ExportJobDownloadView.as_view(),
        name="staff-export-job-download",
    ),
]
