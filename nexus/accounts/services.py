"""Writes to accounts: registration, profile, passwords, tokens, address book."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from nexus.accounts.errors import (
    EmailAlreadyRegistered,
    LogoutTokenInvalid,
    PasswordResetTokenInvalid,
    RefreshTokenInvalid,
    WeakPassword,
    WrongPassword,
)
from nexus.accounts.models import (
    CUSTOMER_GROUP,
    POSTAL_FIELDS,
    Address,
    User,
    normalize_email,
)
from nexus.core import outbox
from nexus.core.errors import ValidationFailed

ADDRESS_FIELDS = frozenset({*POSTAL_FIELDS, "is_default_shipping", "is_default_billing"})
PROFILE_FIELDS = frozenset({"first_name", "last_name"})


def _validate_password(password: str, user: User, field: str) -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise WeakPassword(field_errors={field: list(exc.messages)}) from exc


@transaction.atomic
def user_register(*, email: str, password: str, first_name: str = "", last_name: str = "") -> User:
    user = User(email=normalize_email(email), first_name=first_name, last_name=last_name)
    _validate_password(password, user, "password")
    user.set_password(password)
    try:
        # The savepoint keeps the outer transaction usable after a duplicate.
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the case-insensitive unique constraint, not a pre-check
        raise EmailAlreadyRegistered(
            field_errors={"email": ["An account with this email already exists."]}
        ) from exc
    # Migration 0002 makes the group; get_or_create still holds after a data reset.
    customers, _ = Group.objects.get_or_create(name=CUSTOMER_GROUP)
    user.groups.add(customers)
    outbox.emit("user.registered", {"user": user.pk, "email": user.email})
    return user


def user_update_profile(*, user: User, changes: Mapping[str, Any]) -> User:
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise ValidationFailed(field_errors={f: ["This field cannot be changed."] for f in unknown})
    for field, value in changes.items():
        setattr(user, field, value)
    user.save(update_fields=[*changes.keys()])
    return user


@transaction.atomic
def user_change_password(*, user: User, current_password: str, new_password: str) -> None:
    """Change the password and sign out every other session (all refresh tokens)."""
    _lock_user(user)  # a token rotation in flight finishes first, or sees the revocation
    if not user.check_password(current_password):
        raise WrongPassword(field_errors={"current_password": [WrongPassword.default_message]})
    _validate_password(new_password, user, "new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    refresh_tokens_revoke_all(user=user)


def password_reset_request(*, email: str) -> None:
    """Start a reset for an active account with this email; silent otherwise, so the
    answer tells nobody whether an email has an account. The token is made when the
    email is sent (it is never stored) and stops working once the password changes."""
    user = User.objects.filter(email=normalize_email(email), is_active=True).first()
    if user is not None:
        outbox.emit("user.password_reset_requested", {"user": user.pk})


def password_reset_token(*, user: User) -> tuple[str, str]:
    """The (uid, token) pair a reset email carries."""
    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set a new password with an emailed token; every session is signed out."""
    try:
        user_id = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, OverflowError):
        user_id = None
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None or not default_token_generator.check_token(user, token):
        raise PasswordResetTokenInvalid(
            field_errors={"token": [PasswordResetTokenInvalid.default_message]}
        )
    _lock_user(user)
    _validate_password(new_password, user, "new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    refresh_tokens_revoke_all(user=user)
    return user


def refresh_tokens_revoke_all(*, user: User) -> int:
    """Blacklist every refresh token issued to the user that is not already."""
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    revoked = [BlacklistedToken(token=token) for token in outstanding]
    BlacklistedToken.objects.bulk_create(revoked, ignore_conflicts=True)
    return len(revoked)


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


def token_pair_issue(*, user: User) -> TokenPair:
    refresh = RefreshToken.for_user(user)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


@transaction.atomic
def refresh_token_rotate(*, token: str) -> TokenPair:
    """Trade a refresh token for a new pair; the old one can never be used again.

    Written here rather than left to simplejwt's serializer, which checks the
    blacklist and then adds to it without a lock: concurrent requests with one
    token each got a new pair. Here the user's row, then the token's row, are
    locked (the same order as a password change), so exactly one request wins.
    """
    try:
        refresh = RefreshToken(token)  # type: ignore[arg-type]  # signature, expiry, type
        user_id = refresh[jwt_settings.USER_ID_CLAIM]
        jti = refresh[jwt_settings.JTI_CLAIM]
    except (TokenError, KeyError) as exc:
        raise RefreshTokenInvalid() from exc
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    outstanding = OutstandingToken.objects.select_for_update().filter(jti=jti).first()
    if user is None or outstanding is None:
        raise RefreshTokenInvalid()
    if BlacklistedToken.objects.filter(token=outstanding).exists():
        raise RefreshTokenInvalid()
    BlacklistedToken.objects.create(token=outstanding)
    return token_pair_issue(user=user)


def refresh_token_revoke(*, user: User, token: str) -> None:
    """Log out: blacklist one refresh token, which must be the user's own and valid."""
    try:
        refresh = RefreshToken(token)  # type: ignore[arg-type]
    except TokenError as exc:
        raise LogoutTokenInvalid(field_errors={"refresh": [str(exc)]}) from exc
    if str(refresh.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
        # Someone else's token is treated like a bad one: nothing about it is revealed.
        raise LogoutTokenInvalid(field_errors={"refresh": ["Token is invalid"]})
    refresh.blacklist()


def _lock_user(user: User) -> None:
    """Serialise changes to one customer's address book (its default flags)."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).get()


def _clear_other_defaults(address: Address) -> None:
    others = Address.objects.filter(user_id=address.user_id).exclude(pk=address.pk)
    if address.is_default_shipping:
        others.filter(is_default_shipping=True).update(is_default_shipping=False)
    if address.is_default_billing:
        others.filter(is_default_billing=True).update(is_default_billing=False)


@transaction.atomic
def address_create(*, user: User, data: Mapping[str, Any]) -> Address:
    unknown = set(data) - ADDRESS_FIELDS
    if unknown:
        raise ValidationFailed(field_errors={f: ["Unknown field."] for f in sorted(unknown)})
    _lock_user(user)
    address = Address(user=user, **data)
    existing = Address.objects.filter(user=user)
    # A customer's first address of each kind becomes the default.
    if not existing.filter(is_default_shipping=True).exists():
        address.is_default_shipping = True
    if not existing.filter(is_default_billing=True).exists():
        address.is_default_billing = True
    _clear_other_defaults(address)
    address.save()
    return address


@transaction.atomic
def address_update(*, address: Address, changes: Mapping[str, Any]) -> Address:
    unknown = set(changes) - ADDRESS_FIELDS
    if unknown:
        raise ValidationFailed(field_errors={f: ["Unknown field."] for f in sorted(unknown)})
    _lock_user(address.user)
    address = Address.objects.get(pk=address.pk)  # current flags, now that they are locked
    if not changes:
        return address
    for field, value in changes.items():
        setattr(address, field, value)
    _clear_other_defaults(address)
    address.save(update_fields=[*changes, "updated_at"])
    return address


@transaction.atomic
def address_delete(*, address: Address) -> None:
    """Delete an address; the newest remaining one inherits a default it held."""
    _lock_user(address.user)
    address = Address.objects.get(pk=address.pk)  # current flags, now that they are locked
    was_shipping, was_billing = address.is_default_shipping, address.is_default_billing
    user_id = address.user_id
    address.delete()
    heir = Address.objects.filter(user_id=user_id).order_by("-created_at", "-pk").first()
    if heir is not None and (was_shipping or was_billing):
        heir.is_default_shipping = heir.is_default_shipping or was_shipping
        heir.is_default_billing = heir.is_default_billing or was_billing
        heir.save(update_fields=["is_default_shipping", "is_default_billing", "updated_at"])
