from django.urls import path

from nexus.api.rest.checkout import views

urlpatterns = [
    path("checkout/", views.CheckoutView.as_view(), name="checkout"),
    path("checkout/summary/", views.CheckoutSummaryView.as_view(), name="checkout-summary"),
    path("carts/", views.CartCreateView.as_view(), name="cart-create"),
    path("carts/<uuid:token>/", views.CartDetailView.as_view(), name="cart-detail"),
    path("carts/<uuid:token>/lines/", views.CartLineListView.as_view(), name="cart-lines"),
    path(
        "carts/<uuid:token>/reservation/",
        views.CartReservationView.as_view(),
        name="cart-reservation",
    ),
    path(
        "carts/<uuid:token>/lines/<int:line_id>/",
        views.CartLineDetailView.as_view(),
        name="cart-line-detail",
    ),
]
