"""Accounts over GraphQL: sign-up, tokens, passwords, profile and address book.

Every mutation validates its input with the REST endpoint's own serializer and then
calls the same service, so both APIs accept the same input and keep the same rules;
the sign-in mutations count against the same rate limits as their REST endpoints.
"""

import math
import uuid
from datetime import datetime
from typing import Any, cast

import strawberry
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import TokenError
from strawberry.types import Info

from nexus.accounts import selectors, services
from nexus.accounts.errors import AddressNotFound
from nexus.accounts.models import Address as AddressModel
from nexus.accounts.models import User as UserModel
from nexus.api.graphql.context import request_of, require_user
from nexus.api.graphql.errors import UserError, attempt, request_error
from nexus.api.graphql.inputs import given, validated
from nexus.api.graphql.pagination import Connection, connection, paginate
from nexus.api.rest.accounts import serializers as rest
from nexus.api.rest.throttles import AUTH_THROTTLES
from nexus.checkout import services as cart_services

# --- output types ------------------------------------------------------------------


@strawberry.type(description="A person who signs in: the fields REST's /me/ shows.")
class User:
    id: int
    email: str
    first_name: str
    last_name: str
    is_staff: bool
    date_joined: datetime


@strawberry.type(description="A postal address in the signed-in customer's address book.")
class Address:
    id: int
    first_name: str
    last_name: str
    company: str
    line1: str
    line2: str
    city: str
    postal_code: str
    region: str
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 code, e.g. DE.")
    phone: str
    is_default_shipping: bool
    is_default_billing: bool
    created_at: datetime
    updated_at: datetime


@strawberry.type(description="A signed-in session: use access as Bearer, refresh to renew.")
class TokenPair:
    access: str = strawberry.field(description="Bearer token for API calls (short-lived).")
    refresh: str = strawberry.field(description="Use once with tokenRefresh; it rotates.")


@strawberry.type
class SignIn:
    access: str = strawberry.field(description="Bearer token for API calls (short-lived).")
    refresh: str = strawberry.field(description="Use once with tokenRefresh; it rotates.")
    cart_token: uuid.UUID | None = strawberry.field(
        description="The customer's cart the guest cart was merged into, if one was given."
    )


def _user(user: UserModel) -> User:
    return User(
        id=user.pk,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        is_staff=user.is_staff,
        date_joined=user.date_joined,
    )


def _address(address: AddressModel) -> Address:
    return Address(
        id=address.pk,
        first_name=address.first_name,
        last_name=address.last_name,
        company=address.company,
        line1=address.line1,
        line2=address.line2,
        city=address.city,
        postal_code=address.postal_code,
        region=address.region,
        country=address.country.code,
        phone=address.phone,
        is_default_shipping=address.is_default_shipping,
        is_default_billing=address.is_default_billing,
        created_at=address.created_at,
        updated_at=address.updated_at,
    )


# --- payloads ----------------------------------------------------------------------


@strawberry.type
class UserPayload:
    user: User | None
    errors: list[UserError]


@strawberry.type
class TokenCreatePayload:
    token: SignIn | None
    errors: list[UserError]


@strawberry.type
class TokenRefreshPayload:
    token: TokenPair | None
    errors: list[UserError]


@strawberry.type(description="For mutations with nothing to return but whether they worked.")
class DonePayload:
    ok: bool
    errors: list[UserError]


@strawberry.type
class AddressPayload:
    address: Address | None
    errors: list[UserError]


@strawberry.type
class AddressDeletePayload:
    deleted_id: int | None
    errors: list[UserError]


def _done(errors: list[UserError]) -> DonePayload:
    return DonePayload(ok=not errors, errors=errors)


# --- inputs ------------------------------------------------------------------------
# Optional fields default to UNSET, so a field left out is left out of what the REST
# serializer sees (as a key missing from a JSON body), while an explicit null is
# passed on and refused by it exactly as REST refuses a JSON null.


@strawberry.input
class RegisterInput:
    email: str
    password: str
    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET


@strawberry.input
class TokenCreateInput:
    email: str
    password: str
    cart: uuid.UUID | None = strawberry.field(
        default=strawberry.UNSET,
        description="A guest cart's token: its lines move into the customer's cart.",
    )


@strawberry.input
class PasswordChangeInput:
    current_password: str
    new_password: str


@strawberry.input
class PasswordResetConfirmInput:
    uid: str = strawberry.field(description="From the reset link.")
    token: str = strawberry.field(description="From the reset link.")
    new_password: str


@strawberry.input
class ProfileUpdateInput:
    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET


@strawberry.input(description="A new address; the customer's first one becomes the default.")
class AddressCreateInput:
    first_name: str
    last_name: str
    company: str | None = strawberry.UNSET
    line1: str
    line2: str | None = strawberry.UNSET
    city: str
    postal_code: str | None = strawberry.UNSET
    region: str | None = strawberry.UNSET
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 code, e.g. DE.")
    phone: str | None = strawberry.UNSET
    is_default_shipping: bool | None = strawberry.UNSET
    is_default_billing: bool | None = strawberry.UNSET


