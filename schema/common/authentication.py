"""Refuse anonymous operations before any resolver runs.

The one gate every entry point passes (root fields, ``_entities``, mutations,
subscriptions). It also checks, once per operation, that the token's session is not
revoked (logout, refresh-token reuse). Only the federation SDL (``_service``, read by the
composer), introspection, and ``login`` / ``refreshToken`` (operations) are open.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import ExecutionResult, FieldNode, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from resolvers.common.errors import unauthenticated
from schema.common.errors import graphql_error

ANONYMOUS_FIELDS = frozenset({"_service", "__typename", "__schema", "__type", "login", "refreshToken"})


class RequireAuthentication(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        await ctx.context.check_revocation()
        if ctx.context.principal is None and not _only_anonymous_fields(
            ctx.graphql_document, ctx.operation_name
        ):
            ctx.result = ExecutionResult(data=None, errors=[graphql_error(unauthenticated())])
        yield


def _only_anonymous_fields(document: object, operation_name: str | None) -> bool:
    for definition in getattr(document, "definitions", ()):
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name and (definition.name is None or definition.name.value != operation_name):
            continue
        return all(
            isinstance(sel, FieldNode) and sel.name.value in ANONYMOUS_FIELDS
            for sel in definition.selection_set.selections
        )
    return True  # no operation: validation reports it
