"""OpenTelemetry traces (issue 18, docs/observability.md "Traces"): one client operation across
subgraphs is one connected trace, from the gateway's span through each subgraph's server span to
its SQL statements and Redis commands, and the request id is the trace id. Without
OTEL_EXPORTER_OTLP_ENDPOINT nothing of it is installed.

A small stack of its own (``dcms serve`` and the real gateway, on the session stack's database
and keys) exports to an OTLP/HTTP receiver in this process."""

from __future__ import annotations

import gzip
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import redis.asyncio.client as redis_client
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span
from tortoise.backends.base.client import BaseDBAsyncClient

from subgraphs import tracing
from subgraphs.app import build_app
from subgraphs.gateway import start_gateway, wait_until_up
from subgraphs.sdl import write_all
from subgraphs.settings import Settings
from testkit.factories import Tenant, make_tenant
from tests.support import services
from tests.support.queries import CROSS_SUBGRAPH
from tests.support.stack import Stack, free_port, subprocess_env

WRONG_LOGIN = (
    'mutation TracedLogin { login(username: "nobody-traces", password: "Wrong@pass123") { accessToken } }'
)


@dataclass(frozen=True)
class Exported:
    """One span as received, with its service's name."""

    service: str
    span: Span

    @property
    def trace_id(self) -> str:
        return self.span.trace_id.hex()

    @property
    def span_id(self) -> str:
        return self.span.span_id.hex()

    @property
    def parent_id(self) -> str:
        return self.span.parent_span_id.hex()

    def attribute(self, key: str) -> str | None:
        for kv in self.span.attributes:
            if kv.key == key:
                return str(kv.value.string_value)
        return None


class Receiver:
    """An OTLP/HTTP receiver: POST /v1/traces, protobuf (ExportTraceServiceRequest)."""

    def __init__(self) -> None:
        self.spans: list[Exported] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self._body()
                if self.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path != "/v1/traces" or "protobuf" not in (self.headers.get("content-type") or ""):
                    self.send_response(415)
                    self.end_headers()
                    return
                request = ExportTraceServiceRequest.FromString(body)
                with receiver.lock:
                    for resource_spans in request.resource_spans:
                        service = next(
                            (
                                kv.value.string_value
                                for kv in resource_spans.resource.attributes
                                if kv.key == "service.name"
                            ),
                            "-",
                        )
                        for scope_spans in resource_spans.scope_spans:
                            receiver.spans += [Exported(service, span) for span in scope_spans.spans]
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.end_headers()
                self.wfile.write(b"")

            def _body(self) -> bytes:
                if "chunked" not in (self.headers.get("transfer-encoding") or "").lower():
                    return self.rfile.read(int(self.headers.get("content-length") or 0))
                chunks = []  # Node's exporter streams its body: chunked transfer encoding
                while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):  # trailers
                    pass
                return b"".join(chunks)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def of(self, trace_id: str) -> list[Exported]:
        with self.lock:
            return [s for s in self.spans if s.trace_id == trace_id]

    def wait_for(self, trace_id: str, done: object, seconds: float = 20) -> list[Exported]:
        """The trace's spans once ``done(spans)`` holds (spans leave in batches, every 100 ms here)."""
        deadline = time.monotonic() + seconds
        while True:
            spans = self.of(trace_id)
            if done(spans):  # type: ignore[operator]
                return spans
            assert time.monotonic() < deadline, f"trace {trace_id} incomplete: {[s.span.name for s in spans]}"
            time.sleep(0.1)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass(frozen=True)
class TracedStack:
    gateway_url: str
    receiver: Receiver
    subgraphs_log: Path
    settings: Settings


