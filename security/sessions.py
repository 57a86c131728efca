"""Login sessions, revocation and lockout: in Redis, or in this process for the embedded default.

- A **session** is one login: the refresh-token family. The store remembers the id (jti) of the
  one refresh token that may be used next; using it rotates to a new one, using any other (an
  old, already rotated one: stolen or replayed) revokes the whole session.
- **Revocation** (logout, reuse, switchRole) marks the session id revoked for as long as any of
  its tokens can live (8 hours); a password change refuses every token of the user issued
  before it. Every operation checks its access token against both: one Redis round trip.
- **Lockout**: failed logins are counted per submitted username *and client address* (the
  address the gateway reports on a signed request), so a guesser at one address cannot lock the
  owner out at another. The 5th failure from one address within the window locks that username for
  that address for 1 s, each further failure doubles the lock, up to the lock time (15 minutes by
  default, ``DCMS_LOCKOUT_SECONDS``, also the window); a success from the address clears its count.
  A much higher ceiling per username across all addresses (50 in the window) locks the username
  everywhere for the lock time, so guessing spread over many addresses still stops; a success
  does not clear that one. Counted for any submitted username, known or not, so locking does not
  tell which accounts exist.

Both stores have the same interface and the same tests (tests/security/test_sessions.py). Without
``REDIS_URL`` the in-process store only works while every subgraph runs in one process (``dcms
up``); production sets ``REDIS_URL``.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from security.outage import REDIS
from security.redis_pool import redis_client
from security.tokens import REFRESH_TTL_SECONDS

_PREFIX = "dcms:auth:"


class Rotation(StrEnum):
    ROTATED = "ROTATED"  # the presented refresh token was the current one; the new one is current
    REUSED = "REUSED"  # an old refresh token came back: the session is now revoked
    UNKNOWN = "UNKNOWN"  # no such live session (expired, logged out or revoked)


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5  # from one address: this failure locks the username for that address …
    window_seconds: float = 900.0  # … when the failures were each less than this apart
    lock_seconds: float = 900.0  # the longest lock: the back-off stops growing here
    first_lock_seconds: float = 1.0  # the first lock of an address; each further failure doubles it
    account_max_failures: int = 50  # from all addresses together: locks the username everywhere

    def lock_after(self, failures: int) -> float:
        """How long ``failures`` failures from one address lock it out (0: not locked)."""
        if failures < self.max_failures:
            return 0.0
        doublings = min(failures - self.max_failures, 64)  # 2**64 s is past any lock time
        return min(self.first_lock_seconds * 2**doublings, self.lock_seconds)


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
    async def locked_for(self, username: str, address: str) -> float:
        """Seconds until ``username`` may try again from ``address``; 0 when it may now."""

    @abstractmethod
    async def record_failure(self, username: str, address: str) -> float:
        """Count a failed login of ``username`` from ``address``; the lock it started (seconds,
        0 for none)."""

    @abstractmethod
    async def clear_failures(self, username: str, address: str) -> None:
        """A success from ``address``: its count and lock go (the per-username ceiling stays)."""

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


# One failed login, atomically. KEYS: failures and lock of (username, address), failures and lock
# of the username; ARGV: max failures, window, first lock, longest lock (ms), account ceiling.
# Each count lives for the window after its latest failure (plus the lock it started), so
# failures further apart than the window never add up. Returns the lock started (ms, 0 = none).
_COUNT_FAILURE = """
local n = redis.call('INCR', KEYS[1])
local lock = 0
if n >= tonumber(ARGV[1]) then
  lock = math.floor(math.min(tonumber(ARGV[3]) * 2 ^ math.min(n - tonumber(ARGV[1]), 64), tonumber(ARGV[4])))
  redis.call('SET', KEYS[2], '1', 'PX', math.max(lock, 1))
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + lock)
local total = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[2])
if total >= tonumber(ARGV[5]) then
  redis.call('SET', KEYS[4], '1', 'PX', ARGV[4])
  redis.call('DEL', KEYS[3])
  lock = tonumber(ARGV[4])
