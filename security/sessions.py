"""Login sessions, revocation and lockout: in Redis, or in this process for the embedded default.

- A **session** is one login: the refresh-token family. The store remembers the id (jti) of the
  one refresh token that may be used next; using it rotates to a new one, using any other (an
  old, already rotated one: stolen or replayed) revokes the whole session.
- **Revocation** (logout, reuse, switchRole) marks the session id revoked for as long as any of
  its tokens can live (8 hours); a password change refuses every token of the user issued
  before it; an edit of a role's definition (角色管理, ``revoke_role_before``) every access token
  acting in that role issued before it (its refresh tokens still work). Every operation checks
  its access token against these with ``revoked``: a look-up in this process, no round trip.
  With Redis, the store keeps the revocations in process and learns
  of every other process's by pub/sub (below); ``is_revoked`` asks Redis itself (refresh, and the
  30 s recheck of open subscriptions in realtime/guard.py, the safety net if a notice was lost).
- **Lockout**: failed logins are counted per submitted username *and client address* (the
  address the gateway reports on a signed request), so a guesser at one address cannot lock the
  owner out at another. The 5th failure from one address within the window locks that username for
  that address for 1 s, each further failure doubles the lock, up to the lock time (15 minutes by
  default, ``DCMS_LOCKOUT_SECONDS``, also the window); a success from the address clears its count.
  A much higher ceiling per username across all addresses (50 in the window) locks the username
  everywhere for the lock time, so guessing spread over many addresses still stops; a success
  does not clear that one. Counted for any submitted username, known or not, so locking does not
  tell which accounts exist.

**Revocations reach every process** (Redis): ``revoke``, ``revoke_user_before``,
``revoke_role_before`` and reuse
detection write the Redis keys and, in the same transaction (or Lua script), publish the
revocation on ``REVOCATIONS_CHANNEL``. ``connect`` (the app's lifespan, subgraphs/app.py) starts a
listener that adds each one to this process's set, so a revocation made anywhere is refused here
within the pub/sub delivery time (milliseconds; tests/security/test_revocation_sync.py holds it
to under 1 s). On every (re)subscribe, the first and each after Redis was lost (redis-py
reconnects and resubscribes), the listener loads every live revocation from the Redis keys
(SCAN), so nothing revoked while it was disconnected is missed: it is at most the reconnect
back-off (0.5 s) behind once Redis is reachable again. While Redis is away the set keeps what it
knew plus this process's own revocations; the load replaces it with what Redis holds. Until the
first load (the store not connected yet, or Redis away at start) ``knows_all`` is False and
callers ask ``is_revoked`` instead.

Both stores have the same interface and the same tests (tests/security/test_sessions.py). Without
``REDIS_URL`` the in-process store only works while every subgraph runs in one process (``dcms
up``); production sets ``REDIS_URL``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from redis.asyncio.client import PubSub
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from security.outage import REDIS
from security.redis_pool import channel, redis_client
from security.tokens import REFRESH_TTL_SECONDS

log = logging.getLogger(__name__)

_PREFIX = "dcms:auth:"
# {"session": id, "until": epoch s}, {"user": id, "before": epoch s} or {"role": name, "before":
# epoch s} (角色管理: the role's tokens issued before an edit): one revocation, published
# by whoever revoked, in the same transaction as its key.
REVOCATIONS_CHANNEL = f"{_PREFIX}revocations"
# The listener reconnects after this at most (it starts at 0.05 s and doubles).
MAX_RETRY_SECONDS = 0.5


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
    async def revoke_role_before(self, role: str, at: float) -> None:
        """Refuse every access token acting in ``role`` issued before ``at`` (角色管理: the role's
        definition changed). Refresh tokens are not asked about roles: the refreshed token carries
        the new definition."""

    @abstractmethod
    async def is_revoked(
        self, session_id: str, user_id: str = "", issued_at: float = 0.0, role: str = ""
    ) -> bool:
        """The session is revoked, or the user's tokens issued before ``issued_at`` are, or (given
        ``role``) tokens of that role issued before ``issued_at`` are: asked of the store itself
        (Redis), for the few callers that must not trust this process's copy."""

    @abstractmethod
    def revoked(self, session_id: str, user_id: str = "", issued_at: float = 0.0, role: str = "") -> bool:
        """The same answer from this process's copy, without awaiting: every operation asks it.
        Complete only while ``knows_all``."""

    @property
    def knows_all(self) -> bool:
        """``revoked`` knows every revocation (else ask ``is_revoked``)."""
        return True

    async def connect(self, wait: float = 2.0) -> None:  # noqa: B027 (optional hook)
        """Start learning of other processes' revocations (the app's lifespan); ``wait`` up to
        that long for the first load."""

    @abstractmethod
    async def locked_for(self, username: str, address: str) -> float:
        """Seconds until ``username`` may try again from ``address``; 0 when it may now."""

    @abstractmethod
    async def record_failure(self, username: str, address: str) -> float:
        """Count a failed login of ``username`` from ``address``; the lock it started (seconds,
        0 for none)."""

    @abstractmethod
    async def clear_failures(self, username: str, address: str | None) -> None:
        """A success from ``address``: its count and lock go (the per-username ceiling stays).
        ``address`` None (解锁, an administrator's unlock): every address's and the ceiling's."""

    async def close(self) -> None:  # noqa: B027 (optional hook)
        pass


