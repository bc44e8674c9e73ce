from django.urls import path

from nexus.api.rest.accounts import views

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", views.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh/", views.TokenRefreshRotateView.as_view(), name="auth-token-refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("me/", views.MeView.as_view(), name="me"),
    path("me/password/", views.PasswordChangeView.as_view(), name="me-password"),
    path(
        "auth/password-reset/",
        views.PasswordResetRequestView.as_view(),
        name="password-reset",
    ),
    path(
        "auth/password-reset/confirm/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("me/addresses/", views.AddressListView.as_view(), name="me-addresses"),
    path(
        "me/addresses/<int:address_id>/",
        views.AddressDetailView.as_view(),
        name="me-address-detail",
    ),
    path("staff/customers/", views.StaffCustomerListView.as_view(), name="staff-customers"),
    path(
        "staff/customers/<int:user_id>/",
        views.StaffCustomerDetailView.as_view(),
        name="staff-customer-detail",
    ),
]
