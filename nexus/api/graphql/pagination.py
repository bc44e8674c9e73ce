"""Relay-style cursor connections, paged by position (keyset), as REST's lists are.

strawberry-django's connections page by offset, which costs more the deeper a client
goes and shifts when rows are added; here a cursor holds the ordering values of the
last row seen and the next page starts strictly after them, at the same cost at any
depth. Forward paging only (``first``/``after``), which is what storefronts do.
"""

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

import orjson
import strawberry
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.db.models import Q, QuerySet
from graphql import GraphQLError

from nexus.api.graphql.errors import request_error

Row = TypeVar("Row")
Node = TypeVar("Node")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[Node]):
    cursor: str
    node: Node


@strawberry.type
class Connection(Generic[Node]):
    edges: list[Edge[Node]]
    page_info: PageInfo

    @strawberry.field(description="The nodes of the edges, for clients that need no cursors.")
    def nodes(self) -> list[Node]:
        return [edge.node for edge in self.edges]


@dataclass(frozen=True)
class Page(Generic[Row]):
    rows: list[Row]
    cursors: list[str]
    has_next_page: bool


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _value(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _encode(row: Any, fields: Sequence[str]) -> str:
    position = [_plain(_value(row, field.lstrip("-"))) for field in fields]
    return base64.urlsafe_b64encode(orjson.dumps(position)).decode().rstrip("=")


_INT64 = 2**63


def _decode(cursor: str, fields: Sequence[str]) -> list[Any]:
    """The position a cursor holds: one string or 64-bit integer per ordering field.
    orjson refuses Infinity, NaN and nesting past 1,024 levels, which ``json`` would
    hand on as values no database column takes."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        position = orjson.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise _invalid_cursor() from exc
    if not isinstance(position, list) or len(position) != len(fields):
        raise _invalid_cursor()
    for value in position:
        if not (
            isinstance(value, str)
            or (
                isinstance(value, int) and not isinstance(value, bool) and -_INT64 <= value < _INT64
            )
        ):
            raise _invalid_cursor()
    return position


def _invalid_cursor() -> GraphQLError:
    return request_error("The cursor is not one this API gave.", "invalid_cursor")


def _after(fields: Sequence[str], position: Sequence[Any]) -> Q:
    """Rows strictly after ``position`` in the ordering ``fields``."""
    condition = Q()
    for index, field in enumerate(fields):
        name = field.lstrip("-")
        step = Q(**{f"{name}__{'lt' if field.startswith('-') else 'gt'}": position[index]})
        for earlier, value in zip(fields[:index], position[:index], strict=False):
            step &= Q(**{earlier.lstrip("-"): value})
        condition |= step
    return condition


def page_size(first: int | None) -> int:
    limit = settings.API_MAX_PAGE_SIZE
    if first is None:
        return int(settings.API_PAGE_SIZE)
    if not 1 <= first <= limit:
        raise request_error(f"first must be from 1 to {limit}.", "invalid_page_size")
    return first


def paginate(
    queryset: QuerySet[Any, Any], *, ordering: Sequence[str], first: int | None, after: str | None
) -> Page[Any]:
    """One page of the queryset in the given ordering (the last field must be unique)."""
    size = page_size(first)
    rows_query = queryset.order_by(*ordering)
    if after is None:
        rows = list(rows_query[: size + 1])
    else:
        position = _decode(after, ordering)
        # A well-formed position may still not fit its fields (text for a date): the
        # filter or the query says so, and it is the cursor's fault alone here.
        try:
            rows = list(rows_query.filter(_after(ordering, position))[: size + 1])
        except (ValueError, TypeError, OverflowError, DjangoValidationError, DataError) as exc:
            raise _invalid_cursor() from exc
    kept = rows[:size]
    return Page(kept, [_encode(row, ordering) for row in kept], len(rows) > size)


def connection(page: Page[Row], node: Callable[[Row], Node]) -> Connection[Node]:
    edges = [
        Edge(cursor=cursor, node=node(row))
        for row, cursor in zip(page.rows, page.cursors, strict=True)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page, end_cursor=page.cursors[-1] if page.cursors else None
        ),
    )
