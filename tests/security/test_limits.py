"""Query limits (depth, aliases, tokens, cost, batch) and the per-user rate limit, each refused
with a coded error at the subgraph and through the real gateway."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
import pytest
from graphql import parse

from clients.python.dcms_client import data, error_codes, gql
from security.query_limits import operation_cost
from security.rate_limit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from subgraphs.settings import Limits, numbers_as_env
from subgraphs.spec import spec_of
from testkit.factories import Tenant, make_tenant
from testkit.inprocess import execute
from tests.support import services
from tests.support.queries import CROSS_SUBGRAPH
from tests.support.signing import signed_post
from tests.support.stack import Stack

LIMITS = Limits()  # the in-process schemas run with the defaults

DEEP = "{ me { org { " + "parent { " * 11 + "name " + "} " * 13 + "}"  # 14 levels
ALIASES = "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(LIMITS.max_aliases + 1)) + " }"
TOKENS = "{ me { " + "id " * LIMITS.max_tokens + "} }"
COSTLY = """query($n: Int!) { customers(first: $n) { edges { node {
    name tier grid { name } primaryManager { id } org { id }
    reminders(first: $n) { nodes { id title kind customer { name tier } } } } } } }"""
CHEAP = "query { me { id } }"


def codes_and_limits(result: Any) -> list[tuple[str | None, str | None]]:
    errors = result.errors if hasattr(result, "errors") else result.get("errors")
    out = []
    for error in errors or []:
        extensions = error.extensions if hasattr(error, "extensions") else error.get("extensions", {})
        out.append(((extensions or {}).get("code"), (extensions or {}).get("limit")))
    return out


async def post(url: str, body: Any, token: str | None = None, **headers: str) -> tuple[int, Any]:
    if token:
        headers["authorization"] = f"Bearer {token}"
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(url, json=body, headers={"x-request-id": uuid.uuid4().hex, **headers})
    return response.status_code, response.json()


async def post_signed(stack: Stack, url: str, body: Any, token: str | None = None) -> tuple[int, Any]:
    """Straight to a subgraph, signed as the gateway signs."""
    headers = {"x-request-id": uuid.uuid4().hex}
    response = await signed_post(stack.settings.hmac_secret, url, body, token, headers=headers)
    return response.status_code, response.json()


@pytest.fixture
async def tenant(stack: Stack) -> Tenant:
    return await make_tenant(stack.settings, customers=3, grabbers=0, needs=1)


# -- at the subgraph (in process) -----------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize(
    ("subgraph", "query", "variables", "limit"),
    [
        ("operations", DEEP, None, "depth"),
        ("operations", ALIASES, None, "aliases"),
        ("operations", TOKENS, None, "tokens"),
        ("customers", COSTLY, {"n": 100}, "cost"),
    ],
)
async def test_each_limit_is_refused_in_process(
    database, subgraph: str, query: str, variables: Any, limit: str
) -> None:
    tenant = await make_tenant(database, customers=1, grabbers=0, needs=0)
    result = await execute(subgraph, query, variables, tenant.manager_token, settings=database)
    assert result.data is None
    assert ("BAD_USER_INPUT", limit) in codes_and_limits(result), result.errors


@pytest.mark.integration
async def test_a_modest_page_is_well_inside_the_cost_limit(database) -> None:
    tenant = await make_tenant(database, customers=2, grabbers=0, needs=0)
    result = await execute("customers", COSTLY, {"n": 20}, tenant.manager_token, settings=database)
    assert result.errors is None, result.errors


def test_cost_counts_fields_times_pages() -> None:
    document = parse(COSTLY)
    cost_at = {
        n: operation_cost(
            spec_of("customers").schema._schema, document, None, {"n": n}, LIMITS.default_list_size
        )
        for n in (1, 10)
    }
    # per customer: edges, node, 6 fields, grid.name, primaryManager.id, org.id = 11;
    # per reminder: nodes, 4 fields, customer.name, customer.tier = 7
    assert cost_at[1] == 1 + 1 * 11 + 1 * 7
    assert cost_at[10] == 1 + 10 * 11 + 10 * 10 * 7
    # _entities: multiplied by the representations; 100 of them with a nested page of 3 stay far inside
    entities = parse(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { name "
        "reminders(first: 3) { nodes { title customer { name } } } } } }"
    )
    reps = [{"__typename": "Customer", "id": str(uuid.uuid4())}] * 100
    cost = operation_cost(
        spec_of("customers").schema._schema, entities, None, {"r": reps}, LIMITS.default_list_size
    )
    assert cost == 1 + 100 * (2 + 3 * 4)
    assert cost * 20 < LIMITS.max_cost


# -- through the gateway and straight to a subgraph (production mode stack) -------------------------


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("query", "variables", "limit"),
    [
        (DEEP, None, "depth"),
        (ALIASES, None, "aliases"),
        (TOKENS, None, "tokens"),
        (COSTLY, {"n": 100}, "cost"),
    ],
)
async def test_each_limit_is_refused_through_the_gateway_and_at_the_subgraph(
    stack: Stack, tenant: Tenant, query: str, variables: Any, limit: str
) -> None:
    _status, result = await post(
        stack.gateway_url, {"query": query, "variables": variables}, tenant.manager_token
    )
    assert ("BAD_USER_INPUT", limit) in codes_and_limits(result), result
    assert not result.get("data")
    subgraph = stack.subgraph("customers" if limit == "cost" else "operations")
    body = {"query": query, "variables": variables}
    _status, direct = await post_signed(stack, subgraph, body, tenant.manager_token)
    assert ("BAD_USER_INPUT", limit) in codes_and_limits(direct), direct


@pytest.mark.e2e
async def test_batches_over_the_limit_are_refused(stack: Stack, tenant: Tenant) -> None:
    n = stack.settings.limits.max_batch
    ok_status, ok = await post(stack.gateway_url, [{"query": CHEAP}] * n, tenant.manager_token)
    assert ok_status == 200 and all(item["data"]["me"]["id"] for item in ok), ok
    _status, refused = await post(stack.gateway_url, [{"query": CHEAP}] * (n + 1), tenant.manager_token)
    assert "BAD_USER_INPUT" in error_codes(refused), refused
    # straight to a subgraph (signed): Strawberry's plain-text 400 became a coded error
    # a batch is one body under one signature
    body = [{"query": CHEAP}] * (n + 1)
    status, direct = await post_signed(stack, stack.subgraph("operations"), body, tenant.manager_token)
    assert status == 400 and codes_and_limits(direct) == [("BAD_USER_INPUT", "batch")], direct
    status, fine = await post_signed(stack, stack.subgraph("operations"), body[:n], tenant.manager_token)
    assert status == 200 and len(fine) == n and all(item["data"]["me"] for item in fine), fine


@pytest.mark.e2e
async def test_the_cross_subgraph_query_stays_inside_every_limit(stack: Stack, tenant: Tenant) -> None:
    data(await gql(stack.gateway_url, CROSS_SUBGRAPH, {"first": 100}, tenant.manager_token))


# -- rate limit ----------------------------------------------------------------------------------


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
    assert sum(1 for r in results if not r.get("errors")) == limits.rate_limit
    retry_after = refused[0]["errors"][0]["extensions"]["retryAfter"]
    assert 1 <= retry_after <= limits.rate_window
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


def test_limits_reach_the_gateway_as_the_same_numbers() -> None:
    env = numbers_as_env(Limits(max_depth=7, max_cost=123))
    assert env["DCMS_MAX_DEPTH"] == "7" and env["DCMS_MAX_COST"] == "123"
    assert json.dumps(env)  # plain strings for the child process
