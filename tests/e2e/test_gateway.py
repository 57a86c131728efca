"""End to end through the real Hive Gateway: a query across four subgraphs, the anonymous gate
and a coded error for bad input. (Each subgraph's own stream through the gateway: the
subgraph's tests, e.g. tests/devices/test_heartbeats.py; the grab race: tests/finance/test_handling.py.)"""

from __future__ import annotations

import pytest

from clients.python.dcms_client import data, error_codes, gql
from testkit.factories import Tenant, make_tenant
from tests.support.queries import CROSS_SUBGRAPH
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture
async def tenant(stack: Stack) -> Tenant:
    return await make_tenant(stack.settings, customers=3, grabbers=2)


async def test_query_crosses_four_subgraphs(stack: Stack, tenant: Tenant) -> None:
    result = data(await gql(stack.gateway_url, CROSS_SUBGRAPH, {"first": 100}, tenant.manager_token))
    assert result["me"]["org"]["name"] == "测试支行"  # operations
    assert {c["name"] for c in result["me"]["customers"]["nodes"]} == {"客户0", "客户1", "客户2"}  # customers
    mine = [
        e["node"]
        for e in result["customers"]["edges"]
        if e["node"]["primaryManager"]["displayName"] == tenant.manager.display_name
    ]
    assert len(mine) == 3
    first = next(c for c in mine if c["name"] == "客户0")
    assert first["org"]["name"] == "测试支行"  # customers → operations
    assert first["opportunities"]["edges"][0]["node"]["title"] == "有意向办理黔农e贷"  # marketing
    assert first["financingNeeds"]["edges"][0]["node"] == {
        "purpose": "购买原材料",
        "status": "OPEN",
    }  # finance


async def test_anonymous_requests_are_refused(stack: Stack) -> None:
    result = await gql(stack.gateway_url, "{ customers(first: 1) { edges { node { id } } } }")
    assert error_codes(result) == ["UNAUTHENTICATED"]
    assert result["data"] is None


async def test_bad_input_gets_a_coded_error(stack: Stack, tenant: Tenant) -> None:
    query = "query($first: Int!) { customers(first: $first) { edges { node { id } } } }"
    assert error_codes(await gql(stack.gateway_url, query, {"first": 1000}, tenant.manager_token)) == [
        "BAD_USER_INPUT"
    ]
    grab = "mutation($id: ID!) { grabNeed(id: $id) { id } }"
    grabber_token = tenant.grabbers[0][1]
    assert error_codes(await gql(stack.gateway_url, grab, {"id": "not-a-uuid"}, grabber_token)) == [
        "BAD_USER_INPUT"
    ]
