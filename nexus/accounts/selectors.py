"""Reads of accounts, each scoped to who may see the result."""

from django.db.models import QuerySet

from nexus.accounts.errors import AddressNotFound, UserNotFound
from nexus.accounts.models import POSTAL_FIELDS, Address, User


def address_list_for_user(*, user: User) -> QuerySet[Address]:
    return Address.objects.filter(user=user)


def address_get_for_user(*, user: User, address_id: int) -> Address:
    """The user's own address; another user's is simply not found."""
    try:
        return Address.objects.select_related("user").get(pk=address_id, user=user)
    except Address.DoesNotExist as exc:
        raise AddressNotFound() from exc


def address_snapshot(*, user: User, address_id: int) -> dict[str, str]:
    """The postal fields of the user's own saved address, as an order keeps them."""
    saved = address_get_for_user(user=user, address_id=address_id)
    return {field: str(getattr(saved, field) or "") for field in POSTAL_FIELDS}


def user_list() -> QuerySet[User]:
    return User.objects.all()


def user_get(*, user_id: int) -> User:
    try:
        return User.objects.get(pk=user_id)
    except User.DoesNotExist as exc:
        raise UserNotFound() from exc
