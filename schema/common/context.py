"""The per-request context every GraphQL field receives as ``info.context``.

Who is asking costs next to nothing per request: the token's ES256 signature is verified once
per process and token (security/tokens.py ``read_token``), the revocation check is a look-up in
this process's copy of the revocations (security/sessions.py ``revoked``), and the gateway's
one-time nonce is checked in process, and in Redis only for a mutation (``first_use_everywhere``;
subgraphs/app.py, security/gateway_trust.py).

Each subgraph names its own, with its loader registry, in ``schema/<subgraph>/context.py``::

    Info = strawberry.Info[Context[FinanceLoaders], None]
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Generic, TypeVar

from starlette.requests import Request
from starlette.websockets import WebSocket

from realtime.hub import Realtime
from resolvers.common.errors import CodedError, unauthenticated
from resolvers.common.loading import LoaderRegistry
from resolvers.common.rules import Rules
from security.keys import TokenKeys
from security.principal import Principal
from security.sessions import SessionStore
from security.tokens import InvalidToken, bearer, read_token

Loaders = TypeVar("Loaders", bound=LoaderRegistry)


@dataclass
class Context(Generic[Loaders]):
    request: Request | WebSocket
    realtime: Realtime  # outbox relay, feeds, subscription guard (realtime/hub.py)
    token_keys: TokenKeys  # public keys verify tokens; operations also holds the signing key
    sessions: SessionStore  # revocation, rotation, lockout (security/sessions.py)
    loaders_class: type[Loaders]  # the subgraph's registry: resolvers/<subgraph>/dataloaders.py
    rules: Rules = field(default_factory=Rules)  # platform parameters (resolvers/common/rules.py)
    # Set by Strawberry on WebSocket connections from the connection_init payload.
    connection_params: dict[str, Any] | None = field(default=None)
    # A signed HTTP request's nonce, claimed across replicas (Redis) by its first mutation:
    # set by subgraphs/app.py once the signature verified; None when unsigned (dev mode).
    claim_nonce: Callable[[], Awaitable[bool]] | None = field(default=None, repr=False)
    _revoked: bool = field(default=False, init=False, repr=False)
    _role_changed: bool = field(default=False, init=False, repr=False)  # revoked by a role edit only
    _claim: asyncio.Future[bool] | None = field(default=None, init=False, repr=False)

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

    def for_operation(self) -> Context[Loaders]:
        """A context of its own for one operation on a WebSocket (subgraphs/app.py): the same socket
        and connectionParams, but the token read again (expired now? revoked since?) and empty
        DataLoaders, so nothing loaded with the rights of an earlier operation is served again."""
        return replace(self)

    def for_event(self) -> Context[Loaders]:
        """The context one event of a subscription executes with (subgraphs/execution.py): the same
        caller, read once per subscription, but empty DataLoaders, so the event's fields read the
        rows as they are now, not what an earlier event of the subscription loaded."""
        fresh = copy.copy(self)
        fresh.__dict__.pop("loaders", None)
        return fresh

    @cached_property
    def loaders(self) -> Loaders:
        """This request's loaders, scoped to the caller."""
        return self.loaders_class(self.require_principal)

    async def check_revocation(self) -> None:
        """Once per operation (schema/common/authentication.py), when a valid token came with
        the request: a look-up in this process's copy of the revocations; a store round trip
        only until that copy is first loaded (security/sessions.py ``knows_all``)."""
        principal = self._token_principal
        if principal is None:
            return
        key = (principal.session_id, str(principal.user_id), principal.issued_at)
        role = principal.active_role  # 角色管理: tokens issued before their role's edit are stale
        if self.sessions.knows_all:
            self._revoked = self.sessions.revoked(*key, role)
            self._role_changed = self._revoked and not self.sessions.revoked(*key)
        else:
            self._revoked = await self.sessions.is_revoked(*key, role)
            self._role_changed = self._revoked and not await self.sessions.is_revoked(*key)

    async def first_use_everywhere(self) -> bool:
        """False when this request's gateway signature was used before at another replica
        (a replayed mutation). Asked once per request, however many mutations a batch holds."""
        if self.claim_nonce is None:
            return True
        if self._claim is None:
            self._claim = asyncio.ensure_future(self.claim_nonce())
        return await asyncio.shield(self._claim)

    def require_principal(self) -> Principal:
        if self.principal is None:
            raise self.not_signed_in()
        return self.principal

    def not_signed_in(self) -> CodedError:
        """UNAUTHENTICATED; with reason ROLE_CHANGED when only an edit of the token's role (角色管理)
        refused it: the web client refreshes once on UNAUTHENTICATED, and the refreshed token carries
        the role's new definition (resolvers/operations/auth.py ``refresh``)."""
        if not self._role_changed:
            return unauthenticated()
        error = unauthenticated("角色权限已变更，请刷新登录 (your role was changed: refresh your token)")
        error.extensions["reason"] = "ROLE_CHANGED"
        return error
