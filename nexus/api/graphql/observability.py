"""Which errors are the client's, and logging the others with the request id."""

from typing import Any

import strawberry
import structlog
from graphql import GraphQLError

logger = structlog.get_logger(__name__)


def is_expected(error: GraphQLError) -> bool:
    """Errors the API means to show: its own (with a code) and GraphQL's own checks."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError)


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Log what went wrong on our side; a client's bad query is not an incident
        (strawberry would log every error at error level)."""
        for error in errors:
            if not is_expected(error):
                logger.error(
                    "graphql_unexpected_error", path=error.path, exc_info=error.original_error
                )
