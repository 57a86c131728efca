"""Login sessions, revocation and lockout: in Redis, or in this process for the embedded default.

- A **session** is one login: the refresh-token family. The store remembers the id (jti) of the
  one refresh token that may be used next; using it rotates to a new one, using any other (an
  old, already rotated one: stolen or replayed) revokes the whole session.
- **Revocation** (logout, reuse, switchRole) marks the session id revoked for as long as any of
  its tokens can live (8 hours); a password change refuses every token of the user issued
  before it. Every operation checks its access token against both: one Redis round trip.
- **Lockout**: 5 failed logins within the window lock the username for the lock time (both 15
  minutes by default, ``DCMS_LOCKOUT_SECONDS``); a successful login clears the failures. Counted
  per submitted username, known or not, so locking does not tell which accounts exist.

Both stores have the same interface and the same tests (tests/test_auth.py). Without
``REDIS_URL`` the in-process store only works while every subgraph runs in one process (``dcms
up``); production sets ``REDIS_URL``.
"""

from __future__ import annotations

import time
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum

from security.redis_pool import redis_client
from security.tokens import REFRESH_TTL_SECONDS

_PREFIX = "dcms:auth:"


class Rotation(StrEnum):
    ROTATED = "ROTATED"  # the presented refresh token was the current one; the new one is current
    REUSED = "REUSED"  # an old refresh token came back: the session is now revoked
    UNKNOWN = "UNKNOWN"  # no such live session (expired, logged out or revoked)


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    window_seconds: float = 900.0  # failures counted within this window …
    lock_seconds: float = 900.0  # … lock the username for this long


class SessionStore(ABC):
    def __init__(self, lockout: LockoutPolicy) -> None:
        self.lockout = lockout

    @abstractmethod
    async def start(self, session_id: str, refresh_id: str, expires_at: float) -> None:
        """A new login session whose current refresh token is ``refresh_id``."""

    @abstractmethod
    async def rotate(self, session_id: str, presented_id: str, new_id: str) -> Rotation:
        """Swap the current refresh token ``presented_id`` for ``new_id``, atomically."""

    @abstractmethod
    async def revoke(self, session_id: str) -> None:
        """End the session: its refresh token is dead and its access tokens are refused."""

    @abstractmethod
    async def session_end(self, session_id: str) -> float | None:
        """When a live session ends (epoch seconds), or None when it is not live."""

    @abstractmethod
    async def revoke_user_before(self, user_id: str, at: float) -> None:
        """Refuse every token of the user issued before ``at`` (password change)."""

    @abstractmethod
    async def is_revoked(self, session_id: str, user_id: str = "", issued_at: float = 0.0) -> bool:
        """The session is revoked, or the user's tokens issued before ``issued_at`` are."""

    @abstractmethod
    async def is_locked(self, username: str) -> bool: ...

    @abstractmethod
    async def record_failure(self, username: str) -> bool:
        """Count a failed login; True when this failure locked the username."""

    @abstractmethod
    async def clear_failures(self, username: str) -> None: ...

    async def close(self) -> None:  # noqa: B027 (optional hook)
        pass


def session_store(redis_url: str | None, lockout: LockoutPolicy | None = None) -> SessionStore:
    lockout = lockout or LockoutPolicy()
    return RedisSessionStore(redis_url, lockout) if redis_url else MemorySessionStore(lockout)


# --------------------------------------------------------------------------- Redis

