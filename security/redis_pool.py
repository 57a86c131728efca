"""Redis clients for request paths (sessions, rate limits).

redis-py 8's default pool holds at most 100 connections and raises ``MaxConnectionsError`` past
them: a burst of subscribers connecting at once (each checks its session) failed that way in
tests/faults/test_faults.py. A blocking pool waits for a free connection instead, up to ``timeout``.
"""

from __future__ import annotations

import redis.asyncio as redis


def redis_client(
    url: str, *, decode_responses: bool = False, max_connections: int = 100, timeout: float = 5.0
) -> redis.Redis:
    pool = redis.BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=timeout, decode_responses=decode_responses
    )
    return redis.Redis.from_pool(pool)


def channel(client: redis.Redis, name: str) -> str:
    """The pub/sub channel ``name`` of ``client``'s database. Redis keeps keys per database but
    channels per server: two deployments (or two test stacks) on one Redis, each with its own
    database, would hear each other's events and revocations under the bare name."""
    return f"db{client.connection_pool.connection_kwargs.get('db', 0)}:{name}"
