"""ASGI apps: one Strawberry endpoint per subgraph, all-in-one or alone."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from typing import Any, cast

import orjson
from cross_web import HTTPException
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.types import ExecutionResult, SubscriptionExecutionResult
from strawberry.utils.aio import aclosing
from tortoise import Tortoise
from tortoise.contrib.starlette import RegisterTortoise

from models.common import set_cipher
from realtime.broker import Broker
from realtime.hub import Realtime
from realtime.tasks import cancel
from resolvers.common.errors import CodedError, bad_input, forbidden
from resolvers.common.loading import LoaderRegistry
from schema.common.context import Context
from schema.common.errors import graphql_error
from security.crypto import load_cipher
from security.gateway_trust import SIGNATURE_HEADER, GatewayTrust, nonce_of
from security.keys import TokenKeys, load_token_keys
from security.rate_limit import rate_limiter
from security.sessions import LockoutPolicy, SessionStore, session_store
from subgraphs import tracing
from subgraphs.admission import AdmissionControl
from subgraphs.body_guard import BodyGuard, parse_json
from subgraphs.body_guard import refusal as body_refusal
from subgraphs.database import tortoise_config
from subgraphs.health import Health
from subgraphs.metrics import MULTIPROCESS_DIR, metrics_endpoint, mirror_periodically, watch
from subgraphs.registry import spec_of
from subgraphs.settings import SUBGRAPHS, Settings
from subgraphs.spec import Job, Service

CLIENT_IP_HEADER = "x-dcms-client-ip"  # set by the gateway; believed only on a signed request

log = logging.getLogger(__name__)


class RefusedBatch(Exception):
    def __init__(self, error: CodedError) -> None:
        self.error = error


class OperationContextsWS(BaseGraphQLTransportWSHandler[Context[Any], None]):
    """graphql-transport-ws with a context per operation, not per connection.

    Strawberry 0.341's handler makes one context at connect time and passes it to every operation
    of the connection (``run_operation``: ``context_value=self.context``). Ours would then keep
    the principal read at connect (an expired or revoked token kept working) and one DataLoader
    cache for the connection's life (an entity loaded with yesterday's rights served again). Here
    each subscribe runs with ``Context.for_operation()``: the token read and checked again, fresh
    loaders. ``run_operation`` is Strawberry's own, but for the context and the refusal below;
    the class is set as the view's ``graphql_transport_ws_handler_class``.

    Outside dev mode only subscriptions run here: the gateway sends queries and mutations over
    signed HTTP, and a query over a WebSocket would bypass that signature's one-time check.
    """

    view: SubgraphGraphQL

    async def send_message(self, message: Any) -> None:
        """Text frames: the view's encode_json gives bytes (orjson), which Strawberry sends as binary
        frames, and graphql-ws (the gateway's upstream client) takes a binary frame for an object
        without ``type`` and closes the socket."""
        try:
            await cast(Any, self.websocket).ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc

    async def run_operation(self, operation: Operation[Context[Any], None]) -> None:
        try:
            if refusal := self.view.ws_operation_refusal(operation.query, operation.operation_name):
                await operation.send_initial_errors([graphql_error(refusal)])
                return
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=self.context.for_operation(),
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except _OperationStreamClosed:
            return
        except Exception as error:
            await self.handle_task_exception(error)
            with contextlib.suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise


class SubgraphGraphQL(GraphQL[Context[Any], None]):
    """Strawberry's ASGI view with our context: principal, loaders, broker."""

    graphql_transport_ws_handler_class = OperationContextsWS

    def __init__(
        self,
        schema: Any,
        loaders: type[LoaderRegistry],
        realtime: Realtime,
        settings: Settings,
        keys: TokenKeys,
        sessions: SessionStore,
        trust: GatewayTrust,
    ) -> None:
        super().__init__(
            schema,
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            # The gateway multiplexes every subscription with the same token over one upstream
            # WebSocket, so Strawberry's default of 100 operations per connection would cap one
            # user at 100 across all their clients with an uncoded error. The cap that counts is
            # per user, coded and configurable: realtime/guard.py.
            max_subscriptions_per_connection=None,
            graphql_ide="graphiql" if settings.dev_mode else None,
        )
        self._loaders = loaders
        self._realtime = realtime
        self._settings = settings
        self._keys = keys
        self._sessions = sessions
        self._trust = trust

    # -- gateway trust (security/gateway_trust.py) --------------------------------------------------

    async def execute_operation(
        self,
        request: Request,
        request_adapter: Any,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context[Any],
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult:
        """Refuse unsigned (outside dev), wrongly signed, stale or replayed requests before
        anything runs: one check per HTTP request (a batch is one body), over the raw body
        Strawberry parsed (Starlette keeps it) and the ``Authorization`` header. The nonce is
        checked in this process here, across replicas before a mutation runs."""
        refusal = await self._refusal(request)
        if refusal is not None:
            items = request_data if isinstance(request_data, list) else [request_data]
            results = [ExecutionResult(data=None, errors=[graphql_error(refusal)]) for _ in items]
            return results if isinstance(request_data, list) else results[0]
        signature = request.headers.get(SIGNATURE_HEADER)
        if signature is not None:  # verified above
            request.scope.setdefault("state", {})["client_ip"] = request.headers.get(CLIENT_IP_HEADER)
            # Claimed across replicas only by a mutation (schema/common/authentication.py).
            context.claim_nonce = functools.partial(
                self._trust.nonces.first_use_everywhere, nonce_of(signature)
            )
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )

    async def _refusal(self, request: Request) -> CodedError | None:
        reason = self._trust.check_here(
            request.headers.get(SIGNATURE_HEADER),
            request.headers.get("authorization"),
            await request.body(),
            client_ip=request.headers.get(CLIENT_IP_HEADER),
            method=request.method,
        )
        if reason is None:
            return None
        client = request.client.host if request.client else "-"
        log.info("operation refused: %s (peer %s)", reason, client)  # no operation ran to log it
        return forbidden(reason)

    async def on_ws_connect(self, context: Context[Any]) -> Any:
        """Outside dev mode a WebSocket is the gateway's: connection_init must carry its fresh,
        unused proof (security/gateway_trust.py) and the subscriber's valid token; else it is
        closed with 4403 before any subscribe. In dev mode a client may connect with a token."""
        refusal = await self._trust.check_ws(context.connection_params)
        if refusal is None and not self._settings.dev_mode and context.principal is None:
            refusal = "no valid token"
        if refusal is not None:
            log.info("WebSocket refused: %s", refusal)
            raise ConnectionRejectionError()
        return await super().on_ws_connect(context)

    def ws_operation_refusal(self, query: str | None, operation_name: str | None) -> CodedError | None:
        """Outside dev mode, a query or mutation sent over a WebSocket (OperationContextsWS)."""
        if self._settings.dev_mode or not query:
            return None
        try:
            document = parse(query, max_tokens=self._settings.limits.max_tokens)
        except GraphQLError:
            return None  # the schema reports it, as for any operation
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation == OperationType.SUBSCRIPTION:
            return None
        error = bad_input(
            f"WebSocket 仅用于订阅 ({operation.operation.value} over a WebSocket: send it over HTTP "
            "through the gateway)"
        )
        error.extensions["limit"] = "transport"
        return error

    # -- batches: more than max_batch operations is a coded refusal, not Strawberry's plain text ---

    def _validate_batch_request(self, request_data: list[Any], protocol: Any) -> None:
        limit = self._settings.limits.max_batch
        if len(request_data) > limit:
            raise RefusedBatch(bad_input(f"{len(request_data)} operations in one batch; at most {limit}"))
        super()._validate_batch_request(request_data, protocol)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        response: Response
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as error:  # Strawberry's plain-text refusals: no query, unknown operation …
            response = body_refusal(error.reason, error.status_code)
        except RefusedBatch as refused:
            coded = graphql_error(refused.error).formatted
            coded["extensions"] = {**(coded.get("extensions") or {}), "limit": "batch"}
            response = JSONResponse({"data": None, "errors": [coded]}, status_code=400)
        await response(scope, receive, send)

    # orjson (a dependency for this): the answer's JSON in a tenth of json.dumps' time, and the
    # request's parsed likewise; same output (compact, UTF-8, non-ASCII as is).
    def decode_json(self, data: str | bytes) -> object:
        return parse_json(data)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context[Any]:
        return Context(
            request=request,
            realtime=self._realtime,
            token_keys=self._keys,
            sessions=self._sessions,
            loaders_class=self._loaders,
            rules=self._settings.rules,
        )


def build_app(settings: Settings, names: tuple[str, ...] = SUBGRAPHS) -> Starlette:
    """Each named subgraph at ``/<name>/graphql``, sharing one database setup and broker."""
    cipher = load_cipher(settings)  # PII keyring: a missing one fails here, before serving
    traced = tracing.configure(names)  # OpenTelemetry, only with OTEL_EXPORTER_OTLP_ENDPOINT set
    # Only operations issues tokens, so only it needs the private key; a missing key outside
    # dev mode stops the start here (security.keys.KeyConfigError).
    keys = load_token_keys(settings, signing="operations" in names)
    sessions = session_store(settings.redis_url, lockout_policy(settings))
    # The seen nonces are shared by the replicas through Redis when there is one.
    trust = GatewayTrust(
        settings.hmac_secret, require_signature=not settings.dev_mode, redis_url=settings.redis_url
    )
    limiter = rate_limiter(settings.redis_url)
    realtime = realtime_for(settings, sessions)
    sockets = _OpenWebSockets(realtime)
    watch(realtime, sockets)  # open subscriptions and WebSockets, read when scraped
    jobs: list[Job] = []  # each subgraph's background jobs: coroutines run for the app's lifetime
    services: list[Service] = []  # jobs that are given the settings
    apps = list(names)  # Tortoise apps to register: the served subgraphs and those they consume
    for name in names:
        apps += [app for app in spec_of(name).consumes if app not in apps]
    # Probes and SIGTERM (subgraphs/health.py), and Prometheus (subgraphs/metrics.py,
    # docs/observability.md): not admission-counted, no token.
    health = Health(settings.probes, tuple(apps), settings.redis_url)
    routes: list[Any] = [
        Route("/healthz", sockets.healthz),
        Route("/livez", health.livez),
        Route("/readyz", health.readyz),
        Route("/metrics", metrics_endpoint),
    ]
    for name in names:
        spec = spec_of(name)
        jobs += spec.jobs
        endpoint = SubgraphGraphQL(spec.schema, spec.loaders, realtime, settings, keys, sessions, trust)
        path = f"/{name}/graphql"
        routes += [Route(path, endpoint), WebSocketRoute(path, sockets.count(endpoint))]
        routes += spec.routes  # e.g. POST /devices/ingest
        services += spec.services

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        set_cipher(cipher)  # encrypted PII columns (models/common.py)
        # RegisterTortoise makes the ORM context global, so request tasks see it.
        async with RegisterTortoise(app, config=tortoise_config(settings, tuple(apps))):
            await sessions.connect()  # revocations of every process, by pub/sub (security/sessions.py)
            outboxes = [Tortoise.apps[n]["OutboxEvent"] for n in names if "OutboxEvent" in Tortoise.apps[n]]
            await realtime.start(outboxes)
            health.outboxes = outboxes  # the relay's lag, for /readyz
            tasks = [asyncio.create_task(job(realtime, settings.rules)) for job in jobs]
            tasks += [asyncio.create_task(service(realtime, settings)) for service in services]
            undo_drain = health.drain_on_sigterm()  # SIGTERM: /readyz 503 first, then uvicorn's stop
            if MULTIPROCESS_DIR:  # several workers: the scrape-time gauges go to the shared files
                tasks.append(asyncio.create_task(mirror_periodically()))
            try:
                yield
            finally:
                undo_drain()
                health.shutting_down = True
                await health.close()
                await cancel(*tasks)
                await realtime.stop()
                await sessions.close()
                await limiter.close()
                await trust.close()

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            # a span per request, the gateway's trace continued; absent when tracing is off
            *([Middleware(tracing.ServerSpans)] if traced else []),
            Middleware(AdmissionControl, settings.admission),  # OVERLOADED; cancel on disconnect
            Middleware(BodyGuard),  # 400 bad bodies
        ],
    )
    app.state.realtime = realtime
    app.state.health = health
    app.state.rules = settings.rules  # the platform's parameters, for routes outside GraphQL
    app.state.rate_limit = (limiter, settings.limits)  # read by schema/common/rate_limiting.py
    app.state.sessions, app.state.trust = sessions, trust  # closed by the lifespan (or a test without one)
    return app


