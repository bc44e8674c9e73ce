"""A small, exactly known catalog, built through the catalog services."""

from dataclasses import dataclass
from decimal import Decimal

from nexus.catalog import services
from nexus.catalog.models import Attribute, AttributeValue, Brand, Category, Product, ProductType
from nexus.inventory.models import Stock, Warehouse


@dataclass
class Catalog:
    clothing: Category
    shirts: Category
    audio: Category
    acme: Brand
    zenith: Brand
    color: Attribute
    red: AttributeValue
    blue: AttributeValue
    size: Attribute
    small: AttributeValue
    large: AttributeValue
    apparel: ProductType
    gadget: ProductType
    red_shirt: Product
    blue_shirt: Product
    headphones: Product
    speaker: Product
    hidden: Product
    warehouse: Warehouse


def build_catalog() -> Catalog:
    clothing = services.category_create(name="Clothing", slug="clothing", parent=None)
    shirts = services.category_create(name="Shirts", slug="shirts", parent=clothing)
    audio = services.category_create(name="Audio", slug="audio", parent=None)
    acme = services.brand_create(name="Acme", slug="acme")
    zenith = services.brand_create(name="Zenith", slug="zenith")
    color = services.attribute_create(
        name="Color",
        slug="color",
        values=[{"name": "Red", "slug": "red"}, {"name": "Blue", "slug": "blue"}],
    )
    size = services.attribute_create(
        name="Size", slug="size", values=[{"name": "S", "slug": "s"}, {"name": "L", "slug": "l"}]
    )
    red, blue = AttributeValue.objects.get(slug="red"), AttributeValue.objects.get(slug="blue")
    small, large = AttributeValue.objects.get(slug="s"), AttributeValue.objects.get(slug="l")
    apparel = services.product_type_create(
        name="Apparel", slug="apparel", product_attributes=[color], variant_attributes=[size]
    )
    gadget = services.product_type_create(
        name="Gadget", slug="gadget", product_attributes=[color], variant_attributes=[]
    )
    warehouse = Warehouse.objects.create(name="Main", slug="main")

    def product(
        name,
        slug,
        *,
        category,
        brand,
        product_type,
        attributes,
        prices,
        stock,
        description="",
        published=True,
        variant_values=(),
    ):
        made = services.product_create(
            product_type=product_type,
            category=category,
            brand=brand,
            name=name,
            slug=slug,
            description=description,
            is_published=published,
            attributes=attributes,
        )
        for index, price in enumerate(prices):
            variant = services.variant_create(
                product=made,
                sku=f"{slug}-{index}",
                price=Decimal(price),
                attributes=[variant_values[index]] if variant_values else [],
            )
            Stock.objects.create(variant=variant, warehouse=warehouse, quantity=stock[index])
        made.refresh_from_db()
        return made

    return Catalog(
        clothing=clothing,
        shirts=shirts,
        audio=audio,
        acme=acme,
        zenith=zenith,
        color=color,
        red=red,
        blue=blue,
        size=size,
        small=small,
        large=large,
        apparel=apparel,
        gadget=gadget,
        red_shirt=product(
            "Red linen shirt",
            "red-linen-shirt",
            category=shirts,
            brand=acme,
            product_type=apparel,
            attributes=[red],
            prices=["20.00", "22.00"],
            stock=[5, 0],
            description="A breathable summer shirt.",
            variant_values=[small, large],
        ),
        blue_shirt=product(
            "Blue oxford shirt",
            "blue-oxford-shirt",
            category=shirts,
            brand=zenith,
            product_type=apparel,
            attributes=[blue],
            prices=["45.00"],
            stock=[0],
            description="Classic office wear.",
            variant_values=[large],
        ),
        headphones=product(
            "Wireless headphones",
            "wireless-headphones",
            category=audio,
            brand=zenith,
            product_type=gadget,
            attributes=[blue],
            prices=["120.00"],
            stock=[3],
            description="Noise cancelling, long battery life.",
        ),
        speaker=product(
            "Pocket speaker",
            "pocket-speaker",
            category=audio,
            brand=acme,
            product_type=gadget,
            attributes=[red],
            prices=["35.00"],
            stock=[8],
            description="Small speaker with big sound, pairs with headphones.",
        ),
        hidden=product(
            "Secret prototype",
            "secret-prototype",
            category=audio,
            brand=acme,
            product_type=gadget,
            attributes=[],
            prices=["999.00"],
            stock=[1],
            published=False,
        ),
        warehouse=warehouse,
    )
