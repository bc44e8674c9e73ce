from decimal import Decimal
from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from nexus.api.rest.serializers import PlainDecimalField
from nexus.catalog.models import AttributeValue, Category, Product, ProductImage, ProductVariant
from nexus.catalog.selectors import ORDERINGS

# --- query parameters ------------------------------------------------------------

# One value of a list filter (brands, attribute values), and how many a filter takes.
VALUE_SLUG = "[a-z0-9_-]{1,100}"
MAX_VALUES_PER_FILTER = 50
SLUG_LIST_REFUSED = f"Give 1 to {MAX_VALUES_PER_FILTER} comma-separated slugs."


class ProductQueryInput(serializers.Serializer[Any]):
    """The product list's filters, as query parameters (``attr.<slug>`` besides these)."""

    category = serializers.SlugField(
        required=False, help_text="Category slug; includes all below it."
    )
    brand = serializers.CharField(
        required=False,
        max_length=500,
        trim_whitespace=False,
        validators=[
            RegexValidator(
                rf"^{VALUE_SLUG}(?:,{VALUE_SLUG}){{0,{MAX_VALUES_PER_FILTER - 1}}}$",
                SLUG_LIST_REFUSED,
            )
        ],
        help_text="Brand slugs, comma-separated (any of them), e.g. `acme,zenith`.",
    )
    min_price = PlainDecimalField(
        required=False, max_digits=12, decimal_places=2, min_value=Decimal(0)
    )
    max_price = PlainDecimalField(
        required=False, max_digits=12, decimal_places=2, min_value=Decimal(0)
    )
    in_stock = serializers.ChoiceField(required=False, choices=["true", "false"])
    search = serializers.CharField(required=False, max_length=200, min_length=1)
    ordering = serializers.ChoiceField(
        required=False,
        choices=sorted(ORDERINGS),
        help_text="Default: relevance when searching, else newest.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError(
                {"max_price": ["Must not be below min_price."]}, code="price_range"
            )
        if attrs.get("ordering") == "relevance" and not attrs.get("search"):
            raise serializers.ValidationError(
                {"ordering": ["relevance needs a search."]}, code="search_required"
            )
        return attrs


# --- output ------------------------------------------------------------------------


class CategoryNodeOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    depth = serializers.IntegerField()
    children = serializers.ListField(child=serializers.DictField(), help_text="Nested nodes.")


class CategoryRefOutput(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ("id", "name", "slug")


class CategoryOutput(serializers.ModelSerializer[Category]):
    ancestors = serializers.SerializerMethodField()
    children = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ("id", "name", "slug", "description", "depth", "ancestors", "children")

    @extend_schema_field(CategoryRefOutput(many=True))
    def get_ancestors(self, category: Category) -> Any:
        return CategoryRefOutput(Category.objects.get_ancestors(category), many=True).data

    @extend_schema_field(CategoryRefOutput(many=True))
    def get_children(self, category: Category) -> Any:
        return CategoryRefOutput(Category.objects.get_children(category), many=True).data


class BrandRefOutput(serializers.Serializer[Any]):
    name = serializers.CharField()
    slug = serializers.CharField()


class AttributeValueOutput(serializers.ModelSerializer[AttributeValue]):
    attribute = serializers.CharField(source="attribute.slug")
    attribute_name = serializers.CharField(source="attribute.name")

    class Meta:
        model = AttributeValue
        fields = ("attribute", "attribute_name", "slug", "name")


class ProductListItemOutput(serializers.ModelSerializer[Product]):
    brand = BrandRefOutput(allow_null=True)
    category = CategoryRefOutput()
    price_min = serializers.DecimalField(max_digits=12, decimal_places=2)
    price_max = serializers.DecimalField(max_digits=12, decimal_places=2)
    thumbnail = serializers.SerializerMethodField()
    thumbnail_alt = serializers.CharField(allow_null=True)
    in_stock = serializers.BooleanField()

    class Meta:
        model = Product
        fields = (
            "id",
            "name",
            "slug",
            "brand",
            "category",
            "price_min",
            "price_max",
            "currency",
            "thumbnail",
            "thumbnail_alt",
            "in_stock",
            "published_at",
        )

    def get_thumbnail(self, product: Product) -> str | None:
        name = getattr(product, "thumbnail", None)
        return ProductImage.image.field.storage.url(name) if name else None


def product_list_item(row: dict[str, Any]) -> dict[str, Any]:
    """One list row as the API shows it: the shape ``ProductListItemOutput`` documents.

    Built by hand from a ``.values()`` row because a DRF serializer cost several
    milliseconds per page; a test holds the two to the same output.
    """
    thumbnail = row["thumbnail"]
    return {
        "id": row["id"],
        "name": row["name"],
        "slug": row["slug"],
        "brand": {"name": row["brand__name"], "slug": row["brand__slug"]}
        if row["brand__slug"] is not None
        else None,
        "category": {
            "id": row["category_id"],
            "name": row["category__name"],
            "slug": row["category__slug"],
        },
        "price_min": row["price_min"],
        "price_max": row["price_max"],
        "currency": row["currency"],
        "thumbnail": ProductImage.image.field.storage.url(thumbnail) if thumbnail else None,
        "thumbnail_alt": row["thumbnail_alt"],
        "in_stock": row["stocked_variant"] is not None,
        "published_at": row["published_at"],
    }


class ImageOutput(serializers.ModelSerializer[ProductImage]):
    url = serializers.ImageField(source="image", use_url=True)

    class Meta:
        model = ProductImage
        fields = ("id", "url", "alt", "sort_order", "variant")


class VariantOutput(serializers.ModelSerializer[ProductVariant]):
    attributes = AttributeValueOutput(many=True)
    quantity_available = serializers.IntegerField()
    in_stock = serializers.SerializerMethodField()

    class Meta:
        model = ProductVariant
        fields = (
            "id",
            "sku",
            "name",
            "price",
            "compare_at_price",
            "currency",
            "weight_grams",
            "attributes",
            "quantity_available",
            "in_stock",
        )

    def get_in_stock(self, variant: ProductVariant) -> bool:
        return bool(getattr(variant, "quantity_available", 0) > 0)


class ProductDetailOutput(serializers.ModelSerializer[Product]):
    brand = BrandRefOutput(allow_null=True)
    category = CategoryRefOutput()
    product_type = serializers.CharField(source="product_type.slug")
    attributes = AttributeValueOutput(many=True)
    variants = VariantOutput(many=True)
    images = ImageOutput(many=True)
    in_stock = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = (
            "id",
            "name",
            "slug",
            "description",
            "brand",
            "category",
            "product_type",
            "seo_title",
            "seo_description",
            "price_min",
            "price_max",
            "currency",
            "in_stock",
            "attributes",
            "variants",
            "images",
            "published_at",
        )

    def get_in_stock(self, product: Product) -> bool:
        return any(getattr(v, "quantity_available", 0) > 0 for v in product.variants.all())


class FacetValueOutput(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class AttributeFacetOutput(FacetValueOutput):
    attribute = serializers.CharField()
    attribute_name = serializers.CharField()


class PriceFacetOutput(serializers.Serializer[Any]):
    min = serializers.DecimalField(max_digits=12, decimal_places=2)
    max = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    count = serializers.IntegerField()


class FacetsOutput(serializers.Serializer[Any]):
    categories = FacetValueOutput(many=True)
    brands = FacetValueOutput(many=True)
    attributes = AttributeFacetOutput(many=True)
    prices = PriceFacetOutput(many=True)
