"""Query limits (security/query_limits.py: depth, aliases, tokens, cost, batch), each refused with
a coded error at the subgraph and through the real gateway; the limits reach the gateway as the
same numbers. The per-user rate limit: tests/security/test_rate_limit.py."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from graphql import parse

from clients.python.dcms_client import data, error_codes, gql
from security.query_limits import operation_cost
from subgraphs.registry import spec_of
from subgraphs.settings import Limits, numbers_as_env
from testkit.factories import Tenant, make_tenant
from testkit.inprocess import execute
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


def test_limits_reach_the_gateway_as_the_same_numbers() -> None:
    env = numbers_as_env(Limits(max_depth=7, max_cost=123))
    assert env["DCMS_MAX_DEPTH"] == "7" and env["DCMS_MAX_COST"] == "123"
    assert json.dumps(env)  # plain strings for the child process