@strawberry.input(description="The fields to change; those left out keep their values.")
class AddressUpdateInput:
    first_name: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    company: str | None = strawberry.UNSET
    line1: str | None = strawberry.UNSET
    line2: str | None = strawberry.UNSET
    city: str | None = strawberry.UNSET
    postal_code: str | None = strawberry.UNSET
    region: str | None = strawberry.UNSET
    country: str | None = strawberry.UNSET
    phone: str | None = strawberry.UNSET
    is_default_shipping: bool | None = strawberry.UNSET
    is_default_billing: bool | None = strawberry.UNSET


# --- rate limits -------------------------------------------------------------------


class _SignInAttempt:
    """The request as REST's sign-in throttles see it. A GraphQL request's body is the
    query, not the credentials, so the email they key on comes from the mutation's
    arguments; who is signed in is the caller if the mutation requires one (REST's
    sign-in views authenticate nobody). Everything else, such as the client address
    in META and headers, is the request's own."""

    def __init__(self, request: HttpRequest, *, user: UserModel | None, email: str | None) -> None:
        self._request = request
        self.user = user if user is not None else AnonymousUser()
        self.data = {"email": email} if email is not None else {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)


def count_sign_in_attempt(
    info: Info[Any, Any], *, email: str | None = None, user: UserModel | None = None
) -> None:
    """Count the attempt against REST's per-IP and per-account limits (the same cache
    counters, so REST and GraphQL attempts add up); refuse it when over either."""
    subject = _SignInAttempt(request_of(info), user=user, email=email)
    waits: list[float] = []
    # Every throttle counts the attempt, as DRF checks them all before refusing.
    for throttle_class in AUTH_THROTTLES:
        throttle = throttle_class()
        if not throttle.allow_request(cast("Request", subject), cast("APIView", None)):
            waits.append(throttle.wait() or 1)
    if waits:
        seconds = math.ceil(max(waits))
        raise request_error(
            f"Too many attempts; try again in {seconds} s.", "throttled", retryAfter=seconds
        )


# --- sign-in -----------------------------------------------------------------------


class _SignInRefused(Exception):
    """Credentials refused by simplejwt's serializer (REST's 401)."""

    def __init__(self, error: UserError) -> None:
        super().__init__(error.message)
        self.error = error


def _sign_in(info: Info[Any, Any], *, values: dict[str, Any]) -> SignIn:
    # The serializer itself is kept: it knows the account and the guest cart to merge.
    serializer = rest.TokenObtainInput(data=values, context={"request": request_of(info)})
    try:
        serializer.is_valid(raise_exception=True)
        tokens = serializer.validated_data
    except AuthenticationFailed as exc:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "authentication_failed"
        raise _SignInRefused(UserError(code=code, message=str(exc.detail), field=None)) from exc
    except TokenError as exc:
        raise _SignInRefused(
            UserError(code="token_not_valid", message=str(exc), field=None)
        ) from exc
    cart_token = None
    if serializer.guest_cart is not None and serializer.user is not None:
        cart = cart_services.cart_merge(guest_token=serializer.guest_cart, user=serializer.user)
        cart_token = cart.token
    return SignIn(access=tokens["access"], refresh=tokens["refresh"], cart_token=cart_token)


