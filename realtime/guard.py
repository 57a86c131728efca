"""Open subscriptions of this process: a cap per user, and an end when the token behind one
expires or its session is revoked.

Expiry is a timer per subscription at the token's ``exp``. Revocation (logout, role switch,
password change; an edit of the subscriber's active role ends it with ROLE_CHANGED) is announced
on the ``security.revocations`` channel by the mutation that revokes, so every replica ends the
session's subscriptions at once; every ``recheck_seconds`` the session store is asked again, in
case an announcement was lost with Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from realtime.broker import Broker
from realtime.events import Event
from realtime.feed import Fail, OnJoin
from realtime.tasks import cancel
from security.principal import Principal
from security.sessions import SessionStore

log = logging.getLogger(__name__)

REVOCATIONS = "security.revocations"


class SubscriptionEnded(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # TOKEN_EXPIRED, SESSION_REVOKED or ROLE_CHANGED


class TooManySubscriptions(Exception):
    pass


@dataclass(eq=False)
class _Open:
    principal: Principal
    fail: Fail | None = None
    ended: SubscriptionEnded | None = None
    timer: asyncio.TimerHandle | None = field(default=None, repr=False)

    def attach(self, fail: Fail) -> None:
        self.fail = fail
        if self.ended is not None:
            fail(self.ended)

    def end(self, reason: str) -> None:
        self.ended = self.ended or SubscriptionEnded(reason)
        if self.fail is not None:
            self.fail(self.ended)


class SubscriptionGuard:
    def __init__(
        self, broker: Broker, sessions: SessionStore, cap_per_user: int = 20, recheck_seconds: float = 30.0
    ) -> None:
        self._broker = broker
        self._sessions = sessions
        self.cap_per_user = cap_per_user  # 0: no cap
        self._recheck_seconds = recheck_seconds
        self._open: dict[str, set[_Open]] = defaultdict(set)  # by user id
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._listen(), name="revocations"),
            asyncio.create_task(self._recheck_periodically(), name="revocation recheck"),
        ]

    async def stop(self) -> None:
        await cancel(*self._tasks)

    @property
    def open_count(self) -> int:
        """Subscriptions open in this process, all users: /healthz shows it, so a subscription
        left open upstream after its client went away is visible (tests/e2e/test_stream_endings.py)."""
        return len(self._handles())

    @contextlib.asynccontextmanager
    async def open(self, principal: Principal) -> AsyncIterator[OnJoin]:
        """Count one open subscription of ``principal``; yields the ``on_join`` hook that lets the
        guard end it (realtime/feed.py). Raises TooManySubscriptions over the cap."""
        user = str(principal.user_id)
        mine = self._open[user]
        if self.cap_per_user and len(mine) >= self.cap_per_user:
            raise TooManySubscriptions(user)
        handle = _Open(principal)
        if principal.expires_at:
            delay = max(0.0, principal.expires_at - time.time())
            handle.timer = asyncio.get_running_loop().call_later(delay, handle.end, "TOKEN_EXPIRED")
        mine.add(handle)
        try:
            yield handle.attach
        finally:
            if handle.timer is not None:
                handle.timer.cancel()
            mine.discard(handle)
            if not mine:
                self._open.pop(user, None)

    async def announce_revocation(self, session_id: str = "", user_id: str = "", before: float = 0.0) -> None:
        """Called after the session store revoked: a session, or a user's tokens issued before
        ``before`` (epoch seconds). Lost with Redis down: the periodic recheck catches up."""
        payload = {"session": session_id, "user": user_id, "before": before}
        notice = Event(type="session.revoked", payload=payload)
        try:
            await self._broker.publish(REVOCATIONS, notice)
        except Exception:
            log.warning("revocation notice not sent; subscriptions end at the next recheck", exc_info=True)

    async def announce_role_change(self, role: str, before: float) -> None:
        """Called after the session store refused ``role``'s tokens issued before ``before`` (角色管理):
        their open subscriptions end (ROLE_CHANGED); the client refreshes and subscribes again."""
        notice = Event(type="role.changed", payload={"role": role, "before": before})
        try:
            await self._broker.publish(REVOCATIONS, notice)
        except Exception:
            log.warning("role change notice not sent; subscriptions end at the next recheck", exc_info=True)

    def _handles(self) -> list[_Open]:
        return [handle for handles in self._open.values() for handle in handles]

    async def _listen(self) -> None:
        while True:
            try:
                async for event in self._broker.subscribe(REVOCATIONS):
                    if event is None:
                        continue
                    if event.type == "role.changed":
                        role, before = event.payload["role"], float(event.payload["before"])
                        for handle in self._handles():
                            p = handle.principal
                            if p.active_role == role and p.issued_at < before:
                                handle.end("ROLE_CHANGED")
                        continue
                    session, user, before = (event.payload[k] for k in ("session", "user", "before"))
                    for handle in self._handles():
                        p = handle.principal
                        if (session and p.session_id == session) or (
                            user and str(p.user_id) == user and p.issued_at < before
                        ):
                            handle.end("SESSION_REVOKED")
            except Exception:
                log.exception("revocation notices: listening again in 1 s")
                await asyncio.sleep(1.0)

    async def _recheck_periodically(self) -> None:
        while True:
            await asyncio.sleep(self._recheck_seconds)
            by_token: dict[tuple[str, str, float, str], list[_Open]] = defaultdict(list)
            for handle in self._handles():
                p = handle.principal
                by_token[(p.session_id, str(p.user_id), p.issued_at, p.active_role)].append(handle)
            for key, handles in by_token.items():
                try:
                    revoked = await self._sessions.is_revoked(*key)
                    reason = (
                        "ROLE_CHANGED" if revoked and not await self._sessions.is_revoked(*key[:3]) else ""
                    )
                except Exception:
                    log.warning("revocation recheck failed", exc_info=True)
                    break
                if revoked:
                    for handle in handles:
                        handle.end(reason or "SESSION_REVOKED")
