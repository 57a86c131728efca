"""Query limits every subgraph enforces: depth, aliases, tokens, cost per operation.

Depth, aliases and tokens reuse Strawberry's limiters; their refusals are re-coded so the
client gets ``extensions.code`` (``BAD_USER_INPUT``) and ``extensions.limit`` (which one).
Cost has no Strawberry counterpart: it needs the variables (``first: $first``), so it is checked
just before execution rather than by a (cached) validation rule. Each is a plain function or rule
class here; the subgraph's one schema extension runs them in order (subgraphs/pipeline.py).

The gateway enforces the same numbers with the same formula (``gateway/limits.ts``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    ValueNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import ParserCache
from strawberry.extensions.max_aliases import create_validator as aliases_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator

# Codes are plain strings here: security/ does not import schema/ (the README's layers).
LIMIT_CODE = "BAD_USER_INPUT"
PARSE_FAILED_CODE = "GRAPHQL_PARSE_FAILED"  # a document that does not parse (ErrorCode)
INTROSPECTION_CODE = "FORBIDDEN"
# graphql-core's message when ``parse(max_tokens=…)`` gives up.
_TOKENS_MESSAGE = "Syntax Error: Document contains more than"


def _set_on_error(context: ValidationContext, callback: Callable[[GraphQLError], None]) -> None:
    # graphql-core declares on_error a method and replaces it with the callback itself (its own
    # ValidationContext.__init__ does the same, under the same ignore).
    context.on_error = callback  # type: ignore[method-assign, assignment]


def limit_error(message: str, limit: str, code: str = LIMIT_CODE, **details: Any) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, "limit": limit, **details})


def coded_rule(rule: type[ValidationRule], code: str, limit: str) -> type[ValidationRule]:
    """The same validation rule, its errors carrying ``extensions.code`` and ``extensions.limit``.

    Strawberry's depth and alias validators report from ``__init__`` through the context;
    graphql-core's rules report while visiting through ``self.report_error``: cover both.
    """

    def recode(error: GraphQLError) -> GraphQLError:
        error.extensions = {**(error.extensions or {}), "code": code, "limit": limit}
        return error

    class Coded(rule):  # type: ignore[valid-type, misc]
        def __init__(self, context: ValidationContext) -> None:
            original = context.on_error
            _set_on_error(context, lambda error: original(recode(error)))
            try:
                super().__init__(context)
            finally:
                _set_on_error(context, original)

        def report_error(self, error: GraphQLError) -> None:
            super().report_error(recode(error))

    Coded.__name__ = f"Coded{rule.__name__}"
    return Coded


# The rule classes are built once per limit: the validation cache keys on the rule classes, so a
# fresh class per schema (the tests build several) or per operation would never hit.


@cache
def _depth_rule(max_depth: int) -> type[ValidationRule]:
    # Strawberry's limiter does not count the leaf level: its max_depth N allows N + 1 levels.
    return coded_rule(depth_validator(max_depth - 1, None), LIMIT_CODE, "depth")


@cache
def _alias_rule(max_aliases: int) -> type[ValidationRule]:
    return coded_rule(aliases_validator(max_aliases), LIMIT_CODE, "aliases")


# Strawberry's ``DisableIntrospection`` with a coded error. ``_service { sdl }`` stays open.
_INTROSPECTION_RULE = coded_rule(NoSchemaIntrospectionCustomRule, INTROSPECTION_CODE, "introspection")


def limit_rules(max_depth: int, max_aliases: int, introspection: bool) -> tuple[type[ValidationRule], ...]:
    """The validation rules of the limits checked with the document (cached with it): at most
    ``max_depth`` levels of fields (``{ a { b } }`` has 2; introspection not counted), at most
    ``max_aliases`` aliases, and no introspection unless ``introspection``."""
    rules = (_depth_rule(max_depth), _alias_rule(max_aliases))
    return rules if introspection else (*rules, _INTROSPECTION_RULE)


# Strawberry's parser cache (an LRU of graphql-core's ``parse``, shared by every schema).
_cached_parse = ParserCache().cached_parse_document


def parse_document(query: str, max_tokens: int) -> DocumentNode:
    """``query`` parsed (cached), graphql-core giving up after ``max_tokens`` tokens. A document
    that does not parse raises a GraphQLError coded with the token limit's code, or
    GRAPHQL_PARSE_FAILED."""
    try:
        document: DocumentNode = _cached_parse(query, max_tokens=max_tokens)
    except GraphQLError as error:
        if error.message.startswith(_TOKENS_MESSAGE):
            error.extensions = {"code": LIMIT_CODE, "limit": "tokens", "max": max_tokens}
        elif not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": PARSE_FAILED_CODE}
        raise
    return document


# -- cost ------------------------------------------------------------------------------------------

FREE_LIST_FIELDS = frozenset({"edges", "nodes"})  # inside a connection: already multiplied by `first`


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    default_list_size: int,
) -> int:
    """Every selected field counts once per object it is resolved on.

    A connection multiplies its selection by its ``first`` (its default when absent), any
    other list by ``default_list_size``, ``_entities`` by its number of representations.
    """
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    walker = _CostWalker(schema, fragments, variables or {}, default_list_size)
    return walker.selection_cost(operation.selection_set, root, 1, frozenset())


class _CostWalker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        default_list_size: int,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.default_list_size = default_list_size

    def selection_cost(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, multiplier: int, seen: frozenset[str]
    ) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += multiplier
                fields = parent.fields if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else {}
                definition = fields.get(selection.name.value)
                if definition is not None and selection.selection_set is not None:
                    factor = self.factor(selection, definition, parent)
                    child = get_named_type(definition.type)
                    total += self.selection_cost(selection.selection_set, child, multiplier * factor, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_cost(selection.selection_set, target or parent, multiplier, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value) or parent
                total += self.selection_cost(fragment.selection_set, target, multiplier, seen | {name})
        return total

    def factor(self, node: FieldNode, definition: GraphQLField, parent: GraphQLNamedType) -> int:
        name = node.name.value
        if name == "_entities":
            representations = self.argument(node, definition, "representations")
            return len(representations) if isinstance(representations, list) else self.default_list_size
        named = get_named_type(definition.type)
        if named.name.endswith("Connection") and "first" in definition.args:
            first = self.argument(node, definition, "first")
            return _non_negative(first, self.default_list_size)
        if name in FREE_LIST_FIELDS and parent.name.endswith("Connection"):
            return 1
        # a series (Device.telemetry) costs its `points`; its points list is free
        if named.name.endswith("Series") and "points" in definition.args:
            return _non_negative(self.argument(node, definition, "points"), self.default_list_size)
        if name == "points" and parent.name.endswith("Series"):
            return 1
        return self.default_list_size if _is_list(definition.type) else 1

    def argument(self, node: FieldNode, definition: GraphQLField, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                return self.value(argument.value)
        default = definition.args[name].default_value if name in definition.args else None
        return None if default is None or type(default).__name__ == "Undefined" else default

    def value(self, node: ValueNode) -> Any:
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, ListValueNode):
            return list(node.values)
        return None


def _is_list(type_: Any) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _non_negative(value: Any, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return max(value, 0)


def cost_refusal(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    max_cost: int,
    default_list_size: int,
) -> GraphQLError | None:
    """The refusal of an operation whose cost (see ``operation_cost``) exceeds ``max_cost``."""
    cost = operation_cost(schema, document, operation_name, variables, default_list_size)
    if cost <= max_cost:
        return None
    return limit_error(
        f"operation cost {cost} exceeds the maximum of {max_cost}", "cost", cost=cost, max=max_cost
    )
