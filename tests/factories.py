from typing import Any

import factory
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from nexus.accounts.models import STAFF_GROUP, Address, User

PASSWORD = "correct-horse-battery"
# Hashed once (Argon2 is slow by design); every factory user shares it.
_PASSWORD_HASH = make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = _PASSWORD_HASH


class StaffFactory(UserFactory):
    email = factory.Sequence(lambda n: f"staff{n}@example.com")
    is_staff = True

    @factory.post_generation
    def staff_group(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:  # noqa: N805
        if create:
            obj.groups.add(Group.objects.get(name=STAFF_GROUP))


class AddressFactory(factory.django.DjangoModelFactory[Address]):
    class Meta:
        model = Address

    user = factory.SubFactory(UserFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    line1 = factory.Faker("street_address")
    city = factory.Faker("city")
    postal_code = factory.Faker("postcode")
    country = "DE"
