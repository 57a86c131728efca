"""How every subgraph's schema is built: federation 2.9 and the same pipeline (subgraphs/pipeline.py).

Query limits come from the environment (``Limits.from_env``, the same numbers the gateway
gets); introspection is off unless ``DCMS_DEV=1``.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Awaitable, Callable, Coroutine, Generator
from typing import Any

import strawberry
from graphql import GraphQLError, located_error
from strawberry.federation.schema import FederationAny
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext
from strawberry.types.base import get_object_definition
from strawberry.utils.inspect import get_func_args

from resolvers.common.errors import service_unavailable
from schema.common.audit import AuditedMutation
from schema.common.errors import coded
from schema.common.inputs import SCALAR_OVERRIDES, representation_error, storage_input_error
from schema.common.prefetch import prefetch_entities
from security.outage import unavailable
from subgraphs.execution import SubgraphExecutor
from subgraphs.oplog import log_unexpected
from subgraphs.pipeline import Pipeline, PipelineRules
from subgraphs.settings import Limits, dev_mode_from_env, numbers_from_env


class SubgraphSchema(strawberry.federation.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log unexpected errors only: a coded error (NOT_FOUND, CONFLICT, …) is an answer, not a fault.
        A value its column refused (schema/common/inputs.py) becomes BAD_USER_INPUT here, in place,
        before it is logged or masked."""
        for index, error in enumerate(errors):
            if coded(error) is None:
                if refused := storage_input_error(error.original_error):
                    errors[index] = located_error(refused, error.nodes, error.path)
                else:  # the database or Redis gone: SERVICE_UNAVAILABLE, logged once per outage
                    errors[index] = degrade(error)
        # A fault has an original error that is not ours; parse and validation errors have none.
        unexpected = [e for e in errors if e.original_error is not None and coded(e) is None]
        if unexpected:  # a fault: its traceback, once; every failure is also one line (subgraphs/oplog.py)
            context, operation = getattr(execution_context, "context", None), None
            with contextlib.suppress(Exception):  # the operation name needs a parsed document
                operation = execution_context.operation_name if execution_context else None
            log_unexpected(unexpected, context, operation)

    def entities_resolver(  # the annotations are Strawberry's: they type the `_entities` field
        self, info: strawberry.Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        """A representation of no entity here (another subgraph's type, no ``__typename``, keys
        its ``resolve_reference`` does not take) gets BAD_USER_INPUT at its index, not a KeyError."""
        type_map = self.schema_converter.type_map
        results: list[Any] = [representation_error(r, type_map) for r in representations]
        valid = [index for index, error in enumerate(results) if error is None]
        for index in valid:  # a coroutine's resolve_reference: called when its entity is awaited
            results[index] = deferred_reference(info, representations[index], type_map)
        by_strawberry = [index for index in valid if results[index] is None]
        resolved = super().entities_resolver(info, [representations[index] for index in by_strawberry])
        for index, result in zip(by_strawberry, resolved, strict=True):
            results[index] = result
        return prefetch_entities(info, results)


def deferred_reference(info: strawberry.Info, representation: Any, type_map: Any) -> Awaitable[Any] | None:
    """The entity ``representation`` names, resolved by its type's ``async`` ``resolve_reference``
    only when awaited (None for a type without one: Strawberry builds it from the keys). Called
    there and then, as Strawberry calls it, the coroutine could be dropped never awaited: a root
    sibling's error cancels the operation while ``_entities`` waits for its prefetch, and Python's
    warning about it fails (a traceback in the log) when the coroutine is collected inside a frame
    without builtins, such as graphql-core's ``Path`` (a named tuple) being built."""
    origin = type_map[representation["__typename"]].definition.origin
    resolve_reference = getattr(origin, "resolve_reference", None)
    if not inspect.iscoroutinefunction(resolve_reference):
        return None
    keys = {key: value for key, value in representation.items() if key != "__typename"}
    if "info" in get_func_args(resolve_reference):
        keys["info"] = info
    return Deferred(functools.partial(resolve_reference, **keys))


class Deferred:
    """An awaitable that makes its coroutine when awaited, so dropping it leaves none behind."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        self.make = make

    def __await__(self) -> Generator[Any, None, Any]:
        return self.make().__await__()


def degrade(error: GraphQLError) -> GraphQLError:
    """``error`` as SERVICE_UNAVAILABLE when it shows the database or Redis gone (one log line per
    outage: security/outage.py, not a traceback per request), else unchanged.

    What works without Redis: every operation that needs no session store (reads, and mutations
    other than login, refreshToken, logout, switchRole, changePassword), with revocations checked
    against those this process made (security/sessions.py). Without the database nothing works."""
    if coded(error) is not None:
        return error
    outage = unavailable(error.original_error)
    if outage is None:
        return error
    refusal = service_unavailable(outage.name)
    return GraphQLError(
        refusal.message, error.nodes, error.source, error.positions, error.path, refusal, refusal.extensions
    )


def build_schema(
    subgraph: str,
    query: type,
    mutation: type | None = None,
    subscription: type | None = None,
    types: list[Any] | None = None,
) -> SubgraphSchema:
    """``subgraph`` names the audit table this schema writes (resolvers/common/audit.py)."""
    limits = numbers_from_env(Limits())
    dev_mode = dev_mode_from_env()
    if mutation is not None:  # each mutation field names itself for its audit record
        for field in get_object_definition(mutation, strict=True).fields:
            if not any(isinstance(extension, AuditedMutation) for extension in field.extensions):
                field.extensions.append(AuditedMutation())
    return SubgraphSchema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=types or [],
        # Strawberry 0.341 defaults to 2.11, which the composers reject.
        federation_version="2.9",
        scalar_overrides=SCALAR_OVERRIDES,  # Decimal: finite and in range, or BAD_USER_INPUT
        # A JSON array body of more than max_batch operations is refused (coded, subgraphs/app.py).
        config=StrawberryConfig(batching_config={"max_operations": limits.max_batch}),
        # Each subscription event with its own caches: constant memory per subscription.
        execution_context_class=SubgraphExecutor,
        # One extension runs every rule of an operation, in the order subgraphs/pipeline.py gives.
        extensions=[functools.partial(Pipeline, PipelineRules.of(subgraph, limits, dev_mode))],
    )
