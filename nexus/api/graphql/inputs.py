"""GraphQL arguments through REST's input serializers and filtersets, so both APIs
accept and refuse exactly the same input."""

import dataclasses
import enum
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import strawberry
from django.db.models import Model, QuerySet
from django_filters import FilterSet
from rest_framework import serializers

from nexus.api.graphql.errors import UserError, attempt, input_error

M = TypeVar("M", bound=Model)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return given(value)
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def given(strawberry_input: Any) -> dict[str, Any]:
    """The fields a client set on an input, as the JSON body REST would receive.

    Fields left out (UNSET) are omitted, so a partial update keeps them; an explicit
    null stays None so the serializer can accept or refuse it as it does a JSON null.
    Nested inputs become objects. Money travels as a decimal string because REST's
    ``MoneyField`` takes only strings (a JSON number could have passed through a
    float), a choice as its value, an id as its text.
    """
    return {
        field.name: _plain(getattr(strawberry_input, field.name))
        for field in dataclasses.fields(strawberry_input)
        if getattr(strawberry_input, field.name) is not strawberry.UNSET
    }


def validated(
    serializer_class: type[serializers.Serializer[Any]],
    body: Mapping[str, Any],
    *,
    partial: bool = False,
) -> dict[str, Any]:
    """The serializer's validated data; raises its ``ValidationError`` otherwise."""
    serializer = serializer_class(data=body, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _query_value(value: Any) -> str:
    """A filter argument written as it would appear in REST's query string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def filtered(
    filterset_class: type[FilterSet], arguments: Any, queryset: QuerySet[M]
) -> QuerySet[M]:
    """The queryset narrowed by REST's filterset; bad values are an ``invalid``
    request error naming the filter, as REST's 400."""
    params = {
        name: _query_value(value)
        for name, value in (given(arguments) if arguments is not None else {}).items()
        if value is not None
    }
    filterset = filterset_class(data=params, queryset=queryset)
    if not filterset.is_valid():
        detail = {name: list(messages) for name, messages in filterset.errors.items()}
        raise input_error(serializers.ValidationError(detail))
    narrowed: QuerySet[M] = filterset.qs
    return narrowed


@strawberry.type(description="The result of deleting an object.")
class StaffDeletePayload:
    deleted_id: int | None = strawberry.field(description="The id deleted; null if nothing was.")
    errors: list[UserError]


def deleted(object_id: int, delete: Callable[[], object]) -> StaffDeletePayload:
    """Run a delete; its expected failures (not found, still in use) become errors."""

    def run() -> int:
        delete()
        return object_id

    deleted_id, errors = attempt(run)
    return StaffDeletePayload(deleted_id=deleted_id, errors=errors)
