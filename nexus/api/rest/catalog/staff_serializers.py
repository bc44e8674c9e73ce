"""Input and output shapes of the staff catalog API.

References in bodies are ids. Each must be a JSON integer naming an existing object,
or the request is a 400 naming the field (``attributes.1`` for the second id of a list).
"""

from typing import Any

from django.core.validators import validate_image_file_extension
from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.fields import empty

from nexus.api.rest.serializers import (
    INT_MAX,
    INT_MIN,
    BooleanField,
    CharField,
    InputSerializer,
    IntegerField,
    MoneyField,
)
from nexus.catalog.models import (
    Attribute,
    AttributeValue,
    Brand,
    Category,
    Product,
    ProductImage,
    ProductType,
    ProductVariant,
)
from nexus.catalog.validators import validate_slug

MAX_IDS = 100


class SlugField(CharField):
    default_validators = [validate_slug]


class IdField(serializers.PrimaryKeyRelatedField[Any]):
    """The id of an existing object, as a JSON integer (not ``"7"``, not ``7.5``, and
    not ``""``, which DRF reads as null for a relation)."""

    def run_validation(self, data: Any = empty) -> Any:
        if isinstance(data, str) and not data:
            self.fail("incorrect_type", data_type="str")
        return super().run_validation(data)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


def id_list(queryset: QuerySet[Any], **kwargs: Any) -> serializers.ListField:
    """A list of ids (at most ``MAX_IDS``), each resolved to its object."""
    return serializers.ListField(child=IdField(queryset=queryset), max_length=MAX_IDS, **kwargs)


def _values() -> QuerySet[AttributeValue]:
    return AttributeValue.objects.select_related("attribute")


# --- input -----------------------------------------------------------------------------


class StaffCategoryInput(InputSerializer):
    name = CharField(max_length=200)
    slug = SlugField(max_length=200)
    description = CharField(required=False, allow_blank=True)
    sort_order = IntegerField(required=False, help_text="Order among siblings (then name).")
    # DRF's metaclass moves declared fields off the class: this does not shadow .parent.
    parent = IdField(  # type: ignore[assignment]
        queryset=Category.objects.all(),
        allow_null=True,
        help_text="Parent category id; null for the top level. On update, moves the subtree.",
    )


class StaffBrandInput(InputSerializer):
    name = CharField(max_length=200)
    slug = SlugField(max_length=200)


class StaffAttributeValueInput(InputSerializer):
    name = CharField(max_length=100)
    slug = SlugField(max_length=100)
    sort_order = IntegerField(required=False)


class StaffAttributeValueInAttributeInput(InputSerializer):
    name = CharField(max_length=100)
    slug = SlugField(max_length=100)


class StaffAttributeCreateInput(InputSerializer):
    name = CharField(max_length=100)
    slug = SlugField(max_length=100)
    values = serializers.ListField(
        child=StaffAttributeValueInAttributeInput(),
        required=False,
        max_length=MAX_IDS,
        help_text="The attribute's values, in display order.",
    )

    def validate_values(self, values: list[dict[str, Any]]) -> list[dict[str, Any]]:
        slugs = [value["slug"] for value in values]
        if len(set(slugs)) != len(slugs):
            raise serializers.ValidationError(
                "Each value needs its own slug.", code="duplicate_slug"
            )
        return values


class StaffAttributeUpdateInput(InputSerializer):
    name = CharField(max_length=100)
    slug = SlugField(max_length=100)


class StaffProductTypeInput(InputSerializer):
    name = CharField(max_length=200)
    slug = SlugField(max_length=200)
    product_attributes = id_list(
        Attribute.objects.all(), required=False, help_text="Attribute ids products carry."
    )
    variant_attributes = id_list(
        Attribute.objects.all(), required=False, help_text="Attribute ids variants carry."
    )


class StaffProductUpdateInput(InputSerializer):
    category = IdField(queryset=Category.objects.all())
    brand = IdField(queryset=Brand.objects.all(), required=False, allow_null=True)
    name = CharField(max_length=250)
    slug = SlugField(max_length=250)
    description = CharField(required=False, allow_blank=True)
    seo_title = CharField(max_length=70, required=False, allow_blank=True)
    seo_description = CharField(max_length=300, required=False, allow_blank=True)
    is_published = BooleanField(required=False)
    attributes = id_list(
        _values(),
        required=False,
        help_text="Attribute value ids, one per attribute the product type allows; "
        "on update, replaces the list.",
    )


class StaffProductCreateInput(StaffProductUpdateInput):
    product_type = IdField(queryset=ProductType.objects.all())


