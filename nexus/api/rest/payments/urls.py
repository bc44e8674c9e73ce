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
    path(
        "payments/webhooks/<str:gateway>/",
        views.WebhookView.as_view(),
        name="payment-webhook",
    ),
]
