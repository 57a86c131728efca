"""Fixed-window rate limits per principal (or per client IP), in Redis or in-process.

A fixed window is one ``INCR`` + ``EXPIRE`` round trip per counted operation; its known
weakness (up to twice the limit across a window boundary) is acceptable for a per-user
flood guard. Redis makes the count shared by every replica; the in-process limiter, for
the embedded default (one process), has the same interface.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as redis

from security.outage import REDIS
from security.redis_pool import redis_client

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window resets (whole seconds, at least 1)


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window: int) -> Decision: ...

    async def close(self) -> None: ...


def _decision(count: int, limit: int, window: int, index: int, now: float) -> Decision:
    retry_after = max(1, math.ceil((index + 1) * window - now))
    return Decision(allowed=count <= limit, count=count, retry_after=retry_after)


class MemoryRateLimiter:
    """One process: a dict of (window index, count) per key, pruned as windows pass."""

    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, int]] = {}

    async def hit(self, key: str, limit: int, window: int) -> Decision:
        now = time.time()
        index = int(now // window)
        seen_index, count = self._counts.get(key, (index, 0))
        count = count + 1 if seen_index == index else 1
        self._counts[key] = (index, count)
        if len(self._counts) > 100_000:
            self._counts = {k: v for k, v in self._counts.items() if v[0] == index}
        return _decision(count, limit, window, index, now)

    async def close(self) -> None:
        self._counts.clear()


class RedisRateLimiter:
    """Shared by all replicas. When Redis is unreachable the operation is let through (and
    logged): the limiter guards against floods, it is not an authorization check."""

    PREFIX = "dcms:ratelimit:"

    def __init__(self, url: str) -> None:
        self._redis = redis_client(url)

    async def hit(self, key: str, limit: int, window: int) -> Decision:
        now = time.time()
        index = int(now // window)
        name = f"{self.PREFIX}{key}:{index}"
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.incr(name)
                pipe.expire(name, window + 1)
                count, _ = await pipe.execute()
        except (redis.ConnectionError, redis.TimeoutError) as error:
            REDIS.failed(error)  # one line per outage, not one per operation (security/outage.py)
            return Decision(allowed=True, count=0, retry_after=0)
        except redis.RedisError as error:
            log.warning("rate limiter: Redis refused (%s), operation not counted", type(error).__name__)
            return Decision(allowed=True, count=0, retry_after=0)
        REDIS.ok()
        return _decision(int(count), limit, window, index, now)

    async def close(self) -> None:
        await self._redis.aclose()


def rate_limiter(redis_url: str | None) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()