@pytest.fixture(scope="module")
def traced(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TracedStack]:
    services.require_node()
    receiver = Receiver()
    tmp = tmp_path_factory.mktemp("traces")
    settings = replace(stack.settings, port=free_port(), gateway_port=free_port())
    env = {
        **subprocess_env(settings),
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }
    env.pop("OTEL_SERVICE_NAME", None)
    subgraphs_url = f"http://{settings.host}:{settings.port}"
    subgraphs_log, gateway_log = tmp / "subgraphs.log", tmp / "gateway.log"
    with open(subgraphs_log, "wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "subgraphs.cli", "serve", "--port", str(settings.port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    gateway = None
    try:
        wait_until_up(f"{subgraphs_url}/healthz", server)
        supergraph = write_all(tmp / "sdl", url_base=subgraphs_url)
        gateway = start_gateway(
            settings.gateway_port, supergraph, settings.host, settings=settings, env=env, log_file=gateway_log
        )
        wait_until_up(f"http://{settings.host}:{settings.gateway_port}/healthcheck", gateway)
        yield TracedStack(
            f"http://{settings.host}:{settings.gateway_port}/graphql", receiver, subgraphs_log, settings
        )
    finally:
        services.stop(gateway, server)
        receiver.close()


@pytest.fixture
async def tenant(stack: Stack) -> Tenant:
    return await make_tenant(stack.settings, customers=2)


def _root_of(span: Exported, by_id: dict[str, Exported]) -> Exported:
    while span.parent_id and span.parent_id in by_id:
        span = by_id[span.parent_id]
    return span


@pytest.mark.e2e
async def test_one_cross_subgraph_query_is_one_connected_trace(traced: TracedStack, tenant: Tenant) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            traced.gateway_url,
            json={"query": CROSS_SUBGRAPH, "variables": {"first": 10}, "operationName": "MyCustomers"},
            headers={"authorization": f"Bearer {tenant.manager_token}"},
        )
    body = response.json()
    assert not body.get("errors"), body
    assert {c["name"] for c in body["data"]["me"]["customers"]["nodes"]} == {"客户0", "客户1"}
    # The request id the gateway made is the operation's trace id (32 hex, W3C).
    trace_id = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", trace_id), trace_id
    redis_on = traced.settings.redis_url is not None

    def complete(spans: list[Exported]) -> bool:
        services_seen = {s.service for s in spans}
        kinds = {s.attribute("db.system.name") for s in spans}
        return (
            "dcms-gateway" in services_seen
            and "dcms-subgraphs" in services_seen
            and any(not s.parent_id for s in spans)
            and len({s.attribute("dcms.subgraph") for s in spans} - {None}) >= 4
            and bool(kinds & {"postgresql", "sqlite"})
            and (not redis_on or "redis" in kinds)
        )

    spans = traced.receiver.wait_for(trace_id, complete)
    by_id = {s.span_id: s for s in spans}
    (root,) = [s for s in spans if not s.parent_id]
    assert root.service == "dcms-gateway" and root.span.kind == Span.SPAN_KIND_SERVER
    assert root.attribute("hive.request.id") == trace_id
    # Every span of the operation hangs from the gateway's root span: one connected trace.
    assert all(s.parent_id in by_id for s in spans if s is not root), [
        (s.service, s.span.name) for s in spans if s.parent_id and s.parent_id not in by_id
    ]
    assert all(_root_of(s, by_id) is root for s in spans)

    servers = [s for s in spans if s.service == "dcms-subgraphs" and s.span.kind == Span.SPAN_KIND_SERVER]
    assert {s.attribute("dcms.subgraph") for s in servers} >= {
        "operations",
        "customers",
        "marketing",
        "finance",
    }
    for server in servers:  # each subgraph request is the child of a gateway span (traceparent)
        assert by_id[server.parent_id].service == "dcms-gateway"
        assert server.attribute("dcms.request_id") == trace_id
    statements = [s for s in spans if s.attribute("db.system.name") in {"postgresql", "sqlite"}]
    assert statements and all(s.span.kind == Span.SPAN_KIND_CLIENT for s in statements)
    assert all(by_id[s.parent_id].service == "dcms-subgraphs" for s in statements)
    assert any((s.attribute("db.query.text") or "").upper().startswith("SELECT") for s in statements)
    if redis_on:
        commands = [s for s in spans if s.attribute("db.system.name") == "redis"]
        assert commands and all(_root_of(s, by_id) is root for s in commands)


@pytest.mark.e2e
def test_the_subgraph_log_line_names_the_trace(traced: TracedStack) -> None:
    response = httpx.post(traced.gateway_url, json={"query": WRONG_LOGIN}, timeout=30)
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    trace_id = response.headers["x-request-id"]
    # The gateway's spans and the operations subgraph's server span, in one trace.
    traced.receiver.wait_for(
        trace_id,
        lambda spans: (
            "dcms-gateway" in {s.service for s in spans}
            and any(s.attribute("dcms.subgraph") == "operations" for s in spans)
        ),
    )
    deadline = time.monotonic() + 15
    while f"request_id={trace_id} " not in traced.subgraphs_log.read_text(errors="replace"):
        assert time.monotonic() < deadline, traced.subgraphs_log.read_text(errors="replace")[-3000:]
        time.sleep(0.1)


@pytest.mark.integration
def test_without_the_endpoint_nothing_is_installed(
    database: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    app = build_app(database, ("operations",))
    assert not tracing.enabled() and not tracing.configure(("operations",))
    # The API's no-op proxy: no SDK, no exporter, no batch thread.
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)
    assert tracing.ServerSpans not in [m.cls for m in app.user_middleware]
    assert not getattr(redis_client.Redis.execute_command, "_dcms_traced", False)
    assert not getattr(redis_client.Pipeline.execute, "_dcms_traced", False)
    clients: list[type] = [BaseDBAsyncClient]
    while clients:
        cls = clients.pop()
        clients += type.__subclasses__(cls)
        assert not any(getattr(cls.__dict__.get(m), "_dcms_traced", False) for m in tracing._SQL_METHODS)
