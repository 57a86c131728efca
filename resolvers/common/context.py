"""The per-request context every resolver receives as ``info.context``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.websockets import WebSocket
from tortoise.models import Model
from tortoise.queryset import QuerySet

from realtime.hub import Realtime
from resolvers.common import audit
from schema.common.errors import unauthenticated
from security.conditions import Cond
from security.keys import TokenKeys
from security.principal import Principal
from security.sessions import SessionStore
from security.tokens import InvalidToken, bearer, read_token

M = TypeVar("M", bound=Model)


@dataclass
class Context:
    request: Request | WebSocket
    realtime: Realtime  # outbox relay, feeds, subscription guard (realtime/hub.py)
    token_keys: TokenKeys  # public keys verify tokens; operations also holds the signing key
    sessions: SessionStore  # revocation, rotation, lockout (security/sessions.py)
    loaders_class: type  # the subgraph's LoaderRegistry, see resolvers/<subgraph>/dataloaders.py
    # Outboxes publish() wrote to (their app labels): the relay flushes them after the operation.
    events_recorded: set[str] = field(default_factory=set)
    # Set by Strawberry on WebSocket connections from the connection_init payload.
    connection_params: dict[str, Any] | None = field(default=None)
    _revoked: bool = field(default=False, init=False, repr=False)

    @property
    def principal(self) -> Principal | None:
        """The caller, from ``Authorization: Bearer`` (HTTP) or ``connectionParams.authorization`` (WS).
        An invalid token, or one of a revoked session, counts as no token."""
        return None if self._revoked else self._token_principal

    @cached_property
    def _token_principal(self) -> Principal | None:
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
            return read_token(token, self.token_keys)
        except InvalidToken:
            return None

    def for_operation(self) -> Context:
        """A context of its own for one operation on a WebSocket (subgraphs/app.py): the same socket
        and connectionParams, but the token read again (expired now? revoked since?) and empty
        DataLoaders, so nothing loaded with the rights of an earlier operation is served again."""
        return replace(self, events_recorded=set())

    @cached_property
    def loaders(self) -> Any:
        """This request's loaders, scoped to the caller."""
        return self.loaders_class(self)

    def scoped(self, model: type[M], rule: Callable[[Principal], Cond]) -> QuerySet[M]:
        """``model``'s rows the caller may see: the start of every root list query."""
        return model.filter(rule(self.require_principal()).q())

    async def audit_pii_read(self, info: Any, type_name: str, id: Any) -> None:
        """An unmasked read of a sensitive field: appended to the audit trail with the result."""
        await audit.record_pii_read(info, audit.Target(type_name, id), [info.field_name])

    async def check_revocation(self) -> None:
        """Once per operation (resolvers/common/authentication.py): one store round trip, and
        only when a valid token came with the request."""
        principal = self._token_principal
        if principal is not None:
            self._revoked = await self.sessions.is_revoked(
                principal.session_id, str(principal.user_id), principal.issued_at
            )

    def require_principal(self) -> Principal:
        if self.principal is None:
            raise unauthenticated()
        return self.principal
