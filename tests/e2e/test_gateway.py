"""End to end through the real Hive Gateway: cross-subgraph queries, the four streams
over WebSocket and SSE, the grab race, and the anonymous gate."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from clients.python.dcms_client import data, error_codes, gql, subscribe_sse, subscribe_ws
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


async def test_hall_devices_and_alert_device_cross_subgraphs(stack: Stack, tenant: Tenant) -> None:
    query = """query($id: ID!) { org(id: $id) { name devices { nodes { name status hall { name } } } } }"""
    result = data(await gql(stack.gateway_url, query, {"id": str(tenant.hall.id)}, tenant.hall_token))
    assert result["org"]["devices"]["nodes"] == [
        {"name": "1号自助缴费终端", "status": "ONLINE", "hall": {"name": "测试供电营业厅"}}
    ]


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


# -- streams ---------------------------------------------------------------------------------------

Trigger = Callable[[Stack, Tenant], Awaitable[None]]


async def _add_reminder(stack: Stack, tenant: Tenant) -> None:
    mutation = "mutation($i: AddReminderInput!) { addReminder(input: $i) { id } }"
    variables = {
        "i": {"customerId": str(tenant.customers[0].id), "kind": "LOAN_MATURITY", "title": "贷款下月到期"}
    }
    data(await gql(stack.gateway_url, mutation, variables, tenant.manager_token))


async def _publish_need(stack: Stack, tenant: Tenant) -> None:
    mutation = "mutation($i: PublishNeedInput!) { publishNeed(input: $i) { id } }"
    variables = {
        "i": {
            "applicantId": str(tenant.customers[1].id),
            "amount": "300000",
            "termMonths": 6,
            "purpose": "扩建厂房",
        }
    }
    data(await gql(stack.gateway_url, mutation, variables, tenant.manager_token))


async def _raise_alert(stack: Stack, tenant: Tenant) -> None:
    mutation = "mutation($i: RaiseAlertInput!) { raiseAlert(input: $i) { id } }"
    variables = {"i": {"orgId": str(tenant.hall.id), "level": "CRITICAL", "title": "营业厅网络中断"}}
    data(await gql(stack.gateway_url, mutation, variables, tenant.hall_token))


async def _heartbeat(stack: Stack, tenant: Tenant) -> None:
    mutation = "mutation($i: HeartbeatInput!) { reportHeartbeat(input: $i) { id } }"
    variables = {"i": {"deviceId": str(tenant.device.id), "status": "FAULT", "cpu": 97.5}}
    data(await gql(stack.gateway_url, mutation, variables, tenant.hall_token))


STREAMS: dict[
    str, tuple[str, Callable[[Tenant], dict[str, Any]], Trigger, Callable[[dict[str, Any], Tenant], bool]]
] = {
    "reminders": (
        "subscription { reminders { reminder { title customer { name } manager { displayName } } } }",
        lambda t: {},
        _add_reminder,
        lambda d, t: (
            d["reminders"]["reminder"]["title"] == "贷款下月到期"
            and d["reminders"]["reminder"]["customer"]["name"] == "客户0"
        ),
    ),
    "grabPool": (
        "subscription { grabPool { kind need { purpose applicant { name } } } }",
        lambda t: {},
        _publish_need,
        lambda d, t: d["grabPool"]["kind"] == "NEW" and d["grabPool"]["need"]["purpose"] == "扩建厂房",
    ),
    "alerts": (
        "subscription($path: String) { alerts(orgPath: $path) { alert { title level org { name } } } }",
        lambda t: {"path": t.hall.path},
        _raise_alert,
        lambda d, t: (
            d["alerts"]["alert"]
            == {"title": "营业厅网络中断", "level": "CRITICAL", "org": {"name": "测试供电营业厅"}}
        ),
    ),
    "deviceStatus": (
        "subscription($id: ID) { deviceStatus(deviceId: $id) { device { status cpu hall { name } } } }",
        lambda t: {"id": str(t.device.id)},
        _heartbeat,
        lambda d, t: (
            d["deviceStatus"]["device"]
            == {"status": "FAULT", "cpu": 97.5, "hall": {"name": "测试供电营业厅"}}
        ),
    ),
}


@pytest.mark.parametrize("transport", ["ws", "sse"])
@pytest.mark.parametrize("stream", list(STREAMS))
async def test_stream_delivers_through_gateway(
    stack: Stack, tenant: Tenant, stream: str, transport: str
) -> None:
    query, variables, trigger, matches = STREAMS[stream]
    # Halls are the hall manager's scope; reminders and the pool reach the bank's manager.
    token = tenant.hall_token if stream in ("alerts", "deviceStatus") else tenant.manager_token
    if transport == "ws":
        events: AsyncIterator[dict[str, Any]] = subscribe_ws(
            stack.gateway_ws, query, variables(tenant), token
        )
    else:
        events = subscribe_sse(stack.gateway_url, query, variables(tenant), token)

    async def first_match() -> dict[str, Any]:
        async for payload in events:
            assert not payload.get("errors"), payload
            if matches(payload["data"], tenant):
                return payload["data"]
        raise AssertionError("stream ended")

    receiver = asyncio.create_task(first_match())
    # Until replay exists (realtime issue), an event sent before the subscription reaches the
    # subgraph is missed: trigger again every half second until one arrives.
    try:
        for _ in range(20):
            await trigger(stack, tenant)
            done, _pending = await asyncio.wait({receiver}, timeout=0.5)
            if done:
                break
        assert receiver.done(), f"no {stream} event over {transport} within 10 s"
        receiver.result()
    finally:
        receiver.cancel()


async def test_reminders_reach_only_their_manager(stack: Stack, tenant: Tenant) -> None:
    other = await make_tenant(stack.settings, customers=1, grabbers=0, needs=0)
    events = subscribe_ws(
        stack.gateway_ws, "subscription { reminders { reminder { title } } }", None, other.manager_token
    )
    receiver = asyncio.create_task(anext(events))
    for _ in range(6):
        await _add_reminder(stack, tenant)
        await asyncio.sleep(0.25)
    assert not receiver.done(), "another manager's reminder was delivered"
    receiver.cancel()


# -- grab race ---------------------------------------------------------------------------------------


async def test_fifty_concurrent_grabs_have_one_winner(stack: Stack) -> None:
    tenant = await make_tenant(stack.settings, customers=1, grabbers=50, needs=1)
    need_id = str(tenant.needs[0].id)
    mutation = "mutation($id: ID!) { grabNeed(id: $id) { status handler { id } } }"
    results = await asyncio.gather(
        *(gql(stack.gateway_url, mutation, {"id": need_id}, token) for _user, token in tenant.grabbers)
    )
    winners = [r for r in results if not r.get("errors")]
    assert len(winners) == 1, [r.get("errors") for r in results if r.get("errors")][:3]
    assert sorted(code for r in results for code in error_codes(r)) == ["CONFLICT"] * 49
    winner_id = winners[0]["data"]["grabNeed"]["handler"]["id"]
    assert winner_id in {str(user.id) for user, _token in tenant.grabbers}
    # The winner repeating its grab is safe; the need stays theirs.
    winner_token = next(token for user, token in tenant.grabbers if str(user.id) == winner_id)
    again = data(await gql(stack.gateway_url, mutation, {"id": need_id}, winner_token))
    assert again["grabNeed"] == {"status": "GRABBED", "handler": {"id": winner_id}}
