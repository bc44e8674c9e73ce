"""The public catalog: categories, products, facets. Cached, no sign-in needed."""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.rest.caching import cached_catalog_response
from nexus.api.rest.catalog import serializers as s
from nexus.api.rest.schema import problems
from nexus.catalog import selectors
from nexus.catalog.models import Product
from nexus.catalog.selectors import ORDERINGS, ProductFilters

_ATTRIBUTE_PARAM = re.compile(rf"^attr\.({s.VALUE_SLUG})$")
_SLUG = re.compile(rf"^{s.VALUE_SLUG}$")
MAX_ATTRIBUTE_FILTERS = 20


def _slugs(raw: str, field: str) -> list[str]:
    values = [value.strip() for value in raw.split(",") if value.strip()]
    if not values or len(values) > s.MAX_VALUES_PER_FILTER or not all(map(_SLUG.match, values)):
        raise ValidationError({field: [s.SLUG_LIST_REFUSED]})
    return values


def product_query(request: Request) -> tuple[ProductFilters, str]:
    """The filters and ordering of a product list or facets request; 400 when invalid."""
    attributes = [
        (name, values) for name, values in request.query_params.lists() if name.startswith("attr.")
    ]
    return product_query_from(request.query_params.dict(), attributes)


def product_query_from(
    params: Mapping[str, Any], attribute_params: Iterable[tuple[str, list[str]]]
) -> tuple[ProductFilters, str]:
    """The product list's filters and ordering from query parameters (also GraphQL's,
    given as such): ``attr.<slug>`` pairs apart. Raises ValidationError."""
    query = s.ProductQueryInput(data=params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    attributes: dict[str, list[str]] = {}
    for name, values in attribute_params:
        match = _ATTRIBUTE_PARAM.match(name)
        if not match:
            raise ValidationError({name: ["Attribute filters are attr.<slug>=value[,value]."]})
        attributes[match.group(1)] = _slugs(",".join(values), name)
    if len(attributes) > MAX_ATTRIBUTE_FILTERS:
        raise ValidationError({"attr": [f"At most {MAX_ATTRIBUTE_FILTERS} attribute filters."]})
    filters = ProductFilters(
        category=data.get("category"),
        brands=_slugs(data["brand"], "brand") if "brand" in data else (),
        min_price=data.get("min_price"),
        max_price=data.get("max_price"),
        in_stock={"true": True, "false": False}.get(data.get("in_stock", "")),
        attributes=attributes,
        search=data.get("search"),
    )
    ordering = data.get("ordering") or ("relevance" if filters.search else "newest")
    return filters, ordering


# Said in prose: OpenAPI has no parameter whose name is a pattern, and one named
# ``attr.<slug>`` would be sent by clients as it stands (and refused).
ATTRIBUTE_FILTERS = (
    "Filter by attribute with a parameter per attribute, `attr.<attribute slug>=<value "
    "slugs>`: `attr.color=red,blue` matches any of the values; several attributes combine "
    "with AND."
)


class CategoryTreeView(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="The category tree",
        tags=["catalog"],
        responses={200: s.CategoryNodeOutput(many=True), **problems(429)},
        auth=[],
    )
    @cached_catalog_response
    def get(self, request: Request) -> Response:
        return Response(selectors.category_tree())


class CategoryDetailView(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="One category with its ancestors and children",
        tags=["catalog"],
        responses={200: s.CategoryOutput, **problems(404, 429)},
        auth=[],
    )
    @cached_catalog_response
    def get(self, request: Request, slug: str) -> Response:
        return Response(s.CategoryOutput(selectors.category_get(slug=slug)).data)


class ProductListView(GenericAPIView[Product]):
    permission_classes = (AllowAny,)
    serializer_class = s.ProductListItemOutput
    cursor_ordering: tuple[str, ...] = ()

    def get_queryset(self) -> QuerySet[Product]:
        return Product.objects.none()  # built per request in get()

    @extend_schema(
        summary="Published products, filtered, searched and ordered",
        description=(
            "Search matches name and description with full-text search (name weighs "
            f"more) and tolerates typos in the name. {ATTRIBUTE_FILTERS}"
        ),
        tags=["catalog"],
        parameters=[s.ProductQueryInput],
        responses={200: s.ProductListItemOutput(many=True), **problems(400, 404, 429)},
        auth=[],
    )
    @cached_catalog_response
    def get(self, request: Request) -> Response:
        filters, ordering = product_query(request)
        self.cursor_ordering = ORDERINGS[ordering]
        rows = self.paginate_queryset(selectors.product_list_visible(filters=filters)) or []
        return self.get_paginated_response([s.product_list_item(row) for row in rows])


class ProductFacetsView(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="Filter counts for the product list (same filters)",
        description=ATTRIBUTE_FILTERS,
        tags=["catalog"],
        parameters=[s.ProductQueryInput],
        responses={200: s.FacetsOutput, **problems(400, 404, 429)},
        auth=[],
    )
    @cached_catalog_response
    def get(self, request: Request) -> Response:
        filters, _ = product_query(request)
        return Response(s.FacetsOutput(selectors.product_facets(filters=filters)).data)


class ProductDetailView(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        summary="One published product with variants, images, attributes, availability",
        tags=["catalog"],
        responses={200: s.ProductDetailOutput, **problems(404, 429)},
        auth=[],
    )
    @cached_catalog_response
    def get(self, request: Request, slug: str) -> Response:
        product = selectors.product_get_visible(slug=slug)
        return Response(s.ProductDetailOutput(product, context={"request": request}).data)
