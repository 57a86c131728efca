"""Writing the audit trail from domain functions.

A mutation records its change inside its own transaction; ``resolvers/common/changes.py``'s
``change()`` does it for every mutation::

    async with change("customers", "Reminder") as audited:
        reminder = await Reminder.create(...)
        audited.id = reminder.id

The audit state of the running GraphQL operation (``AuditScope``) lives in a context variable
set by ``AuditTrail`` (schema/common/audit.py, run by every operation's pipeline:
subgraphs/pipeline.py), which also names the root mutation field being resolved: domain functions
take no GraphQL ``info``. ``AuditTrail`` guarantees every
mutation field leaves exactly one record: it writes the record of a mutation that failed
(``result`` = the error code) or of one whose function did not record itself, and never a second
one. Outside an operation (the seed, the jobs) nothing is recorded: the trail is what users did.
``record_pii_read`` is what field masking calls on an unmasked read; the reads of one operation
are appended together when the operation ends.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from opentelemetry import trace
from starlette.requests import Request
from tortoise import Tortoise

from security.audit_chain import OK, PII_READ, Entry, append

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "x-request-id"


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
    # The root mutation field being resolved: (response key, field name); set by AuditedMutation,
    # the field extension of every mutation field (schema/common/audit.py).
    current: tuple[str, str] | None = None
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
    """``x-request-id`` from the HTTP headers or the WebSocket connectionParams, else the running
    trace's id when tracing is on (subgraphs/tracing.py), else a new one: 32 hex either way."""
    params = getattr(context, "connection_params", None) or {}
    value = params.get(REQUEST_ID_HEADER) or params.get("X-Request-Id")
    request = getattr(context, "request", None)
    if not value and isinstance(request, Request):
        value = request.headers.get(REQUEST_ID_HEADER)
    if isinstance(value, str) and value.strip():
        return value.strip()[:128]
    span = trace.get_current_span().get_span_context()  # the no-op span when tracing is off
    return format(span.trace_id, "032x") if span.is_valid else uuid.uuid4().hex


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


def _slot(scope: AuditScope) -> tuple[str, _Field]:
    if scope.current is None:
        raise RuntimeError("no root mutation field is running (outside subgraphs/pipeline.py?)")
    key, name = scope.current
    return name, scope.fields.setdefault(key, _Field())


def target(target: Target) -> None:
    """Name the target of the running mutation up front, so that the record of its
    failure (written by AuditTrail) says what it was aimed at."""
    scope = _current.get()
    if scope is not None:
        _slot(scope)[1].target = target


async def record(
    *,
    target: Target,
    action: str | None = None,
    result: str = OK,
    detail: dict[str, Any] | None = None,
) -> Any:
    """Append the record of the running mutation, in the caller's transaction (call it inside
    ``in_transaction``, after the change). ``action`` defaults to the field name."""
    scope = _current.get()
    if scope is None:
        return None
    name, slot = _slot(scope)
    if slot.recorded is not None:
        raise RuntimeError(f"{name} was already audited in this operation")
    entry = scope.entry(action or name, target, result, detail or {})
    (slot.recorded,) = await append(audit_model(scope.subgraph), scope.subgraph, [entry])
    slot.target = target
    return slot.recorded


async def record_now(
    *, action: str, target: Target, result: str = OK, detail: dict[str, Any] | None = None
) -> Any:
    """Append a record at once, outside the mutation bookkeeping: what a query audits about
    itself (e.g. a search of the audit trail, allowed or refused)."""
    scope = _current.get()
    if scope is None:
        return None
    entry = scope.entry(action, target, result, detail or {})
    (row,) = await append(audit_model(scope.subgraph), scope.subgraph, [entry])
    return row


def record_pii_read(target: Target, fields: list[str] | tuple[str, ...]) -> None:
    """An unmasked read of ``fields`` of ``target``: appended when the operation's result
    (or a subscription's event) is complete, before it leaves the process, one record per
    target with the fields merged. If the append fails the result is withheld."""
    scope = _current.get()
    if scope is None:
        raise RuntimeError("no audit scope (outside subgraphs/pipeline.py?)")
    scope.pii_reads.setdefault((target.type, target.id_text), set()).update(fields)
