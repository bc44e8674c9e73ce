"""Tax rates and the tax of an amount, with explicit rounding to the cent."""

from decimal import ROUND_HALF_UP, Decimal

from nexus.taxes.models import TaxRate

CENT = Decimal("0.01")


def tax_rate_for(*, country: str, region: str = "") -> Decimal:
    """Percent for a destination: its region's rate, else its country's, else 0."""
    rates = dict(
        TaxRate.objects.filter(country=country, region__in={"", region}).values_list(
            "region", "rate"
        )
    )
    return rates.get(region, rates.get("", Decimal(0))) if region else rates.get("", Decimal(0))


def tax_of(*, amount: Decimal, rate_percent: Decimal, amount_includes_tax: bool) -> Decimal:
    """The tax in ``amount`` (gross prices) or on it (net prices), rounded half up."""
    rate = rate_percent / 100
    tax = amount - amount / (1 + rate) if amount_includes_tax else amount * rate
    return tax.quantize(CENT, rounding=ROUND_HALF_UP)
