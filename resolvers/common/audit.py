"""Writing the audit trail from resolvers.

A mutation resolver records its change inside its own transaction::

    async with in_transaction("customers"):
        reminder = await Reminder.create(...)
        await audit.record(info, target=audit.Target("Reminder", reminder.id))

The ``AuditTrail`` schema extension (subgraphs/schema.py) guarantees every mutation
field leaves exactly one record: it writes the record of a mutation that failed
(``result`` = the error code) or of one whose resolver did not record itself, and
never a second one. ``record_pii_read`` is what field masking calls on an unmasked read;
the reads of one operation are appended together when the operation ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.language import DocumentNode
from starlette.requests import Request
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType
from tortoise import Tortoise

from schema.common.errors import CodedError, ErrorCode, service_unavailable
from security.audit_chain import OK, PII_READ, Entry, append
from security.outage import unavailable

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "x-request-id"
# Parse and validation errors: the document never ran, so there is nothing to audit.
REQUEST_ERROR_CODES = frozenset({ErrorCode.GRAPHQL_PARSE_FAILED, ErrorCode.GRAPHQL_VALIDATION_FAILED})


@dataclass(frozen=True)
class Target:
    """What an action was done to: an entity type and its id."""

    type: str
    id: Any = None

    @property
    def id_text(self) -> str | None:
        return None if self.id is None else str(self.id)


@dataclass
class _Field:
    """One root mutation field of the running operation."""

    recorded: Any = None  # the record its resolver wrote (may still roll back)
    target: Target | None = None  # named up front, for the record of a failure


@dataclass
class AuditScope:
    """The audit state of one GraphQL operation."""

    subgraph: str
    context: Any
    request_id: str
    fields: dict[str, _Field] = field(default_factory=dict)
    pii_reads: dict[tuple[str, str | None], set[str]] = field(default_factory=dict)

    def entry(self, action: str, target: Target | None, result: str, detail: dict[str, Any]) -> Entry:
        principal = getattr(self.context, "principal", None)
        return Entry(
            action=action,
            target_type=target.type if target else "",
            target_id=target.id_text if target else None,
            result=result,
            actor_id=principal.user_id if principal else None,
            actor_username=principal.username if principal else None,
            actor_role=principal.active_role if principal else "",
            request_id=self.request_id,
            detail=detail,
        )

    async def flush_pii_reads(self) -> None:
        if not self.pii_reads:
            return
        entries = [
            self.entry(PII_READ, Target(kind, target_id), OK, {"fields": sorted(names)})
            for (kind, target_id), names in self.pii_reads.items()
        ]
        self.pii_reads.clear()
        await append(audit_model(self.subgraph), self.subgraph, entries)


_current: ContextVar[AuditScope | None] = ContextVar("dcms_audit_scope", default=None)


def audit_model(subgraph: str) -> Any:
    """The ``AuditRecord`` model of a subgraph open in this process."""
    return Tortoise.apps[subgraph]["AuditRecord"]


def running_scope() -> AuditScope | None:
    """The audit state of the operation running in this task (None outside one)."""
    return _current.get()


def request_id_of(context: Any) -> str:
    """``x-request-id`` from the HTTP headers or the WebSocket connectionParams, else a new one."""
    params = getattr(context, "connection_params", None) or {}
    value = params.get(REQUEST_ID_HEADER) or params.get("X-Request-Id")
    request = getattr(context, "request", None)
    if not value and isinstance(request, Request):
        value = request.headers.get(REQUEST_ID_HEADER)
    if isinstance(value, str) and value.strip():
        return value.strip()[:128]
    return uuid.uuid4().hex


@contextlib.asynccontextmanager
async def operation(subgraph: str, context: Any) -> AsyncIterator[AuditScope]:
    """The audit scope of one operation; PII reads are appended when it ends."""
    scope = AuditScope(subgraph, context, request_id_of(context))
    token = _current.set(scope)
    try:
        yield scope
        await scope.flush_pii_reads()
    finally:
        _reset(token)


def _reset(token: Any) -> None:
    with contextlib.suppress(ValueError):  # a subscription may end in another context
        _current.reset(token)


def _scope(info: Any) -> AuditScope:
    scope = _current.get()
    if scope is None:
        raise RuntimeError("no audit scope: is the AuditTrail extension in the schema?")
    return scope


def _root_key(info: Any) -> str:
    path = info.path
    while path.prev is not None:
        path = path.prev
    return str(path.key)


def target(info: Any, target: Target) -> None:
    """Name the target of the running mutation up front, so that the record of its
    failure (written by the extension) says what it was aimed at."""
    _scope(info).fields.setdefault(_root_key(info), _Field()).target = target


async def record(
    info: Any,
    *,
    target: Target,
    action: str | None = None,
    result: str = OK,
    detail: dict[str, Any] | None = None,
) -> Any:
    """Append the record of the running mutation, in the caller's transaction (call it
    inside ``in_transaction``, after the change). ``action`` defaults to the field name."""
    scope = _scope(info)
    slot = scope.fields.setdefault(_root_key(info), _Field())
    if slot.recorded is not None:
        raise RuntimeError(f"{info.field_name} was already audited in this operation")
    entry = scope.entry(action or info.field_name, target, result, detail or {})
    (slot.recorded,) = await append(audit_model(scope.subgraph), scope.subgraph, [entry])
    slot.target = target
    return slot.recorded


async def record_now(
    info: Any, *, action: str, target: Target, result: str = OK, detail: dict[str, Any] | None = None
) -> Any:
    """Append a record at once, outside the mutation bookkeeping: what a query audits about
    itself (e.g. a search of the audit trail, allowed or refused)."""
    scope = _scope(info)
    entry = scope.entry(action, target, result, detail or {})
    (row,) = await append(audit_model(scope.subgraph), scope.subgraph, [entry])
    return row


async def record_pii_read(info: Any, target: Target, fields: list[str] | tuple[str, ...]) -> None:
    """An unmasked read of ``fields`` of ``target``: appended when the operation's result
    (or a subscription's event) is complete, before it leaves the process, one record per
    target with the fields merged. If the append fails the result is withheld."""
    _scope(info).pii_reads.setdefault((target.type, target.id_text), set()).update(fields)


def audit_trail(subgraph: str) -> SchemaExtension:
    """The extension for one operation. A synchronous execution (``execute_sync``, e.g. the
    SDL export) runs no resolver that writes, and cannot await the audit table: it gets none."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return SchemaExtension()
    return AuditTrail(subgraph=subgraph)


class AuditTrail(SchemaExtension):
    """Every mutation field leaves exactly one audit record, failed ones included."""

    def __init__(self, *, subgraph: str) -> None:
        self.subgraph = subgraph

    async def on_operation(self) -> AsyncIterator[None]:  # type: ignore[override]
        ctx = self.execution_context
        scope = AuditScope(self.subgraph, ctx.context, request_id_of(ctx.context))
        token = _current.set(scope)
        try:
            yield
            try:
                await scope.flush_pii_reads()
                if _is_mutation(ctx) and ctx.graphql_document is not None and not _failed_validation(ctx):
                    await self._complete(scope)
            except Exception as error:
                _withhold(ctx.result, error)
        finally:
            _reset(token)

    async def on_stream_result(self, result: Any) -> AsyncIterator[None]:  # type: ignore[override]
        """WebSocket / SSE: each event's unmasked reads are appended before the event is sent."""
        scope = _current.get()
        if scope is not None and scope.pii_reads:
            try:
                await scope.flush_pii_reads()
            except Exception as error:
                _withhold(result, error)
        yield

    async def _complete(self, scope: AuditScope) -> None:
        ctx = self.execution_context
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


def _withhold(result: Any, error: Exception) -> None:
    """The audit trail could not be written: send no data, only a coded error. With the database
    gone that is SERVICE_UNAVAILABLE, logged once per outage: not the audit trail's fault, nor a
    traceback per request (security/outage.py)."""
    outage = unavailable(error)
    if outage is None:
        logger.exception("audit trail append failed")
    if result is not None:
        result.data = None
        result.errors = [
            service_unavailable(outage.name)
            if outage is not None
            else CodedError(ErrorCode.INTERNAL_SERVER_ERROR, "审计日志不可用 (audit trail unavailable)")
        ]


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


def _root_fields(document: DocumentNode, operation_name: str | None) -> Iterator[tuple[str, str]]:
    """(response key, field name) of the selected operation's root fields."""
    fragments = {d.name.value: d for d in document.definitions if hasattr(d, "type_condition")}
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