end
return lock
"""


class RedisSessionStore(SessionStore):
    def __init__(self, url: str, lockout: LockoutPolicy) -> None:
        super().__init__(lockout)
        self._redis = redis_client(url, decode_responses=True)
        self._rotate = self._redis.register_script(_ROTATE)
        self._count_failure = self._redis.register_script(_COUNT_FAILURE)
        # Revocations this process made, for as long as they matter: with Redis away, is_revoked
        # answers from these instead of failing every operation (subgraphs/schema.py `degrade`).
        self._local = MemorySessionStore(lockout)

    async def start(self, session_id: str, refresh_id: str, expires_at: float) -> None:
        ttl_ms = max(1, int((expires_at - time.time()) * 1000))
        await self._redis.set(_session(session_id), refresh_id, px=ttl_ms)

    async def rotate(self, session_id: str, presented_id: str, new_id: str) -> Rotation:
        keys = [_session(session_id), _revoked(session_id)]
        result = await self._rotate(keys=keys, args=[presented_id, new_id, REFRESH_TTL_SECONDS * 1000])
        return Rotation(result)

    async def revoke(self, session_id: str) -> None:
        await self._local.revoke(session_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(_revoked(session_id), "1", ex=REFRESH_TTL_SECONDS)
            pipe.delete(_session(session_id))
            await pipe.execute()

    async def session_end(self, session_id: str) -> float | None:
        ttl_ms = await self._redis.pttl(_session(session_id))
        return time.time() + ttl_ms / 1000 if ttl_ms > 0 else None

    async def revoke_user_before(self, user_id: str, at: float) -> None:
        await self._local.revoke_user_before(user_id, at)
        await self._redis.set(_not_before(user_id), str(at), ex=REFRESH_TTL_SECONDS)

    async def is_revoked(self, session_id: str, user_id: str = "", issued_at: float = 0.0) -> bool:
        """With Redis away: only the revocations this process made count (logged once per
        outage). Failing instead would stop every operation, reads included, for an outage of a
        store that only logins, refreshes and logouts truly need."""
        try:
            if not user_id:
                revoked, not_before = await self._redis.exists(_revoked(session_id)), None
            else:
                async with self._redis.pipeline(transaction=False) as pipe:
                    pipe.exists(_revoked(session_id))
                    pipe.get(_not_before(user_id))
                    revoked, not_before = await pipe.execute()
        except (RedisConnectionError, RedisTimeoutError) as error:
            REDIS.failed(error)
            return await self._local.is_revoked(session_id, user_id, issued_at)
        REDIS.ok()
        return bool(revoked) or (not_before is not None and issued_at < float(not_before))

    async def locked_for(self, username: str, address: str) -> float:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.pttl(_locked(username, address))
            pipe.pttl(_locked(username))
            ttls = await pipe.execute()
        return max(0, *ttls) / 1000  # PTTL is negative for a missing key

    async def record_failure(self, username: str, address: str) -> float:
        policy = self.lockout
        keys = [_failures(username, address), _locked(username, address)]
        keys += [_failures(username), _locked(username)]
        args = [
            policy.max_failures,
            int(policy.window_seconds * 1000),
            int(policy.first_lock_seconds * 1000),
            int(policy.lock_seconds * 1000),
            policy.account_max_failures,
        ]
        return int(await self._count_failure(keys=keys, args=args)) / 1000

    async def clear_failures(self, username: str, address: str) -> None:
        await self._redis.delete(_failures(username, address), _locked(username, address))

    async def close(self) -> None:
        await self._redis.aclose()


def _session(session_id: str) -> str:
    return f"{_PREFIX}session:{session_id}"


def _revoked(session_id: str) -> str:
    return f"{_PREFIX}revoked:{session_id}"


def _not_before(user_id: str) -> str:
    return f"{_PREFIX}not-before:{user_id}"


def _failures(username: str, address: str | None = None) -> str:
    # An address holds no space, so "<address> <username>" cannot be read two ways.
    if address is None:
        return f"{_PREFIX}failures:{username}"
    return f"{_PREFIX}failures-at:{address} {username}"


def _locked(username: str, address: str | None = None) -> str:
    if address is None:
        return f"{_PREFIX}locked:{username}"
    return f"{_PREFIX}locked-at:{address} {username}"


# --------------------------------------------------------------------------- in process


PRUNE_SECONDS = 60.0


class MemorySessionStore(SessionStore):
    """The same rules in dictionaries; each method runs without awaiting, so it is atomic
    within the event loop. Expired entries are dropped as they are met."""

    def __init__(self, lockout: LockoutPolicy) -> None:
        super().__init__(lockout)
        self._sessions: dict[str, tuple[str, float]] = {}  # session → (current refresh id, expires)
        self._revoked: dict[str, float] = {}  # session → until
        # (username, address) or (username, None) for all addresses → (failures, forgotten at)
        self._failures: dict[tuple[str, str | None], tuple[int, float]] = {}
        self._locked: dict[tuple[str, str | None], float] = {}  # the same keys → locked until
        self._not_before: dict[str, float] = {}  # user id → tokens issued before are refused
        self._pruned_at = 0.0

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
        self._prune()
        self._revoked[session_id] = time.time() + REFRESH_TTL_SECONDS
        self._sessions.pop(session_id, None)

    async def session_end(self, session_id: str) -> float | None:
        entry = self._sessions.get(session_id)
        return entry[1] if entry is not None and entry[1] > time.time() else None

    async def revoke_user_before(self, user_id: str, at: float) -> None:
        self._prune()
        self._not_before[user_id] = at

    async def is_revoked(self, session_id: str, user_id: str = "", issued_at: float = 0.0) -> bool:
        if self._revoked.get(session_id, 0) > time.time():
            return True
        return issued_at < self._not_before.get(user_id, 0.0)

    async def locked_for(self, username: str, address: str) -> float:
        now = time.time()
        until = max(self._locked.get((username, address), 0.0), self._locked.get((username, None), 0.0))
        return max(0.0, until - now)

    async def record_failure(self, username: str, address: str) -> float:
        now, policy = time.time(), self.lockout
        self._prune()
        count = self._count((username, address), now) + 1
        lock = policy.lock_after(count)
        self._failures[(username, address)] = (count, now + policy.window_seconds + lock)
        if lock:
            self._locked[(username, address)] = now + lock
        total = self._count((username, None), now) + 1
        if total >= policy.account_max_failures:
            self._failures.pop((username, None), None)
            self._locked[(username, None)] = now + policy.lock_seconds
            return policy.lock_seconds
        self._failures[(username, None)] = (total, now + policy.window_seconds)
        return lock

    async def clear_failures(self, username: str, address: str) -> None:
        self._failures.pop((username, address), None)
        self._locked.pop((username, address), None)

    def _count(self, key: tuple[str, str | None], now: float) -> int:
        count, forgotten_at = self._failures.get(key, (0, 0.0))
        return count if forgotten_at > now else 0

    def _prune(self) -> None:
        """Drop what has expired, at most once a minute (each call walks every table)."""
        now = time.time()
        if now - self._pruned_at < PRUNE_SECONDS:
            return
        self._pruned_at = now
        # A "not before" matters while a token issued before it may live: a refresh token's life.
        for user in [k for k, at in self._not_before.items() if at + REFRESH_TTL_SECONDS <= now]:
            del self._not_before[user]
        for session in [k for k, until in self._revoked.items() if until <= now]:
            del self._revoked[session]
        for locked in [k for k, until in self._locked.items() if until <= now]:
            del self._locked[locked]
        for failed in [k for k, (_, forgotten_at) in self._failures.items() if forgotten_at <= now]:
            del self._failures[failed]
        for key in [k for k, (_, until) in self._sessions.items() if until <= now]:
            del self._sessions[key]
