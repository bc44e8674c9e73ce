"""Cursor pagination: constant cost at any depth, no COUNT(*) per request."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request


class InvalidCursor(ValidationError):
    """A cursor this API did not hand out: its own code, since no schema can tell a
    good cursor from a bad one."""

    def __init__(self) -> None:
        super().__init__({"cursor": ["Invalid cursor."]}, code="invalid_cursor")


class CursorPagination(pagination.CursorPagination):
    """DRF's cursor paginator, strict about its inputs.

    A page size outside 1..max, or a cursor that does not decode, is the client's
    mistake and gets a 400 that says so, rather than a silent cap or a 404.
    """

    page_size_query_param = "page_size"
    page_size_query_description = "Results per page, from 1 to the maximum (100 by default)."
    ordering = "-pk"

    def __init__(self) -> None:
        self.page_size: int = settings.API_PAGE_SIZE
        self.max_page_size: int = settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get("page_size")
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"Must be a whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        """A view may choose the ordering per request (``cursor_ordering``)."""
        chosen = getattr(view, "cursor_ordering", None)
        if chosen:
            return tuple(chosen)
        return tuple(super().get_ordering(request, queryset, view))

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, DjangoValidationError, DataError) as exc:
            # A cursor that decodes but whose position does not fit the ordering field.
            raise InvalidCursor() from exc

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise InvalidCursor() from exc
