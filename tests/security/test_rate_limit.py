"""The per-user rate limit (security/rate_limit.py): each client operation counted once through the
real gateway, anonymous callers per client address, and the two limiter backends (in memory, on
Redis across replicas) behaving alike."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from typing import Any

import httpx
import pytest

from clients.python.dcms_client import data, error_codes, gql
from security.rate_limit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from testkit.factories import make_tenant
from tests.support import services
from tests.support.stack import Stack

CHEAP = "query { me { id } }"
RATE_LIMITED_SAMPLE = re.compile(
    r'^dcms_rejected_total\{code="RATE_LIMITED",subgraph="customers"\} (\S+)$', re.M
)


async def _wait_for_fresh_window(window: int) -> None:
    """Start a burst just after a window boundary, so it all falls into one window."""
    await asyncio.sleep(window - time.time() % window + 0.05)


@pytest.mark.e2e
async def test_rate_limit_per_user_counts_each_client_operation_once(stack: Stack) -> None:
    limits = stack.settings.limits
    # one root subgraph (customers) + `_entities` calls to marketing and operations: counted once
    query = """query { customers(first: 2) { nodes { name primaryManager { displayName }
        opportunities(first: 1) { nodes { title } } } } }"""
    for _attempt in range(3):  # a busy machine may stretch a burst over two windows: a fresh user, again
        tenant = await make_tenant(stack.settings, customers=2, grabbers=0, needs=0)
        await _wait_for_fresh_window(limits.rate_window)
        started = time.monotonic()
        results = await asyncio.gather(
            *(gql(stack.gateway_url, query, None, tenant.manager_token) for _ in range(limits.rate_limit + 3))
        )
        if time.monotonic() - started < limits.rate_window - 0.5:
            break
    else:
        raise AssertionError("three bursts too slow to fall in one window")
    refused = [r for r in results if error_codes(r) == ["RATE_LIMITED"]]
    assert len(refused) == 3, [error_codes(r) for r in results]
    assert sum(1 for r in results if not r.get("errors")) == limits.rate_limit, [
        error_codes(r) for r in results
    ]
    retry_after = refused[0]["errors"][0]["extensions"]["retryAfter"]
    assert 1 <= retry_after <= limits.rate_window
    # counted as rejected by the subgraph that refused (observability/metrics.py)
    async with httpx.AsyncClient(timeout=10) as client:
        scraped = (await client.get(f"{stack.subgraphs_url}/metrics")).text
    rejected = RATE_LIMITED_SAMPLE.search(scraped)
    assert rejected is not None and float(rejected.group(1)) >= 3
    # another user is not affected
    other = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    data(await gql(stack.gateway_url, CHEAP, None, other.manager_token))
    # and the window passes
    await asyncio.sleep(retry_after + 0.1)
    data(await gql(stack.gateway_url, CHEAP, None, tenant.manager_token))


@pytest.mark.e2e
async def test_anonymous_operations_are_limited_per_client_ip(stack: Stack) -> None:
    limits = stack.settings.limits
    query = "{ customers(first: 1) { nodes { id } } }"
    await _wait_for_fresh_window(limits.rate_window)
    started = time.monotonic()
    results = await asyncio.gather(
        *(gql(stack.gateway_url, query) for _ in range(limits.rate_limit_anonymous + 2))
    )
    assert time.monotonic() - started < limits.rate_window - 0.5, "burst too slow to fall in one window"
    codes = [error_codes(r) for r in results]
    assert (
        codes.count(["RATE_LIMITED"]) == 2 and codes.count(["UNAUTHENTICATED"]) == limits.rate_limit_anonymous
    )
    await _wait_for_fresh_window(limits.rate_window)  # leave the shared IP bucket empty for other tests


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> Any:
    backend: RateLimiter = (
        MemoryRateLimiter() if request.param == "memory" else RedisRateLimiter(services.require_redis())
    )
    yield backend
    await backend.close()


@pytest.mark.integration
async def test_limiter_backends_share_one_behaviour(limiter: RateLimiter) -> None:
    key = f"test:{uuid.uuid4()}"
    decisions = [await limiter.hit(key, limit=3, window=60) for _ in range(5)]
    assert [d.allowed for d in decisions] == [True, True, True, False, False]
    assert [d.count for d in decisions] == [1, 2, 3, 4, 5]
    assert all(1 <= d.retry_after <= 60 for d in decisions)
    assert (await limiter.hit(f"{key}:other", limit=3, window=60)).allowed
    # a one-second window resets
    short = f"{key}:short"
    assert (await limiter.hit(short, limit=1, window=1)).allowed
    await asyncio.sleep(1.05 - time.time() % 1)
    assert (await limiter.hit(short, limit=1, window=1)).allowed


@pytest.mark.integration
async def test_redis_limiter_counts_across_replicas() -> None:
    url = services.require_redis()
    first, second = RedisRateLimiter(url), RedisRateLimiter(url)
    key = f"test:{uuid.uuid4()}"
    try:
        assert (await first.hit(key, limit=1, window=60)).allowed
        assert not (await second.hit(key, limit=1, window=60)).allowed
    finally:
        await first.close()
        await second.close()
