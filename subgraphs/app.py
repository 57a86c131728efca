"""ASGI apps: one Strawberry endpoint per subgraph, all-in-one or alone."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from tortoise.contrib.starlette import RegisterTortoise

from models.common import set_cipher
from realtime.broker import Broker
from resolvers.common.context import Context
from security.crypto import load_cipher
from subgraphs.database import tortoise_config
from subgraphs.settings import SUBGRAPHS, Settings


class SubgraphGraphQL(GraphQL):
    """Strawberry's ASGI view with our context: principal, loaders, broker."""

    def __init__(self, schema: Any, loaders: type, broker: Broker, settings: Settings) -> None:
        super().__init__(
            schema,
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            graphql_ide="graphiql",
        )
        self._loaders = loaders
        self._broker = broker
        self._settings = settings

    async def get_context(self, request: Request | WebSocket, response: Any = None) -> Context:
        return Context(
            request=request,
            broker=self._broker,
            token_secret=self._settings.token_secret,
            loaders=self._loaders(),
        )


def build_app(settings: Settings, names: tuple[str, ...] = SUBGRAPHS) -> Starlette:
    """Each named subgraph at ``/<name>/graphql``, sharing one database setup and broker."""
    broker = Broker(settings.redis_url)
    cipher = load_cipher(settings)  # PII keyring: a missing one fails here, before serving
    routes: list[Any] = [Route("/healthz", _healthz)]
    for name in names:
        module = importlib.import_module(f"subgraphs.{name}")
        endpoint = SubgraphGraphQL(module.schema, module.loaders, broker, settings)
        routes += [Route(f"/{name}/graphql", endpoint), WebSocketRoute(f"/{name}/graphql", endpoint)]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        set_cipher(cipher)  # encrypted PII columns (models/common.py)
        # RegisterTortoise makes the ORM context global, so request tasks see it.
        async with RegisterTortoise(app, config=tortoise_config(settings, names)):
            await broker.connect()
            try:
                yield
            finally:
                await broker.disconnect()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.broker = broker
    return app


async def _healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})
