"""Shipping methods and their prices for a destination and a parcel weight."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from nexus.shipping.models import ShippingMethod, WeightRate


@dataclass(frozen=True)
class ShippingQuote:
    method_id: int
    name: str
    price: Decimal
    currency: str


def _price(method: ShippingMethod, weight_grams: int) -> Decimal | None:
    if method.kind == ShippingMethod.Kind.FLAT:
        return method.price
    for rate in method.rates.all():  # ordered by max_grams, open band last
        if rate.max_grams is None or weight_grams <= rate.max_grams:
            return rate.price
    return None  # heavier than every band: this method cannot carry it


def shipping_quotes(*, country: str, weight_grams: int) -> list[ShippingQuote]:
    """Active methods of the zones that hold the country, cheapest first."""
    methods = (
        ShippingMethod.objects.filter(is_active=True, zone__countries__contains=country)
        .prefetch_related(Prefetch("rates", queryset=WeightRate.objects.all()))
        .order_by("id")
    )
    quotes = []
    for method in methods:
        price = _price(method, weight_grams)
        if price is not None:
            quotes.append(ShippingQuote(method.pk, method.name, price, method.currency))
    return sorted(quotes, key=lambda quote: (quote.price, quote.method_id))


def shipping_is_configured() -> bool:
    """A shop with no shipping methods sells nothing that ships (no method is asked)."""
    return ShippingMethod.objects.filter(is_active=True).exists()
