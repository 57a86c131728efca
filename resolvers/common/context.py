"""The per-request context every resolver receives as ``info.context``."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket

from realtime.broker import Broker
from schema.common.errors import unauthenticated
from security.principal import Principal
from security.tokens import InvalidToken, bearer, read_token


@dataclass
class Context:
    request: Request | WebSocket
    broker: Broker
    token_secret: str
    loaders: Any  # the subgraph's loader registry, see resolvers/<subgraph>/dataloaders.py
    # Set by Strawberry on WebSocket connections from the connection_init payload.
    connection_params: dict[str, Any] | None = field(default=None)

    @cached_property
    def principal(self) -> Principal | None:
        """The caller, from ``Authorization: Bearer`` (HTTP) or ``connectionParams.authorization`` (WS).
        An invalid token counts as no token."""
        header = None
        if self.connection_params:
            header = self.connection_params.get("authorization") or self.connection_params.get(
                "Authorization"
            )
        if header is None and isinstance(self.request, Request):
            header = self.request.headers.get("authorization")
        token = bearer(header)
        if token is None:
            return None
        try:
            return read_token(token, self.token_secret)
        except InvalidToken:
            return None

    def require_principal(self) -> Principal:
        if self.principal is None:
            raise unauthenticated()
        return self.principal
