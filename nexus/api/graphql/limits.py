"""Limits on what one document may ask for, checked right after parsing, before
validation or execution: nesting depth, aliases, cost, and text no database takes.

The cost: each field costs 1, and a connection (a field taking ``first``, or
selecting ``edges``/``nodes``) multiplies what is below it by the page size it will
return: ``first`` as given (a literal, a variable, or the variable's default), else
the default page size. Fragments are measured once each and reused wherever they are
spread, so the check is linear in the document's size however its fragments fan out
(the limiters of strawberry walk every spread again: a 744-byte document of fragments
spreading the next twice took them 2.7 s). graphql-core and strawberry have no cost
analysis, hence this module.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
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
    StringValueNode,
    VariableNode,
    visit,
)
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

_CONNECTION_FIELDS = frozenset({"edges", "nodes"})
# Fragments spreading fragments: more hops than fields may nest is no real query.
_FRAGMENT_HOPS = 20
# Brackets nested deeper than this are refused before parsing: the parser recurses
# once per level, and Python's stack ends near a thousand.
_MAX_NESTING = 100


@dataclass(frozen=True)
class Measure:
    cost: int
    depth: int


def _limit_error(message: str, code: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


class _Measurer:
    def __init__(self, document: DocumentNode, variables: Mapping[str, Any]) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.variables = variables
        self.defaults: dict[str, int] = {}
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                for variable in definition.variable_definitions or ():
                    if isinstance(variable.default_value, IntValueNode):
                        self.defaults[variable.variable.name.value] = int(
                            variable.default_value.value
                        )
        self.measured: dict[str, Measure] = {}
        self.measuring: set[str] = set()
        # Past this many levels (fields or fragment hops) the answer is "too deep"
        # already; stopping there keeps the walk's own recursion bounded.
        self.budget = settings.GRAPHQL_MAX_DEPTH + _FRAGMENT_HOPS

    def page_size(self, field: FieldNode) -> int:
        for argument in field.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return max(int(value.value), 1)
            if isinstance(value, VariableNode):
                name = value.name.value
                given = self.variables.get(name, self.defaults.get(name))
                if given is None:
                    return int(settings.API_PAGE_SIZE)
                if isinstance(given, int | float) and not isinstance(given, bool):
                    return max(int(given), 1)
            return int(settings.API_MAX_PAGE_SIZE)  # anything else fails coercion later
        selected = {
            s.name.value
            for s in (field.selection_set.selections if field.selection_set else ())
            if isinstance(s, FieldNode)
        }
        return int(settings.API_PAGE_SIZE) if selected & _CONNECTION_FIELDS else 1

    def fragment(self, name: str, level: int) -> Measure:
        if name in self.measured:
            return self.measured[name]
        if name in self.measuring or name not in self.fragments:
            return Measure(0, 0)  # a cycle or an unknown fragment: validation refuses it
        self.measuring.add(name)
        measure = self.selections(self.fragments[name].selection_set, level + 1)
        self.measuring.discard(name)
        self.measured[name] = measure
        return measure

    def selections(self, selection_set: SelectionSetNode | None, level: int = 0) -> Measure:
        if level > self.budget:
            return Measure(0, self.budget)
        cost = depth = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                below = self.selections(selection.selection_set, level + 1)
                cost += 1 + self.page_size(selection) * below.cost
                depth = max(depth, 1 + below.depth)
            else:
                inner = (
                    self.fragment(selection.name.value, level)
                    if isinstance(selection, FragmentSpreadNode)
                    else self.selections(selection.selection_set, level + 1)
                    if isinstance(selection, InlineFragmentNode)
                    else Measure(0, 0)
                )
                cost += inner.cost
                depth = max(depth, inner.depth)
        return Measure(cost, depth)


def measure(document: DocumentNode, variables: Mapping[str, Any]) -> Measure:
    """Cost and depth of the document's most demanding operation."""
    measurer = _Measurer(document, variables)
    measures = [
        measurer.selections(d.selection_set)
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    ]
    return Measure(
        max((m.cost for m in measures), default=0), max((m.depth for m in measures), default=0)
    )


class _AliasesAndText(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.aliases = 0
        self.unstorable = False

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        if node.alias is not None:
            self.aliases += 1

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        self.unstorable = self.unstorable or not _storable(node.value)


def _storable(text: str) -> bool:
    """PostgreSQL text takes neither NUL nor a lone surrogate."""
    return "\x00" not in text and not any("\ud800" <= c <= "\udfff" for c in text)


def _variables_storable(value: Any) -> bool:
    if isinstance(value, str):
        return _storable(value)
    if isinstance(value, dict):
        return all(_variables_storable(v) and _variables_storable(k) for k, v in value.items())
    if isinstance(value, list):
        return all(_variables_storable(v) for v in value)
    return True


def check(document: DocumentNode, variables: Mapping[str, Any]) -> None:
    """Raise a coded GraphQLError if the document asks for more than allowed."""
    seen = _AliasesAndText()
    visit(document, seen)
    if seen.unstorable or not _variables_storable(dict(variables)):
        raise _limit_error(
            "Text may not contain NUL characters or lone surrogates.", "invalid_text"
        )
    if seen.aliases > settings.GRAPHQL_MAX_ALIASES:
        raise _limit_error(
            f"The query uses {seen.aliases} aliases, over the limit of "
            f"{settings.GRAPHQL_MAX_ALIASES}.",
            "too_many_aliases",
        )
    found = measure(document, variables)
    if found.depth > settings.GRAPHQL_MAX_DEPTH:
        raise _limit_error(
            f"The query nests {found.depth} deep, over the limit of {settings.GRAPHQL_MAX_DEPTH}.",
            "query_too_deep",
            depth=found.depth,
            limit=settings.GRAPHQL_MAX_DEPTH,
        )
    if found.cost > settings.GRAPHQL_MAX_COST:
        raise _limit_error(
            f"The query would cost {found.cost}, over the limit of "
            f"{settings.GRAPHQL_MAX_COST}: ask for fewer fields or smaller pages.",
            "query_too_expensive",
            cost=found.cost,
            limit=settings.GRAPHQL_MAX_COST,
        )


def _nesting(text: str) -> int:
    """How deep brackets nest in a document's text, strings left out."""
    deepest = level = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            escaped = char == "\\" and not escaped
            if char == '"' and not escaped:
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{([":
            level += 1
            deepest = max(deepest, level)
        elif char in "})]":
            level -= 1
    return deepest


class DocumentLimits(SchemaExtension):
    """Runs ``check`` as soon as the document is parsed: a refused document is never
    validated (validation walks every fragment spread) nor run."""

    def on_parse(self) -> Iterator[None]:
        query = self.execution_context.query
        if query and _nesting(query) > _MAX_NESTING:
            raise _limit_error(
                f"The query nests brackets over {_MAX_NESTING} deep.", "query_too_deep"
            )
        yield
        context = self.execution_context
        if context.graphql_document is not None:
            check(context.graphql_document, context.variables or {})
