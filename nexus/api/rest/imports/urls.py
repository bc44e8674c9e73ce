"""The staff import API, mounted under ``/api/v1/staff/``."""

from django.urls import path

from nexus.api.rest.imports import views

urlpatterns = [
    path("imports/", views.StaffImportListView.as_view(), name="staff-imports"),
    path(
        "imports/<int:job_id>/", views.StaffImportDetailView.as_view(), name="staff-import-detail"
    ),
    path(
        "imports/<int:job_id>/errors/",
        views.StaffImportErrorsView.as_view(),
        name="staff-import-errors",
    ),
]