def session_store(redis_url: str | None, lockout: LockoutPolicy | None = None) -> SessionStore:
    lockout = lockout or LockoutPolicy()
    return RedisSessionStore(redis_url, lockout) if redis_url else MemorySessionStore(lockout)


# --------------------------------------------------------------------------- Redis

# KEYS: session, revoked; ARGV: presented id, new id, revocation ttl (ms), channel, notice
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
redis.call('PUBLISH', ARGV[4], ARGV[5])
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


# When a role's definition last changed, never moved back (two edits may cross). KEYS: the role's
# key; ARGV: the time (epoch s), ttl (ms), channel, notice.
_ROLE_BEFORE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
"""


class RedisSessionStore(SessionStore):
    def __init__(self, url: str, lockout: LockoutPolicy) -> None:
        super().__init__(lockout)
        self._redis = redis_client(url, decode_responses=True)
        self._revocations = channel(self._redis, REVOCATIONS_CHANNEL)  # this database's
        self._rotate = self._redis.register_script(_ROTATE)
        self._count_failure = self._redis.register_script(_COUNT_FAILURE)
        self._set_role_before = self._redis.register_script(_ROLE_BEFORE)
        # Every revocation this process knows of, for as long as it matters: those loaded from
        # Redis on (re)subscribe, those announced on REVOCATIONS_CHANNEL since, and its own.
        self._local = MemorySessionStore(lockout)
        self._journal: list[tuple[str, str, float]] | None = None  # marks made during a load
        self._loaded = False  # the first load is done: `revoked` knows all
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()  # set after each (re)load; the tests wait on it

    @property
    def knows_all(self) -> bool:
        return self._loaded

    async def connect(self, wait: float = 2.0) -> None:
        """Start the listener; wait up to ``wait`` seconds for its first load (with Redis away it
        goes on trying; meanwhile ``knows_all`` is False)."""
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="session revocations")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), wait)

    async def start(self, session_id: str, refresh_id: str, expires_at: float) -> None:
        ttl_ms = max(1, int((expires_at - time.time()) * 1000))
        await self._redis.set(_session(session_id), refresh_id, px=ttl_ms)

    async def rotate(self, session_id: str, presented_id: str, new_id: str) -> Rotation:
        keys = [_session(session_id), _revoked(session_id)]
        until = time.time() + REFRESH_TTL_SECONDS
        notice = _notice(session=session_id, until=until)
        args: list[str | int] = [
            presented_id,
            new_id,
            REFRESH_TTL_SECONDS * 1000,
            self._revocations,
            notice,
        ]
        result = Rotation(await self._rotate(keys=keys, args=args))
        if result is Rotation.REUSED:
            self._mark_revoked(session_id, until)
        return result

    async def revoke(self, session_id: str) -> None:
        until = time.time() + REFRESH_TTL_SECONDS
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(_revoked(session_id), "1", ex=REFRESH_TTL_SECONDS)
            pipe.delete(_session(session_id))
            pipe.publish(self._revocations, _notice(session=session_id, until=until))
            await pipe.execute()
        # Only once stored: a logout that failed (Redis away, SERVICE_UNAVAILABLE) revoked nothing,
        # here as everywhere; the caller is told to try again.
        self._mark_revoked(session_id, until)

    async def session_end(self, session_id: str) -> float | None:
        ttl_ms = await self._redis.pttl(_session(session_id))
        return time.time() + ttl_ms / 1000 if ttl_ms > 0 else None

    async def revoke_user_before(self, user_id: str, at: float) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(_not_before(user_id), str(at), ex=REFRESH_TTL_SECONDS)
            pipe.publish(self._revocations, _notice(user=user_id, before=at))
            await pipe.execute()
        self._mark_not_before(user_id, at)  # only once stored, as revoke

    async def revoke_role_before(self, role: str, at: float) -> None:
        await self._set_role_before(
            keys=[_role_before(role)],
            args=[at, REFRESH_TTL_SECONDS * 1000, self._revocations, _notice(role=role, before=at)],
        )
        self._mark_role_before(role, at)  # only once stored, as revoke

    def revoked(self, session_id: str, user_id: str = "", issued_at: float = 0.0, role: str = "") -> bool:
        return self._local.revoked(session_id, user_id, issued_at, role)

    async def is_revoked(
        self, session_id: str, user_id: str = "", issued_at: float = 0.0, role: str = ""
    ) -> bool:
        """With Redis away: the revocations this process knows count (logged once per outage).
        Failing instead would stop every operation, reads included, for an outage of a store that
        only logins, refreshes and logouts truly need."""
        try:
            if not user_id and not role:
                revoked, not_before, role_before = await self._redis.exists(_revoked(session_id)), None, None
            else:
                async with self._redis.pipeline(transaction=False) as pipe:
                    pipe.exists(_revoked(session_id))
                    pipe.get(_not_before(user_id))
                    pipe.get(_role_before(role))
                    revoked, not_before, role_before = await pipe.execute()
        except (RedisConnectionError, RedisTimeoutError) as error:
            REDIS.failed(error)
            return self._local.revoked(session_id, user_id, issued_at, role)
        REDIS.ok()
        return (
            bool(revoked)
            or (bool(user_id) and not_before is not None and issued_at < float(not_before))
            or (bool(role) and role_before is not None and issued_at < float(role_before))
        )

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

    async def clear_failures(self, username: str, address: str | None) -> None:
        if address is not None:
            await self._redis.delete(_failures(username, address), _locked(username, address))
            return
        keys = [_failures(username), _locked(username)]
        for kind in ("failures", "locked"):  # "<kind>-at:<address> <username>" for every address
            pattern = f"{_PREFIX}{kind}-at:* {_glob_escaped(username)}"
            keys += [found async for found in self._redis.scan_iter(match=pattern, count=1000)]
        await self._redis.delete(*keys)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        await self._redis.aclose()

    # -- the revocations of every process ------------------------------------------------------

    async def _listen(self) -> None:
        """Subscribe, load, apply each notice; on any failure start again after a back-off. A
        ``subscribe`` confirmation (the first, and each after redis-py reconnected and
        resubscribed by itself) triggers a load: the subscription is live by then, so a
        revocation is either published after it (and received) or written before the load."""
        delay = 0.05
        while True:
            pubsub: PubSub | None = None
            try:
                pubsub = self._redis.pubsub()
                await pubsub.subscribe(self._revocations)
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        await self._load()
                        self._loaded = True
                        self._ready.set()
                        REDIS.ok()
                        delay = 0.05
                    elif message["type"] == "message":
                        self._apply(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a listener that ends leaves this process's copy stale
                if not REDIS.failed(error):  # one line per outage (security/outage.py)
                    log.debug("revocation notices still unavailable: %r", error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_SECONDS)
            finally:
                if pubsub is not None:
                    with contextlib.suppress(Exception):
                        await pubsub.aclose()

    async def _load(self) -> None:
        """This process's copy rebuilt from Redis, the truth: one SCAN of the keyspace (at start
        and after each reconnect only; about 1,000 keys per round trip): what was revoked while
        this process could not hear it is added. One marked or announced while the load runs is
        kept. (A revocation whose write failed was never marked: ``revoke`` marks after Redis.)"""
        self._journal = []
        try:
            now = time.time()
            sessions, users, roles = [], [], []
            async for key in self._redis.scan_iter(match=f"{_PREFIX}*", count=1000):
                if key.startswith(_revoked("")):
                    sessions.append(key)
                elif key.startswith(_not_before("")):
                    users.append(key)
                elif key.startswith(_role_before("")):
                    roles.append(key)
            async with self._redis.pipeline(transaction=False) as pipe:
                for key in sessions:
                    pipe.pttl(key)
                for key in (*users, *roles):
                    pipe.get(key)
                answers = await pipe.execute()
            fresh = MemorySessionStore(self.lockout)
            for key, ttl_ms in zip(sessions, answers[: len(sessions)], strict=True):
                if ttl_ms > 0:
                    fresh.mark_revoked(key.removeprefix(_revoked("")), now + ttl_ms / 1000)
            for key, at in zip(users, answers[len(sessions) : len(sessions) + len(users)], strict=True):
                if at is not None:
                    fresh.mark_not_before(key.removeprefix(_not_before("")), float(at))
            for key, at in zip(roles, answers[len(sessions) + len(users) :], strict=True):
                if at is not None:
                    fresh.mark_role_before(key.removeprefix(_role_before("")), float(at))
            for kind, key, value in self._journal:
                if kind == "session":
                    fresh.mark_revoked(key, value)
                elif kind == "user":
                    fresh.mark_not_before(key, value)
                else:
                    fresh.mark_role_before(key, value)
            self._local = fresh
        finally:
            self._journal = None

    def _mark_revoked(self, session_id: str, until: float) -> None:
        self._local.mark_revoked(session_id, until)
        if self._journal is not None:
            self._journal.append(("session", session_id, until))

    def _mark_not_before(self, user_id: str, at: float) -> None:
        self._local.mark_not_before(user_id, at)
        if self._journal is not None:
            self._journal.append(("user", user_id, at))

    def _mark_role_before(self, role: str, at: float) -> None:
        self._local.mark_role_before(role, at)
        if self._journal is not None:
            self._journal.append(("role", role, at))

    def _apply(self, data: str) -> None:
        try:
            notice: dict[str, Any] = json.loads(data)
            if notice.get("session"):
                self._mark_revoked(str(notice["session"]), float(notice["until"]))
            elif notice.get("user"):
                self._mark_not_before(str(notice["user"]), float(notice["before"]))
            elif notice.get("role"):
                self._mark_role_before(str(notice["role"]), float(notice["before"]))
        except (ValueError, KeyError, TypeError):
            log.warning("revocation notice not understood: %r", data[:200])


def _notice(**fields: str | float) -> str:
    return json.dumps(fields)


def _session(session_id: str) -> str:
    return f"{_PREFIX}session:{session_id}"


def _revoked(session_id: str) -> str:
    return f"{_PREFIX}revoked:{session_id}"


def _not_before(user_id: str) -> str:
    return f"{_PREFIX}not-before:{user_id}"


def _role_before(role: str) -> str:
    return f"{_PREFIX}role-before:{role}"


def _failures(username: str, address: str | None = None) -> str:
    # An address holds no space, so "<address> <username>" cannot be read two ways.
    if address is None:
        return f"{_PREFIX}failures:{username}"
    return f"{_PREFIX}failures-at:{address} {username}"


def _glob_escaped(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


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
        self._role_before: dict[str, float] = {}  # active role → its tokens issued before are refused
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
        self.mark_revoked(session_id, time.time() + REFRESH_TTL_SECONDS)
        self._sessions.pop(session_id, None)

    def mark_revoked(self, session_id: str, until: float) -> None:
        """The session's tokens are refused until ``until`` (epoch seconds)."""
        self._prune()
        self._revoked[session_id] = max(until, self._revoked.get(session_id, 0.0))

    def mark_not_before(self, user_id: str, at: float) -> None:
        """The user's tokens issued before ``at`` are refused (the latest change counts)."""
        self._prune()
        self._not_before[user_id] = max(at, self._not_before.get(user_id, 0.0))

    def mark_role_before(self, role: str, at: float) -> None:
        """Tokens acting in ``role`` issued before ``at`` are refused (the latest edit counts)."""
        self._role_before[role] = max(at, self._role_before.get(role, 0.0))

    async def revoke_role_before(self, role: str, at: float) -> None:
        self.mark_role_before(role, at)

    async def session_end(self, session_id: str) -> float | None:
        entry = self._sessions.get(session_id)
        return entry[1] if entry is not None and entry[1] > time.time() else None

    async def revoke_user_before(self, user_id: str, at: float) -> None:
        self.mark_not_before(user_id, at)

    async def is_revoked(
        self, session_id: str, user_id: str = "", issued_at: float = 0.0, role: str = ""
    ) -> bool:
        return self.revoked(session_id, user_id, issued_at, role)

    def revoked(self, session_id: str, user_id: str = "", issued_at: float = 0.0, role: str = "") -> bool:
        if self._revoked.get(session_id, 0) > time.time():
            return True
        if role and issued_at < self._role_before.get(role, 0.0):
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

    async def clear_failures(self, username: str, address: str | None) -> None:
        if address is not None:
            self._failures.pop((username, address), None)
            self._locked.pop((username, address), None)
            return
        for table in (self._failures, self._locked):
            for key in [k for k in table if k[0] == username]:
                del table[key]

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
