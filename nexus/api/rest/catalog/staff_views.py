"""The catalog for staff: create, change and delete everything the storefront shows.

Thin views: validate with an input serializer, call one catalog service, render.
Every view needs staff with the Django permission its method maps to on its model.
"""

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.rest.catalog import staff_serializers as s
from nexus.api.rest.filters import BooleanFilter, ObjectFilter
from nexus.api.rest.permissions import IsStaff, model_permissions
from nexus.api.rest.schema import BODY_ERRORS, problems
from nexus.catalog import services, staff_selectors
from nexus.catalog.models import Attribute, Brand, Category, Product, ProductType

TAGS = ["staff: catalog"]
LIST_ERRORS = problems(400, 401, 403, 429)
CREATE_ERRORS = problems(*BODY_ERRORS, 401, 403, 409, 429)
CREATE_BELOW_ERRORS = problems(*BODY_ERRORS, 401, 403, 404, 409, 429)
READ_ERRORS = problems(401, 403, 404, 429)
UPDATE_ERRORS = problems(*BODY_ERRORS, 401, 403, 404, 409, 429)
DELETE_ERRORS = problems(401, 403, 404, 409, 429)


# --- categories ----------------------------------------------------------------------


class StaffCategoryListView(GenericAPIView[Category]):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("catalog.category")
    serializer_class = s.StaffCategoryOutput
    cursor_ordering = ("path",)

    def get_queryset(self) -> QuerySet[Category]:
        return staff_selectors.category_list()

    @extend_schema(
        summary="List categories, flat, each after its parent (staff)",
        tags=TAGS,
        responses={200: s.StaffCategoryOutput(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.StaffCategoryOutput(page, many=True).data)

    @extend_schema(
        summary="Create a category (staff)",
        tags=TAGS,
        request=s.StaffCategoryInput,
        responses={201: s.StaffCategoryOutput, **CREATE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = s.StaffCategoryInput(data=request.data)
        data.is_valid(raise_exception=True)
        category = services.category_create(**data.validated_data)
        category = staff_selectors.category_get(category_id=category.pk)
        return Response(s.StaffCategoryOutput(category).data, status=status.HTTP_201_CREATED)


class StaffCategoryDetailView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("catalog.category")

    @extend_schema(
        summary="One category (staff)",
        tags=TAGS,
        responses={200: s.StaffCategoryOutput, **READ_ERRORS},
    )
    def get(self, request: Request, category_id: int) -> Response:
        return Response(
            s.StaffCategoryOutput(staff_selectors.category_get(category_id=category_id)).data
        )

    @extend_schema(
        summary="Change a category; a new parent moves it with everything below (staff)",
        tags=TAGS,
        request=s.StaffCategoryInput(partial=True),
        responses={200: s.StaffCategoryOutput, **UPDATE_ERRORS},
    )
    def patch(self, request: Request, category_id: int) -> Response:
        category = staff_selectors.category_get(category_id=category_id)
        data = s.StaffCategoryInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        parent = changes.pop("parent", services.KEEP)
        services.category_update(category=category, changes=changes, parent=parent)
        category = staff_selectors.category_get(category_id=category_id)
        return Response(s.StaffCategoryOutput(category).data)

    @extend_schema(
        summary="Delete an empty category (staff)",
        description="A category that still holds products or subcategories is a 409.",
        tags=TAGS,
        responses={204: None, **DELETE_ERRORS},
    )
    def delete(self, request: Request, category_id: int) -> Response:
        services.category_delete(category=staff_selectors.category_get(category_id=category_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- brands ------------------------------------------------------------------------------


class StaffBrandListView(GenericAPIView[Brand]):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("catalog.brand")
    serializer_class = s.StaffBrandOutput
    cursor_ordering = ("slug",)

    def get_queryset(self) -> QuerySet[Brand]:
        return staff_selectors.brand_list()

    @extend_schema(
        summary="List brands (staff)",
        tags=TAGS,
        responses={200: s.StaffBrandOutput(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.StaffBrandOutput(page, many=True).data)

    @extend_schema(
        summary="Create a brand (staff)",
        tags=TAGS,
        request=s.StaffBrandInput,
        responses={201: s.StaffBrandOutput, **CREATE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = s.StaffBrandInput(data=request.data)
        data.is_valid(raise_exception=True)
        brand = services.brand_create(**data.validated_data)
        return Response(s.StaffBrandOutput(brand).data, status=status.HTTP_201_CREATED)


class StaffBrandDetailView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("catalog.brand")

    @extend_schema(
        summary="One brand (staff)", tags=TAGS, responses={200: s.StaffBrandOutput, **READ_ERRORS}
    )
    def get(self, request: Request, brand_id: int) -> Response:
        return Response(s.StaffBrandOutput(staff_selectors.brand_get(brand_id=brand_id)).data)

    @extend_schema(
        summary="Change a brand (staff)",
        tags=TAGS,
        request=s.StaffBrandInput(partial=True),
        responses={200: s.StaffBrandOutput, **UPDATE_ERRORS},
    )
    def patch(self, request: Request, brand_id: int) -> Response:
        brand = staff_selectors.brand_get(brand_id=brand_id)
        data = s.StaffBrandInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        brand = services.brand_update(brand=brand, changes=data.validated_data)
        return Response(s.StaffBrandOutput(brand).data)

    @extend_schema(
        summary="Delete a brand no product uses (staff)",
        tags=TAGS,
        responses={204: None, **DELETE_ERRORS},
    )
    def delete(self, request: Request, brand_id: int) -> Response:
        services.catalog_object_delete(instance=staff_selectors.brand_get(brand_id=brand_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- attributes --------------------------------------------------------------------------


class StaffAttributeListView(GenericAPIView[Attribute]):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("catalog.attribute")
    serializer_class = s.StaffAttributeOutput
    cursor_ordering = ("slug",)

    def get_queryset(self) -> QuerySet[Attribute]:
        return staff_selectors.attribute_list()

    @extend_schema(
        summary="List attributes with their values (staff)",
        tags=TAGS,
        responses={200: s.StaffAttributeOutput(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.StaffAttributeOutput(page, many=True).data)

    @extend_schema(
        summary="Create an attribute with its values (staff)",
        tags=TAGS,
        request=s.StaffAttributeCreateInput,
        responses={201: s.StaffAttributeOutput, **CREATE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = s.StaffAttributeCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        attribute = services.attribute_create(**data.validated_data)
        attribute = staff_selectors.attribute_get(attribute_id=attribute.pk)
        return Response(s.StaffAttributeOutput(attribute).data, status=status.HTTP_201_CREATED)


class StaffAttributeDetailView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("catalog.attribute")

    @extend_schema(
        summary="One attribute with its values (staff)",
        tags=TAGS,
        responses={200: s.StaffAttributeOutput, **READ_ERRORS},
    )
    def get(self, request: Request, attribute_id: int) -> Response:
        attribute = staff_selectors.attribute_get(attribute_id=attribute_id)
        return Response(s.StaffAttributeOutput(attribute).data)

    @extend_schema(
        summary="Rename an attribute (staff)",
        tags=TAGS,
        request=s.StaffAttributeUpdateInput(partial=True),
        responses={200: s.StaffAttributeOutput, **UPDATE_ERRORS},
    )
    def patch(self, request: Request, attribute_id: int) -> Response:
        attribute = staff_selectors.attribute_get(attribute_id=attribute_id)
        data = s.StaffAttributeUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        attribute = services.attribute_update(attribute=attribute, changes=data.validated_data)
        return Response(s.StaffAttributeOutput(attribute).data)

    @extend_schema(
        summary="Delete an attribute and its values (staff)",
        description="Products and variants lose the attribute's values.",
        tags=TAGS,
        responses={204: None, **DELETE_ERRORS},
    )
    def delete(self, request: Request, attribute_id: int) -> Response:
        attribute = staff_selectors.attribute_get(attribute_id=attribute_id)
        services.catalog_object_delete(instance=attribute)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StaffAttributeValueCreateView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("catalog.attributevalue")

    @extend_schema(
        summary="Add a value to an attribute (staff)",
        tags=TAGS,
        request=s.StaffAttributeValueInput,
        responses={201: s.StaffAttributeValueOutput, **CREATE_BELOW_ERRORS},
    )
    def post(self, request: Request, attribute_id: int) -> Response:
        attribute = staff_selectors.attribute_get(attribute_id=attribute_id)
        data = s.StaffAttributeValueInput(data=request.data)
        data.is_valid(raise_exception=True)
        value = services.attribute_value_create(attribute=attribute, **data.validated_data)
        return Response(s.StaffAttributeValueOutput(value).data, status=status.HTTP_201_CREATED)


# --- product types -----------------------------------------------------------------------


class StaffProductTypeListView(GenericAPIView[ProductType]):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("catalog.producttype")
    serializer_class = s.StaffProductTypeOutput
    cursor_ordering = ("slug",)

    def get_queryset(self) -> QuerySet[ProductType]:
        return staff_selectors.product_type_list()

    @extend_schema(
        summary="List product types (staff)",
        tags=TAGS,
        responses={200: s.StaffProductTypeOutput(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.StaffProductTypeOutput(page, many=True).data)

    @extend_schema(
        summary="Create a product type (staff)",
        tags=TAGS,
        request=s.StaffProductTypeInput,
        responses={201: s.StaffProductTypeOutput, **CREATE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = s.StaffProductTypeInput(data=request.data)
        data.is_valid(raise_exception=True)
        product_type = services.product_type_create(**data.validated_data)
        return Response(s.StaffProductTypeOutput(product_type).data, status=status.HTTP_201_CREATED)


class StaffProductTypeDetailView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("catalog.producttype")

    @extend_schema(
        summary="One product type (staff)",
        tags=TAGS,
        responses={200: s.StaffProductTypeOutput, **READ_ERRORS},
    )
    def get(self, request: Request, product_type_id: int) -> Response:
        product_type = staff_selectors.product_type_get(product_type_id=product_type_id)
        return Response(s.StaffProductTypeOutput(product_type).data)

    @extend_schema(
        summary="Change a product type; attribute lists replace the old ones (staff)",
        tags=TAGS,
        request=s.StaffProductTypeInput(partial=True),
        responses={200: s.StaffProductTypeOutput, **UPDATE_ERRORS},
    )
    def patch(self, request: Request, product_type_id: int) -> Response:
        product_type = staff_selectors.product_type_get(product_type_id=product_type_id)
        data = s.StaffProductTypeInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        product_attributes = changes.pop("product_attributes", None)
        variant_attributes = changes.pop("variant_attributes", None)
        services.product_type_update(
            product_type=product_type,
            changes=changes,
            product_attributes=product_attributes,
            variant_attributes=variant_attributes,
        )
        product_type = staff_selectors.product_type_get(product_type_id=product_type_id)
        return Response(s.StaffProductTypeOutput(product_type).data)

    @extend_schema(
        summary="Delete a product type no product uses (staff)",
        tags=TAGS,
        responses={204: None, **DELETE_ERRORS},
    )
    def delete(self, request: Request, product_type_id: int) -> Response:
        product_type = staff_selectors.product_type_get(product_type_id=product_type_id)
        services.catalog_object_delete(instance=product_type)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- products ----------------------------------------------------------------------------


class StaffProductFilter(filters.FilterSet):
    search = filters.CharFilter(
        method="filter_search", max_length=200, help_text="Part of the name."
    )
    is_published = BooleanFilter()
    category = ObjectFilter(
        queryset=Category.objects.all(), help_text="Category id (that category only)."
    )

    class Meta:
        model = Product
        fields: tuple[str, ...] = ()

    def filter_search(
        self, queryset: QuerySet[Product], name: str, value: str
    ) -> QuerySet[Product]:
        return queryset.filter(name__icontains=value)


class StaffProductListView(GenericAPIView[Product]):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("catalog.product")
    serializer_class = s.StaffProductListItemOutput
    filterset_class = StaffProductFilter

    def get_queryset(self) -> QuerySet[Product]:
        return staff_selectors.product_list()

    @extend_schema(
        summary="List all products, unpublished ones too, newest first (staff)",
        tags=TAGS,
        responses={200: s.StaffProductListItemOutput(many=True), **LIST_ERRORS},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.StaffProductListItemOutput(page, many=True).data)

    @extend_schema(
        summary="Create a product (staff)",
        description="Add variants before publishing: shoppers see only products with a price.",
        tags=TAGS,
        request=s.StaffProductCreateInput,
        responses={201: s.StaffProductOutput, **CREATE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = s.StaffProductCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        product = services.product_create(**data.validated_data)
        product = staff_selectors.product_get_detail(product_id=product.pk)
        return Response(
            s.StaffProductOutput(product, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class StaffProductDetailView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("catalog.product")

    def _render(self, request: Request, product_id: int) -> Response:
        product = staff_selectors.product_get_detail(product_id=product_id)
        return Response(s.StaffProductOutput(product, context={"request": request}).data)

    @extend_schema(
        summary="One product with its variants and images, published or not (staff)",
        tags=TAGS,
        responses={200: s.StaffProductOutput, **READ_ERRORS},
    )
    def get(self, request: Request, product_id: int) -> Response:
        return self._render(request, product_id)

    @extend_schema(
        summary="Change a product; publishing shows it to shoppers (staff)",
        description="`attributes`, when given, replaces the product's attribute values.",
        tags=TAGS,
        request=s.StaffProductUpdateInput(partial=True),
        responses={200: s.StaffProductOutput, **UPDATE_ERRORS},
    )
    def patch(self, request: Request, product_id: int) -> Response:
        product = staff_selectors.product_get(product_id=product_id)
        data = s.StaffProductUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        attributes = changes.pop("attributes", None)
        services.product_update(product=product, changes=changes, attributes=attributes)
        return self._render(request, product_id)

    @extend_schema(
        summary="Delete a product with its variants and images (staff)",
        tags=TAGS,
        responses={204: None, **DELETE_ERRORS},
    )
    def delete(self, request: Request, product_id: int) -> Response:
        services.product_delete(product=staff_selectors.product_get(product_id=product_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- variants ----------------------------------------------------------------------------


class StaffVariantCreateView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("catalog.productvariant")

    @extend_schema(
        summary="Add a variant to a product (staff)",
        tags=TAGS,
        request=s.StaffVariantInput,
        responses={201: s.StaffVariantOutput, **CREATE_BELOW_ERRORS},
    )
    def post(self, request: Request, product_id: int) -> Response:
        product = staff_selectors.product_get(product_id=product_id)
        data = s.StaffVariantInput(data=request.data)
        data.is_valid(raise_exception=True)
        variant = services.variant_create(product=product, **data.validated_data)
        variant = staff_selectors.variant_get(variant_id=variant.pk)
        return Response(s.StaffVariantOutput(variant).data, status=status.HTTP_201_CREATED)


class StaffVariantDetailView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("catalog.productvariant")

    @extend_schema(
        summary="One variant (staff)",
        tags=TAGS,
        responses={200: s.StaffVariantOutput, **READ_ERRORS},
    )
    def get(self, request: Request, variant_id: int) -> Response:
        return Response(
            s.StaffVariantOutput(staff_selectors.variant_get(variant_id=variant_id)).data
        )

    @extend_schema(
        summary="Change a variant (staff)",
        description="`attributes`, when given, replaces the variant's attribute values.",
        tags=TAGS,
        request=s.StaffVariantInput(partial=True),
        responses={200: s.StaffVariantOutput, **UPDATE_ERRORS},
    )
    def patch(self, request: Request, variant_id: int) -> Response:
        variant = staff_selectors.variant_get(variant_id=variant_id)
        data = s.StaffVariantInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        attributes = changes.pop("attributes", None)
        services.variant_update(variant=variant, changes=changes, attributes=attributes)
        variant = staff_selectors.variant_get(variant_id=variant_id)
        return Response(s.StaffVariantOutput(variant).data)

    @extend_schema(
        summary="Delete a variant (staff)", tags=TAGS, responses={204: None, **DELETE_ERRORS}
    )
    def delete(self, request: Request, variant_id: int) -> Response:
        services.variant_delete(variant=staff_selectors.variant_get(variant_id=variant_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- images ------------------------------------------------------------------------------


class StaffImageCreateView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("catalog.productimage")
    parser_classes = (MultiPartParser,)

    @extend_schema(
        summary="Upload an image of a product (staff)",
        tags=TAGS,
        request={"multipart/form-data": s.StaffImageInput},
        responses={201: s.StaffImageOutput, **problems(*BODY_ERRORS, 401, 403, 404, 429)},
    )
    def post(self, request: Request, product_id: int) -> Response:
        product = staff_selectors.product_get(product_id=product_id)
        data = s.StaffImageInput(data=request.data)
        data.is_valid(raise_exception=True)
        image = services.image_create(product=product, **data.validated_data)
        return Response(
            s.StaffImageOutput(image, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class StaffImageDetailView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("catalog.productimage")
    parser_classes = (MultiPartParser,)

    @extend_schema(
        summary="Delete an image and its file (staff)",
        tags=TAGS,
        responses={204: None, **READ_ERRORS},
    )
    def delete(self, request: Request, image_id: int) -> Response:
        services.image_delete(image=staff_selectors.image_get(image_id=image_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
