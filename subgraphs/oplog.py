"""Logs a person can read: one line per failed operation, a traceback only for a fault.

Every failed operation leaves one line on the ``dcms.operations`` logger, key=value::

    operation failed code=NOT_FOUND op=CustomerPage subgraph=customers request_id=3f2a…
        user=5d1c… duration_ms=12.3      (one line in the log)

- ``code``: the error codes of the result, in order, comma-separated (``INTERNAL_SERVER_ERROR``
  for an unexpected error, ``GRAPHQL_VALIDATION_FAILED`` for a document that does not validate);
- ``op``: the operation name (``-`` for an anonymous operation);
- ``request_id``: the one the audit trail records (the client's ``x-request-id``, which the gateway
  sets when the client sent none, so the gateway's log line carries the same id);
- ``user``: the caller's user id (``-`` when anonymous); ``duration_ms``: parse to result.

A coded error (NOT_FOUND, FORBIDDEN, BAD_USER_INPUT …) is the client's business: the line at
INFO, no traceback. An unexpected error is a fault: the line at ERROR, and its traceback once
(``SubgraphSchema.process_errors``), under the same request id. Values that are not plain
(a client's request id with spaces or newlines) have those characters replaced by ``_`` so one
operation stays one line.
"""

from __future__ import annotations

import logging
import re
import sys
import time
from collections.abc import Iterable
from typing import Any

from graphql import GraphQLError
from strawberry.types import ExecutionContext

from observability.metrics import record_operation
from resolvers.common.audit import request_id_of, running_scope
from resolvers.common.errors import ErrorCode

logger = logging.getLogger("dcms.operations")
_UNSAFE = re.compile(r"[^A-Za-z0-9._:/@+-]")


def _plain(value: Any) -> str:
    text = "-" if value is None or value == "" else str(value)
    return _UNSAFE.sub("_", text)[:128]


def error_code(error: GraphQLError) -> str:
    code = (error.extensions or {}).get("code")
    if code:
        return str(code)
    return (
        ErrorCode.GRAPHQL_VALIDATION_FAILED.value
        if error.original_error is None
        else ErrorCode.INTERNAL_SERVER_ERROR.value
    )


def request_id(context: Any) -> str:
    """The audit trail's request id of the running operation (one id per operation, even when
    the client sent none), else the one the request carries."""
    scope = running_scope()
    if scope is not None and scope.context is context:
        return scope.request_id
    return request_id_of(context)


def failure_line(
    codes: Iterable[str], operation: str | None, subgraph: str, request: str, user: Any, duration_ms: float
) -> str:
    unique = ",".join(dict.fromkeys(_plain(code) for code in codes))
    return (
        f"operation failed code={unique} op={_plain(operation)} subgraph={subgraph} "
        f"request_id={_plain(request)} user={_plain(user)} duration_ms={duration_ms:.1f}"
    )


def _user(context: Any) -> Any:
    principal = getattr(context, "principal", None)
    return principal.user_id if principal is not None else None


def _kind(ctx: ExecutionContext) -> str:
    """query, mutation or subscription; unknown when the document did not parse."""
    if ctx.graphql_document is None:
        return "unknown"
    try:
        return ctx.operation_type.value
    except Exception:  # no such operation in the document
        return "unknown"


def log_operation(
    ctx: ExecutionContext, subgraph: str, started: float, raised: BaseException | None = None
) -> None:
    """The line of a failed operation, and every operation's metrics, once its result is known
    (``raised``: what an extension refused it with, re-raised after). Run by the subgraph's schema
    extension (subgraphs/pipeline.py) before the errors are masked, so the line carries their codes."""
    errors = list(getattr(ctx.result, "errors", None) or ctx.pre_execution_errors or [])
    codes = [error_code(e) for e in errors]
    if isinstance(raised, GraphQLError):
        codes.append(error_code(raised))
    elif isinstance(raised, Exception):
        codes.append(ErrorCode.INTERNAL_SERVER_ERROR.value)
    seconds = time.perf_counter() - started
    record_operation(subgraph, ctx.operation_name, _kind(ctx), codes, seconds)  # observability/metrics.py
    if codes:
        line = failure_line(
            codes, ctx.operation_name, subgraph, request_id(ctx.context), _user(ctx.context), seconds * 1000
        )
        fault = ErrorCode.INTERNAL_SERVER_ERROR.value in codes
        logger.log(logging.ERROR if fault else logging.INFO, line)


def log_unexpected(errors: list[GraphQLError], context: Any, operation: str | None) -> None:
    """The traceback of each unexpected error, once, under the operation's request id."""
    scope = running_scope()
    for error in errors:
        logger.error(
            "unexpected error op=%s subgraph=%s request_id=%s user=%s: %s",
            _plain(operation),
            _plain(scope.subgraph if scope is not None else None),
            _plain(request_id(context)),
            _plain(_user(context)),
            error.message,
            exc_info=error.original_error,
        )


def configure_logging() -> None:
    """``dcms serve`` / ``dcms up``: the operations log on stderr, one line each, with the time.
    Left alone when something (a test, an embedding app) configured it already."""
    if logger.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
