"""A small demo shop for the embedded mode, built through the domains' own services."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction

from nexus.accounts import services as accounts
from nexus.accounts.models import STAFF_GROUP, User
from nexus.demo.catalog_seed import seed_catalog
from nexus.discounts.models import Voucher
from nexus.shipping.models import ShippingMethod, ShippingZone, WeightRate
from nexus.taxes.models import TaxRate

# A small slice of the benchmark catalog: enough to browse, filter and search.
DEMO_PRODUCTS = 300


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str


# Demo-only credentials, printed at start-up and listed in the README. The loader
# refuses to run in production (see the seed_demo command).
DEMO_STAFF = DemoAccount("staff", "staff@demo.nexus", "harbour-lantern-42")
DEMO_CUSTOMER = DemoAccount("customer", "customer@demo.nexus", "orchard-velvet-17")


@transaction.atomic
def demo_data_load() -> bool:
    """Load the demo accounts and catalog into an empty database; return whether it did."""
    if User.objects.exists():
        return False
    staff = accounts.user_register(
        email=DEMO_STAFF.email, password=DEMO_STAFF.password, first_name="Sam", last_name="Staff"
    )
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.groups.add(Group.objects.get(name=STAFF_GROUP))

    customer = accounts.user_register(
        email=DEMO_CUSTOMER.email,
        password=DEMO_CUSTOMER.password,
        first_name="Casey",
        last_name="Customer",
    )
    accounts.address_create(
        user=customer,
        data={
            "first_name": "Casey",
            "last_name": "Customer",
            "line1": "Musterstraße 1",
            "city": "Berlin",
            "postal_code": "10115",
            "country": "DE",
        },
    )
    seed_catalog(products=DEMO_PRODUCTS, seed=1)
    _shop_settings_load()
    return True


def _shop_settings_load() -> None:
    """Shipping, tax rates and a voucher, as a shop would set them in the admin."""
    europe = ShippingZone.objects.create(name="Europe", countries="AT,BE,DE,ES,FR,GB,IT,NL")
    ShippingMethod.objects.create(zone=europe, name="Standard", price=Decimal("4.90"))
    by_weight = ShippingMethod.objects.create(
        zone=europe, name="Express, by weight", kind=ShippingMethod.Kind.WEIGHT
    )
    for max_grams, price in ((1000, "7.90"), (5000, "12.90"), (None, "24.90")):
        WeightRate.objects.create(method=by_weight, max_grams=max_grams, price=Decimal(price))
    for country, rate in (
        ("AT", "20"), ("BE", "21"), ("DE", "19"), ("ES", "21"),
        ("FR", "20"), ("GB", "20"), ("IT", "22"), ("NL", "21"),
    ):  # fmt: skip
        TaxRate.objects.create(country=country, rate=Decimal(rate))
    Voucher.objects.create(
        code="WELCOME10",
        kind=Voucher.Kind.PERCENTAGE,
        value=Decimal(10),
        min_spend=Decimal(20),
        per_customer_limit=1,
    )
