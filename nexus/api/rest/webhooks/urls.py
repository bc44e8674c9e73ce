from django.urls import path

from nexus.api.rest.webhooks import views

urlpatterns = [
    path("webhooks/", views.StaffWebhookListView.as_view(), name="staff-webhook-list"),
    path(
        "webhooks/<int:endpoint_id>/",
        views.StaffWebhookDetailView.as_view(),
        name="staff-webhook-detail",
    ),
    path(
        "webhooks/<int:endpoint_id>/secret/",
        views.StaffWebhookSecretView.as_view(),
        name="staff-webhook-secret",
    ),
    path(
        "webhooks/<int:endpoint_id>/deliveries/",
        views.StaffWebhookDeliveryListView.as_view(),
        name="staff-webhook-deliveries",
    ),
    path(
        "webhooks/deliveries/<int:delivery_id>/",
        views.StaffWebhookDeliveryDetailView.as_view(),
        name="staff-webhook-delivery",
    ),
    path(
        "webhooks/deliveries/<int:delivery_id>/redeliver/",
        views.StaffWebhookRedeliverView.as_view(),
        name="staff-webhook-redeliver",
    ),
]
