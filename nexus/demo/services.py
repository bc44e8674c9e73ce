"""A small demo shop for the embedded mode, built through the domains' own services."""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from nexus.accounts import services as accounts
from nexus.accounts.models import STAFF_GROUP, User
from nexus.demo.catalog_seed import seed_catalog

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
    return True
