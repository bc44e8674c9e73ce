"""Attributes, their values and product types for staff: the same selectors, input
serializers, services and permissions as REST's ``/api/v1/staff/attributes/`` and
``/api/v1/staff/product-types/`` views.

A product type names the attributes its products and their variants carry, by id, as
in REST (``productAttributes``, ``variantAttributes``).
"""

from typing import Any

import strawberry
from strawberry.types import Info

from nexus.api.graphql.context import require_staff
from nexus.api.graphql.errors import UserError, attempt
from nexus.api.graphql.inputs import StaffDeletePayload, deleted, given, validated
from nexus.api.graphql.pagination import Connection, connection, paginate
from nexus.api.graphql.staff_catalog import StaffAttributeValue, staff_attribute_value
from nexus.api.rest.catalog import staff_serializers as s
from nexus.catalog import services, staff_selectors
from nexus.catalog.errors import CatalogObjectNotFound
from nexus.catalog.models import Attribute as AttributeModel
from nexus.catalog.models import ProductType as ProductTypeModel

# --- output ------------------------------------------------------------------------


@strawberry.type(description="A property with a fixed list of values, such as colour or size.")
class StaffAttribute:
    id: int
    name: str
    slug: str
    values: list[StaffAttributeValue] = strawberry.field(description="In display order.")


@strawberry.type(description="Which attributes a type's products, and their variants, carry.")
class StaffProductType:
    id: int
    name: str
    slug: str
    product_attributes: list[int] = strawberry.field(description="Attribute ids products carry.")
    variant_attributes: list[int] = strawberry.field(description="Attribute ids variants carry.")


def staff_attribute(attribute: AttributeModel) -> StaffAttribute:
    """From ``staff_selectors.attribute_list``/``attribute_get``, which prefetch the values."""
    return StaffAttribute(
        id=attribute.pk,
        name=attribute.name,
        slug=attribute.slug,
        values=[staff_attribute_value(v) for v in attribute.values.all()],
    )


def staff_product_type(product_type: ProductTypeModel) -> StaffProductType:
    """From ``staff_selectors.product_type_list``/``product_type_get`` (prefetched)."""
    return StaffProductType(
        id=product_type.pk,
        name=product_type.name,
        slug=product_type.slug,
        product_attributes=[a.pk for a in product_type.product_attributes.all()],
        variant_attributes=[a.pk for a in product_type.variant_attributes.all()],
    )


# --- input -------------------------------------------------------------------------
# Each mirrors a REST input serializer field for field (see staff_catalog).


@strawberry.input(description="A value given with a new attribute.")
class StaffAttributeNewValueInput:
    name: str
    slug: str


@strawberry.input
class StaffAttributeCreateInput:
    name: str
    slug: str
    values: list[StaffAttributeNewValueInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The attribute's values, in display order; each needs its own slug.",
    )


@strawberry.input
class StaffAttributeUpdateInput:
    name: str | None = strawberry.UNSET
    slug: str | None = strawberry.UNSET


@strawberry.input
class StaffAttributeValueCreateInput:
    name: str
    slug: str
    sort_order: int | None = strawberry.UNSET


@strawberry.input
class StaffProductTypeCreateInput:
    name: str
    slug: str
    product_attributes: list[int] | None = strawberry.field(
        default=strawberry.UNSET, description="Attribute ids products carry."
    )
    variant_attributes: list[int] | None = strawberry.field(
        default=strawberry.UNSET, description="Attribute ids variants carry."
    )


@strawberry.input
class StaffProductTypeUpdateInput:
    name: str | None = strawberry.UNSET
    slug: str | None = strawberry.UNSET
    product_attributes: list[int] | None = strawberry.field(
        default=strawberry.UNSET, description="Attribute ids products carry; replaces the list."
    )
    variant_attributes: list[int] | None = strawberry.field(
        default=strawberry.UNSET, description="Attribute ids variants carry; replaces the list."
    )


# --- payloads ----------------------------------------------------------------------


@strawberry.type
class StaffAttributePayload:
    attribute: StaffAttribute | None
    errors: list[UserError]


@strawberry.type
class StaffAttributeValuePayload:
    value: StaffAttributeValue | None
    errors: list[UserError]


@strawberry.type
class StaffProductTypePayload:
    product_type: StaffProductType | None
    errors: list[UserError]


