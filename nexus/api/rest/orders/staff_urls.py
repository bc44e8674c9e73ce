from django.urls import path

from nexus.api.rest.orders import staff_views as views

urlpatterns = [
    path("orders/", views.StaffOrderListView.as_view(), name="staff-order-list"),
    path("orders/<str:number>/", views.StaffOrderDetailView.as_view(), name="staff-order-detail"),
    path(
        "orders/<str:number>/transitions/",
        views.StaffOrderTransitionView.as_view(),
        name="staff-order-transition",
    ),
    path("orders/<str:number>/notes/", views.StaffOrderNoteView.as_view(), name="staff-order-note"),
]