# KEYS: session, revoked; ARGV: presented id, new id, revocation ttl (ms)
_ROTATE = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 'UNKNOWN' end
local current = redis.call('GET', KEYS[1])
if not current then return 'UNKNOWN' end
if current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  return 'ROTATED'
end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
return 'REUSED'
"""


class RedisSessionStore(SessionStore):
    def __init__(self, url: str, lockout: LockoutPolicy) -> None:
        super().__init__(lockout)
        self._redis = redis_client(url, decode_responses=True)
        self._rotate = self._redis.register_script(_ROTATE)

    async def start(self, session_id: str, refresh_id: str, expires_at: float) -> None:
        ttl_ms = max(1, int((expires_at - time.time()) * 1000))
        await self._redis.set(_session(session_id), refresh_id, px=ttl_ms)

    async def rotate(self, session_id: str, presented_id: str, new_id: str) -> Rotation:
        keys = [_session(session_id), _revoked(session_id)]
        result = await self._rotate(keys=keys, args=[presented_id, new_id, REFRESH_TTL_SECONDS * 1000])
        return Rotation(result)

    async def revoke(self, session_id: str) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(_revoked(session_id), "1", ex=REFRESH_TTL_SECONDS)
            pipe.delete(_session(session_id))
            await pipe.execute()

    async def session_end(self, session_id: str) -> float | None:
        ttl_ms = await self._redis.pttl(_session(session_id))
        return time.time() + ttl_ms / 1000 if ttl_ms > 0 else None

    async def revoke_user_before(self, user_id: str, at: float) -> None:
        await self._redis.set(_not_before(user_id), str(at), ex=REFRESH_TTL_SECONDS)

    async def is_revoked(self, session_id: str, user_id: str = "", issued_at: float = 0.0) -> bool:
        if not user_id:
            return bool(await self._redis.exists(_revoked(session_id)))
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.exists(_revoked(session_id))
            pipe.get(_not_before(user_id))
            revoked, not_before = await pipe.execute()
        return bool(revoked) or (not_before is not None and issued_at < float(not_before))

    async def is_locked(self, username: str) -> bool:
        return bool(await self._redis.exists(_locked(username)))

    async def record_failure(self, username: str) -> bool:
        now_ms = int(time.time() * 1000)
        window_ms = int(self.lockout.window_seconds * 1000)
        key = _failures(username)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zadd(key, {f"{now_ms}:{uuid.uuid4().hex[:8]}": now_ms})
            pipe.zremrangebyscore(key, "-inf", now_ms - window_ms)
            pipe.zcard(key)
            pipe.pexpire(key, window_ms)
            _, _, count, _ = await pipe.execute()
        if count < self.lockout.max_failures:
            return False
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(_locked(username), "1", px=int(self.lockout.lock_seconds * 1000))
            pipe.delete(key)
            await pipe.execute()
        return True

    async def clear_failures(self, username: str) -> None:
        await self._redis.delete(_failures(username))

    async def close(self) -> None:
        await self._redis.aclose()


def _session(session_id: str) -> str:
    return f"{_PREFIX}session:{session_id}"


def _revoked(session_id: str) -> str:
    return f"{_PREFIX}revoked:{session_id}"


def _not_before(user_id: str) -> str:
    return f"{_PREFIX}not-before:{user_id}"


def _failures(username: str) -> str:
    return f"{_PREFIX}failures:{username}"


def _locked(username: str) -> str:
    return f"{_PREFIX}locked:{username}"


# --------------------------------------------------------------------------- in process


class MemorySessionStore(SessionStore):
    """The same rules in dictionaries; each method runs without awaiting, so it is atomic
    within the event loop. Expired entries are dropped as they are met."""

    def __init__(self, lockout: LockoutPolicy) -> None:
        super().__init__(lockout)
        self._sessions: dict[str, tuple[str, float]] = {}  # session → (current refresh id, expires)
        self._revoked: dict[str, float] = {}  # session → until
        self._failures: dict[str, list[float]] = {}  # username → failure times
        self._locked: dict[str, float] = {}  # username → until
        self._not_before: dict[str, float] = {}  # user id → tokens issued before are refused

    async def start(self, session_id: str, refresh_id: str, expires_at: float) -> None:
        self._prune()
        self._sessions[session_id] = (refresh_id, expires_at)

    async def rotate(self, session_id: str, presented_id: str, new_id: str) -> Rotation:
        now = time.time()
        if self._revoked.get(session_id, 0) > now:
            return Rotation.UNKNOWN
        entry = self._sessions.get(session_id)
        if entry is None or entry[1] <= now:
            return Rotation.UNKNOWN
        if entry[0] == presented_id:
            self._sessions[session_id] = (new_id, entry[1])
            return Rotation.ROTATED
        del self._sessions[session_id]
        self._revoked[session_id] = now + REFRESH_TTL_SECONDS
        return Rotation.REUSED

    async def revoke(self, session_id: str) -> None:
        self._revoked[session_id] = time.time() + REFRESH_TTL_SECONDS
        self._sessions.pop(session_id, None)

    async def session_end(self, session_id: str) -> float | None:
        entry = self._sessions.get(session_id)
        return entry[1] if entry is not None and entry[1] > time.time() else None

    async def revoke_user_before(self, user_id: str, at: float) -> None:
        self._not_before[user_id] = at

    async def is_revoked(self, session_id: str, user_id: str = "", issued_at: float = 0.0) -> bool:
        if self._revoked.get(session_id, 0) > time.time():
            return True
        return issued_at < self._not_before.get(user_id, 0.0)

    async def is_locked(self, username: str) -> bool:
        return self._locked.get(username, 0) > time.time()

    async def record_failure(self, username: str) -> bool:
        now = time.time()
        recent = [t for t in self._failures.get(username, []) if t > now - self.lockout.window_seconds]
        recent.append(now)
        if len(recent) < self.lockout.max_failures:
            self._failures[username] = recent
            return False
        self._failures.pop(username, None)
        self._locked[username] = now + self.lockout.lock_seconds
        return True

    async def clear_failures(self, username: str) -> None:
        self._failures.pop(username, None)

    def _prune(self) -> None:
        now = time.time()
        for table in (self._revoked, self._locked):
            for key in [k for k, until in table.items() if until <= now]:
                del table[key]
        for key in [k for k, (_, until) in self._sessions.items() if until <= now]:
            del self._sessions[key]
