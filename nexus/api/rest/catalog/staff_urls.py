"""The staff catalog API, mounted under ``/api/v1/staff/``."""

from django.urls import path

from nexus.api.rest.catalog import staff_views as views

urlpatterns = [
    path("categories/", views.StaffCategoryListView.as_view(), name="staff-categories"),
    path(
        "categories/<int:category_id>/",
        views.StaffCategoryDetailView.as_view(),
        name="staff-category-detail",
    ),
    path("brands/", views.StaffBrandListView.as_view(), name="staff-brands"),
    path("brands/<int:brand_id>/", views.StaffBrandDetailView.as_view(), name="staff-brand-detail"),
    path("attributes/", views.StaffAttributeListView.as_view(), name="staff-attributes"),
    path(
        "attributes/<int:attribute_id>/",
        views.StaffAttributeDetailView.as_view(),
        name="staff-attribute-detail",
    ),
    path(
        "attributes/<int:attribute_id>/values/",
        views.StaffAttributeValueCreateView.as_view(),
        name="staff-attribute-values",
    ),
    path("product-types/", views.StaffProductTypeListView.as_view(), name="staff-product-types"),
    path(
        "product-types/<int:product_type_id>/",
        views.StaffProductTypeDetailView.as_view(),
        name="staff-product-type-detail",
    ),
    path("products/", views.StaffProductListView.as_view(), name="staff-products"),
    path(
        "products/<int:product_id>/",
        views.StaffProductDetailView.as_view(),
        name="staff-product-detail",
    ),
    path(
        "products/<int:product_id>/variants/",
        views.StaffVariantCreateView.as_view(),
        name="staff-product-variants",
    ),
    path(
        "products/<int:product_id>/images/",
        views.StaffImageCreateView.as_view(),
        name="staff-product-images",
    ),
    path(
        "variants/<int:variant_id>/",
        views.StaffVariantDetailView.as_view(),
        name="staff-variant-detail",
    ),
    path("images/<int:image_id>/", views.StaffImageDetailView.as_view(), name="staff-image-detail"),
]
