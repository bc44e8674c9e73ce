"""Who is asking: the same JWT access tokens and permissions as the REST API."""

from typing import Any, cast

from django.http import HttpRequest
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from strawberry.types import Info

from nexus.accounts.models import User
from nexus.api.graphql.errors import request_error

_UNSET = object()


def request_of(info: Info[Any, Any]) -> HttpRequest:
    request: HttpRequest = info.context.request
    return request


def remember_user(request: HttpRequest, user: User) -> None:
    """The user the view authenticated already, so resolvers need not decode again."""
    request._nexus_graphql_user = user  # type: ignore[attr-defined]


def current_user(info: Info[Any, Any]) -> User | None:
    """The signed-in user from ``Authorization: Bearer <access token>``, or None.

    A token that is present but bad is an error, as in REST (401 there), rather than
    a silent anonymous request.
    """
    request = request_of(info)
    cached = getattr(request, "_nexus_graphql_user", _UNSET)
    if cached is not _UNSET:
        return cast("User | None", cached)
    try:
        authenticated = JWTAuthentication().authenticate(request)  # type: ignore[arg-type]
    except (AuthenticationFailed, InvalidToken, TokenError) as exc:
        raise request_error(
            "The access token is invalid or expired.", "authentication_failed"
        ) from exc
    user = authenticated[0] if authenticated else None
    request._nexus_graphql_user = user  # type: ignore[attr-defined]
    return user  # type: ignore[return-value]


def require_user(info: Info[Any, Any]) -> User:
    user = current_user(info)
    if user is None:
        raise request_error("Sign in to do this.", "not_authenticated")
    return user


def require_staff(info: Info[Any, Any], *permissions: str) -> User:
    """Staff holding every listed Django permission, as REST's ``IsStaff``."""
    user = require_user(info)
    if not (user.is_staff and user.has_perms(permissions)):
        raise request_error(
            "Only staff with the required permissions may do this.", "permission_denied"
        )
    return user