def realtime_for(settings: Settings, sessions: SessionStore) -> Realtime:
    """The process's realtime hub for ``settings`` (its broker and stream numbers)."""
    streams = settings.streams
    return Realtime(
        Broker(settings.redis_url),
        sessions,
        replay_hours=streams.replay_hours,
        subscriber_queue=streams.subscriber_queue,
        feed_sync_seconds=streams.feed_sync_seconds,
        max_subscriptions_per_user=streams.max_subscriptions_per_user,
    )


def lockout_policy(settings: Settings) -> LockoutPolicy:
    return LockoutPolicy(window_seconds=settings.lockout_seconds, lock_seconds=settings.lockout_seconds)


class _OpenWebSockets:
    """/healthz: how many GraphQL WebSockets and how many subscriptions are open in this process.
    A subscription its client ended but the gateway kept open upstream shows in `subscriptions`
    (the gateway multiplexes a user's subscriptions over one socket, so `websockets` alone misses
    it) and counts against the user's cap (realtime/guard.py)."""

    def __init__(self, realtime: Realtime) -> None:
        self.open = 0
        self._realtime = realtime

    def count(self, endpoint: Any) -> Any:
        return _Counted(self, endpoint)  # an ASGI app, not a function: Starlette would wrap one

    async def healthz(self, request: Request) -> JSONResponse:
        subscriptions = self._realtime.guard.open_count
        return JSONResponse({"status": "ok", "websockets": self.open, "subscriptions": subscriptions})


class _Counted:
    def __init__(self, sockets: _OpenWebSockets, endpoint: Any) -> None:
        self._sockets = sockets
        self._endpoint = endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._sockets.open += 1
        try:
            await self._endpoint(scope, receive, send)
        finally:
            self._sockets.open -= 1
