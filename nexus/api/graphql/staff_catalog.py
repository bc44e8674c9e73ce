"""The catalog for staff: the same selectors, input serializers, filters, services and
permissions as REST's ``/api/v1/staff/`` catalog views.

References are ids, named as in REST (``category``, ``brand``, ``productType``), so a
field error points at the input field it concerns. Product images are uploaded as a
multipart request (the GraphQL multipart request spec), under the same body limit as
REST's uploads (``API_MAX_UPLOAD_BYTES``, refused with a 413 before it is read) and
through the same input serializer. Attributes and product types are in
``staff_attributes``.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.file_uploads import Upload
from strawberry.types import Info

from nexus.api.graphql.context import request_of, require_staff
from nexus.api.graphql.errors import UserError, attempt
from nexus.api.graphql.inputs import (
    StaffDeletePayload,
    deleted,
    filtered,
    given,
    validated,
)
from nexus.api.graphql.pagination import Connection, connection, paginate
from nexus.api.rest.catalog import staff_serializers as s
from nexus.api.rest.catalog.staff_views import StaffProductFilter
from nexus.catalog import services, staff_selectors
from nexus.catalog.errors import CatalogObjectNotFound, CategoryNotFound, ProductNotFound
from nexus.catalog.errors import VariantNotFound as CatalogVariantNotFound
from nexus.catalog.models import AttributeValue as AttributeValueModel
from nexus.catalog.models import Brand as BrandModel
from nexus.catalog.models import Category as CategoryModel
from nexus.catalog.models import Product as ProductModel
from nexus.catalog.models import ProductImage as ImageModel
from nexus.catalog.models import ProductVariant as VariantModel

# --- output ------------------------------------------------------------------------


@strawberry.type
class StaffCategory:
    id: int
    name: str
    slug: str
    description: str
    sort_order: int
    depth: int
    parent: int | None = strawberry.field(description="Parent category id; null at the top.")


@strawberry.type
class StaffBrand:
    id: int
    name: str
    slug: str


@strawberry.type(
    description="A value of an attribute, as its attribute lists it and as a "
    "product or variant carries it."
)
class StaffAttributeValue:
    id: int
    attribute: int = strawberry.field(description="Attribute id.")
    attribute_slug: str
    name: str
    slug: str
    sort_order: int = strawberry.field(description="Order among the attribute's values.")


@strawberry.type
class StaffVariant:
    id: int
    product: int = strawberry.field(description="Product id.")
    sku: str
    name: str
    price: Decimal
    compare_at_price: Decimal | None
    currency: str
    weight_grams: int | None
    sort_order: int
    attributes: list[StaffAttributeValue]
    created_at: datetime
    updated_at: datetime


@strawberry.type
class StaffImage:
    id: int
    product: int = strawberry.field(description="Product id.")
    variant: int | None = strawberry.field(description="Id of the variant it shows, if any.")
    url: str
    alt: str
    sort_order: int


@strawberry.type(description="A product in the staff list, published or not.")
class StaffProductListItem:
    id: int
    name: str
    slug: str
    product_type: int = strawberry.field(description="Product type id.")
    category: int = strawberry.field(description="Category id.")
    brand: int | None = strawberry.field(description="Brand id.")
    is_published: bool
    published_at: datetime | None
    price_min: Decimal | None
    price_max: Decimal | None
    currency: str
    created_at: datetime
    updated_at: datetime


@strawberry.type(description="A product with its attribute values, variants and images.")
class StaffProduct(StaffProductListItem):
    description: str
    seo_title: str
    seo_description: str
    attributes: list[StaffAttributeValue]
    variants: list[StaffVariant]
    images: list[StaffImage]


def staff_category(category: CategoryModel) -> StaffCategory:
    return StaffCategory(
        id=category.pk,
        name=category.name,
        slug=category.slug,
        description=category.description,
        sort_order=category.sort_order,
        depth=category.depth,
        # Annotated by staff_selectors.category_list (treebeard keeps no parent column).
        parent=getattr(category, "parent_id", None),
    )


def staff_brand(brand: BrandModel) -> StaffBrand:
    return StaffBrand(id=brand.pk, name=brand.name, slug=brand.slug)


def staff_attribute_value(value: AttributeValueModel) -> StaffAttributeValue:
    """Reads ``value.attribute``: select or prefetch it (a prefetch of an attribute's
    values sets it)."""
    return StaffAttributeValue(
        id=value.pk,
        attribute=value.attribute_id,
        attribute_slug=value.attribute.slug,
        name=value.name,
        slug=value.slug,
        sort_order=value.sort_order,
    )


def staff_variant(variant: VariantModel) -> StaffVariant:
    return StaffVariant(
        id=variant.pk,
        product=variant.product_id,
        sku=variant.sku,
        name=variant.name,
        price=variant.price,
        compare_at_price=variant.compare_at_price,
        currency=variant.currency,
        weight_grams=variant.weight_grams,
        sort_order=variant.sort_order,
        attributes=[staff_attribute_value(v) for v in variant.attributes.all()],
        created_at=variant.created_at,
        updated_at=variant.updated_at,
    )


def _image(image: ImageModel, info: Info[Any, Any]) -> StaffImage:
    return StaffImage(
        id=image.pk,
        product=image.product_id,
        variant=image.variant_id,
        # Absolute, as REST's image URLs.
        url=request_of(info).build_absolute_uri(image.image.url),
        alt=image.alt,
        sort_order=image.sort_order,
    )


def _list_fields(product: ProductModel) -> dict[str, Any]:
    return {
        "id": product.pk,
        "name": product.name,
        "slug": product.slug,
        "product_type": product.product_type_id,
        "category": product.category_id,
        "brand": product.brand_id,
        "is_published": product.is_published,
        "published_at": product.published_at,
        "price_min": product.price_min,
        "price_max": product.price_max,
        "currency": product.currency,
        "created_at": product.created_at,
        "updated_at": product.updated_at,
    }


def staff_product_list_item(product: ProductModel) -> StaffProductListItem:
    return StaffProductListItem(**_list_fields(product))


def staff_product(product: ProductModel, info: Info[Any, Any]) -> StaffProduct:
    """From ``staff_selectors.product_get_detail``, whose prefetches these reads use."""
    return StaffProduct(
        **_list_fields(product),
        description=product.description,
        seo_title=product.seo_title,
        seo_description=product.seo_description,
        attributes=[staff_attribute_value(v) for v in product.attributes.all()],
        variants=[staff_variant(v) for v in product.variants.all()],
        images=[_image(i, info) for i in product.images.all()],
    )


# --- input -------------------------------------------------------------------------
# Each mirrors a REST input serializer field for field; left-out fields are not sent to
# it, so its required/optional/null rules are the ones that apply.


@strawberry.input
class StaffCategoryCreateInput:
    name: str
    slug: str
    description: str | None = strawberry.UNSET
    sort_order: int | None = strawberry.UNSET
    parent: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="Parent category id; required, null for the top level.",
    )


@strawberry.input
class StaffCategoryUpdateInput:
    name: str | None = strawberry.UNSET
    slug: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    sort_order: int | None = strawberry.UNSET
    parent: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="A new parent moves the category with everything below; null: top level.",
    )


@strawberry.input
class StaffBrandCreateInput:
    name: str
    slug: str


@strawberry.input
class StaffBrandUpdateInput:
    name: str | None = strawberry.UNSET
    slug: str | None = strawberry.UNSET


@strawberry.input
class StaffProductUpdateInput:
    category: int | None = strawberry.field(default=strawberry.UNSET, description="Category id.")
    brand: int | None = strawberry.field(
        default=strawberry.UNSET, description="Brand id; null for none."
    )
    name: str | None = strawberry.UNSET
    slug: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    seo_title: str | None = strawberry.UNSET
    seo_description: str | None = strawberry.UNSET
    is_published: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Publishing shows the product to shoppers."
    )
    attributes: list[int] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Attribute value ids, one per attribute the product type allows; "
        "replaces the list.",
    )


@strawberry.input
class StaffProductCreateInput:
    product_type: int = strawberry.field(description="Product type id.")
    category: int = strawberry.field(description="Category id.")
    name: str
    slug: str
    brand: int | None = strawberry.field(
        default=strawberry.UNSET, description="Brand id; null for none."
    )
    description: str | None = strawberry.UNSET
    seo_title: str | None = strawberry.UNSET
    seo_description: str | None = strawberry.UNSET
    is_published: bool | None = strawberry.UNSET
    attributes: list[int] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Attribute value ids, one per attribute the product type allows.",
    )


@strawberry.input
class StaffVariantCreateInput:
    sku: str
    price: Decimal
    compare_at_price: Decimal | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    weight_grams: int | None = strawberry.UNSET
    sort_order: int | None = strawberry.UNSET
    attributes: list[int] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Attribute value ids, one per variant attribute of the product type.",
    )


@strawberry.input
class StaffVariantUpdateInput:
    sku: str | None = strawberry.UNSET
    price: Decimal | None = strawberry.UNSET
    compare_at_price: Decimal | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    weight_grams: int | None = strawberry.UNSET
    sort_order: int | None = strawberry.UNSET
    attributes: list[int] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the variant's attribute values."
    )


@strawberry.input(description="An image of a product, sent as a multipart request.")
class StaffImageCreateInput:
    image: Upload = strawberry.field(
        description="A JPEG, PNG, GIF or WebP file: a multipart file part mapped here; the "
        "whole request must fit the upload limit (API_MAX_UPLOAD_BYTES)."
    )
    alt: str | None = strawberry.UNSET
    sort_order: int | None = strawberry.UNSET
    variant: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="Id of the product's variant the image shows; null for none.",
    )


@strawberry.input(description="The same filters as REST's staff product list.")
class StaffProductFilterInput:
    search: str | None = strawberry.field(default=None, description="Part of the name.")
    is_published: bool | None = None
    category: int | None = strawberry.field(
        default=None, description="Category id (that category only)."
    )


# --- payloads ----------------------------------------------------------------------


@strawberry.type
class StaffCategoryPayload:
    category: StaffCategory | None
    errors: list[UserError]


@strawberry.type
class StaffBrandPayload:
    brand: StaffBrand | None
    errors: list[UserError]


@strawberry.type
class StaffProductPayload:
    product: StaffProduct | None
    errors: list[UserError]


@strawberry.type
class StaffVariantPayload:
    variant: StaffVariant | None
    errors: list[UserError]


@strawberry.type
class StaffImagePayload:
    image: StaffImage | None
    errors: list[UserError]


# --- operations ----------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field(description="Categories, flat, each after its parent.")
    def staff_categories(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[StaffCategory]:
        require_staff(info, "catalog.view_category")
        page = paginate(
            staff_selectors.category_list(), ordering=("path",), first=first, after=after
        )
        return connection(page, staff_category)

    @strawberry.field(description="One category; null if there is none.")
    def staff_category(self, info: Info[Any, Any], id: int) -> StaffCategory | None:  # noqa: A002
        require_staff(info, "catalog.view_category")
        try:
            return staff_category(staff_selectors.category_get(category_id=id))
        except CategoryNotFound:
            return None

    @strawberry.field(description="Brands by slug.")
    def staff_brands(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[StaffBrand]:
        require_staff(info, "catalog.view_brand")
        page = paginate(staff_selectors.brand_list(), ordering=("slug",), first=first, after=after)
        return connection(page, staff_brand)

    @strawberry.field(description="One brand; null if there is none.")
    def staff_brand(self, info: Info[Any, Any], id: int) -> StaffBrand | None:  # noqa: A002
        require_staff(info, "catalog.view_brand")
        try:
            return staff_brand(staff_selectors.brand_get(brand_id=id))
        except CatalogObjectNotFound:
            return None

    @strawberry.field(description="All products, unpublished ones too, newest first.")
    def staff_products(
        self,
        info: Info[Any, Any],
        filter: StaffProductFilterInput | None = None,  # noqa: A002 — the argument's public name
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[StaffProductListItem]:
        require_staff(info, "catalog.view_product")
        products = filtered(StaffProductFilter, filter, staff_selectors.product_list())
        page = paginate(products, ordering=("-id",), first=first, after=after)
        return connection(page, staff_product_list_item)

    @strawberry.field(description="One product, published or not; null if there is none.")
    def staff_product(self, info: Info[Any, Any], id: int) -> StaffProduct | None:  # noqa: A002
        require_staff(info, "catalog.view_product")
        try:
            return staff_product(staff_selectors.product_get_detail(product_id=id), info)
        except ProductNotFound:
            return None

    @strawberry.field(description="One variant; null if there is none.")
    def staff_variant(self, info: Info[Any, Any], id: int) -> StaffVariant | None:  # noqa: A002
        require_staff(info, "catalog.view_productvariant")
        try:
            return staff_variant(staff_selectors.variant_get(variant_id=id))
        except CatalogVariantNotFound:
            return None


@strawberry.type
class Mutation:
    # --- categories ---

    @strawberry.mutation(description="Create a category.")
    def staff_category_create(
        self,
        info: Info[Any, Any],
        input: StaffCategoryCreateInput,  # noqa: A002 — the argument's public name
    ) -> StaffCategoryPayload:
        require_staff(info, "catalog.add_category")

        def create() -> StaffCategory:
            values = validated(s.StaffCategoryInput, given(input))
            category = services.category_create(**values)
            return staff_category(staff_selectors.category_get(category_id=category.pk))

        category, errors = attempt(create)
        return StaffCategoryPayload(category=category, errors=errors)

    @strawberry.mutation(description="Change a category; a new parent moves its subtree.")
    def staff_category_update(
        self,
        info: Info[Any, Any],
        id: int,  # noqa: A002
        input: StaffCategoryUpdateInput,  # noqa: A002
    ) -> StaffCategoryPayload:
        require_staff(info, "catalog.change_category")

        def update() -> StaffCategory:
            category = staff_selectors.category_get(category_id=id)
            changes = validated(s.StaffCategoryInput, given(input), partial=True)
            parent = changes.pop("parent", services.KEEP)
            services.category_update(category=category, changes=changes, parent=parent)
            return staff_category(staff_selectors.category_get(category_id=id))

        category, errors = attempt(update)
        return StaffCategoryPayload(category=category, errors=errors)

    @strawberry.mutation(description="Delete a category holding no products or subcategories.")
    def staff_category_delete(self, info: Info[Any, Any], id: int) -> StaffDeletePayload:  # noqa: A002
        require_staff(info, "catalog.delete_category")
        return deleted(
            id,
            lambda: services.category_delete(category=staff_selectors.category_get(category_id=id)),
        )

    # --- brands ---

    @strawberry.mutation(description="Create a brand.")
    def staff_brand_create(
        self,
        info: Info[Any, Any],
        input: StaffBrandCreateInput,  # noqa: A002
    ) -> StaffBrandPayload:
        require_staff(info, "catalog.add_brand")

        def create() -> StaffBrand:
            return staff_brand(services.brand_create(**validated(s.StaffBrandInput, given(input))))

        brand, errors = attempt(create)
        return StaffBrandPayload(brand=brand, errors=errors)

    @strawberry.mutation(description="Change a brand.")
    def staff_brand_update(
        self,
        info: Info[Any, Any],
        id: int,  # noqa: A002
        input: StaffBrandUpdateInput,  # noqa: A002
    ) -> StaffBrandPayload:
        require_staff(info, "catalog.change_brand")

        def update() -> StaffBrand:
            brand = staff_selectors.brand_get(brand_id=id)
            changes = validated(s.StaffBrandInput, given(input), partial=True)
            return staff_brand(services.brand_update(brand=brand, changes=changes))

        brand, errors = attempt(update)
        return StaffBrandPayload(brand=brand, errors=errors)

    @strawberry.mutation(description="Delete a brand no product uses.")
    def staff_brand_delete(self, info: Info[Any, Any], id: int) -> StaffDeletePayload:  # noqa: A002
        require_staff(info, "catalog.delete_brand")
        return deleted(
            id,
            lambda: services.catalog_object_delete(instance=staff_selectors.brand_get(brand_id=id)),
        )

    # --- products ---

    @strawberry.mutation(description="Create a product; add variants before publishing it.")
    def staff_product_create(
        self,
        info: Info[Any, Any],
        input: StaffProductCreateInput,  # noqa: A002
    ) -> StaffProductPayload:
        require_staff(info, "catalog.add_product")

        def create() -> StaffProduct:
            product = services.product_create(**validated(s.StaffProductCreateInput, given(input)))
            return staff_product(staff_selectors.product_get_detail(product_id=product.pk), info)

        product, errors = attempt(create)
        return StaffProductPayload(product=product, errors=errors)

    @strawberry.mutation(description="Change a product; isPublished publishes or unpublishes it.")
    def staff_product_update(
        self,
        info: Info[Any, Any],
        id: int,  # noqa: A002
        input: StaffProductUpdateInput,  # noqa: A002
    ) -> StaffProductPayload:
        require_staff(info, "catalog.change_product")

        def update() -> StaffProduct:
            product = staff_selectors.product_get(product_id=id)
            changes = validated(s.StaffProductUpdateInput, given(input), partial=True)
            attributes = changes.pop("attributes", None)
            services.product_update(product=product, changes=changes, attributes=attributes)
            return staff_product(staff_selectors.product_get_detail(product_id=id), info)

        product, errors = attempt(update)
        return StaffProductPayload(product=product, errors=errors)

    @strawberry.mutation(description="Delete a product with its variants and images.")
    def staff_product_delete(self, info: Info[Any, Any], id: int) -> StaffDeletePayload:  # noqa: A002
        require_staff(info, "catalog.delete_product")
        return deleted(
            id,
            lambda: services.product_delete(product=staff_selectors.product_get(product_id=id)),
        )

    # --- variants ---

    @strawberry.mutation(description="Add a variant to a product.")
    def staff_variant_create(
        self,
        info: Info[Any, Any],
        product_id: int,
        input: StaffVariantCreateInput,  # noqa: A002
    ) -> StaffVariantPayload:
        require_staff(info, "catalog.add_productvariant")

        def create() -> StaffVariant:
            product = staff_selectors.product_get(product_id=product_id)
            values = validated(s.StaffVariantInput, given(input))
            variant = services.variant_create(product=product, **values)
            return staff_variant(staff_selectors.variant_get(variant_id=variant.pk))

        variant, errors = attempt(create)
        return StaffVariantPayload(variant=variant, errors=errors)

    @strawberry.mutation(description="Change a variant; attributes, when given, replace its own.")
    def staff_variant_update(
        self,
        info: Info[Any, Any],
        id: int,  # noqa: A002
        input: StaffVariantUpdateInput,  # noqa: A002
    ) -> StaffVariantPayload:
        require_staff(info, "catalog.change_productvariant")

        def update() -> StaffVariant:
            variant = staff_selectors.variant_get(variant_id=id)
            changes = validated(s.StaffVariantInput, given(input), partial=True)
            attributes = changes.pop("attributes", None)
            services.variant_update(variant=variant, changes=changes, attributes=attributes)
            return staff_variant(staff_selectors.variant_get(variant_id=id))

        variant, errors = attempt(update)
        return StaffVariantPayload(variant=variant, errors=errors)

    @strawberry.mutation(description="Delete a variant no order refers to.")
    def staff_variant_delete(self, info: Info[Any, Any], id: int) -> StaffDeletePayload:  # noqa: A002
        require_staff(info, "catalog.delete_productvariant")
        return deleted(
            id,
            lambda: services.variant_delete(variant=staff_selectors.variant_get(variant_id=id)),
        )

    # --- images ---

    @strawberry.mutation(description="Upload an image of a product (a multipart request).")
    def staff_image_create(
        self,
        info: Info[Any, Any],
        product_id: int,
        input: StaffImageCreateInput,  # noqa: A002
    ) -> StaffImagePayload:
        require_staff(info, "catalog.add_productimage")

        def create() -> StaffImage:
            product = staff_selectors.product_get(product_id=product_id)
            values = validated(s.StaffImageInput, given(input))
            return _image(services.image_create(product=product, **values), info)

        image, errors = attempt(create)
        return StaffImagePayload(image=image, errors=errors)

    @strawberry.mutation(description="Delete an image and its file.")
    def staff_image_delete(self, info: Info[Any, Any], id: int) -> StaffDeletePayload:  # noqa: A002
        require_staff(info, "catalog.delete_productimage")
        return deleted(
            id,
            lambda: services.image_delete(image=staff_selectors.image_get(image_id=id)),
        )