# --- operations ----------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field(description="Attributes by slug, each with its values.")
    def staff_attributes(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[StaffAttribute]:
        require_staff(info, "catalog.view_attribute")
        page = paginate(
            staff_selectors.attribute_list(), ordering=("slug",), first=first, after=after
        )
        return connection(page, staff_attribute)

    @strawberry.field(description="One attribute with its values; null if there is none.")
    def staff_attribute(self, info: Info[Any, Any], id: int) -> StaffAttribute | None:  # noqa: A002
        require_staff(info, "catalog.view_attribute")
        try:
            return staff_attribute(staff_selectors.attribute_get(attribute_id=id))
        except CatalogObjectNotFound:
            return None

    @strawberry.field(description="Product types by slug.")
    def staff_product_types(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[StaffProductType]:
        require_staff(info, "catalog.view_producttype")
        page = paginate(
            staff_selectors.product_type_list(), ordering=("slug",), first=first, after=after
        )
        return connection(page, staff_product_type)

    @strawberry.field(description="One product type; null if there is none.")
    def staff_product_type(self, info: Info[Any, Any], id: int) -> StaffProductType | None:  # noqa: A002
        require_staff(info, "catalog.view_producttype")
        try:
            return staff_product_type(staff_selectors.product_type_get(product_type_id=id))
        except CatalogObjectNotFound:
            return None


@strawberry.type
class Mutation:
    # --- attributes ---

    @strawberry.mutation(description="Create an attribute with its values.")
    def staff_attribute_create(
        self,
        info: Info[Any, Any],
        input: StaffAttributeCreateInput,  # noqa: A002 — the argument's public name
    ) -> StaffAttributePayload:
        require_staff(info, "catalog.add_attribute")

        def create() -> StaffAttribute:
            values = validated(s.StaffAttributeCreateInput, given(input))
            attribute = services.attribute_create(**values)
            return staff_attribute(staff_selectors.attribute_get(attribute_id=attribute.pk))

        attribute, errors = attempt(create)
        return StaffAttributePayload(attribute=attribute, errors=errors)

    @strawberry.mutation(description="Rename an attribute.")
    def staff_attribute_update(
        self,
        info: Info[Any, Any],
        id: int,  # noqa: A002
        input: StaffAttributeUpdateInput,  # noqa: A002
    ) -> StaffAttributePayload:
        require_staff(info, "catalog.change_attribute")

        def update() -> StaffAttribute:
            attribute = staff_selectors.attribute_get(attribute_id=id)
            changes = validated(s.StaffAttributeUpdateInput, given(input), partial=True)
            return staff_attribute(services.attribute_update(attribute=attribute, changes=changes))

        attribute, errors = attempt(update)
        return StaffAttributePayload(attribute=attribute, errors=errors)

    @strawberry.mutation(
        description="Delete an attribute and its values; products and variants lose them."
    )
    def staff_attribute_delete(self, info: Info[Any, Any], id: int) -> StaffDeletePayload:  # noqa: A002
        require_staff(info, "catalog.delete_attribute")
        return deleted(
            id,
            lambda: services.catalog_object_delete(
                instance=staff_selectors.attribute_get(attribute_id=id)
            ),
        )

    @strawberry.mutation(description="Add a value to an attribute.")
    def staff_attribute_value_create(
        self,
        info: Info[Any, Any],
        attribute_id: int,
        input: StaffAttributeValueCreateInput,  # noqa: A002
    ) -> StaffAttributeValuePayload:
        require_staff(info, "catalog.add_attributevalue")

        def create() -> StaffAttributeValue:
            attribute = staff_selectors.attribute_get(attribute_id=attribute_id)
            values = validated(s.StaffAttributeValueInput, given(input))
            value = services.attribute_value_create(attribute=attribute, **values)
            return staff_attribute_value(value)

        value, errors = attempt(create)
        return StaffAttributeValuePayload(value=value, errors=errors)

    # --- product types ---

    @strawberry.mutation(description="Create a product type.")
    def staff_product_type_create(
        self,
        info: Info[Any, Any],
        input: StaffProductTypeCreateInput,  # noqa: A002
    ) -> StaffProductTypePayload:
        require_staff(info, "catalog.add_producttype")

        def create() -> StaffProductType:
            values = validated(s.StaffProductTypeInput, given(input))
            product_type = services.product_type_create(**values)
            return staff_product_type(
                staff_selectors.product_type_get(product_type_id=product_type.pk)
            )

        product_type, errors = attempt(create)
        return StaffProductTypePayload(product_type=product_type, errors=errors)

    @strawberry.mutation(description="Change a product type; attribute lists replace the old.")
    def staff_product_type_update(
        self,
        info: Info[Any, Any],
        id: int,  # noqa: A002
        input: StaffProductTypeUpdateInput,  # noqa: A002
    ) -> StaffProductTypePayload:
        require_staff(info, "catalog.change_producttype")

        def update() -> StaffProductType:
            product_type = staff_selectors.product_type_get(product_type_id=id)
            changes = validated(s.StaffProductTypeInput, given(input), partial=True)
            product_attributes = changes.pop("product_attributes", None)
            variant_attributes = changes.pop("variant_attributes", None)
            services.product_type_update(
                product_type=product_type,
                changes=changes,
                product_attributes=product_attributes,
                variant_attributes=variant_attributes,
            )
            return staff_product_type(staff_selectors.product_type_get(product_type_id=id))

        product_type, errors = attempt(update)
        return StaffProductTypePayload(product_type=product_type, errors=errors)

    @strawberry.mutation(description="Delete a product type no product uses.")
    def staff_product_type_delete(self, info: Info[Any, Any], id: int) -> StaffDeletePayload:  # noqa: A002
        require_staff(info, "catalog.delete_producttype")
        return deleted(
            id,
            lambda: services.catalog_object_delete(
                instance=staff_selectors.product_type_get(product_type_id=id)
            ),
        )
