"""Races that really race: separate connections, committed transactions."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from nexus.accounts import services
from nexus.accounts.errors import EmailAlreadyRegistered
from nexus.accounts.models import Address, User
from tests.factories import UserFactory

ADDRESS = {"first_name": "A", "last_name": "B", "line1": "1 Road", "city": "Oslo", "country": "NO"}


def run_together(workers: list[Callable[[], object]]) -> list[BaseException]:
    """Start every worker at the same instant, each on its own DB connection."""
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def run(work: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            work()
        except BaseException as exc:  # noqa: BLE001 — collected for the assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_default_addresses_leave_exactly_one_default():
    user = UserFactory.create()

    def add_default():
        services.address_create(
            user=User.objects.get(pk=user.pk), data={**ADDRESS, "is_default_shipping": True}
        )

    errors = run_together([add_default] * 6)
    assert errors == []
    assert Address.objects.filter(user=user).count() == 6
    assert Address.objects.filter(user=user, is_default_shipping=True).count() == 1
    assert Address.objects.filter(user=user, is_default_billing=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_of_one_email_make_one_account():
    outcomes: list[str] = []

    def register():
        try:
            services.user_register(email="race@example.com", password="a-long-passphrase")
            outcomes.append("created")
        except EmailAlreadyRegistered:
            outcomes.append("taken")

    errors = run_together([register] * 5)
    assert errors == []
    assert sorted(outcomes) == ["created", "taken", "taken", "taken", "taken"]
    assert User.objects.filter(email="race@example.com").count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_refresh_token_used_concurrently_yields_exactly_one_new_pair():
    from rest_framework_simplejwt.tokens import RefreshToken  # noqa: PLC0415

    from nexus.accounts.errors import RefreshTokenInvalid  # noqa: PLC0415

    token = str(RefreshToken.for_user(UserFactory.create()))
    outcomes: list[str] = []

    def rotate() -> None:
        try:
            services.refresh_token_rotate(token=token)
            outcomes.append("rotated")
        except RefreshTokenInvalid:
            outcomes.append("refused")

    errors = run_together([rotate] * 8)
    assert errors == []
    assert sorted(outcomes) == ["refused"] * 7 + ["rotated"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_adds_to_one_cart_lose_no_units():
    from nexus.checkout import services as cart_services  # noqa: PLC0415
    from nexus.checkout.models import Cart, CartLine  # noqa: PLC0415
    from tests.catalog_data import build_catalog  # noqa: PLC0415

    catalog = build_catalog()
    variant = catalog.headphones.variants.get()
    variant.stocks.update(quantity=50)
    cart, _ = cart_services.cart_create(user=None)

    def add_one():
        cart_services.cart_line_add(
            cart=Cart.objects.get(pk=cart.pk), variant_id=variant.pk, quantity=1
        )

    errors = run_together([add_one] * 8)
    assert errors == []
    assert CartLine.objects.get(cart=cart).quantity == 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_cart_starts_give_a_customer_one_open_cart():
    from nexus.checkout import services as cart_services  # noqa: PLC0415
    from nexus.checkout.models import Cart  # noqa: PLC0415

    user = UserFactory.create()
    tokens: list[str] = []

    def start():
        cart, _ = cart_services.cart_create(user=User.objects.get(pk=user.pk))
        tokens.append(str(cart.token))

    errors = run_together([start] * 6)
    assert errors == []
    assert len(set(tokens)) == 1
    assert Cart.objects.filter(user=user).count() == 1
