"""Rules on catalog input that every entry point shares: the REST and GraphQL staff
APIs, the services themselves and the bulk import all check the same things with
the same messages."""

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator

from nexus.catalog.errors import AttributeNotAllowed, UnknownReference, WrongCurrency
from nexus.catalog.models import Attribute, AttributeValue

# Stricter than Django's validate_slug: slugs end up in URLs and filters, where
# "Red" and "red" must not name two different things.
validate_slug = RegexValidator(
    r"^[a-z0-9_-]+\Z", "Use lowercase letters, digits, hyphens and underscores only."
)


def check_money(*, price: Decimal, compare_at_price: Decimal | None, currency: str) -> None:
    if currency != settings.SHOP_CURRENCY:
        raise WrongCurrency(
            field_errors={"currency": [f"Only {settings.SHOP_CURRENCY} is accepted."]}
        )
    if price < 0 or (compare_at_price is not None and compare_at_price < 0):
        raise UnknownReference(
            "Prices cannot be negative.", field_errors={"price": ["Must be 0 or more."]}
        )


def check_attribute_values(
    *, values: Sequence[AttributeValue], allowed: Iterable[Attribute], field: str
) -> None:
    """Each value's attribute is one the product type allows, and at most one value
    per attribute."""
    allowed_ids = {attribute.pk for attribute in allowed}
    wrong = sorted(
        {value.attribute.slug for value in values if value.attribute_id not in allowed_ids}
    )
    if wrong:
        raise AttributeNotAllowed(
            field_errors={
                field: [f"Attribute {slug!r} is not allowed by the product type." for slug in wrong]
            }
        )
    seen: set[int] = set()
    for value in values:
        if value.attribute_id in seen:
            raise AttributeNotAllowed(
                "One value per attribute.",
                field_errors={field: [f"Attribute {value.attribute.slug!r} has several values."]},
            )
        seen.add(value.attribute_id)
