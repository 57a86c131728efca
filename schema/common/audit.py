"""The audit trail's GraphQL side: every mutation field leaves exactly one audit record.

The records themselves are written by domain functions (resolvers/common/audit.py); the
operation's ``AuditTrail`` opens its audit scope, names the root mutation field being resolved
(so a domain function needs no ``info``), and writes the record of a failed mutation or of
one whose function did not record itself.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.language import DocumentNode
from strawberry.extensions import FieldExtension
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from resolvers.common.audit import (
    AuditScope,
    Target,
    _current,
    _Field,
    _reset,
    audit_model,
    request_id_of,
)
from resolvers.common.errors import CodedError, ErrorCode, service_unavailable
from schema.common.errors import graphql_error
from security.audit_chain import OK, Entry, append
from security.outage import unavailable

logger = logging.getLogger(__name__)

# Parse and validation errors: the document never ran, so there is nothing to audit.
REQUEST_ERROR_CODES = frozenset({ErrorCode.GRAPHQL_PARSE_FAILED, ErrorCode.GRAPHQL_VALIDATION_FAILED})


class AuditedMutation(FieldExtension):
    """On every root mutation field (added by the schema builder): names the field in the
    operation's audit scope while it resolves, for ``audit.record`` / ``changes.change``."""

    def resolve(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        _name(info)
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: Any, **kwargs: Any
    ) -> Any:
        _name(info)
        return await next_(source, info, **kwargs)


def _name(info: Any) -> None:
    scope = _current.get()
    if scope is not None:
        scope.current = (str(info.path.key), info.field_name)


class AuditTrail:
    """One operation's audit trail, run by the subgraph's schema extension (subgraphs/pipeline.py):
    opened before the operation is parsed, completed once its result is known (every mutation
    field leaves exactly one audit record, failed ones included), closed last."""

    def __init__(self, subgraph: str, ctx: ExecutionContext) -> None:
        self.subgraph = subgraph
        self.ctx = ctx
        self.scope = AuditScope(subgraph, ctx.context, request_id_of(ctx.context))
        self._token = _current.set(self.scope)

    async def complete(self) -> None:
        """The operation's unmasked reads appended, and the record of each mutation field its
        function did not write; when the trail cannot be written, the result withholds its data."""
        ctx = self.ctx
        try:
            await self.scope.flush_pii_reads()
            if _is_mutation(ctx) and ctx.graphql_document is not None and not _failed_validation(ctx):
                await self._records()
        except Exception as error:
            _withhold(ctx.result, error)

    def close(self) -> None:
        _reset(self._token)

    async def _records(self) -> None:
        ctx, scope = self.ctx, self.scope
        result = ctx.result
        data = getattr(result, "data", None) or {}
        errors: list[GraphQLError] = list(getattr(result, "errors", None) or [])
        general = next((error for error in errors if not error.path), None)
        model = audit_model(self.subgraph)
        entries: list[Entry] = []
        for key, name in _root_fields(ctx.graphql_document, ctx.operation_name):
            slot = scope.fields.get(key, _Field())
            error = next((e for e in errors if e.path and e.path[0] == key), None) or general
            if error is None:
                if key not in data:
                    continue  # not executed (@skip, or an earlier field failed)
                if slot.recorded is None:  # the resolver did not record: do it now
                    entries.append(scope.entry(name, slot.target or _target_of(ctx, name, data[key]), OK, {}))
                continue
            if slot.recorded is not None and await model.exists(id=slot.recorded.id):
                continue  # committed with its change; the error came after (e.g. publishing)
            entries.append(scope.entry(name, slot.target or _target_of(ctx, name, None), _code(error), {}))
        await append(model, self.subgraph, entries)


async def audit_stream_result(result: Any) -> None:
    """WebSocket / SSE: each event's unmasked reads are appended before the event is sent."""
    scope = _current.get()
    if scope is not None and scope.pii_reads:
        try:
            await scope.flush_pii_reads()
        except Exception as error:
            _withhold(result, error)


def _withhold(result: Any, error: Exception) -> None:
    """The audit trail could not be written: send no data, only a coded error. With the database
    gone that is SERVICE_UNAVAILABLE, logged once per outage: not the audit trail's fault, nor a
    traceback per request (security/outage.py)."""
    outage = unavailable(error)
    if outage is None:
        logger.exception("audit trail append failed")
    if result is not None:
        result.data = None
        coded = (
            service_unavailable(outage.name)
            if outage is not None
            else CodedError(ErrorCode.INTERNAL_SERVER_ERROR, "审计日志不可用 (audit trail unavailable)")
        )
        result.errors = [graphql_error(coded)]


def _is_mutation(ctx: Any) -> bool:
    try:
        return bool(ctx.operation_type == OperationType.MUTATION)
    except RuntimeError:
        return False


def _failed_validation(ctx: Any) -> bool:
    """Parse or validation errors: nothing ran, nothing to audit."""
    result = ctx.result
    return result is not None and any(
        (error.extensions or {}).get("code") in REQUEST_ERROR_CODES
        for error in (getattr(result, "errors", None) or [])
    )


def _code(error: GraphQLError) -> str:
    original = error.original_error
    code = getattr(original, "code", None) or (error.extensions or {}).get("code")
    return str(code) if code else "INTERNAL_SERVER_ERROR"


def _target_of(ctx: Any, field_name: str, value: Any) -> Target:
    """The default target: the mutation's return type, and the id it returned if selected."""
    mutation_type = ctx.schema._schema.mutation_type
    graphql_field = mutation_type.fields.get(field_name) if mutation_type else None
    type_name = get_named_type(graphql_field.type).name if graphql_field else ""
    return Target(type_name, value.get("id") if isinstance(value, dict) else None)


def _root_fields(document: DocumentNode | None, operation_name: str | None) -> Iterator[tuple[str, str]]:
    """(response key, field name) of the selected operation's root fields."""
    if document is None:
        return
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name and (definition.name is None or definition.name.value != operation_name):
            continue
        yield from _fields_of(definition.selection_set, fragments)
        return


def _fields_of(selection_set: SelectionSetNode, fragments: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield (selection.alias or selection.name).value, selection.name.value
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields_of(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            yield from _fields_of(fragments[selection.name.value].selection_set, fragments)