class StaffVariantInput(InputSerializer):
    sku = CharField(max_length=64)
    price = MoneyField()
    compare_at_price = MoneyField(required=False, allow_null=True)
    name = CharField(max_length=250, required=False, allow_blank=True)
    weight_grams = IntegerField(required=False, allow_null=True, min_value=0)
    sort_order = IntegerField(required=False)
    attributes = id_list(
        _values(),
        required=False,
        help_text="Attribute value ids, one per variant attribute of the product type; "
        "on update, replaces the list.",
    )


class StaffImageInput(InputSerializer):
    """A multipart form: every value arrives as text, so numbers and ids are parsed."""

    image = serializers.ImageField(
        max_length=200,
        validators=[validate_image_file_extension],
        help_text="A JPEG, PNG, GIF or WebP file; the whole request must fit the API's "
        "body limit (API_MAX_BODY_BYTES).",
    )
    alt = CharField(max_length=250, required=False, allow_blank=True)
    sort_order = serializers.IntegerField(required=False, min_value=INT_MIN, max_value=INT_MAX)
    # No null: a form cannot send one ("null" is text). Left out or empty: no variant.
    variant = serializers.PrimaryKeyRelatedField(
        queryset=ProductVariant.objects.all(),
        required=False,
        help_text="Id of the product's variant the image shows.",
    )


# --- output ------------------------------------------------------------------------------


class StaffCategoryOutput(serializers.ModelSerializer[Category]):
    parent = serializers.IntegerField(  # type: ignore[assignment]  # see StaffCategoryInput
        source="parent_id", allow_null=True, help_text="Parent category id; null at the top."
    )

    class Meta:
        model = Category
        fields = ("id", "name", "slug", "description", "sort_order", "depth", "parent")
        read_only_fields = fields


class StaffBrandOutput(serializers.ModelSerializer[Brand]):
    class Meta:
        model = Brand
        fields = ("id", "name", "slug")
        read_only_fields = fields


class StaffAttributeValueOutput(serializers.ModelSerializer[AttributeValue]):
    class Meta:
        model = AttributeValue
        fields = ("id", "attribute", "name", "slug", "sort_order")
        read_only_fields = fields


class StaffAttributeOutput(serializers.ModelSerializer[Attribute]):
    values = StaffAttributeValueOutput(many=True, read_only=True)

    class Meta:
        model = Attribute
        fields = ("id", "name", "slug", "values")
        read_only_fields = fields


class StaffProductTypeOutput(serializers.ModelSerializer[ProductType]):
    product_attributes = serializers.PrimaryKeyRelatedField[Attribute](many=True, read_only=True)
    variant_attributes = serializers.PrimaryKeyRelatedField[Attribute](many=True, read_only=True)

    class Meta:
        model = ProductType
        fields = ("id", "name", "slug", "product_attributes", "variant_attributes")
        read_only_fields = fields


class StaffProductValueOutput(serializers.ModelSerializer[AttributeValue]):
    """An attribute value as products and variants show it."""

    attribute_slug = serializers.CharField(source="attribute.slug", read_only=True)

    class Meta:
        model = AttributeValue
        fields = ("id", "attribute", "attribute_slug", "name", "slug")
        read_only_fields = fields


class StaffVariantOutput(serializers.ModelSerializer[ProductVariant]):
    attributes = StaffProductValueOutput(many=True, read_only=True)

    class Meta:
        model = ProductVariant
        fields = (
            "id",
            "product",
            "sku",
            "name",
            "price",
            "compare_at_price",
            "currency",
            "weight_grams",
            "sort_order",
            "attributes",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class StaffImageOutput(serializers.ModelSerializer[ProductImage]):
    url = serializers.ImageField(source="image", use_url=True, read_only=True)

    class Meta:
        model = ProductImage
        fields = ("id", "product", "variant", "url", "alt", "sort_order")
        read_only_fields = fields


class StaffProductListItemOutput(serializers.ModelSerializer[Product]):
    class Meta:
        model = Product
        fields = (
            "id",
            "name",
            "slug",
            "product_type",
            "category",
            "brand",
            "is_published",
            "published_at",
            "price_min",
            "price_max",
            "currency",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class StaffProductOutput(serializers.ModelSerializer[Product]):
    attributes = StaffProductValueOutput(many=True, read_only=True)
    variants = StaffVariantOutput(many=True, read_only=True)
    images = StaffImageOutput(many=True, read_only=True)

    class Meta:
        model = Product
        fields = (
            *StaffProductListItemOutput.Meta.fields,
            "description",
            "seo_title",
            "seo_description",
            "attributes",
            "variants",
            "images",
        )
        read_only_fields = fields
