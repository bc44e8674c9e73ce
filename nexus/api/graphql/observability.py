"""Unexpected errors in resolvers are logged with the request id, then masked."""

from collections.abc import Iterator

import structlog
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

logger = structlog.get_logger(__name__)


def is_expected(error: GraphQLError) -> bool:
    """Errors the API means to show: its own (with a code) and GraphQL's own checks."""
    original = error.original_error
    return original is None or isinstance(original, GraphQLError)


class ErrorLogger(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        for error in (result.errors if result else None) or ():
            if not is_expected(error):
                logger.error(
                    "graphql_unexpected_error",
                    path=error.path,
                    exc_info=error.original_error,
                )
