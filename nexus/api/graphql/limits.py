"""A limit on what one query may cost, counted before anything runs.

Each field costs 1, and a field taking ``first`` (a connection) multiplies what is
below it by the page size asked for (the default page size when absent), so
``products(first: 100) { edges { node { variants { … } } } }`` costs a hundred times
its node. graphql-core and strawberry limit depth and aliases but have no cost
analysis, hence this extension; it runs ahead of validation so it can read the
variables a page size may come in.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from strawberry.extensions import SchemaExtension


def query_cost(document: DocumentNode, variables: Mapping[str, Any]) -> int:
    """The cost of the most expensive operation in the document."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }

    def page_size(field: FieldNode) -> int:
        for argument in field.arguments or ():
            if argument.name.value != "first":
                continue
            value: Any = argument.value
            if isinstance(value, IntValueNode):
                value = int(value.value)
            elif isinstance(value, VariableNode):
                value = variables.get(value.name.value)
            return max(value, 1) if isinstance(value, int) else settings.API_PAGE_SIZE
        return 1

    def cost(selections: SelectionSetNode | None, visited: frozenset[str]) -> int:
        total = 0
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                below = cost(selection.selection_set, visited)
                total += 1 + page_size(selection) * below
            elif isinstance(selection, InlineFragmentNode):
                total += cost(selection.selection_set, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in visited:  # a cycle is invalid anyway
                    total += cost(fragments[name].selection_set, visited | {name})
        return total

    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return max((cost(op.selection_set, frozenset()) for op in operations), default=0)


class QueryCostLimiter(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        # Runs after ValidationCache, which has set the (cached) validation errors.
        if document is not None and not context.pre_execution_errors:
            limit = settings.GRAPHQL_MAX_COST
            cost = query_cost(document, context.variables or {})
            if cost > limit:
                # The request ends here with this error, before anything runs.
                context.pre_execution_errors = [
                    GraphQLError(
                        f"The query would cost {cost}, over the limit of {limit}: ask for "
                        "fewer fields or smaller pages.",
                        extensions={"code": "query_too_expensive", "cost": cost, "limit": limit},
                    )
                ]
        yield