# --- operations --------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user.")
    def me(self, info: Info[Any, Any]) -> User:
        return _user(require_user(info))

    @strawberry.field(description="The signed-in customer's addresses, newest first.")
    def addresses(
        self, info: Info[Any, Any], first: int | None = None, after: str | None = None
    ) -> Connection[Address]:
        user = require_user(info)
        page = paginate(
            selectors.address_list_for_user(user=user), ordering=("-id",), first=first, after=after
        )
        return connection(page, _address)

    @strawberry.field(description="One of the signed-in customer's addresses; null if none.")
    def address(self, info: Info[Any, Any], id: int) -> Address | None:  # noqa: A002
        user = require_user(info)
        try:
            return _address(selectors.address_get_for_user(user=user, address_id=id))
        except AddressNotFound:
            return None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register a customer account (sign in with tokenCreate).")
    def register(self, info: Info[Any, Any], input: RegisterInput) -> UserPayload:  # noqa: A002
        count_sign_in_attempt(info, email=input.email)
        user, errors = attempt(
            lambda: services.user_register(**validated(rest.RegisterInput, given(input)))
        )
        return UserPayload(user=_user(user) if user else None, errors=errors)

    @strawberry.mutation(
        description=(
            "Sign in with email and password. An unknown email and a wrong password get "
            "the same answer. A guest cart given is merged into the customer's cart."
        )
    )
    def token_create(
        self,
        info: Info[Any, Any],
        input: TokenCreateInput,  # noqa: A002
    ) -> TokenCreatePayload:
        count_sign_in_attempt(info, email=input.email)
        try:
            token, errors = attempt(lambda: _sign_in(info, values=given(input)))
        except _SignInRefused as refused:
            return TokenCreatePayload(token=None, errors=[refused.error])
        return TokenCreatePayload(token=token, errors=errors)

    @strawberry.mutation(
        description="Trade a refresh token for a new pair; the old one stops working."
    )
    def token_refresh(self, refresh: str) -> TokenRefreshPayload:
        def rotate() -> TokenPair:
            values = validated(rest.RefreshInput, {"refresh": refresh})
            pair = services.refresh_token_rotate(token=values["refresh"])
            return TokenPair(access=pair.access, refresh=pair.refresh)

        token, errors = attempt(rotate)
        return TokenRefreshPayload(token=token, errors=errors)

    @strawberry.mutation(description="Sign out: revoke one of your refresh tokens.")
    def logout(self, info: Info[Any, Any], refresh: str) -> DonePayload:
        user = require_user(info)
        _, errors = attempt(
            lambda: services.refresh_token_revoke(
                user=user, token=validated(rest.LogoutInput, {"refresh": refresh})["refresh"]
            )
        )
        return _done(errors)

    @strawberry.mutation(description="Change your password; every session is signed out.")
    def password_change(
        self,
        info: Info[Any, Any],
        input: PasswordChangeInput,  # noqa: A002
    ) -> DonePayload:
        user = require_user(info)
        # Guessing the current password with a stolen access token is a sign-in attack.
        count_sign_in_attempt(info, user=user)
        _, errors = attempt(
            lambda: services.user_change_password(
                user=user, **validated(rest.PasswordChangeInput, given(input))
            )
        )
        return _done(errors)

    @strawberry.mutation(
        description=(
            "Email a password reset link. The same answer whether or not the email has an account."
        )
    )
    def password_reset_request(self, info: Info[Any, Any], email: str) -> DonePayload:
        count_sign_in_attempt(info, email=email)
        _, errors = attempt(
            lambda: services.password_reset_request(
                email=validated(rest.PasswordResetRequestInput, {"email": email})["email"]
            )
        )
        return _done(errors)

    @strawberry.mutation(
        description="Set a new password with the reset link's uid and token; signs out all."
    )
    def password_reset_confirm(
        self,
        info: Info[Any, Any],
        input: PasswordResetConfirmInput,  # noqa: A002
    ) -> DonePayload:
        count_sign_in_attempt(info)
        _, errors = attempt(
            lambda: services.password_reset_confirm(
                **validated(rest.PasswordResetConfirmInput, given(input))
            )
        )
        return _done(errors)

    @strawberry.mutation(description="Change your name.")
    def profile_update(
        self,
        info: Info[Any, Any],
        input: ProfileUpdateInput,  # noqa: A002
    ) -> UserPayload:
        user = require_user(info)
        updated, errors = attempt(
            lambda: services.user_update_profile(
                user=user, changes=validated(rest.ProfileUpdateInput, given(input))
            )
        )
        return UserPayload(user=_user(updated) if updated else None, errors=errors)

    @strawberry.mutation(description="Add an address; your first one becomes the default.")
    def address_create(
        self,
        info: Info[Any, Any],
        input: AddressCreateInput,  # noqa: A002
    ) -> AddressPayload:
        user = require_user(info)
        address, errors = attempt(
            lambda: services.address_create(
                user=user, data=validated(rest.AddressInput, given(input))
            )
        )
        return AddressPayload(address=_address(address) if address else None, errors=errors)

    @strawberry.mutation(description="Change some fields of one of your addresses.")
    def address_update(
        self,
        info: Info[Any, Any],
        id: int,  # noqa: A002
        input: AddressUpdateInput,  # noqa: A002
    ) -> AddressPayload:
        user = require_user(info)

        def update() -> AddressModel:
            # Looked up before validating, as REST answers 404 before 400.
            address = selectors.address_get_for_user(user=user, address_id=id)
            changes = validated(rest.AddressInput, given(input), partial=True)
            return services.address_update(address=address, changes=changes)

        address, errors = attempt(update)
        return AddressPayload(address=_address(address) if address else None, errors=errors)

    @strawberry.mutation(
        description="Delete one of your addresses; a default it held passes to the newest other."
    )
    def address_delete(self, info: Info[Any, Any], id: int) -> AddressDeletePayload:  # noqa: A002
        user = require_user(info)
        _, errors = attempt(
            lambda: services.address_delete(
                address=selectors.address_get_for_user(user=user, address_id=id)
            )
        )
        return AddressDeletePayload(deleted_id=None if errors else id, errors=errors)
