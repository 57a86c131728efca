"""Count each client operation once against its caller's rate limit; refuse with RATE_LIMITED.

Counted where the root fields are resolved: an operation whose root fields are all
``_entities`` / ``_service`` / introspection (the gateway enriching a result, the composer
reading the SDL) is free, so one client query fanning out through ``_entities`` counts once.
A query whose root fields live in k subgraphs counts k times. A subscription counts once, when
it starts (over the limit it is refused with the same RATE_LIMITED error).

The limiter and its numbers are set by the app (``app.state.rate_limit``); a schema executed
outside the app (tests in process, ``dcms schema export``) is not limited.
"""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, OperationDefinitionNode, get_operation_ast
from strawberry.types import ExecutionContext

from observability.metrics import REJECTED, subgraph_of_path
from resolvers.common.errors import CodedError, ErrorCode

FREE_ROOT_FIELDS = frozenset({"_entities", "_service", "__typename", "__schema", "__type"})


async def rate_limit_refusal(ctx: ExecutionContext) -> CodedError | None:
    """Counts the operation; RATE_LIMITED when its caller is over the limit, else None. Run before
    execution by the subgraph's schema extension (subgraphs/pipeline.py), whatever an earlier
    check decided: anonymous operations count too."""
    request = getattr(ctx.context, "request", None)
    app = request.scope.get("app") if request is not None else None
    config = getattr(getattr(app, "state", None), "rate_limit", None)
    if config is None or not _counted(ctx.graphql_document, ctx.operation_name):
        return None
    limiter, limits = config
    principal = ctx.context.principal
    if principal is not None:
        key, limit = f"user:{principal.user_id}", limits.rate_limit
    else:
        key, limit = f"ip:{client_ip(request)}", limits.rate_limit_anonymous
    if limit <= 0:
        return None
    decision = await limiter.hit(key, limit, limits.rate_window)
    if decision.allowed:
        return None
    path = request.scope.get("path", "") if request is not None else ""
    REJECTED.labels(subgraph_of_path(path), ErrorCode.RATE_LIMITED.value).inc()
    return rate_limited(decision.retry_after)


def rate_limited(retry_after: int) -> CodedError:
    error = CodedError(ErrorCode.RATE_LIMITED, f"too many requests: retry after {retry_after} s")
    error.extensions = {**(error.extensions or {}), "retryAfter": retry_after}
    return error


def client_ip(request: Any) -> str:
    """The client's address: as the gateway reported it on a signed request, else the peer."""
    state = request.scope.get("state") or {}
    forwarded = state.get("client_ip")
    if forwarded:
        return str(forwarded)
    client = request.scope.get("client")
    return str(client[0]) if client else "unknown"


def _counted(document: Any, operation_name: str | None) -> bool:
    operation = get_operation_ast(document, operation_name) if document is not None else None
    if not isinstance(operation, OperationDefinitionNode):
        return False
    return any(
        not isinstance(selection, FieldNode) or selection.name.value not in FREE_ROOT_FIELDS
        for selection in operation.selection_set.selections
    )
