from django.urls import path

from nexus.api.rest.payments import views

urlpatterns = [
    path(
        "orders/<str:number>/payments/",
        views.OrderPaymentListView.as_view(),
        name="order-payments",
    ),
    path(
        "orders/<str:number>/payments/<int:payment_id>/confirm/",
        views.PaymentConfirmView.as_view(),
        name="order-payment-confirm",
    ),
    path("staff/payments/", views.StaffPaymentListView.as_view(), name="staff-payment-list"),
    path(
        "staff/payments/<int:payment_id>/refunds/",
        views.StaffRefundView.as_view(),
        name="staff-payment-refund",
    ),
    path(
        "payments/webhooks/<str:gateway>/",
        views.WebhookView.as_view(),
        name="payment-webhook",
    ),
]
