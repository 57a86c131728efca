"""Every subgraph operation's pipeline: one schema extension running each rule, in this order.

Strawberry wraps every hook of every extension in a context manager of its own for each operation
(made afresh, ``functools.update_wrapper`` included), so the fifteen extensions there were (17
hooks) cost a trivial operation more than its rules did (about 190 of 750 µs of CPU for
``{ me { id } }``). ``Pipeline``
is the one extension of every subgraph's schema (subgraphs/schema.py); each rule stays a plain
function in its own module, called here:

- **operation, before** — the validation rules of the query limits (depth, aliases, introspection
  outside dev mode: security/query_limits.py) and of string literals (schema/common/inputs.py);
  the audit scope opened (schema/common/audit.py); the clock of the operation log started.
- **parse** — the document from the parser cache, the token limit given to the parser, a parse
  error coded (security/query_limits.py ``parse_document``).
- **validate** — validated once per document and rules (Strawberry's validation cache), the errors
  coded GRAPHQL_VALIDATION_FAILED (schema/common/inputs.py ``code_request_errors``). With the
  parser cache: ~1,450 → ~250 µs per repeated operation (send variables, not spliced values).
- **execute, before** — each check sets the refusal as the result, and nothing executes then:
  1. authentication: a mutation whose gateway signature was used at another replica FORBIDDEN, the
     session's revocation looked up, an anonymous caller UNAUTHENTICATED outside the open fields
     (schema/common/authentication.py);
  2. the outbox apps the functions record events in are collected (schema/common/events.py);
  3. the rate limit counts every operation, anonymous and refused ones too, and its RATE_LIMITED
     replaces an earlier refusal (schema/common/rate_limiting.py);
  4. strings in the variables (NUL, lone surrogates, too long): BAD_USER_INPUT (inputs.py);
  5. the cost, which needs the variables (security/query_limits.py ``cost_refusal``);
  6. a subscription with a refusal raises it: Strawberry 0.341 runs a subscription whatever result
     this hook set (only queries and mutations check it); raised, the refusal is the
     subscription's one answer.
- **execute, after** — the relay woken for the events recorded (events.py).
- **each streamed result** (a subscription's events) — its unmasked reads appended to the audit
  trail, then its errors masked.
- **operation, after** — in this order: the operation log's line, which needs the errors unmasked
  (subgraphs/oplog.py); the errors masked (schema/common/errors.py ``mask_errors``); the audit
  trail completed: reads appended, one record per mutation field, failed ones included, the data
  withheld when the trail cannot be written; the audit scope closed. When the operation raised
  (a refusal of Strawberry's, a cancellation), only its line is logged and the scope closed.

The hooks are async: the schemas run with ``execute``, ``subscribe`` and ``stream``, never
``execute_sync``.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import ASTValidationRule, ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension, ValidationCache
from strawberry.types.graphql import OperationType

from resolvers.common.errors import ErrorCode
from schema.common.audit import AuditTrail, audit_stream_result
from schema.common.authentication import authentication_refusal
from schema.common.errors import graphql_error, mask_errors
from schema.common.events import waking_relay
from schema.common.inputs import StringLiterals, code_request_errors, variables_problem
from schema.common.rate_limiting import rate_limit_refusal
from security.query_limits import cost_refusal, limit_rules, parse_document
from subgraphs.oplog import log_operation
from subgraphs.settings import Limits

# Strawberry's validation cache (an LRU keyed by schema, document and rules, shared by every schema).
_cached_validate = ValidationCache().cached_validate_document


@dataclass(frozen=True)
class PipelineRules:
    """What one subgraph's pipeline checks with, built once with its schema."""

    subgraph: str  # names the audit table and the operation log's lines
    limits: Limits
    validation_rules: tuple[type[ASTValidationRule], ...]

    @classmethod
    def of(cls, subgraph: str, limits: Limits, dev_mode: bool) -> PipelineRules:
        """Introspection is refused outside dev mode."""
        rules = limit_rules(limits.max_depth, limits.max_aliases, introspection=dev_mode)
        return cls(subgraph, limits, (*rules, StringLiterals))


class Pipeline(SchemaExtension):
    """The rules of the module docstring; one instance per operation (Strawberry sets its
    ``execution_context``)."""

    def __init__(self, rules: PipelineRules) -> None:
        self.rules = rules
        self._stream_masked = False  # a stream's results are masked one by one, not again at the end

    async def on_operation(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        subgraph = self.rules.subgraph
        ctx.validation_rules = (*ctx.validation_rules, *self.rules.validation_rules)
        audit = AuditTrail(subgraph, ctx)
        started = time.perf_counter()
        try:
            try:
                yield
            except BaseException as raised:
                log_operation(ctx, subgraph, started, raised)
                raise
            log_operation(ctx, subgraph, started)
            if not self._stream_masked:
                mask_errors(ctx.result)
            await audit.complete()
        finally:
            audit.close()

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        assert ctx.query is not None  # Strawberry refuses an operation without one before parsing
        ctx.graphql_document = parse_document(ctx.query, self.rules.limits.max_tokens)
        yield

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        errors: list[GraphQLError] = _cached_validate(
            ctx.schema._schema, ctx.graphql_document, ctx.validation_rules
        )
        code_request_errors(errors, ErrorCode.GRAPHQL_VALIDATION_FAILED)
        ctx.pre_execution_errors = errors
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        refusal = await authentication_refusal(ctx)
        with waking_relay(ctx.context):
            refusal = await rate_limit_refusal(ctx) or refusal
            if refusal is None:
                refusal = variables_problem(ctx.variables)
            if refusal is not None:
                ctx.result = ExecutionResult(data=None, errors=[graphql_error(refusal)])
            elif ctx.graphql_document is not None:
                limits = self.rules.limits
                cost = cost_refusal(
                    ctx.schema._schema,
                    ctx.graphql_document,
                    ctx.operation_name,
                    ctx.variables,
                    limits.max_cost,
                    limits.default_list_size,
                )
                if cost is not None:
                    ctx.result = ExecutionResult(data=None, errors=[cost])
            errors = ctx.result.errors if ctx.result is not None else None
            if errors and ctx.operation_type is OperationType.SUBSCRIPTION:
                raise errors[0]
            yield

    async def on_stream_result(self, result: Any) -> AsyncIterator[None]:
        await audit_stream_result(result)
        self._stream_masked = True
        mask_errors(result)
        yield
