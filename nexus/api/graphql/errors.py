"""The GraphQL API's single error map.

A mutation's expected failures (a domain rule, invalid input) come back in its
payload as ``errors: [UserError!]!`` with a stable ``code`` and the input field they
concern, so a client branches on data rather than parsing messages. Failures of the
request as a whole (not signed in, not allowed, a page too large, a query too deep)
are GraphQL errors carrying ``extensions.code``.
"""

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError
from rest_framework import serializers
from strawberry.utils.str_converters import to_camel_case

from nexus.api.rest.errors import flatten_field_errors
from nexus.core.errors import DomainError

T = TypeVar("T")


@strawberry.type(description="Why a mutation did not do what it was asked.")
class UserError:
    code: str = strawberry.field(description="Stable, for programs: e.g. insufficient_stock.")
    message: str = strawberry.field(description="For people.")
    field: str | None = strawberry.field(
        description="The input field concerned (camelCase, dotted for nested), if any."
    )


def _field_path(path: str) -> str | None:
    if path in ("", "non_field_errors"):
        return None
    return ".".join(to_camel_case(part) for part in path.split("."))


def user_errors(exc: Exception) -> list[UserError]:
    """The payload errors for an expected failure."""
    if isinstance(exc, DomainError):
        fields = [
            UserError(code=exc.code, message=message, field=_field_path(field))
            for field, messages in exc.field_errors.items()
            for message in messages
        ]
        return fields or [UserError(code=exc.code, message=exc.message, field=None)]
    if isinstance(exc, serializers.ValidationError):
        return [
            UserError(code=e["code"], message=e["detail"], field=_field_path(e["field"]))
            for e in flatten_field_errors(exc.detail)
        ]
    raise exc


def attempt(action: Callable[[], T]) -> tuple[T | None, list[UserError]]:
    """Run a mutation's work; expected failures become payload errors."""
    try:
        return action(), []
    except (DomainError, serializers.ValidationError) as exc:
        return None, user_errors(exc)


def request_error(message: str, code: str, **extensions: Any) -> GraphQLError:
    """A failure of the whole request, with a stable ``extensions.code``."""
    return GraphQLError(message, extensions={"code": code, **extensions})


def domain_error(exc: DomainError) -> GraphQLError:
    """A domain error met by a query (mutations put theirs in the payload)."""
    fields = {_field_path(f) or "": m for f, m in exc.field_errors.items()}
    return request_error(exc.message, exc.code, **({"fields": fields} if fields else {}))


def input_error(exc: serializers.ValidationError) -> GraphQLError:
    """Arguments of a query that are well-typed but not acceptable."""
    fields = {_field_path(e["field"]) or "": e["detail"] for e in flatten_field_errors(exc.detail)}
    return request_error("The arguments are not valid.", "invalid", fields=fields)
