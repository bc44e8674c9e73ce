from django.urls import path

from nexus.api.rest.caching import answer_cached_hits
from nexus.api.rest.catalog import views

urlpatterns = [
    path("categories/", answer_cached_hits(views.CategoryTreeView.as_view()), name="category-tree"),
    path(
        "categories/<slug:slug>/",
        answer_cached_hits(views.CategoryDetailView.as_view()),
        name="category-detail",
    ),
    path("products/", answer_cached_hits(views.ProductListView.as_view()), name="product-list"),
    path(
        "products/facets/",
        answer_cached_hits(views.ProductFacetsView.as_view()),
        name="product-facets",
    ),
    path(
        "products/<slug:slug>/",
        answer_cached_hits(views.ProductDetailView.as_view()),
        name="product-detail",
    ),
]
