"""OpenTelemetry traces of the subgraphs (docs/observability.md, "Traces").

On only when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set, configured once per process by
``build_app`` (``configure``). Then each process has:

- a SERVER span per HTTP request to a subgraph (``ServerSpans``, a plain ASGI middleware), the
  child of the gateway's span through the W3C ``traceparent`` header the gateway sends;
- a CLIENT span per SQL statement sent through Tortoise (PostgreSQL and the embedded SQLite alike:
  the statement's text, never its parameters);
- a CLIENT span per Redis command or pipeline (``redis.asyncio``; not the long-lived pub/sub reads).

SQL and Redis spans are made only inside a recorded span: the background jobs' polling and the
realtime relay make no trace of their own (a root span per poll would drown the operations).
Spans leave batched over OTLP/HTTP protobuf; the SDK reads the standard ``OTEL_*`` variables
(``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_SERVICE_NAME``, ``OTEL_TRACES_SAMPLER``, ``OTEL_BSP_*`` …).

Unset, ``configure`` returns at once: no tracer provider is installed (the API's no-op proxy stays),
no middleware is added and nothing is wrapped, so a request costs what it cost before.
"""

from __future__ import annotations

import contextvars
import functools
import os
from collections.abc import Awaitable, Callable
from typing import Any

from opentelemetry import propagate, trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ENDPOINT_VARIABLE = "OTEL_EXPORTER_OTLP_ENDPOINT"
_TRACER = "dcms.subgraphs"
_SQL_METHODS = ("execute_query", "execute_query_dict", "execute_insert", "execute_many", "execute_script")
_configured = False
_tracer_of_process: trace.Tracer | None = None  # made once by configure: get_tracer costs a span's worth
# Set while a SQL span is open: a transaction wrapper's method calling its parent's makes one span.
_in_statement: contextvars.ContextVar[bool] = contextvars.ContextVar("dcms_in_sql_span", default=False)


def enabled() -> bool:
    return bool(os.environ.get(ENDPOINT_VARIABLE, "").strip())


def service_name(names: tuple[str, ...]) -> str:
    from subgraphs.settings import SUBGRAPHS

    if set(names) == set(SUBGRAPHS):
        return "dcms-subgraphs"
    return "dcms-" + "+".join(names)


def configure(names: tuple[str, ...]) -> bool:
    """Install the SDK, the OTLP exporter and the SQL / Redis hooks, once per process, when the
    endpoint is set. Answers whether tracing is on."""
    global _configured, _tracer_of_process
    if not enabled():
        return False
    if _configured:
        return True
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    name = os.environ.get("OTEL_SERVICE_NAME", "").strip() or service_name(names)
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))  # OTEL_BSP_* read here
    trace.set_tracer_provider(provider)
    _tracer_of_process = provider.get_tracer(_TRACER)
    _trace_sql()
    _trace_redis()
    _configured = True
    return True


def trace_id_hex() -> str | None:
    """The running span's trace id (32 hex), for a request id when the request brought none."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def _tracer() -> trace.Tracer:
    return _tracer_of_process or trace.get_tracer(_TRACER)


# -- server spans ------------------------------------------------------------------------------------


class ServerSpans:
    """A SERVER span per HTTP request, continuing the caller's trace (W3C ``traceparent``).
    WebSockets are left alone: a subscription's socket lives for hours, not one operation."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        carrier = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
        parent = propagate.extract(carrier)
        path = scope.get("path", "")
        subgraph = path.strip("/").split("/")[0] if path.endswith("/graphql") else None
        attributes: dict[str, Any] = {"http.request.method": scope["method"], "url.path": path}
        if subgraph:
            attributes["dcms.subgraph"] = subgraph
        if operation := carrier.get("x-request-id"):
            attributes["dcms.request_id"] = operation[:128]
        with _tracer().start_as_current_span(
            f"{scope['method']} {path}", context=parent, kind=trace.SpanKind.SERVER, attributes=attributes
        ) as span:

            async def sending(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_status(trace.StatusCode.ERROR)
                await send(message)

            await self.app(scope, receive, sending)


# -- SQL ---------------------------------------------------------------------------------------------


def _client_classes() -> list[type]:
    """Every Tortoise client class (PostgreSQL, SQLite, their transaction wrappers, ours)."""
    import tortoise.backends.asyncpg.client
    import tortoise.backends.sqlite.client  # noqa: F401
    from tortoise.backends.base.client import BaseDBAsyncClient

    import subgraphs.sqlite_engine  # noqa: F401  (ImmediateTransaction)

    found: list[type] = []
    stack: list[type] = [BaseDBAsyncClient]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(type.__subclasses__(cls))
    return found


def _db_system(client: Any) -> str:
    dialect = str((getattr(client, "capabilities", None) and client.capabilities.dialect) or "")
    return {"postgres": "postgresql", "sqlite": "sqlite"}.get(dialect, dialect or "sql")


def _trace_sql() -> None:
    for cls in _client_classes():
        for name in _SQL_METHODS:
            original = cls.__dict__.get(name)
            if original is None or getattr(original, "_dcms_traced", False):
                continue
            setattr(cls, name, _sql_span(original))


def _sql_span(original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(original)
    async def traced(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
        if _in_statement.get() or not trace.get_current_span().is_recording():
            return await original(self, query, *args, **kwargs)
        statement = query.lstrip().split(None, 1)[0].upper() if query.strip() else "SQL"
        system = _db_system(self)
        token = _in_statement.set(True)
        try:
            with _tracer().start_as_current_span(
                f"{statement} {system}",
                kind=trace.SpanKind.CLIENT,
                attributes={
                    "db.system.name": system,
                    "db.operation.name": statement,
                    "db.query.text": query[:2000],  # the text only: parameters are bound apart
                },
            ):
                return await original(self, query, *args, **kwargs)
        finally:
            _in_statement.reset(token)

    traced._dcms_traced = True  # type: ignore[attr-defined]
    return traced


# -- Redis -------------------------------------------------------------------------------------------


def _trace_redis() -> None:
    import redis.asyncio.client as client

    for cls, name in ((client.Redis, "execute_command"), (client.Pipeline, "execute")):
        original = cls.__dict__.get(name)
        if original is None or getattr(original, "_dcms_traced", False):
            continue
        setattr(cls, name, _redis_span(original, pipeline=cls is client.Pipeline))


def _redis_span(original: Callable[..., Awaitable[Any]], *, pipeline: bool) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(original)
    async def traced(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not trace.get_current_span().is_recording():
            return await original(self, *args, **kwargs)
        if pipeline:
            commands = [str(c[0][0]) for c in getattr(self, "command_stack", []) if c and c[0]]
            operation = "MULTI" if getattr(self, "is_transaction", False) else "PIPELINE"
            attributes: dict[str, Any] = {
                "db.operation.name": operation,
                "db.operation.batch.size": len(commands),
            }
            text = " ".join(commands[:20])
        else:
            operation = str(args[0]) if args else "COMMAND"
            attributes = {"db.operation.name": operation}
            text = operation  # the command only: keys and values may name a user or hold a token
        attributes.update({"db.system.name": "redis", "db.query.text": text})
        with _tracer().start_as_current_span(
            f"{operation} redis", kind=trace.SpanKind.CLIENT, attributes=attributes
        ):
            return await original(self, *args, **kwargs)

    traced._dcms_traced = True  # type: ignore[attr-defined]
    return traced
