from django.urls import path

from nexus.api.rest.catalog import views

urlpatterns = [
    path("categories/", views.CategoryTreeView.as_view(), name="category-tree"),
    path("categories/<slug:slug>/", views.CategoryDetailView.as_view(), name="category-detail"),
    path("products/", views.ProductListView.as_view(), name="product-list"),
    path("products/facets/", views.ProductFacetsView.as_view(), name="product-facets"),
    path("products/<slug:slug>/", views.ProductDetailView.as_view(), name="product-detail"),
]
